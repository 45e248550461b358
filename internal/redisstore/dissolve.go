package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Dissolution is the outcome of DissolveDuo.
type Dissolution = mentor.Dissolution

// idxKeys are the participant index keys of every role and status, which a script
// that moves people between statuses declares because it learns their status only
// as it runs.
func (s *Store) idxKeys(cycleID string) []string {
	t := s.tag(cycleID)
	var keys []string
	for _, role := range []mentor.Role{mentor.RoleMentor, mentor.RoleMentee} {
		for _, st := range []mentor.Status{mentor.StatusPending, mentor.StatusMatched, mentor.StatusWithdrawn, mentor.StatusCompleted} {
			keys = append(keys, t+":idx:"+string(role)+":"+string(st))
		}
	}
	return keys
}

// dissolveScript ends a duo and settles both members.
// KEYS (all it touches; luaHelpers build the same names from base): duo hash,
// checklist hash, duo_of:<mentee>, duos_of:<mentor>, duos_of:<mentee>,
// participant:<mentor>, participant:<mentee>, the eight idx keys, stats,
// pool_changes.
// ARGV: base, duo id, mentor uid, mentee uid, by, at ms, mentor to pool "1"/"0",
// mentee to pool "1"/"0".
// Returns {1 changed | 0 ended before, duo HGETALL, checklist HGETALL, mentor's status,
// mentee's status} ("" for a person without a sign-up); errors NOTFOUND, MEMBERS (the
// duo's members are not the ones the caller read).
var dissolveScript = newScript(luaHelpers + `
local duo, mentorID, menteeID, at = ARGV[2], ARGV[3], ARGV[4], ARGV[6]
local data = redis.call('HGET', KEYS[1], 'data')
if not data then return redis.error_reply('NOTFOUND') end
local d = cjson.decode(data)
if d.MentorID ~= mentorID or d.MenteeID ~= menteeID then return redis.error_reply('MEMBERS') end
local function result(changed)
  return {changed, redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]),
    redis.call('HGET', pkey(mentorID), 'status') or '', redis.call('HGET', pkey(menteeID), 'status') or ''}
end
-- Ended before, or closed at the end of its cycle (its people completed it): nothing
-- to dissolve.
if redis.call('HEXISTS', KEYS[1], 'ended_at') == 1 or redis.call('HEXISTS', KEYS[1], 'closed_at') == 1 then return result(0) end
local before = free(mentorID) + free(menteeID)
redis.call('HSET', KEYS[1], 'ended_at', at, 'ended_by', ARGV[5])
redis.call('SREM', dkey(mentorID), duo)
redis.call('SREM', dkey(menteeID), duo)
if redis.call('GET', base .. ':duo_of:' .. menteeID) == duo then redis.call('DEL', base .. ':duo_of:' .. menteeID) end
-- A person who left stays withdrawn; one still in another duo stays matched; the
-- others go back to the pool when they asked for it, and out of it otherwise.
local function settle(uid, toPool)
  local f = redis.call('HMGET', pkey(uid), 'role', 'status', 'created')
  if not f[2] or f[2] == 'withdrawn' then return end
  local status = 'withdrawn'
  if redis.call('SCARD', dkey(uid)) > 0 then status = 'matched'
  elseif toPool == '1' then status = 'pending' end
  if status == f[2] then return end
  redis.call('HSET', pkey(uid), 'status', status)
  if status == 'withdrawn' then redis.call('HSET', pkey(uid), 'withdrawn_at', at) end
  redis.call('HINCRBY', pkey(uid), 'rev', 1)
  move(uid, f[1], f[2], f[1], status, f[3])
end
settle(mentorID, ARGV[7])
settle(menteeID, ARGV[8])
redis.call('HINCRBY', base .. ':stats', 'free_capacity', free(mentorID) + free(menteeID) - before)
touch(mentorID, menteeID)
return result(1)
`)

