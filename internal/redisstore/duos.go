package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Duo keys, under the cycle's hash tag T:
//
//	T:duos                  zset of duo ids by creation time (ms)
//	T:duo:<id>              hash: the duo (fields below)
//	T:duo:<id>:checklist    hash: responsibility id → "1" when ticked (absent: not ticked)
//	T:duo_of:<mentee uid>   the mentee's duo id (one duo per mentee and cycle)
//	T:duos_of:<uid>         set of a person's duo ids (see participants.go)
//
// Fields of T:duo:<id>:
//
//	data                    JSON of mentor.Duo without the fields below (duoRecord)
//	rev                     bumped by every rewrite of data
//	first:<uid>, last:<uid> ms of the member's first and last message in the channel
//	agreement_version       current agreement version (see agreements.go)
//	agreement_drafted       ms of the first version
//	agreement_updated       ms of the current version
//	agreement_signed        ms both had signed the current version; absent until then
//	agreement_frequency     the agreed frequency of the current version
//	ended_at, ended_by      ms and user id of the dissolution (see dissolve.go)
//	closed_at, close_…      the close-out at the end of the cycle (see closeout.go)
//
// The fields outside data are written by scripts that never decode or rewrite the
// JSON, so a message event, a signature and a setup step can land at once without
// losing one another; UpdateDuo rewrites data and rev only.

func (s *Store) duoKey(cycleID, duoID string) string { return s.tag(cycleID) + ":duo:" + duoID }

func (s *Store) checklistKey(cycleID, duoID string) string {
	return s.duoKey(cycleID, duoID) + ":checklist"
}

// duoRecord is what the data field holds: mentor.Duo without the fields kept in their
// own hash fields or hashes. The shadowing fields hide the embedded ones from
// encoding/json (the shallower field wins); RawMessage accepts whatever an older
// record held there and, empty, is left out when writing.
type duoRecord struct {
	mentor.Duo
	Checklist json.RawMessage `json:",omitempty"`
	Activity  json.RawMessage `json:",omitempty"`
	Agreement json.RawMessage `json:",omitempty"`
	EndedAt   json.RawMessage `json:",omitempty"`
	EndedBy   json.RawMessage `json:",omitempty"`
	Close     json.RawMessage `json:",omitempty"`
}

func encodeDuo(d mentor.Duo) ([]byte, error) {
	data, err := json.Marshal(duoRecord{Duo: d})
	if err != nil {
		return nil, fmt.Errorf("encode duo %s: %w", d.ID, err)
	}
	return data, nil
}

// decodeDuo builds a duo from its hash (HGETALL) and its checklist hash. Checklist
// holds the ticked items only, never false entries, so every reader sees one shape.
func decodeDuo(h, checklist map[string]string) (mentor.Duo, error) {
	var r duoRecord
	if err := json.Unmarshal([]byte(h["data"]), &r); err != nil {
		return mentor.Duo{}, fmt.Errorf("decode duo: %w", err)
	}
	d := r.Duo
	d.Checklist = map[string]bool{}
	for k, v := range checklist {
		if v == "1" {
			d.Checklist[k] = true
		}
	}
	d.Activity = mentor.DuoActivity{
		MentorFirst: msTime(h["first:"+d.MentorID]), MentorLast: msTime(h["last:"+d.MentorID]),
		MenteeFirst: msTime(h["first:"+d.MenteeID]), MenteeLast: msTime(h["last:"+d.MenteeID]),
	}
	d.Agreement = mentor.AgreementStatus{
		DraftedAt: msTime(h["agreement_drafted"]),
		UpdatedAt: msTime(h["agreement_updated"]),
		SignedAt:  msTime(h["agreement_signed"]),
		Frequency: h["agreement_frequency"],
	}
	d.Agreement.Version, _ = strconv.Atoi(h["agreement_version"])
	d.EndedAt, d.EndedBy = msTime(h["ended_at"]), h["ended_by"]
	d.Close = decodeClose(h)
	return d, nil
}

// msTime reads a Unix time in milliseconds, written as an integer or as a zset score
// ("1.7914752e+12"); "" (or garbage) is the zero time.
func msTime(s string) time.Time {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f == 0 {
			return time.Time{}
		}
		ms = int64(f)
	}
	return time.UnixMilli(ms).UTC()
}

