package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Agreement keys, under the cycle's hash tag T:
//
//	T:agreement:<duo id>    hash:
//	    current             the current version n (1, 2, …)
//	    v<n>                JSON of version n (agreementRecord: no Version, Signatures, PostTS)
//	    sig:<n>:<uid>       ms the member signed version n
//	    ts:<n>              timestamp of version n's post in the duo channel
//	    cts:<n>             timestamp of its post in the committee channel
//	    sub:<submission>    the version a submission made, so a redelivered one makes no other
//
// and the agreement_* fields of the duo hash (see duos.go), which SaveAgreement and
// SignAgreement keep in step in the same script.

func (s *Store) agreementKey(cycleID, duoID string) string {
	return s.tag(cycleID) + ":agreement:" + duoID
}

// agreementRecord is what v<n> holds: the fields with their own hash fields are
// shadowed (see duoRecord).
type agreementRecord struct {
	mentor.Agreement
	Version     json.RawMessage `json:",omitempty"`
	Signatures  json.RawMessage `json:",omitempty"`
	PostTS      json.RawMessage `json:",omitempty"`
	CommitteeTS json.RawMessage `json:",omitempty"`
}

// Errors shared by the agreement and dissolution calls.
var (
	errDuoGone     = mentor.Errorf(mentor.ENOTFOUND, "That duo no longer exists.")
	errDuoEnded    = mentor.Errorf(mentor.ECONFLICT, "This duo has ended.")
	errNoAgreement = mentor.Errorf(mentor.ENOTFOUND, "This duo has no agreement yet.")
)

// saveAgreementScript stores a new version.
// KEYS: agreement hash, duo hash. ARGV: submission id ("" for none), JSON, created ms,
// frequency. Returns {version, 1 created | 0 the submission's earlier version};
// errors NOTFOUND, ENDED.
var saveAgreementScript = newScript(`
if redis.call('HEXISTS', KEYS[2], 'data') == 0 then return redis.error_reply('NOTFOUND') end
if ARGV[1] ~= '' then
  local n = redis.call('HGET', KEYS[1], 'sub:' .. ARGV[1])
  if n then return {tonumber(n), 0} end
end
if redis.call('HEXISTS', KEYS[2], 'ended_at') == 1 then return redis.error_reply('ENDED') end
local n = redis.call('HINCRBY', KEYS[1], 'current', 1)
redis.call('HSET', KEYS[1], 'v' .. n, ARGV[2])
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'sub:' .. ARGV[1], n) end
redis.call('HSET', KEYS[2], 'agreement_version', n, 'agreement_updated', ARGV[3], 'agreement_frequency', ARGV[4])
redis.call('HSETNX', KEYS[2], 'agreement_drafted', ARGV[3])
redis.call('HDEL', KEYS[2], 'agreement_signed')
return {n, 1}
`)

// SaveAgreement stores a as the duo's next agreement version, atomically: the version
// is the current one plus one (a.Version is ignored), the duo's agreement status
// moves to it and loses its signed time (a new version voids the signatures of the
// one before; they stay recorded on that version). submissionID (the view
// submission's id) makes it idempotent: the same id again returns the version it
// made, as stored now, with created=false. The returned agreement has no signatures
// and no post. mentor.ECONFLICT when the duo has ended, mentor.ENOTFOUND when it does
// not exist. The caller validates a and checks that its author is a member.
func (s *Store) SaveAgreement(ctx context.Context, a mentor.Agreement, submissionID string) (saved mentor.Agreement, created bool, err error) {
	if a.CycleID == "" || a.DuoID == "" {
		return a, false, fmt.Errorf("save agreement: empty cycle %q or duo %q", a.CycleID, a.DuoID)
	}
	data, err := json.Marshal(agreementRecord{Agreement: a})
	if err != nil {
		return a, false, fmt.Errorf("encode agreement of duo %s: %w", a.DuoID, err)
	}
	keys := []string{s.agreementKey(a.CycleID, a.DuoID), s.duoKey(a.CycleID, a.DuoID)}
	res, err := s.run(ctx, s.rdb, saveAgreementScript, keys, submissionID, data, a.CreatedAt.UnixMilli(), a.Frequency).Int64Slice()
	switch {
	case isReply(err, "NOTFOUND"):
		return a, false, errDuoGone
	case isReply(err, "ENDED"):
		return a, false, errDuoEnded
	case err != nil:
		return a, false, wrap(err, "save agreement of duo %s", a.DuoID)
	}
	if res[1] == 0 {
		saved, err := s.Agreement(ctx, a.CycleID, a.DuoID, int(res[0]))
		return saved, false, err
	}
	a.Version, a.Signatures, a.PostTS = int(res[0]), map[string]time.Time{}, ""
	return a, true, nil
}

