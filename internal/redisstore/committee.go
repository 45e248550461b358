package redisstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The committee's member list, shared by every replica: a generation counter that
// each membership change of the committee channel bumps, and the last list fetched
// from Slack with the generation it was fetched in. A list of an older generation is
// never used, so a change seen by one replica reaches all of them at their next
// request.
//
//	{committee}:gen      INCR'd by BumpCommittee
//	{committee}:members  hash: channel, gen, at (Unix ms), ids (comma-separated)

// committeeListTTL bounds how long a stored list outlives its use.
const committeeListTTL = 15 * time.Minute

// CommitteeMembers returns the stored member list of channel and when it was fetched,
// in one round trip. ok is false when no list of the current generation is stored;
// gen is the current generation either way, to pass to SaveCommitteeMembers after
// asking Slack.
func (s *Store) CommitteeMembers(ctx context.Context, channel string) (members []string, fetched time.Time, gen int64, ok bool, err error) {
	pipe := s.rdb.Pipeline()
	genCmd := pipe.Get(ctx, s.key("{committee}", "gen"))
	listCmd := pipe.HMGet(ctx, s.key("{committee}", "members"), "channel", "gen", "at", "ids")
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, time.Time{}, 0, false, wrap(err, "read committee members")
	}
	if g, err := genCmd.Int64(); err == nil {
		gen = g
	}
	v := listCmd.Val()
	if len(v) != 4 || v[0] == nil {
		return nil, time.Time{}, gen, false, nil
	}
	ch, _ := v[0].(string)
	listGen, _ := v[1].(string)
	at, _ := v[2].(string)
	ids, _ := v[3].(string)
	ms, perr := strconv.ParseInt(at, 10, 64)
	if ch != channel || listGen != strconv.FormatInt(gen, 10) || perr != nil {
		return nil, time.Time{}, gen, false, nil
	}
	if ids != "" {
		members = strings.Split(ids, ",")
	}
	return members, time.UnixMilli(ms).UTC(), gen, true, nil
}

// SaveCommitteeMembers stores members of channel as fetched at, for generation gen,
// atomically and only if gen is still the current generation: a list fetched before a
// membership change is not kept. It reports whether it stored the list.
func (s *Store) SaveCommitteeMembers(ctx context.Context, channel string, gen int64, members []string, fetched time.Time) (bool, error) {
	n, err := s.run(ctx, s.rdb, saveCommitteeScript,
		[]string{s.key("{committee}", "gen"), s.key("{committee}", "members")},
		gen, channel, fetched.UnixMilli(), strings.Join(members, ","), committeeListTTL.Milliseconds()).Int()
	if err != nil {
		return false, wrap(err, "save committee members")
	}
	return n == 1, nil
}

var saveCommitteeScript = newScript(`
local gen = tonumber(redis.call('GET', KEYS[1]) or '0')
if gen ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[2], 'channel', ARGV[2], 'gen', ARGV[1], 'at', ARGV[3], 'ids', ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1
`)

// BumpCommittee starts a new generation of the committee's membership: every stored
// list is out of date at once, on every replica.
func (s *Store) BumpCommittee(ctx context.Context) error {
	return wrap(s.rdb.Incr(ctx, s.key("{committee}", "gen")).Err(), "bump committee generation")
}
