package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Activity keys:
//
//	<p>chan:<channel id>    "<cycle id>|<duo id>": which duo a channel belongs to. Global,
//	                        not under a cycle's tag: a message event names only the channel.
//	T:seen:<event id>       a message event already counted (expires after a day)
//
// and the first:<uid> / last:<uid> fields of the duo hash (see duos.go).

// seenTTL outlasts Slack's last redelivery of an event (about an hour after the first).
const seenTTL = 24 * time.Hour

func (s *Store) chanKey(channelID string) string { return s.key("chan", channelID) }

// IndexDuoChannel records that channelID is the channel of duo duoID in cycleID, so a
// message event can find its duo in one lookup. Idempotent: indexing the same channel
// again overwrites it with the same value. The ids must not contain '|'.
func (s *Store) IndexDuoChannel(ctx context.Context, channelID, cycleID, duoID string) error {
	if channelID == "" || cycleID == "" || duoID == "" || strings.Contains(cycleID, "|") || strings.Contains(duoID, "|") {
		return fmt.Errorf("index channel %q: bad cycle %q or duo %q", channelID, cycleID, duoID)
	}
	return wrap(s.rdb.Set(ctx, s.chanKey(channelID), cycleID+"|"+duoID, 0).Err(), "index channel %s", channelID)
}

// DuoByChannel returns the duo whose channel is channelID, in one round trip; ok is
// false (and err nil) for a channel that is no duo's, such as any other channel the
// bot is in.
func (s *Store) DuoByChannel(ctx context.Context, channelID string) (cycleID, duoID string, ok bool, err error) {
	v, err := s.rdb.Get(ctx, s.chanKey(channelID)).Result()
	if errors.Is(err, redis.Nil) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, wrap(err, "look up channel %s", channelID)
	}
	cycleID, duoID, ok = strings.Cut(v, "|")
	if !ok {
		return "", "", false, fmt.Errorf("channel %s: malformed index %q", channelID, v)
	}
	return cycleID, duoID, true, nil
}

// MessageOutcome is what one message event did to its duo. At most one of
// Duplicate, Ended and NotMember is true; when none is, the message counted.
type MessageOutcome = mentor.MessageOutcome

// recordMessageScript counts one message of a duo channel.
// KEYS: duo hash, checklist hash, seen key. ARGV: uid, at ms, seen ttl seconds.
// Returns {"duplicate"} | {"ended"} | {"not_member"} | {"ok", first 0/1, ticked 0/1,
// item}; error NOTFOUND (checked before anything is written).
var recordMessageScript = newScript(`
local data = redis.call('HGET', KEYS[1], 'data')
if not data then return redis.error_reply('NOTFOUND') end
if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[3]) then return {'duplicate'} end
if redis.call('HEXISTS', KEYS[1], 'ended_at') == 1 then return {'ended'} end
local d = cjson.decode(data)
local uid, at = ARGV[1], tonumber(ARGV[2])
local item
if uid == d.MenteeID then item = 'mentee.contact'
elseif uid == d.MentorID then item = 'mentor.welcome'
else return {'not_member'} end
local first = 0
local f = redis.call('HGET', KEYS[1], 'first:' .. uid)
if not f then
  first = 1
  redis.call('HSET', KEYS[1], 'first:' .. uid, ARGV[2])
elseif at < tonumber(f) then
  -- an earlier message delivered late: first is the earliest known
  redis.call('HSET', KEYS[1], 'first:' .. uid, ARGV[2])
end
local l = redis.call('HGET', KEYS[1], 'last:' .. uid)
if not l or at > tonumber(l) then redis.call('HSET', KEYS[1], 'last:' .. uid, ARGV[2]) end
local ticked = 0
if first == 1 then ticked = redis.call('HSETNX', KEYS[2], item, '1') end
if ticked == 0 then item = '' end
return {'ok', first, ticked, item}
`)

// RecordMessage counts a message that userID wrote at time at in the channel of duo
// duoID, in one round trip and one atomic step. eventID is Slack's event_id: the same
// event again (Slack redelivers until acked) comes back Duplicate and changes nothing.
// A member's first message sets when they first wrote and ticks their opening
// checklist item (the mentee's "mentee.contact", the mentor's "mentor.welcome") unless
// it was ticked already; every message moves when they last wrote forward, never back
// (events can arrive out of order). Messages of non-members and in ended duos are
// ignored but still marked seen. mentor.ENOTFOUND when the duo does not exist.
func (s *Store) RecordMessage(ctx context.Context, cycleID, duoID, userID, eventID string, at time.Time) (MessageOutcome, error) {
	if userID == "" || eventID == "" {
		return MessageOutcome{}, fmt.Errorf("record message in duo %s: empty user %q or event id %q", duoID, userID, eventID)
	}
	keys := []string{s.duoKey(cycleID, duoID), s.checklistKey(cycleID, duoID), s.tag(cycleID) + ":seen:" + eventID}
	res, err := s.run(ctx, s.rdb, recordMessageScript, keys, userID, at.UnixMilli(), int(seenTTL/time.Second)).Slice()
	if isReply(err, "NOTFOUND") {
		return MessageOutcome{}, mentor.Errorf(mentor.ENOTFOUND, "That duo no longer exists.")
	}
	if err != nil {
		return MessageOutcome{}, wrap(err, "record message %s in duo %s", eventID, duoID)
	}
	var o MessageOutcome
	switch str(res[0]) {
	case "duplicate":
		o.Duplicate = true
	case "ended":
		o.Ended = true
	case "not_member":
		o.NotMember = true
	case "ok":
		if len(res) < 4 {
			return o, fmt.Errorf("record message %s: short reply %v", eventID, res)
		}
		o.First, o.Ticked, o.Item = str(res[1]) == "1", str(res[2]) == "1", str(res[3])
	default:
		return o, fmt.Errorf("record message %s: unexpected reply %v", eventID, res)
	}
	return o, nil
}
