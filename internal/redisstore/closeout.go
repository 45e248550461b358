package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Close-out fields of T:duo:<id> (see duos.go), written by the scripts below:
//
//	closed_at               ms the duo was closed at the end of its cycle
//	close_post_ts           ts of the close-out message in the duo channel
//	close_choice            "continue" or "close"; absent while nobody chose
//	close_by, close_at      who chose last, and when (ms)
//	archived_at             ms the channel was archived as the duo chose

// closeDuoScript closes a duo at the end of its cycle, once, and marks each member
// whose every duo is now closed as completed.
// KEYS: duo hash, participant:<mentor>, participant:<mentee>, duos_of:<mentor>,
// duos_of:<mentee>, stats, the eight idx keys, pool_changes, then the hash of every duo of either
// member (the caller reads them first; a set that changed meanwhile is STALE).
// ARGV: base, duo id, mentor uid, mentee uid, at ms.
// Returns 1 when it closed the duo, 0 when it was closed or dissolved before; errors
// NOTFOUND, MEMBERS, STALE.
var closeDuoScript = newScript(luaHelpers + `
local mentorID, menteeID, at = ARGV[3], ARGV[4], ARGV[5]
local data = redis.call('HGET', KEYS[1], 'data')
if not data then return redis.error_reply('NOTFOUND') end
local d = cjson.decode(data)
if d.MentorID ~= mentorID or d.MenteeID ~= menteeID then return redis.error_reply('MEMBERS') end
if redis.call('HEXISTS', KEYS[1], 'ended_at') == 1 or redis.call('HEXISTS', KEYS[1], 'closed_at') == 1 then
  return 0
end
local declared = {}
for _, k in ipairs(KEYS) do declared[k] = true end
for _, uid in ipairs({mentorID, menteeID}) do
  for _, other in ipairs(redis.call('SMEMBERS', dkey(uid))) do
    if not declared[base .. ':duo:' .. other] then return redis.error_reply('STALE') end
  end
end
local before = free(mentorID) + free(menteeID)
redis.call('HSET', KEYS[1], 'closed_at', at)
local function complete(uid)
  local f = redis.call('HMGET', pkey(uid), 'role', 'status', 'created')
  if f[2] ~= 'matched' then return end
  for _, other in ipairs(redis.call('SMEMBERS', dkey(uid))) do
    local k = base .. ':duo:' .. other
    if redis.call('HEXISTS', k, 'closed_at') == 0 and redis.call('HEXISTS', k, 'ended_at') == 0 then return end
  end
  redis.call('HSET', pkey(uid), 'status', 'completed')
  redis.call('HINCRBY', pkey(uid), 'rev', 1)
  move(uid, f[1], f[2], f[1], 'completed', f[3])
end
complete(mentorID)
complete(menteeID)
redis.call('HINCRBY', base .. ':stats', 'free_capacity', free(mentorID) + free(menteeID) - before)
touch(mentorID, menteeID)
return 1
`)

// CloseDuo closes duo duoID at the end of its cycle, at time at, exactly once: the
// duo gains its ClosedAt, and each member whose every duo is now closed ends the
// cycle as completed (a mentor with a place left no longer offers it). A duo that
// was dissolved, or closed before, is left as it is (closed=false). mentor.ENOTFOUND
// when the duo does not exist.
func (s *Store) CloseDuo(ctx context.Context, cycleID, duoID string, at time.Time) (d mentor.Duo, closed bool, err error) {
	t := s.tag(cycleID)
	for attempt := 0; attempt < maxWatchRetries; attempt++ {
		raw, err := s.rdb.HGet(ctx, s.duoKey(cycleID, duoID), "data").Result()
		if isNil(err) {
			return d, false, errDuoGone
		}
		if err != nil {
			return d, false, wrap(err, "read duo %s", duoID)
		}
		var r duoRecord
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return d, false, fmt.Errorf("decode duo %s: %w", duoID, err)
		}
		mentorID, menteeID := r.MentorID, r.MenteeID
		pipe := s.rdb.Pipeline()
		mentorDuos, menteeDuos := pipe.SMembers(ctx, t+":duos_of:"+mentorID), pipe.SMembers(ctx, t+":duos_of:"+menteeID)
		if _, err := pipe.Exec(ctx); err != nil {
			return d, false, wrap(err, "read the duos of duo %s's members", duoID)
		}
		keys := append([]string{s.duoKey(cycleID, duoID), s.participantKey(cycleID, mentorID), s.participantKey(cycleID, menteeID),
			t + ":duos_of:" + mentorID, t + ":duos_of:" + menteeID, t + ":stats"}, s.idxKeys(cycleID)...)
		keys = append(keys, t+":pool_changes")
		for _, id := range append(mentorDuos.Val(), menteeDuos.Val()...) {
			keys = append(keys, s.duoKey(cycleID, id))
		}
		n, err := s.run(ctx, s.rdb, closeDuoScript, keys, t, duoID, mentorID, menteeID, at.UnixMilli()).Int()
		switch {
		case isReply(err, "STALE"):
			continue // a member's duos changed between the read and the script
		case isReply(err, "NOTFOUND"):
			return d, false, errDuoGone
		case isReply(err, "MEMBERS"):
			return d, false, fmt.Errorf("close duo %s: its members changed while it was read", duoID)
		case err != nil:
			return d, false, wrap(err, "close duo %s", duoID)
		}
		ds, err := s.Duos(ctx, cycleID, []string{duoID})
		if err != nil || len(ds) == 0 {
			return d, false, err
		}
		return ds[0], n == 1, nil
	}
	return d, false, mentor.Errorf(mentor.ECONFLICT, "The duo's members changed while it was being closed. Please try again.")
}

