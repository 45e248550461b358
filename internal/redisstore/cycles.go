package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Cycle keys, the program's own, under one {program} hash tag so that opening a
// cycle (one script over all three) works on Redis Cluster too:
//
//	<p>{program}:cycles         zset of cycle ids by creation time (ms)
//	<p>{program}:active_cycle   the active cycle's id
//	<p>{program}:cycle:<id>     hash: data (JSON of mentor.Cycle), rev
//
// Everything else of a cycle lives under its own {c:<id>} hash tag. (Before this
// layout the three were <p>cycles, <p>active_cycle and <p>{c:<id>}:cycle:
// MigrateKeys moves them.)

func (s *Store) tag(cycleID string) string { return s.prefix + "{c:" + cycleID + "}" }

func (s *Store) programKey(name string) string { return s.prefix + "{program}:" + name }

func (s *Store) cycleKey(cycleID string) string { return s.programKey("cycle:" + cycleID) }

// saveCycleScript creates or updates a cycle.
// KEYS: cycle hash, cycles zset, active key.
// ARGV: id, json, created ms, expected rev ("" = create), activate ("1"/"0"),
// the active cycle the create replaces ("" for none).
// Returns the new rev, or an error reply CONFLICT / NOTFOUND / REPLACED.
var saveCycleScript = newScript(`
local rev = redis.call('HGET', KEYS[1], 'rev')
if ARGV[4] == '' then
  if rev then
    -- a redelivered create: the same id was created already
    return tonumber(rev)
  end
  if ARGV[5] == '1' and (redis.call('GET', KEYS[3]) or '') ~= ARGV[6] then
    return redis.error_reply('REPLACED')
  end
  redis.call('HSET', KEYS[1], 'data', ARGV[2], 'rev', 1)
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  if ARGV[5] == '1' then redis.call('SET', KEYS[3], ARGV[1]) end
  return 1
end
if not rev then return redis.error_reply('NOTFOUND') end
if rev ~= ARGV[4] then return redis.error_reply('CONFLICT') end
local n = tonumber(rev) + 1
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'rev', n)
return n
`)

// CreateCycle stores a new cycle with c.ID chosen by the caller and makes it the
// active one, if the active cycle is still c.Previous (else mentor.ECONFLICT: someone
// opened another cycle meanwhile). Creating the same id twice (a redelivered
// submission) changes nothing and returns the existing revision.
func (s *Store) CreateCycle(ctx context.Context, c mentor.Cycle) (rev int, err error) {
	return s.saveCycle(ctx, c, "", true)
}

// UpdateCycle replaces cycle c.ID if its stored revision is still expectRev;
// otherwise it fails with mentor.ECONFLICT.
func (s *Store) UpdateCycle(ctx context.Context, c mentor.Cycle, expectRev int) (rev int, err error) {
	return s.saveCycle(ctx, c, strconv.Itoa(expectRev), false)
}

func (s *Store) saveCycle(ctx context.Context, c mentor.Cycle, expectRev string, activate bool) (int, error) {
	if c.ID == "" {
		return 0, errors.New("save cycle: empty id")
	}
	data, err := json.Marshal(c)
	if err != nil {
		return 0, fmt.Errorf("encode cycle: %w", err)
	}
	act := "0"
	if activate {
		act = "1"
	}
	rev, err := s.run(ctx, s.rdb, saveCycleScript,
		[]string{s.cycleKey(c.ID), s.programKey("cycles"), s.programKey("active_cycle")},
		c.ID, data, c.CreatedAt.UnixMilli(), expectRev, act, c.Previous).Int()
	switch {
	case isReply(err, "REPLACED"):
		return 0, mentor.Errorf(mentor.ECONFLICT, "Someone else opened a new cycle while you were filling in this form. Close it and run `/mentorship program` to see theirs.")
	case isReply(err, "CONFLICT"):
		return 0, mentor.Errorf(mentor.ECONFLICT, "Someone else changed this cycle while you were editing it. Close the form and run the command again to see their changes.")
	case isReply(err, "NOTFOUND"):
		return 0, mentor.Errorf(mentor.ENOTFOUND, "That program cycle no longer exists.")
	}
	return rev, wrap(err, "save cycle %s", c.ID)
}

