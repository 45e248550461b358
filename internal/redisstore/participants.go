package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Participant keys, all under the cycle's hash tag T = <p>{c:<cycle>}:
//
//	T:participants          zset of user ids by sign-up time (ms)
//	T:participant:<uid>     hash: data (profile JSON), role, status, capacity, created, rev
//	T:duos_of:<uid>         set of the person's duo ids
//	T:idx:<role>:<status>   zset of user ids by sign-up time, for counts and lists
//	T:stats                 hash: free_capacity (sum of mentors' free slots),
//	                        pool_rev (raised by every change to a sign-up),
//	                        pool_epoch (raised when someone is forgotten),
//	                        pool_id (when the change log began: new after a data loss),
//	                        tok:<rev mod 1024> (each revision's stamp, see bump),
//	                        pool_stamp (the latest revision's)
//	T:pool_changes          zset of user ids by the pool_rev of their last change
//
// status and duos live outside the JSON so the pairing script can change them without
// decoding it; the JSON's own Status and Duos fields are ignored on read.

// luaHelpers are shared by the participant scripts. base is T (ARGV[1]).
const luaHelpers = `
local base = ARGV[1]
local function pkey(uid) return base .. ':participant:' .. uid end
local function dkey(uid) return base .. ':duos_of:' .. uid end
local function idx(role, status) return base .. ':idx:' .. role .. ':' .. status end
local function free(uid)
  local f = redis.call('HMGET', pkey(uid), 'role', 'status', 'capacity')
  if f[1] ~= 'mentor' or f[2] == 'withdrawn' or f[2] == 'completed' or not f[2] then return 0 end
  local n = tonumber(f[3] or '0') - redis.call('SCARD', dkey(uid))
  if n < 0 then return 0 end
  return n
end
-- touch records that the sign-ups of these people changed (profile, status or
-- duos), for readers that keep the pool in memory (see PoolChanges).
local function logStarted()
  if redis.call('HEXISTS', base .. ':stats', 'pool_id') == 0 then
    local t = redis.call('TIME')
    redis.call('HSET', base .. ':stats', 'pool_id', t[1] .. '.' .. t[2])
  end
end
-- bump raises the log's revision and stamps it (tok:<rev mod 1024>, the time of
-- the write): a reader checks that its revision still has the stamp it saw, which
-- a Redis that lost writes and counts up again cannot fake.
local function bump()
  logStarted()
  local rev = redis.call('HINCRBY', base .. ':stats', 'pool_rev', 1)
  local t = redis.call('TIME')
  local stamp = rev .. '@' .. t[1] .. '.' .. t[2]
  redis.call('HSET', base .. ':stats', 'tok:' .. (rev % 1024), stamp, 'pool_stamp', stamp)
  return rev
end
local function touch(...)
  local rev = bump()
  for _, uid in ipairs({...}) do redis.call('ZADD', base .. ':pool_changes', rev, uid) end
end
local function move(uid, role0, status0, role1, status1, created)
  if role0 and status0 then redis.call('ZREM', idx(role0, status0), uid) end
  redis.call('ZADD', idx(role1, status1), created, uid)
end
`

// joinScript creates or edits a sign-up.
// KEYS (all it touches; luaHelpers build the same names from base): participant,
// duos_of, participants, stats, the eight idx keys, pool_changes.
// ARGV: base, uid, data, role, capacity, now ms.
// A matched person cannot edit (error MATCHED), nor can someone who left while in a
// duo (IN_DUO: the committee decides about the duo); anyone else who left joins
// again as pending. Returns the new rev.
var joinScript = newScript(luaHelpers + `
local uid = ARGV[2]
local key = pkey(uid)
local old = redis.call('HMGET', key, 'role', 'status', 'created', 'rev')
if old[2] == 'matched' then return redis.error_reply('MATCHED') end
if redis.call('SCARD', dkey(uid)) > 0 then return redis.error_reply('IN_DUO') end
local created = old[3] or ARGV[6]
if old[2] == 'withdrawn' then
  created = ARGV[6]
  redis.call('HDEL', key, 'withdrawn_at')
end
local before = free(uid)
redis.call('HSET', key, 'data', ARGV[3], 'role', ARGV[4], 'status', 'pending', 'capacity', ARGV[5], 'created', created)
local rev = redis.call('HINCRBY', key, 'rev', 1)
move(uid, old[1], old[2], ARGV[4], 'pending', created)
redis.call('ZADD', base .. ':participants', created, uid)
redis.call('HINCRBY', base .. ':stats', 'free_capacity', free(uid) - before)
touch(uid)
return rev
`)

