package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Concern keys, under the cycle's hash tag T:
//
//	T:concern:<id>          hash: data (JSON of mentor.Concern without the fields below),
//	                        state, decided_by, decided_at (ms), post_ts
//	T:concerns              zset of concern ids by creation time (ms)
//	T:concerns_open         zset of the open ones, by creation time
//	T:concerns_of:<duo id>  zset of a duo's concern ids, by creation time
//
// Concerns are confidential: only the committee's views read them.

func (s *Store) concernKey(cycleID, id string) string { return s.tag(cycleID) + ":concern:" + id }

// concernRecord is what the data field holds (see duoRecord for the shadowing).
type concernRecord struct {
	mentor.Concern
	State     json.RawMessage `json:",omitempty"`
	DecidedBy json.RawMessage `json:",omitempty"`
	DecidedAt json.RawMessage `json:",omitempty"`
	PostTS    json.RawMessage `json:",omitempty"`
}

// saveConcernScript stores a new concern unless its id exists.
// KEYS: concern hash, concerns, concerns_open, concerns_of:<duo>.
// ARGV: id, JSON, created ms, state. Returns {1 created | 0 existed, the concern's
// hash as HGETALL}.
var saveConcernScript = newScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, redis.call('HGETALL', KEYS[1])} end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'state', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
if ARGV[4] == 'open' then redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1]) end
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
return {1, redis.call('HGETALL', KEYS[1])}
`)

// SaveConcern stores c, with c.ID chosen by the caller, as open (or in c.State when
// set), atomically. Idempotent: saving an id that exists changes nothing and returns
// the stored concern with created=false, so a redelivered submission raises one
// concern.
func (s *Store) SaveConcern(ctx context.Context, c mentor.Concern) (saved mentor.Concern, created bool, err error) {
	if c.ID == "" || c.CycleID == "" || c.DuoID == "" {
		return c, false, fmt.Errorf("save concern: empty id %q, cycle %q or duo %q", c.ID, c.CycleID, c.DuoID)
	}
	if c.State == "" {
		c.State = mentor.ConcernOpen
	}
	data, err := json.Marshal(concernRecord{Concern: c})
	if err != nil {
		return c, false, fmt.Errorf("encode concern %s: %w", c.ID, err)
	}
	t := s.tag(c.CycleID)
	keys := []string{s.concernKey(c.CycleID, c.ID), t + ":concerns", t + ":concerns_open", t + ":concerns_of:" + c.DuoID}
	res, err := s.run(ctx, s.rdb, saveConcernScript, keys, c.ID, data, c.CreatedAt.UnixMilli(), string(c.State)).Slice()
	if err != nil {
		return c, false, wrap(err, "save concern %s", c.ID)
	}
	if len(res) < 2 {
		return c, false, fmt.Errorf("save concern %s: short reply %v", c.ID, res)
	}
	saved, err = decodeConcern(flatMap(res[1]))
	return saved, str(res[0]) == "1", err
}

// Concern returns one concern; mentor.ENOTFOUND if there is none.
func (s *Store) Concern(ctx context.Context, cycleID, id string) (mentor.Concern, error) {
	h, err := s.rdb.HGetAll(ctx, s.concernKey(cycleID, id)).Result()
	if err != nil {
		return mentor.Concern{}, wrap(err, "get concern %s", id)
	}
	if h["data"] == "" {
		return mentor.Concern{}, errConcernGone
	}
	return decodeConcern(h)
}

var errConcernGone = mentor.Errorf(mentor.ENOTFOUND, "That concern no longer exists.")

func decodeConcern(h map[string]string) (mentor.Concern, error) {
	var r concernRecord
	if err := json.Unmarshal([]byte(h["data"]), &r); err != nil {
		return mentor.Concern{}, fmt.Errorf("decode concern: %w", err)
	}
	c := r.Concern
	c.State = mentor.ConcernState(h["state"])
	c.DecidedBy, c.DecidedAt = h["decided_by"], msTime(h["decided_at"])
	c.PostTS = h["post_ts"]
	return c, nil
}

// SetConcernPost records where the concern was posted in the committee channel, so
// it is never posted twice.
func (s *Store) SetConcernPost(ctx context.Context, cycleID, id, ts string) error {
	err := s.rdb.HSet(ctx, s.concernKey(cycleID, id), "post_ts", ts).Err()
	return wrap(err, "record post of concern %s", id)
}

// decideConcernScript decides an open concern.
// KEYS: concern hash, concerns_open. ARGV: id, state, by, at ms.
// Returns {1 changed | 0 decided before, HGETALL}; error NOTFOUND.
var decideConcernScript = newScript(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return redis.error_reply('NOTFOUND') end
if state ~= 'open' then return {0, redis.call('HGETALL', KEYS[1])} end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'decided_by', ARGV[3], 'decided_at', ARGV[4])
redis.call('ZREM', KEYS[2], ARGV[1])
return {1, redis.call('HGETALL', KEYS[1])}
`)

