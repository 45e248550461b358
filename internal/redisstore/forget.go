package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Forgetting a person (a data-deletion request) in one cycle T, in one script:
//
//	T:participant:<uid>     deleted; T:participant:<token> keeps role, status (a
//	                        pending sign-up becomes withdrawn: forgetting is leaving),
//	                        created, capacity and forgotten_at, but no data, so every
//	                        list skips it and every count keeps it
//	T:participants, T:idx:* the uid's entry becomes the token's, same score
//	T:duos_of:<uid>, T:duo_of:<uid>  renamed to the token's
//	T:stats                 free_capacity loses the person's free places
//	T:evaluation:<uid>      deleted; T:evaluations keeps the token, same score
//	T:duo:<id>              in the data, MentorID/MenteeID become the token and the
//	                        channel names (made of both names) are blanked; the
//	                        first:/last: activity fields, ended_by and close_by follow
//	T:agreement:<duo>       sig:<n>:<uid> fields and the Author of each version follow
//	T:concern:<id>          of the person's duos: a concern they raised keeps its
//	                        state and counts, loses its text, and names the token
//
// The token is random ("forgotten-…"), the same for every record of the cycle (so
// duo and participant counts stay consistent) and unrelated to the Slack id. What
// other people wrote (a partner's concern, a committee member's decision) stays:
// it is theirs. Pairing rounds that proposed the person expire by themselves
// (RoundTTL); approving one of their proposals fails, the person being gone.

// forgetScript forgets ARGV[2] in one cycle.
// KEYS: participant:<uid>, participant:<token>, participants, duos_of:<uid>,
// duos_of:<token>, duo_of:<uid>, duo_of:<token>, evaluation:<uid>, evaluations,
// stats, the eight idx keys; then for each duo of ARGV: duo hash, agreement hash,
// concerns_of:<duo>; then the hash of each concern of ARGV; then pool_changes.
// ARGV: base, uid, token, now ms, the text left in a concern, n duos, the n duo
// ids, the concern ids.
// Returns {profile 0/1, evaluations, concerns, duos, agreements}; errors STALE (a
// duo or concern appeared that the caller did not declare), RUNNING <duo id>.
var forgetScript = newScript(luaHelpers + `
local uid, token, now, removed = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local nd = tonumber(ARGV[6])
local duoAt, concernAt = {}, {}
for i = 1, nd do duoAt[ARGV[6 + i]] = 19 + 3 * (i - 1) end
for i = 7 + nd, #ARGV do concernAt[ARGV[i]] = 19 + 3 * nd + (i - 7 - nd) end
for _, d in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  local at = duoAt[d]
  if not at then return redis.error_reply('STALE') end
  if redis.call('HEXISTS', KEYS[at], 'ended_at') == 0 and redis.call('HEXISTS', KEYS[at], 'closed_at') == 0 then
    return redis.error_reply('RUNNING ' .. d)
  end
end
for _, at in pairs(duoAt) do
  for _, c in ipairs(redis.call('ZRANGE', KEYS[at + 2], 0, -1)) do
    if not concernAt[c] then return redis.error_reply('STALE') end
  end
end
local out = {0, 0, 0, 0, 0}

local f = redis.call('HMGET', KEYS[1], 'role', 'status', 'created', 'capacity')
if f[2] then
  local before = free(uid)
  local status = f[2]
  if status == 'pending' or status == 'matched' then status = 'withdrawn' end
  redis.call('ZREM', idx(f[1], f[2]), uid)
  redis.call('ZADD', idx(f[1], status), f[3], token)
  local score = redis.call('ZSCORE', KEYS[3], uid) or f[3]
  redis.call('ZREM', KEYS[3], uid)
  redis.call('ZADD', KEYS[3], score, token)
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'role', f[1], 'status', status, 'created', f[3], 'capacity', f[4] or '0', 'forgotten_at', now)
  redis.call('HINCRBY', KEYS[10], 'free_capacity', 0 - before)
  -- Readers that keep the pool in memory read it all again (pool_epoch): the id
  -- must not stay in pool_changes to tell them who went.
  redis.call('ZREM', base .. ':pool_changes', uid)
  bump()
  redis.call('HINCRBY', KEYS[10], 'pool_epoch', 1)
  out[1] = 1
end
if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('RENAME', KEYS[4], KEYS[5]) end
if redis.call('EXISTS', KEYS[6]) == 1 then redis.call('RENAME', KEYS[6], KEYS[7]) end

if redis.call('DEL', KEYS[8]) == 1 then out[2] = 1 end
local sc = redis.call('ZSCORE', KEYS[9], uid)
if sc then
  redis.call('ZREM', KEYS[9], uid)
  redis.call('ZADD', KEYS[9], sc, token)
  out[2] = 1
end

local q = '"' .. uid .. '"'
local tq = '"' .. token .. '"'
for _, at in pairs(duoAt) do
  local k = KEYS[at]
  local data = redis.call('HGET', k, 'data')
  if data then
    local n1, n2
    data, n1 = string.gsub(data, '"MentorID":' .. q, '"MentorID":' .. tq)
    data, n2 = string.gsub(data, '"MenteeID":' .. q, '"MenteeID":' .. tq)
    if n1 + n2 > 0 then
      data = string.gsub(data, '"ChannelName":"[^"]*"', '"ChannelName":""')
      data = string.gsub(data, '"IntendedName":"[^"]*"', '"IntendedName":""')
      redis.call('HSET', k, 'data', data)
      redis.call('HINCRBY', k, 'rev', 1)
      out[4] = out[4] + 1
    end
    for _, fld in ipairs({'first:', 'last:'}) do
      local v = redis.call('HGET', k, fld .. uid)
      if v then
        redis.call('HSET', k, fld .. token, v)
        redis.call('HDEL', k, fld .. uid)
      end
    end
    for _, fld in ipairs({'ended_by', 'close_by'}) do
      if redis.call('HGET', k, fld) == uid then redis.call('HSET', k, fld, token) end
    end
  end
  local ak, touched = KEYS[at + 1], false
  local h = redis.call('HGETALL', ak)
  for i = 1, #h, 2 do
    local fld, v = h[i], h[i + 1]
    if string.sub(fld, 1, 4) == 'sig:' and string.sub(fld, -(#uid + 1)) == ':' .. uid then
      redis.call('HSET', ak, string.sub(fld, 1, #fld - #uid) .. token, v)
      redis.call('HDEL', ak, fld)
      touched = true
    elseif string.match(fld, '^v%d+$') then
      local nv, n = string.gsub(v, '"Author":' .. q, '"Author":' .. tq)
      if n > 0 then
        redis.call('HSET', ak, fld, nv)
        touched = true
      end
    end
  end
  if touched then out[5] = out[5] + 1 end
end

for _, at in pairs(concernAt) do
  local data = redis.call('HGET', KEYS[at], 'data')
  if data then
    local c = cjson.decode(data)
    if c.From == uid then
      c.From = token
      c.Text = removed
      redis.call('HSET', KEYS[at], 'data', cjson.encode(c))
      out[3] = out[3] + 1
    end
  end
end
return out
`)