// DissolveDuo ends duo duoID for the committee member by at time at, exactly once,
// in one script: the duo keeps its record, channel and history, gains EndedAt and
// EndedBy, and leaves both people's duo lists, so both can be paired again. Each
// member then stands as follows: someone who left the program stays withdrawn; a
// mentor with other duos stays matched; someone in toPool goes back to pending (the
// pool of the next pairing round); anyone else becomes withdrawn, out of the pool
// until they ask to come back (ReturnToPool). Counts and free mentor capacity follow.
// Dissolving an ended duo, or one closed at the end of its cycle, changes nothing and
// returns it with Changed=false.
// mentor.ENOTFOUND when the duo does not exist. (The duo is read once before the
// script, for its members' keys.)
func (s *Store) DissolveDuo(ctx context.Context, cycleID, duoID, by string, at time.Time, toPool map[string]bool) (Dissolution, error) {
	key := s.duoKey(cycleID, duoID)
	raw, err := s.rdb.HGet(ctx, key, "data").Result()
	if isNil(err) {
		return Dissolution{}, errDuoGone
	}
	if err != nil {
		return Dissolution{}, wrap(err, "read duo %s", duoID)
	}
	var r duoRecord
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return Dissolution{}, fmt.Errorf("decode duo %s: %w", duoID, err)
	}
	mentorID, menteeID := r.MentorID, r.MenteeID
	t := s.tag(cycleID)
	keys := append([]string{key, s.checklistKey(cycleID, duoID), t + ":duo_of:" + menteeID,
		t + ":duos_of:" + mentorID, t + ":duos_of:" + menteeID,
		s.participantKey(cycleID, mentorID), s.participantKey(cycleID, menteeID)},
		append(s.idxKeys(cycleID), t+":stats", t+":pool_changes")...)
	res, err := s.run(ctx, s.rdb, dissolveScript, keys, t, duoID, mentorID, menteeID, by, at.UnixMilli(),
		flag(toPool[mentorID]), flag(toPool[menteeID])).Slice()
	switch {
	case isReply(err, "NOTFOUND"):
		return Dissolution{}, errDuoGone
	case isReply(err, "MEMBERS"):
		return Dissolution{}, fmt.Errorf("dissolve duo %s: its members changed while it was read", duoID)
	case err != nil:
		return Dissolution{}, wrap(err, "dissolve duo %s", duoID)
	}
	if len(res) < 5 {
		return Dissolution{}, fmt.Errorf("dissolve duo %s: short reply %v", duoID, res)
	}
	d, err := decodeDuo(flatMap(res[1]), flatMap(res[2]))
	if err != nil {
		return Dissolution{}, err
	}
	out := Dissolution{Changed: str(res[0]) == "1", Duo: d, Status: map[string]mentor.Status{}}
	for uid, st := range map[string]string{mentorID: str(res[3]), menteeID: str(res[4])} {
		if st != "" {
			out.Status[uid] = mentor.Status(st)
		}
	}
	return out, nil
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// returnScript puts a withdrawn person without a duo back in the pool.
// KEYS: participant hash, duos_of:<uid>, the eight idx keys, stats, pool_changes.
// ARGV: base, uid, at ms.
// Returns 1 changed | 0 pending already; errors NOTFOUND, IN_DUO.
var returnScript = newScript(luaHelpers + `
local uid = ARGV[2]
local f = redis.call('HMGET', pkey(uid), 'role', 'status', 'created')
if not f[2] then return redis.error_reply('NOTFOUND') end
if redis.call('SCARD', dkey(uid)) > 0 then return redis.error_reply('IN_DUO') end
if f[2] == 'pending' then return 0 end
if f[2] ~= 'withdrawn' then return redis.error_reply('IN_DUO') end
local before = free(uid)
redis.call('HSET', pkey(uid), 'status', 'pending', 'returned_at', ARGV[3])
redis.call('HDEL', pkey(uid), 'withdrawn_at')
redis.call('HINCRBY', pkey(uid), 'rev', 1)
move(uid, f[1], 'withdrawn', f[1], 'pending', f[3])
redis.call('HINCRBY', base .. ':stats', 'free_capacity', free(uid) - before)
touch(uid)
return 1
`)

// ReturnToPool makes a withdrawn person who has no duo in the cycle pending again, at
// time at (kept as returned_at), keeping their place in the sign-up order: used when
// the partner of a dissolved duo asks for a new match. It does not ask why they were
// withdrawn; whoever calls it decides that they may come back. Someone already
// pending: changed=false. Messages speak to that person. mentor.ECONFLICT when they are in a duo, mentor.ENOTFOUND
// when they never signed up for the cycle.
func (s *Store) ReturnToPool(ctx context.Context, cycleID, userID string, at time.Time) (changed bool, err error) {
	t := s.tag(cycleID)
	keys := append([]string{s.participantKey(cycleID, userID), t + ":duos_of:" + userID},
		append(s.idxKeys(cycleID), t+":stats", t+":pool_changes")...)
	n, err := s.run(ctx, s.rdb, returnScript, keys, t, userID, at.UnixMilli()).Int()
	switch {
	case isReply(err, "NOTFOUND"):
		return false, mentor.Errorf(mentor.ENOTFOUND, "You haven't signed up for this cycle.")
	case isReply(err, "IN_DUO"):
		return false, mentor.Errorf(mentor.ECONFLICT, "You're in a duo this cycle, so there is no new match to look for.")
	}
	return n == 1, wrap(err, "return %s to the pool", userID)
}