// withdrawScript marks a participant withdrawn.
// KEYS (all it touches): participant, duos_of, stats, the eight idx keys,
// pool_changes.
// ARGV: base, uid, now ms. Returns {previous status, duo ids...}; NOTFOUND if absent.
var withdrawScript = newScript(luaHelpers + `
local uid = ARGV[2]
local key = pkey(uid)
local old = redis.call('HMGET', key, 'role', 'status', 'created')
if not old[2] then return redis.error_reply('NOTFOUND') end
local out = {old[2]}
for _, d in ipairs(redis.call('SMEMBERS', dkey(uid))) do table.insert(out, d) end
if old[2] == 'withdrawn' then return out end
local before = free(uid)
redis.call('HSET', key, 'status', 'withdrawn', 'withdrawn_at', ARGV[3])
redis.call('HINCRBY', key, 'rev', 1)
move(uid, old[1], old[2], old[1], 'withdrawn', old[3])
redis.call('HINCRBY', base .. ':stats', 'free_capacity', free(uid) - before)
touch(uid)
return out
`)

func (s *Store) participantKey(cycleID, userID string) string {
	return s.tag(cycleID) + ":participant:" + userID
}

// SaveSignup creates or edits p's sign-up for p.CycleID, as pending. It fails with
// mentor.ECONFLICT when the person is already matched. Saving the same profile twice
// (a redelivered submission) leaves one sign-up.
func (s *Store) SaveSignup(ctx context.Context, p mentor.Participant, now time.Time) error {
	return s.saveSignup(ctx, p, now, nil)
}

// saveSignup is SaveSignup with the script's keys passed through declare first (nil:
// as they are): for the test that undeclared keys are caught (see export_test.go).
func (s *Store) saveSignup(ctx context.Context, p mentor.Participant, now time.Time, declare func([]string) []string) error {
	p.Status, p.Duos = "", nil
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode participant: %w", err)
	}
	capacity := 0
	if p.Role == mentor.RoleMentor {
		capacity = p.Capacity
	}
	t := s.tag(p.CycleID)
	keys := append([]string{s.participantKey(p.CycleID, p.UserID), t + ":duos_of:" + p.UserID, t + ":participants", t + ":stats"},
		s.idxKeys(p.CycleID)...)
	keys = append(keys, t+":pool_changes")
	if declare != nil {
		keys = declare(keys)
	}
	err = s.run(ctx, s.rdb, joinScript, keys, t, p.UserID, data, string(p.Role), capacity, now.UnixMilli()).Err()
	if isReply(err, "MATCHED") || isReply(err, "IN_DUO") {
		return mentor.Errorf(mentor.ECONFLICT, "You're in a duo this cycle, so your sign-up can't be changed here. Please contact the mentorship committee.")
	}
	return wrap(err, "save sign-up of %s", p.UserID)
}

// Withdraw marks the person withdrawn from the cycle and returns their previous
// status and duo ids. Withdrawing twice is harmless (the second returns
// StatusWithdrawn). mentor.ENOTFOUND if they never signed up.
func (s *Store) Withdraw(ctx context.Context, cycleID, userID string, now time.Time) (mentor.Status, []string, error) {
	t := s.tag(cycleID)
	keys := append([]string{s.participantKey(cycleID, userID), t + ":duos_of:" + userID, t + ":stats"}, s.idxKeys(cycleID)...)
	keys = append(keys, t+":pool_changes")
	res, err := s.run(ctx, s.rdb, withdrawScript, keys, t, userID, now.UnixMilli()).StringSlice()
	if isReply(err, "NOTFOUND") {
		return "", nil, mentor.Errorf(mentor.ENOTFOUND, "You haven't signed up for this cycle.")
	}
	if err != nil {
		return "", nil, wrap(err, "withdraw %s", userID)
	}
	return mentor.Status(res[0]), res[1:], nil
}

// Participant returns one sign-up, in one round trip; mentor.ENOTFOUND if there is
// none.
func (s *Store) Participant(ctx context.Context, cycleID, userID string) (mentor.Participant, error) {
	pipe := s.rdb.Pipeline()
	page := s.queuePage(ctx, pipe, s.tag(cycleID), []string{userID})
	if _, err := pipe.Exec(ctx); err != nil {
		return mentor.Participant{}, wrap(err, "get participant %s", userID)
	}
	ps, err := page(nil)
	if err != nil {
		return mentor.Participant{}, err
	}
	if len(ps) == 0 {
		return mentor.Participant{}, mentor.Errorf(mentor.ENOTFOUND, "You haven't signed up for this cycle yet.")
	}
	return ps[0], nil
}