// ForgottenText replaces the text of a forgotten person's concern, so the committee
// still sees that there was one.
const ForgottenText = "(removed at the person's request)"

// Forget removes userID's personal data from cycle cycleID and keeps the cycle's
// counts, atomically (see the key layout above), and says what it removed. It is
// idempotent: forgetting again finds nothing and returns an empty Forgotten.
// mentor.ECONFLICT when the person is in a duo of the cycle that is still running
// (dissolve it or let the cycle close first: forgetting must not leave a partner in
// a duo with nobody); mentor.EINVALID for an id that is not a Slack user id.
func (s *Store) Forget(ctx context.Context, cycleID, userID string, now time.Time) (mentor.Forgotten, error) {
	out := mentor.Forgotten{CycleID: cycleID}
	if !mentor.ValidUserID(userID) {
		return out, mentor.Errorf(mentor.EINVALID, "%q is not a Slack user id (U… or W…).", userID)
	}
	token, err := forgetToken()
	if err != nil {
		return out, err
	}
	t := s.tag(cycleID)
	for attempt := 0; attempt < maxWatchRetries; attempt++ {
		duos, err := s.duosWith(ctx, cycleID, userID)
		if err != nil {
			return out, err
		}
		pipe := s.rdb.Pipeline()
		concernIDs := make([]*redis.StringSliceCmd, len(duos))
		for i, d := range duos {
			concernIDs[i] = pipe.ZRange(ctx, t+":concerns_of:"+d, 0, -1)
		}
		if len(duos) > 0 {
			if _, err := pipe.Exec(ctx); err != nil {
				return out, wrap(err, "read concerns to forget in %s", cycleID)
			}
		}
		keys := []string{s.participantKey(cycleID, userID), s.participantKey(cycleID, token), t + ":participants",
			t + ":duos_of:" + userID, t + ":duos_of:" + token, t + ":duo_of:" + userID, t + ":duo_of:" + token,
			s.evaluationKey(cycleID, userID), s.evaluationsKey(cycleID), t + ":stats"}
		keys = append(keys, s.idxKeys(cycleID)...)
		args := []any{t, userID, token, now.UnixMilli(), ForgottenText, len(duos)}
		for _, d := range duos {
			keys = append(keys, s.duoKey(cycleID, d), s.agreementKey(cycleID, d), t+":concerns_of:"+d)
			args = append(args, d)
		}
		for _, cs := range concernIDs {
			for _, c := range cs.Val() {
				keys = append(keys, s.concernKey(cycleID, c))
				args = append(args, c)
			}
		}
		keys = append(keys, t+":pool_changes")
		res, err := s.run(ctx, s.rdb, forgetScript, keys, args...).Int64Slice()
		switch {
		case isReply(err, "STALE"):
			continue // a duo or concern appeared between the read and the script
		case isReply(err, "RUNNING"):
			return out, mentor.Errorf(mentor.ECONFLICT,
				"%s is in a duo that is still running in cycle %s, so nothing was forgotten there. The duo must end first: dissolve it (from a concern, or after the person leaves), or forget them once the cycle has closed.", userID, cycleID)
		case err != nil:
			return out, wrap(err, "forget a person in %s", cycleID)
		case len(res) < 5:
			return out, fmt.Errorf("forget in %s: short reply %v", cycleID, res)
		}
		out.Profile = res[0] == 1
		out.Evaluations, out.Concerns, out.Duos, out.Agreements = int(res[1]), int(res[2]), int(res[3]), int(res[4])
		return out, nil
	}
	return out, mentor.Errorf(mentor.ECONFLICT, "The cycle %s kept changing while forgetting; nothing was forgotten there. Please try again.", cycleID)
}

// duosWith returns the ids of the cycle's duos (ended and closed ones included) that
// have userID as mentor or mentee, reading the duos page by page.
func (s *Store) duosWith(ctx context.Context, cycleID, userID string) ([]string, error) {
	var out []string
	err := mentor.EachDuo(ctx, s, cycleID, func(d mentor.Duo) error {
		if d.Has(userID) {
			out = append(out, d.ID)
		}
		return nil
	})
	return out, err
}

// forgetToken is a fresh anonymous stand-in for a person: random, so it says nothing
// about who it stood for.
func forgetToken() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make anonymous token: %w", err)
	}
	return "forgotten-" + hex.EncodeToString(b), nil
}