// DecideConcern closes an open concern with state (handled or dissolved), by whom and
// when, atomically and once: a concern decided before comes back as decided then,
// with changed=false (two committee members clicking at once decide it once).
// mentor.EINVALID for a state that is not a decision, mentor.ENOTFOUND for an
// unknown concern.
func (s *Store) DecideConcern(ctx context.Context, cycleID, id string, state mentor.ConcernState, by string, at time.Time) (mentor.Concern, bool, error) {
	if state != mentor.ConcernHandled && state != mentor.ConcernDissolved {
		return mentor.Concern{}, false, mentor.Errorf(mentor.EINVALID, "A concern can only be marked handled or dissolved.")
	}
	keys := []string{s.concernKey(cycleID, id), s.tag(cycleID) + ":concerns_open"}
	res, err := s.run(ctx, s.rdb, decideConcernScript, keys, id, string(state), by, at.UnixMilli()).Slice()
	if isReply(err, "NOTFOUND") {
		return mentor.Concern{}, false, errConcernGone
	}
	if err != nil {
		return mentor.Concern{}, false, wrap(err, "decide concern %s", id)
	}
	if len(res) < 2 {
		return mentor.Concern{}, false, fmt.Errorf("decide concern %s: short reply %v", id, res)
	}
	c, err := decodeConcern(flatMap(res[1]))
	return c, str(res[0]) == "1", err
}

// OpenConcerns returns the oldest open concerns of a cycle, at most limit (limit <= 0:
// all), and how many are open: two round trips.
func (s *Store) OpenConcerns(ctx context.Context, cycleID string, limit int) ([]mentor.Concern, int, error) {
	return s.concernsIn(ctx, cycleID, s.tag(cycleID)+":concerns_open", limit)
}

// ConcernsOf returns every concern about a duo, oldest first (decided ones included):
// two round trips.
func (s *Store) ConcernsOf(ctx context.Context, cycleID, duoID string) ([]mentor.Concern, error) {
	cs, _, err := s.concernsIn(ctx, cycleID, s.tag(cycleID)+":concerns_of:"+duoID, 0)
	return cs, err
}

// concernsIn reads the first limit concerns of the zset key and its size.
func (s *Store) concernsIn(ctx context.Context, cycleID, key string, limit int) ([]mentor.Concern, int, error) {
	pipe := s.rdb.Pipeline()
	total := pipe.ZCard(ctx, key)
	ids := pipe.ZRange(ctx, key, 0, int64(limit)-1)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, 0, wrap(err, "list concerns of %s", cycleID)
	}
	if len(ids.Val()) == 0 {
		return nil, int(total.Val()), nil
	}
	pipe = s.rdb.Pipeline()
	hs := make([]*redis.MapStringStringCmd, len(ids.Val()))
	for i, id := range ids.Val() {
		hs[i] = pipe.HGetAll(ctx, s.concernKey(cycleID, id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, 0, wrap(err, "read concerns of %s", cycleID)
	}
	out := make([]mentor.Concern, 0, len(hs))
	for _, h := range hs {
		if h.Val()["data"] == "" {
			continue
		}
		c, err := decodeConcern(h.Val())
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, int(total.Val()), nil
}

// flatMap turns a script's HGETALL reply (field, value, field, value…) into a map.
func flatMap(v any) map[string]string {
	xs, _ := v.([]any)
	m := make(map[string]string, len(xs)/2)
	for i := 0; i+1 < len(xs); i += 2 {
		m[str(xs[i])] = str(xs[i+1])
	}
	return m
}