// Cycle returns a cycle and its revision; mentor.ENOTFOUND if there is none.
func (s *Store) Cycle(ctx context.Context, id string) (mentor.Cycle, int, error) {
	vals, err := s.rdb.HMGet(ctx, s.cycleKey(id), "data", "rev").Result()
	if err != nil {
		return mentor.Cycle{}, 0, wrap(err, "get cycle %s", id)
	}
	return decodeCycle(id, vals)
}

func decodeCycle(id string, vals []any) (mentor.Cycle, int, error) {
	data, _ := vals[0].(string)
	if data == "" {
		return mentor.Cycle{}, 0, mentor.Errorf(mentor.ENOTFOUND, "That program cycle does not exist.")
	}
	var c mentor.Cycle
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return mentor.Cycle{}, 0, fmt.Errorf("decode cycle %s: %w", id, err)
	}
	rev, _ := strconv.Atoi(fmt.Sprint(vals[1]))
	return c, rev, nil
}

// ActiveCycle returns the active cycle and its revision; mentor.ENOTFOUND when no
// cycle is active.
func (s *Store) ActiveCycle(ctx context.Context) (mentor.Cycle, int, error) {
	id, err := s.rdb.Get(ctx, s.programKey("active_cycle")).Result()
	if errors.Is(err, redis.Nil) {
		return mentor.Cycle{}, 0, mentor.Errorf(mentor.ENOTFOUND, "No program cycle is open right now.")
	}
	if err != nil {
		return mentor.Cycle{}, 0, wrap(err, "get active cycle")
	}
	return s.Cycle(ctx, id)
}

// Cycles returns every cycle, oldest first.
func (s *Store) Cycles(ctx context.Context) ([]mentor.Cycle, error) {
	ids, err := s.rdb.ZRange(ctx, s.programKey("cycles"), 0, -1).Result()
	if err != nil {
		return nil, wrap(err, "list cycles")
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HMGet(ctx, s.cycleKey(id), "data", "rev")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, wrap(err, "read cycles")
	}
	out := make([]mentor.Cycle, 0, len(ids))
	for i, id := range ids {
		c, _, err := decodeCycle(id, cmds[i].Val())
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// isReply reports whether err is the script error reply code. Redis may put "ERR "
// in front of a script's error_reply, depending on the version.
func isReply(err error, code string) bool {
	var rerr redis.Error
	if !errors.As(err, &rerr) {
		return false
	}
	msg := strings.TrimPrefix(rerr.Error(), "ERR ")
	return msg == code || strings.HasPrefix(msg, code+" ")
}

// MigrateKeys moves the program's keys from the layout before {program} (the cycle
// index, the active cycle and each cycle's hash; see the key list above) to the
// current one, once: it does nothing when the old index is gone or the new one
// exists. The old layout only ever ran on a single Redis, where RENAME across hash
// slots works. Run it at start, before anything reads a cycle.
func (s *Store) MigrateKeys(ctx context.Context) error {
	oldIndex, oldActive := s.key("cycles"), s.key("active_cycle")
	n, err := s.rdb.Exists(ctx, oldIndex).Result()
	if err != nil || n == 0 {
		return wrap(err, "look for the old cycle keys")
	}
	if done, err := s.rdb.Exists(ctx, s.programKey("cycles")).Result(); err != nil || done > 0 {
		return wrap(err, "look for the new cycle keys")
	}
	ids, err := s.rdb.ZRange(ctx, oldIndex, 0, -1).Result()
	if err != nil {
		return wrap(err, "list the old cycles")
	}
	for _, id := range ids {
		if err := s.rdb.Rename(ctx, s.tag(id)+":cycle", s.cycleKey(id)).Err(); err != nil && !isNoSuchKey(err) {
			return wrap(err, "move cycle %s", id)
		}
	}
	if err := s.rdb.Rename(ctx, oldActive, s.programKey("active_cycle")).Err(); err != nil && !isNoSuchKey(err) {
		return wrap(err, "move the active cycle")
	}
	// The index last: until it has moved, a second start migrates again.
	return wrap(s.rdb.Rename(ctx, oldIndex, s.programKey("cycles")).Err(), "move the cycle index")
}

func isNoSuchKey(err error) bool { return err != nil && strings.Contains(err.Error(), "no such key") }