// chooseCloseScript records a member's close-out choice.
// KEYS: duo hash, checklist hash. ARGV: user, choice, at ms.
// Returns {1 changed | 0 same choice, duo HGETALL, checklist HGETALL}; errors
// NOTFOUND, NOT_MEMBER, ENDED, OPEN (not closed yet), ARCHIVED.
var chooseCloseScript = newScript(`
local data = redis.call('HGET', KEYS[1], 'data')
if not data then return redis.error_reply('NOTFOUND') end
local d = cjson.decode(data)
if d.MentorID ~= ARGV[1] and d.MenteeID ~= ARGV[1] then return redis.error_reply('NOT_MEMBER') end
if redis.call('HEXISTS', KEYS[1], 'ended_at') == 1 then return redis.error_reply('ENDED') end
if redis.call('HEXISTS', KEYS[1], 'closed_at') == 0 then return redis.error_reply('OPEN') end
if redis.call('HEXISTS', KEYS[1], 'archived_at') == 1 then return redis.error_reply('ARCHIVED') end
local changed = 0
if redis.call('HGET', KEYS[1], 'close_choice') ~= ARGV[2] then
  redis.call('HSET', KEYS[1], 'close_choice', ARGV[2], 'close_by', ARGV[1], 'close_at', ARGV[3])
  changed = 1
end
return {changed, redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}
`)

// ChooseClose records what member userID chose for duo duoID at the close of the
// cycle: go on without the bot, or archive the channel after the grace period. The
// latest choice counts; choosing what is already chosen changes nothing
// (changed=false). Refused with a message for the person when they are not in the
// duo (mentor.EFORBIDDEN), when the duo was dissolved, is not closed yet, or its
// channel was archived already (mentor.ECONFLICT).
func (s *Store) ChooseClose(ctx context.Context, cycleID, duoID, userID string, choice mentor.CloseChoice, at time.Time) (mentor.Duo, bool, error) {
	keys := []string{s.duoKey(cycleID, duoID), s.checklistKey(cycleID, duoID)}
	res, err := s.run(ctx, s.rdb, chooseCloseScript, keys, userID, string(choice), at.UnixMilli()).Slice()
	switch {
	case isReply(err, "NOTFOUND"):
		return mentor.Duo{}, false, errDuoGone
	case isReply(err, "NOT_MEMBER"):
		return mentor.Duo{}, false, mentor.Errorf(mentor.EFORBIDDEN, "Only the two people of this duo can choose how it goes on.")
	case isReply(err, "ENDED"):
		return mentor.Duo{}, false, mentor.Errorf(mentor.ECONFLICT, "This duo was dissolved by the committee, so there is nothing to choose.")
	case isReply(err, "OPEN"):
		return mentor.Duo{}, false, mentor.Errorf(mentor.ECONFLICT, "The cycle is still running: this choice comes when it ends.")
	case isReply(err, "ARCHIVED"):
		return mentor.Duo{}, false, mentor.Errorf(mentor.ECONFLICT, "This channel has been archived already, as you chose. Ask a workspace admin to unarchive it if you need it again.")
	case err != nil:
		return mentor.Duo{}, false, wrap(err, "choose how duo %s closes", duoID)
	case len(res) < 3:
		return mentor.Duo{}, false, fmt.Errorf("choose how duo %s closes: short reply %v", duoID, res)
	}
	d, err := decodeDuo(flatMap(res[1]), flatMap(res[2]))
	n, _ := res[0].(int64)
	return d, n == 1, err
}

// CloseoutPosted records where the close-out message of duo duoID is.
func (s *Store) CloseoutPosted(ctx context.Context, cycleID, duoID, ts string) error {
	return wrap(s.rdb.HSet(ctx, s.duoKey(cycleID, duoID), "close_post_ts", ts).Err(), "record close-out of duo %s", duoID)
}

// ChannelArchived records that duo duoID's channel was archived, as the duo chose,
// at time at (the first time only).
func (s *Store) ChannelArchived(ctx context.Context, cycleID, duoID string, at time.Time) error {
	return wrap(s.rdb.HSetNX(ctx, s.duoKey(cycleID, duoID), "archived_at", at.UnixMilli()).Err(), "record archiving of duo %s", duoID)
}

// decodeClose reads the close-out fields of a duo hash.
func decodeClose(h map[string]string) mentor.DuoClose {
	return mentor.DuoClose{
		ClosedAt:   msTime(h["closed_at"]),
		PostTS:     h["close_post_ts"],
		Choice:     mentor.CloseChoice(h["close_choice"]),
		ChosenBy:   h["close_by"],
		ChosenAt:   msTime(h["close_at"]),
		ArchivedAt: msTime(h["archived_at"]),
	}
}