// Duos returns the duos with the given ids, in that order (missing ones are skipped),
// in one round trip.
func (s *Store) Duos(ctx context.Context, cycleID string, ids []string) ([]mentor.Duo, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	hs := make([]*redis.MapStringStringCmd, len(ids))
	checks := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		hs[i] = pipe.HGetAll(ctx, s.duoKey(cycleID, id))
		checks[i] = pipe.HGetAll(ctx, s.checklistKey(cycleID, id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, wrap(err, "read duos of %s", cycleID)
	}
	out := make([]mentor.Duo, 0, len(ids))
	for i := range ids {
		h := hs[i].Val()
		if h["data"] == "" {
			continue
		}
		d, err := decodeDuo(h, checks[i].Val())
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// DuoPage returns one page of a cycle's duos, oldest first (ended ones included),
// from offset, at most limit of them, and how many duos the cycle has: two round
// trips. limit <= 0 returns no duos, only the total.
func (s *Store) DuoPage(ctx context.Context, cycleID string, offset, limit int) ([]mentor.Duo, int, error) {
	if offset < 0 {
		offset = 0
	}
	key := s.tag(cycleID) + ":duos"
	pipe := s.rdb.Pipeline()
	total := pipe.ZCard(ctx, key)
	var ids *redis.StringSliceCmd
	if limit > 0 {
		ids = pipe.ZRange(ctx, key, int64(offset), int64(offset+limit-1))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, 0, wrap(err, "page duos of %s", cycleID)
	}
	if ids == nil {
		return nil, int(total.Val()), nil
	}
	ds, err := s.Duos(ctx, cycleID, ids.Val())
	return ds, int(total.Val()), err
}

// approveScript creates a duo and updates both people in one step.
// KEYS (all it touches; luaHelpers build the same names from base): duo, duos,
// duo_of:<mentee>, duos_of:<mentee>, duos_of:<mentor>, participant:<mentee>,
// participant:<mentor>, stats, the eight idx keys, pool_changes.
// ARGV: base, duo id, mentee uid, mentor uid, duo JSON, now ms.
// Returns {duo id, "created"|"existing"}; errors: MENTEE_GONE, MENTEE_TAKEN <duo>,
// MENTOR_GONE, MENTOR_FULL, NOT_MENTEE, NOT_MENTOR, MENTEE_AVOIDS, MENTOR_AVOIDS
// (either put the other on their avoid list since the proposal), DUO_EXISTS (the id is taken, e.g.
// by a dissolved duo, whose ended_at would otherwise be inherited).
var approveScript = newScript(luaHelpers + `
local duo, mentee, mentor = ARGV[2], ARGV[3], ARGV[4]
local existing = redis.call('GET', base .. ':duo_of:' .. mentee)
if existing then
  if redis.call('SISMEMBER', dkey(mentor), existing) == 1 then return {existing, 'existing'} end
  return redis.error_reply('MENTEE_TAKEN ' .. existing)
end
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('DUO_EXISTS') end
local me = redis.call('HMGET', pkey(mentee), 'role', 'status', 'created')
if not me[2] or me[2] == 'withdrawn' then return redis.error_reply('MENTEE_GONE') end
if me[1] ~= 'mentee' then return redis.error_reply('NOT_MENTEE') end
local mr = redis.call('HMGET', pkey(mentor), 'role', 'status', 'created')
if not mr[2] or mr[2] == 'withdrawn' then return redis.error_reply('MENTOR_GONE') end
if mr[1] ~= 'mentor' then return redis.error_reply('NOT_MENTOR') end
if free(mentor) < 1 then return redis.error_reply('MENTOR_FULL') end
-- Proposals live for days and people edit pending sign-ups meanwhile: whoever put
-- the other on their avoid list since is never paired with them.
local function avoids(uid, other)
  local data = redis.call('HGET', pkey(uid), 'data')
  if not data then return false end
  local list = cjson.decode(data).Avoid
  if type(list) ~= 'table' then return false end
  for _, a in ipairs(list) do
    if a == other then return true end
  end
  return false
end
if avoids(mentee, mentor) then return redis.error_reply('MENTEE_AVOIDS') end
if avoids(mentor, mentee) then return redis.error_reply('MENTOR_AVOIDS') end
local before = free(mentor)
redis.call('HSET', base .. ':duo:' .. duo, 'data', ARGV[5], 'rev', 1)
redis.call('ZADD', base .. ':duos', ARGV[6], duo)
redis.call('SET', base .. ':duo_of:' .. mentee, duo)
redis.call('SADD', dkey(mentee), duo)
redis.call('SADD', dkey(mentor), duo)
if me[2] ~= 'matched' then
  redis.call('HSET', pkey(mentee), 'status', 'matched')
  redis.call('HINCRBY', pkey(mentee), 'rev', 1)
  move(mentee, 'mentee', me[2], 'mentee', 'matched', me[3])
end
if mr[2] ~= 'matched' then
  redis.call('HSET', pkey(mentor), 'status', 'matched')
  redis.call('HINCRBY', pkey(mentor), 'rev', 1)
  move(mentor, 'mentor', mr[2], 'mentor', 'matched', mr[3])
end
redis.call('HINCRBY', base .. ':stats', 'free_capacity', free(mentor) - before)
touch(mentee, mentor)
return {duo, 'created'}
`)

// CreateDuo stores d (with d.ID chosen by the caller) and marks both people matched,
// atomically, if the mentee is still free and the mentor still has a place. It is
// idempotent per pair: approving a pair that already is a duo returns that duo with
// created=false. Otherwise conflicts come back as mentor.ECONFLICT with a message
// for the committee member who approved.
func (s *Store) CreateDuo(ctx context.Context, d mentor.Duo) (duo mentor.Duo, created bool, err error) {
	data, err := encodeDuo(d)
	if err != nil {
		return d, false, err
	}
	t := s.tag(d.CycleID)
	keys := append([]string{s.duoKey(d.CycleID, d.ID), t + ":duos", t + ":duo_of:" + d.MenteeID,
		t + ":duos_of:" + d.MenteeID, t + ":duos_of:" + d.MentorID,
		s.participantKey(d.CycleID, d.MenteeID), s.participantKey(d.CycleID, d.MentorID), t + ":stats"},
		s.idxKeys(d.CycleID)...)
	keys = append(keys, t+":pool_changes")
	res, err := s.run(ctx, s.rdb, approveScript, keys, t, d.ID, d.MenteeID, d.MentorID, data, d.CreatedAt.UnixMilli()).StringSlice()
	if err != nil {
		var rerr redis.Error
		if errors.As(err, &rerr) {
			if msg, ok := approveConflict(strings.TrimPrefix(rerr.Error(), "ERR "), d); ok {
				return d, false, mentor.Errorf(mentor.ECONFLICT, "%s", msg)
			}
		}
		return d, false, wrap(err, "create duo %s", d.ID)
	}
	if res[1] == "existing" {
		ds, err := s.Duos(ctx, d.CycleID, []string{res[0]})
		if err != nil {
			return d, false, wrap(err, "read existing duo %s", res[0])
		}
		if len(ds) == 0 {
			return d, false, fmt.Errorf("duo %s is linked to mentee %s but not stored", res[0], d.MenteeID)
		}
		return ds[0], false, nil
	}
	// As Duos would read it back: nothing ticked, no activity, no agreement.
	d.Checklist = map[string]bool{}
	d.Activity, d.Agreement, d.EndedAt, d.EndedBy = mentor.DuoActivity{}, mentor.AgreementStatus{}, time.Time{}, ""
	return d, true, nil
}

func approveConflict(code string, d mentor.Duo) (string, bool) {
	switch {
	case strings.HasPrefix(code, "MENTEE_TAKEN"):
		return fmt.Sprintf("<@%s> is already in a duo with someone else (approved meanwhile).", d.MenteeID), true
	case code == "MENTEE_GONE":
		return fmt.Sprintf("<@%s> is no longer signed up (they may have left the program).", d.MenteeID), true
	case code == "MENTOR_GONE":
		return fmt.Sprintf("<@%s> is no longer signed up as a mentor (they may have left the program).", d.MentorID), true
	case code == "MENTOR_FULL":
		return fmt.Sprintf("<@%s> has no free mentee place left.", d.MentorID), true
	case code == "NOT_MENTEE":
		return fmt.Sprintf("<@%s> signed up as a mentor, not a mentee.", d.MenteeID), true
	case code == "NOT_MENTOR":
		return fmt.Sprintf("<@%s> signed up as a mentee, not a mentor.", d.MentorID), true
	case code == "MENTEE_AVOIDS":
		return fmt.Sprintf("<@%s> has since asked never to be paired with <@%s>.", d.MenteeID, d.MentorID), true
	case code == "MENTOR_AVOIDS":
		return fmt.Sprintf("<@%s> has since asked never to be paired with <@%s>.", d.MentorID, d.MenteeID), true
	case code == "DUO_EXISTS":
		return "That duo was approved before and has since ended. Run `/mentorship match` again for fresh proposals.", true
	}
	return "", false
}

// updateDuoScript replaces a duo's data if its rev is still the one read.
// KEYS: duo hash, checklist hash. ARGV: expected rev, data.
// Returns {duo HGETALL, checklist HGETALL} after the write; errors NOTFOUND, CONFLICT.
var updateDuoScript = newScript(`
if redis.call('HEXISTS', KEYS[1], 'data') == 0 then return redis.error_reply('NOTFOUND') end
if (redis.call('HGET', KEYS[1], 'rev') or '') ~= ARGV[1] then return redis.error_reply('CONFLICT') end
redis.call('HSET', KEYS[1], 'data', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'rev', 1)
return {redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}
`)

// UpdateDuo applies change to the stored duo atomically and returns the duo as stored
// right after, decoded as Duos decodes it. change sees the whole duo, but only what
// the data JSON holds is written: Checklist, Activity, Agreement and EndedAt/EndedBy
// have their own fields and writers, and changes to them here are ignored. The write
// succeeds only if no other UpdateDuo rewrote the data since it was read (rev);
// otherwise it reads again and retries after a short random pause, at most
// maxWatchRetries times in all, then fails with mentor.ECONFLICT. (The check is on
// rev, not a WATCH of the whole hash, so a busy channel's message events never make
// an update retry.) change must be a pure function of the duo it is given: it may run
// more than once. mentor.ENOTFOUND when the duo does not exist.
func (s *Store) UpdateDuo(ctx context.Context, cycleID, duoID string, change func(*mentor.Duo) error) (mentor.Duo, error) {
	keys := []string{s.duoKey(cycleID, duoID), s.checklistKey(cycleID, duoID)}
	for i := 0; i < maxWatchRetries; i++ {
		if i > 0 {
			// Jitter, so two writers that keep colliding fall out of step.
			select {
			case <-ctx.Done():
				return mentor.Duo{}, wrap(ctx.Err(), "update duo %s", duoID)
			case <-time.After(time.Duration(rand.Int64N(int64(i) * int64(time.Millisecond)))):
			}
		}
		pipe := s.rdb.Pipeline()
		h, checks := pipe.HGetAll(ctx, keys[0]), pipe.HGetAll(ctx, keys[1])
		if _, err := pipe.Exec(ctx); err != nil {
			return mentor.Duo{}, wrap(err, "read duo %s", duoID)
		}
		if h.Val()["data"] == "" {
			return mentor.Duo{}, errDuoGone
		}
		d, err := decodeDuo(h.Val(), checks.Val())
		if err != nil {
			return mentor.Duo{}, err
		}
		if err := change(&d); err != nil {
			return d, err
		}
		data, err := encodeDuo(d)
		if err != nil {
			return d, err
		}
		res, err := s.run(ctx, s.rdb, updateDuoScript, keys, h.Val()["rev"], data).Slice()
		switch {
		case isReply(err, "CONFLICT"):
			continue
		case isReply(err, "NOTFOUND"):
			return mentor.Duo{}, errDuoGone
		case err != nil:
			return d, wrap(err, "update duo %s", duoID)
		case len(res) < 2:
			return d, fmt.Errorf("update duo %s: short reply %v", duoID, res)
		}
		return decodeDuo(flatMap(res[0]), flatMap(res[1]))
	}
	return mentor.Duo{}, mentor.Errorf(mentor.ECONFLICT, "Someone else is changing this duo right now. Please try again.")
}

// TickChecklist marks (or clears) one responsibility of a duo and reports whether it
// changed.
func (s *Store) TickChecklist(ctx context.Context, cycleID, duoID, item string, done bool) (changed bool, err error) {
	key := s.checklistKey(cycleID, duoID)
	if done {
		n, err := s.rdb.HSetNX(ctx, key, item, "1").Result()
		return n, wrap(err, "tick %s of duo %s", item, duoID)
	}
	n, err := s.rdb.HDel(ctx, key, item).Result()
	return n > 0, wrap(err, "untick %s of duo %s", item, duoID)
}

// DuoIDs returns the ids of a cycle's duos, oldest first.
func (s *Store) DuoIDs(ctx context.Context, cycleID string) ([]string, error) {
	ids, err := s.rdb.ZRange(ctx, s.tag(cycleID)+":duos", 0, -1).Result()
	return ids, wrap(err, "list duos of %s", cycleID)
}