// Agreement returns version of the duo's agreement (0: the current one) with its
// signatures and post timestamp, in one round trip. mentor.ENOTFOUND when the duo has
// no agreement or no such version.
func (s *Store) Agreement(ctx context.Context, cycleID, duoID string, version int) (mentor.Agreement, error) {
	h, err := s.rdb.HGetAll(ctx, s.agreementKey(cycleID, duoID)).Result()
	if err != nil {
		return mentor.Agreement{}, wrap(err, "get agreement of duo %s", duoID)
	}
	if version == 0 {
		if version, _ = strconv.Atoi(h["current"]); version == 0 {
			return mentor.Agreement{}, errNoAgreement
		}
	}
	v := strconv.Itoa(version)
	raw, ok := h["v"+v]
	if !ok {
		return mentor.Agreement{}, mentor.Errorf(mentor.ENOTFOUND, "This duo has no agreement version %d.", version)
	}
	sigs := map[string]string{}
	prefix := "sig:" + v + ":"
	for k, at := range h {
		if uid, ok := strings.CutPrefix(k, prefix); ok {
			sigs[uid] = at
		}
	}
	a, err := decodeAgreement(raw, version, h["ts:"+v], sigs)
	a.CommitteeTS = h["cts:"+v]
	return a, err
}

// SetAgreementRecorded records where version was posted in the committee channel, so
// it is never sent there twice.
func (s *Store) SetAgreementRecorded(ctx context.Context, cycleID, duoID string, version int, ts string) error {
	err := s.rdb.HSet(ctx, s.agreementKey(cycleID, duoID), "cts:"+strconv.Itoa(version), ts).Err()
	return wrap(err, "record committee post of agreement %d of duo %s", version, duoID)
}

func decodeAgreement(raw string, version int, postTS string, sigs map[string]string) (mentor.Agreement, error) {
	var r agreementRecord
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return mentor.Agreement{}, fmt.Errorf("decode agreement version %d: %w", version, err)
	}
	a := r.Agreement
	a.Version, a.PostTS = version, postTS
	a.Signatures = map[string]time.Time{}
	for uid, ms := range sigs {
		if uid != "" && ms != "" {
			a.Signatures[uid] = msTime(ms)
		}
	}
	return a, nil
}

// SignOutcome is what one signature did.
type SignOutcome = mentor.SignOutcome

// signScript signs a version.
// KEYS: agreement hash, duo hash. ARGV: version, uid, at ms.
// Returns {signed 0/1, complete 0/1, version, JSON, post ts, mentor, mentor's signature
// ms, mentee, mentee's signature ms} ("" for none); errors NOTFOUND, FORBIDDEN, ENDED,
// NOAGREEMENT, STALE <current>, NOVERSION.
var signScript = newScript(`
local data = redis.call('HGET', KEYS[2], 'data')
if not data then return redis.error_reply('NOTFOUND') end
local d = cjson.decode(data)
local uid, n = ARGV[2], tonumber(ARGV[1])
if uid ~= d.MentorID and uid ~= d.MenteeID then return redis.error_reply('FORBIDDEN') end
if redis.call('HEXISTS', KEYS[2], 'ended_at') == 1 then return redis.error_reply('ENDED') end
local cur = tonumber(redis.call('HGET', KEYS[1], 'current') or '0')
if cur == 0 then return redis.error_reply('NOAGREEMENT') end
if n ~= cur then
  if n >= 1 and n < cur then return redis.error_reply('STALE ' .. cur) end
  return redis.error_reply('NOVERSION')
end
local signed = redis.call('HSETNX', KEYS[1], 'sig:' .. n .. ':' .. uid, ARGV[3])
local mr = redis.call('HGET', KEYS[1], 'sig:' .. n .. ':' .. d.MentorID)
local me = redis.call('HGET', KEYS[1], 'sig:' .. n .. ':' .. d.MenteeID)
local complete = 0
if signed == 1 and mr and me then
  redis.call('HSET', KEYS[2], 'agreement_signed', ARGV[3])
  complete = 1
end
return {signed, complete, n, redis.call('HGET', KEYS[1], 'v' .. n),
  redis.call('HGET', KEYS[1], 'ts:' .. n) or '', d.MentorID, mr or '', d.MenteeID, me or ''}
`)