// Participants returns every sign-up of a cycle (withdrawn ones included), by sign-up
// time (see readParticipants).
func (s *Store) Participants(ctx context.Context, cycleID string) ([]mentor.Participant, error) {
	return s.readParticipants(ctx, cycleID, "participants", 0, -1)
}

// ParticipantsWith returns the sign-ups of one role and status, by sign-up time,
// from index start to stop inclusive (-1 = to the end).
func (s *Store) ParticipantsWith(ctx context.Context, cycleID string, role mentor.Role, status mentor.Status, start, stop int) ([]mentor.Participant, error) {
	return s.readParticipants(ctx, cycleID, "idx:"+string(role)+":"+string(status), start, stop)
}

// participantPage is how many sign-ups one pipelined round trip reads.
const participantPage = 500

// readParticipants reads the sign-ups listed in zset set from index start to stop
// (stop -1: to the end): their ids in one command, a snapshot (paging the zset by
// index instead would skip someone whenever a person moved in it between two
// pages), then the people in pipelined pages of participantPage, one round trip
// each. Never one long script: reading 10,000 people in one script blocked Redis,
// for every replica, for about 140 ms; listing 10,000 ids takes about 2 ms. A person
// removed meanwhile is left out.
func (s *Store) readParticipants(ctx context.Context, cycleID, set string, start, stop int) ([]mentor.Participant, error) {
	t := s.tag(cycleID)
	ids, err := s.rdb.ZRange(ctx, t+":"+set, int64(start), int64(stop)).Result()
	if err != nil {
		return nil, wrap(err, "list participants of %s", cycleID)
	}
	return s.participantsByID(ctx, cycleID, ids)
}

// queuePage queues the reads of the sign-ups of ids on pipe; after Exec, the
// returned function appends those that exist (with data) to out.
func (s *Store) queuePage(ctx context.Context, pipe redis.Pipeliner, t string, ids []string) func(out []mentor.Participant) ([]mentor.Participant, error) {
	fields := make([]*redis.SliceCmd, len(ids))
	duos := make([]*redis.StringSliceCmd, len(ids))
	for i, uid := range ids {
		fields[i] = pipe.HMGet(ctx, t+":participant:"+uid, "data", "status", "withdrawn_at")
		duos[i] = pipe.SMembers(ctx, t+":duos_of:"+uid)
	}
	return func(out []mentor.Participant) ([]mentor.Participant, error) {
		for i := range ids {
			f := fields[i].Val()
			if len(f) < 3 || str(f[0]) == "" {
				continue
			}
			p, err := decodeParticipant(str(f[0]), str(f[1]), str(f[2]), duos[i].Val())
			if err != nil {
				return out, err
			}
			out = append(out, p)
		}
		return out, nil
	}
}

