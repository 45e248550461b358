package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Duo keys, under the cycle's hash tag T:
//
//	T:duos                  zset of duo ids by creation time (ms)
//	T:duo:<id>              hash: data (JSON of mentor.Duo without Checklist), rev
//	T:duo:<id>:checklist    hash: responsibility id → "1" when ticked
//	T:duo_of:<mentee uid>   the mentee's duo id (one duo per mentee and cycle)
//	T:duos_of:<uid>         set of a person's duo ids (see participants.go)

func (s *Store) duoKey(cycleID, duoID string) string { return s.tag(cycleID) + ":duo:" + duoID }

// Duos returns the duos with the given ids (missing ones are skipped), in one round
// trip.
func (s *Store) Duos(ctx context.Context, cycleID string, ids []string) ([]mentor.Duo, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	data := make([]*redis.StringCmd, len(ids))
	checks := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		data[i] = pipe.HGet(ctx, s.duoKey(cycleID, id), "data")
		checks[i] = pipe.HGetAll(ctx, s.duoKey(cycleID, id)+":checklist")
	}
	if _, err := pipe.Exec(ctx); err != nil && !isNil(err) {
		return nil, wrap(err, "read duos of %s", cycleID)
	}
	out := make([]mentor.Duo, 0, len(ids))
	for i := range ids {
		raw, err := data[i].Result()
		if isNil(err) {
			continue
		}
		d, err := decodeDuo(raw, checks[i].Val())
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func decodeDuo(raw string, checklist map[string]string) (mentor.Duo, error) {
	var d mentor.Duo
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return d, fmt.Errorf("decode duo: %w", err)
	}
	d.Checklist = map[string]bool{}
	for k, v := range checklist {
		if v == "1" {
			d.Checklist[k] = true
		}
	}
	return d, nil
}

// approveScript creates a duo and updates both people in one step.
// ARGV: base, duo id, mentee uid, mentor uid, duo JSON, now ms.
// Returns {duo id, "created"|"existing"}; errors: MENTEE_GONE, MENTEE_TAKEN <duo>,
// MENTOR_GONE, MENTOR_FULL, NOT_MENTEE, NOT_MENTOR.
var approveScript = redis.NewScript(luaHelpers + `
local duo, mentee, mentor = ARGV[2], ARGV[3], ARGV[4]
local existing = redis.call('GET', base .. ':duo_of:' .. mentee)
if existing then
  if redis.call('SISMEMBER', dkey(mentor), existing) == 1 then return {existing, 'existing'} end
  return redis.error_reply('MENTEE_TAKEN ' .. existing)
end
local me = redis.call('HMGET', pkey(mentee), 'role', 'status', 'created')
if not me[2] or me[2] == 'withdrawn' then return redis.error_reply('MENTEE_GONE') end
if me[1] ~= 'mentee' then return redis.error_reply('NOT_MENTEE') end
local mr = redis.call('HMGET', pkey(mentor), 'role', 'status', 'created')
if not mr[2] or mr[2] == 'withdrawn' then return redis.error_reply('MENTOR_GONE') end
if mr[1] ~= 'mentor' then return redis.error_reply('NOT_MENTOR') end
if free(mentor) < 1 then return redis.error_reply('MENTOR_FULL') end
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
return {duo, 'created'}
`)

// CreateDuo stores d (with d.ID chosen by the caller) and marks both people matched,
// atomically, if the mentee is still free and the mentor still has a place. It is
// idempotent per pair: approving a pair that already is a duo returns that duo with
// created=false. Otherwise conflicts come back as mentor.ECONFLICT with a message
// for the committee member who approved.
func (s *Store) CreateDuo(ctx context.Context, d mentor.Duo) (duo mentor.Duo, created bool, err error) {
	d.Checklist = nil
	data, err := json.Marshal(d)
	if err != nil {
		return d, false, fmt.Errorf("encode duo: %w", err)
	}
	res, err := approveScript.Run(ctx, s.rdb, []string{s.duoKey(d.CycleID, d.ID)},
		s.tag(d.CycleID), d.ID, d.MenteeID, d.MentorID, data, d.CreatedAt.UnixMilli()).StringSlice()
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
	}
	return "", false
}

// UpdateDuo applies change to the stored duo atomically (WATCH/MULTI, retried on a
// concurrent write) and returns the result. change must be a pure function of the
// duo it is given: it may run more than once.
func (s *Store) UpdateDuo(ctx context.Context, cycleID, duoID string, change func(*mentor.Duo) error) (mentor.Duo, error) {
	key := s.duoKey(cycleID, duoID)
	d, err := updateJSON(ctx, s, key, "That duo no longer exists.", func(d *mentor.Duo) error {
		if err := change(d); err != nil {
			return err
		}
		d.Checklist = nil // kept in its own hash
		return nil
	})
	if err != nil {
		return d, err
	}
	checks, err := s.rdb.HGetAll(ctx, key+":checklist").Result()
	if err != nil {
		return d, wrap(err, "read checklist of duo %s", duoID)
	}
	d.Checklist = map[string]bool{}
	for k, v := range checks {
		d.Checklist[k] = v == "1"
	}
	return d, nil
}

// TickChecklist marks (or clears) one responsibility of a duo and reports whether it
// changed.
func (s *Store) TickChecklist(ctx context.Context, cycleID, duoID, item string, done bool) (changed bool, err error) {
	key := s.duoKey(cycleID, duoID) + ":checklist"
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