// SignAgreement records userID's signature on version of the duo's agreement, at
// time at, atomically. Only the duo's two members may sign (mentor.EFORBIDDEN), only
// the current version (mentor.ECONFLICT naming the version that replaced it), and
// not once the duo has ended (mentor.ECONFLICT). Signing again is harmless
// (Signed=false). Exactly one call sees Complete=true per version: the one whose
// signature made both; it also marks the duo's agreement signed. mentor.ENOTFOUND
// when the duo, its agreement or that version does not exist.
func (s *Store) SignAgreement(ctx context.Context, cycleID, duoID string, version int, userID string, at time.Time) (SignOutcome, error) {
	keys := []string{s.agreementKey(cycleID, duoID), s.duoKey(cycleID, duoID)}
	res, err := s.run(ctx, s.rdb, signScript, keys, version, userID, at.UnixMilli()).Slice()
	switch {
	case isReply(err, "NOTFOUND"):
		return SignOutcome{}, errDuoGone
	case isReply(err, "FORBIDDEN"):
		return SignOutcome{}, mentor.Errorf(mentor.EFORBIDDEN, "Only the duo's mentor and mentee can sign its agreement.")
	case isReply(err, "ENDED"):
		return SignOutcome{}, errDuoEnded
	case isReply(err, "NOAGREEMENT"):
		return SignOutcome{}, errNoAgreement
	case isReply(err, "NOVERSION"):
		return SignOutcome{}, mentor.Errorf(mentor.ENOTFOUND, "This duo has no agreement version %d.", version)
	case isReply(err, "STALE"):
		_, cur, _ := strings.Cut(strings.TrimPrefix(err.Error(), "ERR "), " ")
		return SignOutcome{}, mentor.Errorf(mentor.ECONFLICT, "This agreement was replaced by version %s; please read and sign the new one.", cur)
	case err != nil:
		return SignOutcome{}, wrap(err, "sign agreement of duo %s", duoID)
	}
	if len(res) < 9 {
		return SignOutcome{}, fmt.Errorf("sign agreement of duo %s: short reply %v", duoID, res)
	}
	a, err := decodeAgreement(str(res[3]), version, str(res[4]),
		map[string]string{str(res[5]): str(res[6]), str(res[7]): str(res[8])})
	if err != nil {
		return SignOutcome{}, err
	}
	return SignOutcome{Agreement: a, Signed: str(res[0]) == "1", Complete: str(res[1]) == "1"}, nil
}

// setPostScript records where a version was posted. KEYS: agreement hash.
// ARGV: version, ts. Error NOVERSION.
var setPostScript = newScript(`
if redis.call('HEXISTS', KEYS[1], 'v' .. ARGV[1]) == 0 then return redis.error_reply('NOVERSION') end
redis.call('HSET', KEYS[1], 'ts:' .. ARGV[1], ARGV[2])
return 1
`)

// SetAgreementPost records ts, the timestamp of the post that shows version of the
// duo's agreement in its channel, so the post can be updated as people sign instead
// of posted again. Idempotent; a later call replaces the timestamp.
// mentor.ENOTFOUND when there is no such version.
func (s *Store) SetAgreementPost(ctx context.Context, cycleID, duoID string, version int, ts string) error {
	err := s.run(ctx, s.rdb, setPostScript, []string{s.agreementKey(cycleID, duoID)}, version, ts).Err()
	if isReply(err, "NOVERSION") {
		return mentor.Errorf(mentor.ENOTFOUND, "This duo has no agreement version %d.", version)
	}
	return wrap(err, "record post of agreement %d of duo %s", version, duoID)
}