// participantsByID returns the sign-ups of ids that exist (in the order of ids),
// reading participantPage of them per round trip.
func (s *Store) participantsByID(ctx context.Context, cycleID string, ids []string) ([]mentor.Participant, error) {
	t := s.tag(cycleID)
	out := make([]mentor.Participant, 0, len(ids))
	for from := 0; from < len(ids); from += participantPage {
		pipe := s.rdb.Pipeline()
		page := s.queuePage(ctx, pipe, t, ids[from:min(from+participantPage, len(ids))])
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, wrap(err, "read participants of %s", cycleID)
		}
		var err error
		if out, err = page(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SignupsInOrder returns the sign-ups of ids that exist (everyone's when ids is
// nil) and the place of each in the cycle's sign-up order: its score in the
// participants zset, the time it counts from, ties broken by user id. A reader
// that keeps sign-ups in memory orders them as the store does with it.
func (s *Store) SignupsInOrder(ctx context.Context, cycleID string, ids []string) ([]mentor.Participant, map[string]float64, error) {
	set := s.tag(cycleID) + ":participants"
	order := make(map[string]float64, len(ids))
	if ids == nil {
		zs, err := s.rdb.ZRangeWithScores(ctx, set, 0, -1).Result()
		if err != nil {
			return nil, nil, wrap(err, "list participants of %s", cycleID)
		}
		ids = make([]string, len(zs))
		for i, z := range zs {
			ids[i], _ = z.Member.(string)
			order[ids[i]] = z.Score
		}
	} else if len(ids) > 0 {
		pipe := s.rdb.Pipeline()
		scores := make([]*redis.FloatCmd, len(ids))
		for i, id := range ids {
			scores[i] = pipe.ZScore(ctx, set, id)
		}
		if _, err := pipe.Exec(ctx); err != nil && !isNil(err) {
			return nil, nil, wrap(err, "read the sign-up order of %s", cycleID)
		}
		for i, id := range ids {
			if v, err := scores[i].Result(); err == nil {
				order[id] = v
			}
		}
	}
	ps, err := s.participantsByID(ctx, cycleID, ids)
	return ps, order, err
}

// PoolChange is what changed in a cycle's sign-ups since a revision.
type PoolChange = mentor.PoolChange

// PoolChanges returns the cycle's sign-up revision and the people whose sign-up
// changed after revision since (none when since is negative), read atomically.
// Every script that changes a sign-up (joining, leaving, a duo made, dissolved or
// closed) raises the revision and records who changed, so a reader that keeps the
// cycle's sign-ups in memory catches up with a few reads instead of reading them
// all again. Forgetting someone changes Epoch instead of naming them, and so does
// a change log begun afresh (Redis lost its data): a reader whose epoch differs
// reads everything again.
func (s *Store) PoolChanges(ctx context.Context, cycleID string, since int64) (PoolChange, error) {
	t := s.tag(cycleID)
	var r *redis.SliceCmd
	var ids *redis.StringSliceCmd
	_, err := s.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		r = pipe.HMGet(ctx, t+":stats", "pool_rev", "pool_epoch", "pool_id", "tok:"+strconv.FormatInt(max(since, 0)%1024, 10), "pool_stamp")
		if since >= 0 {
			ids = pipe.ZRangeByScore(ctx, t+":pool_changes", &redis.ZRangeBy{Min: "(" + strconv.FormatInt(since, 10), Max: "+inf"})
		}
		return nil
	})
	if err != nil {
		return PoolChange{}, wrap(err, "read the sign-up changes of %s", cycleID)
	}
	var out PoolChange
	v := r.Val()
	out.Rev, _ = strconv.ParseInt(str(v[0]), 10, 64)
	out.Epoch = str(v[2]) + "/" + str(v[1])
	out.Stamp = str(v[4])
	if since > 0 {
		out.SinceStamp = str(v[3])
	}
	if ids != nil {
		out.Changed = ids.Val()
	}
	return out, nil
}

func decodeParticipant(data, status, withdrawnAt string, duos []string) (mentor.Participant, error) {
	var p mentor.Participant
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		return p, fmt.Errorf("decode participant: %w", err)
	}
	p.Status = mentor.Status(status)
	sort.Strings(duos)
	p.Duos = duos
	if ms, err := strconv.ParseInt(withdrawnAt, 10, 64); err == nil && ms > 0 {
		p.WithdrawnAt = time.UnixMilli(ms).UTC()
	}
	return p, nil
}

// Counts returns a cycle's numbers in one round trip.
func (s *Store) Counts(ctx context.Context, cycleID string) (mentor.Counts, error) {
	t := s.tag(cycleID)
	pipe := s.rdb.Pipeline()
	card := func(role, status string) *redis.IntCmd { return pipe.ZCard(ctx, t+":idx:"+role+":"+status) }
	pe, me, we := card("mentee", "pending"), card("mentee", "matched"), card("mentee", "withdrawn")
	pm, mm, wm := card("mentor", "pending"), card("mentor", "matched"), card("mentor", "withdrawn")
	ce, cm := card("mentee", "completed"), card("mentor", "completed")
	free := pipe.HGet(ctx, t+":stats", "free_capacity")
	if _, err := pipe.Exec(ctx); err != nil && !isNil(err) {
		return mentor.Counts{}, wrap(err, "count participants of %s", cycleID)
	}
	fc, _ := free.Int()
	return mentor.Counts{
		Mentees: int(pe.Val() + me.Val() + ce.Val()), Mentors: int(pm.Val() + mm.Val() + cm.Val()),
		CompletedMentees: int(ce.Val()), CompletedMentors: int(cm.Val()),
		PendingMentees: int(pe.Val()), PendingMentors: int(pm.Val()),
		MatchedMentees: int(me.Val()), MatchedMentors: int(mm.Val()),
		Withdrawn: int(we.Val() + wm.Val()), FreeMentorCapacity: fc,
	}, nil
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

func isNil(err error) bool { return err == redis.Nil }
