package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Pairing rounds, under the cycle's hash tag T:
//
//	T:round:<id>   hash: data (JSON of mentor.PairingRound), rev, ver (a random
//	               token per write); expires after RoundTTL

// RoundTTL is how long a pairing round stays usable after its last change.
const RoundTTL = 7 * 24 * time.Hour

func (s *Store) roundKey(cycleID, id string) string { return s.tag(cycleID) + ":round:" + id }

// SaveRound stores a new pairing round.
func (s *Store) SaveRound(ctx context.Context, r mentor.PairingRound) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode round: %w", err)
	}
	key := s.roundKey(r.CycleID, r.ID)
	pipe := s.rdb.TxPipeline()
	ver := uuid.NewString()
	pipe.HSet(ctx, key, "data", data, "rev", 1, "ver", ver)
	pipe.Expire(ctx, key, RoundTTL)
	if _, err = pipe.Exec(ctx); err != nil {
		return wrap(err, "save round %s", r.ID)
	}
	s.rounds.put(key, ver, r)
	return nil
}

// Round returns a pairing round; mentor.ENOTFOUND once it expired.
func (s *Store) Round(ctx context.Context, cycleID, id string) (mentor.PairingRound, error) {
	r, err := s.readRound(ctx, s.rdb, s.roundKey(cycleID, id), id)
	return r, err
}

var errRoundGone = mentor.Errorf(mentor.ENOTFOUND, "These proposals have expired. Run `/mentorship match` again for fresh ones.")

// readRoundScript returns a round's rev and ver, and its data unless the caller
// already has that ver (ARGV[1]); nil when the round is gone. KEYS: the round.
// The ver, not the rev, tells whether the caller's copy is current: after a
// failover to a replica that lost the last writes, the same rev can come again
// with other data.
var readRoundScript = newScript(`
local f = redis.call('HMGET', KEYS[1], 'rev', 'ver')
if not f[1] then return false end
local ver = f[2] or ''
if ver ~= '' and ver == ARGV[1] then return {f[1], ver} end
return {f[1], ver, redis.call('HGET', KEYS[1], 'data')}
`)

// readRound reads round key through c (the client, or a transaction watching
// it): one round trip, and no decoding when the store holds that ver decoded.
func (s *Store) readRound(ctx context.Context, c redis.Scripter, key, id string) (mentor.PairingRound, error) {
	for attempt := 0; attempt < 2; attempt++ {
		known := s.rounds.ver(key)
		if attempt > 0 {
			known = ""
		}
		res, err := s.run(ctx, c, readRoundScript, []string{key}, known).Slice()
		if isNil(err) {
			return mentor.PairingRound{}, errRoundGone
		}
		if err != nil {
			return mentor.PairingRound{}, wrap(err, "get round %s", id)
		}
		ver := str(res[1])
		if len(res) == 2 {
			if r, ok := s.rounds.get(key, ver); ok {
				return r, nil
			}
			continue // dropped meanwhile: read the data
		}
		var r mentor.PairingRound
		if err := json.Unmarshal([]byte(str(res[2])), &r); err != nil {
			return r, fmt.Errorf("decode round %s: %w", id, err)
		}
		s.rounds.put(key, ver, r)
		return r, nil
	}
	return mentor.PairingRound{}, fmt.Errorf("get round %s: the cached round vanished twice", id)
}

// UpdateRound applies change to a round atomically (optimistic: WATCH, then MULTI,
// retried when someone else changed it meanwhile) and keeps it alive for another
// RoundTTL.
func (s *Store) UpdateRound(ctx context.Context, cycleID, id string, change func(*mentor.PairingRound) error) (mentor.PairingRound, error) {
	key := s.roundKey(cycleID, id)
	var out mentor.PairingRound
	txf := func(tx *redis.Tx) error {
		r, err := s.readRound(ctx, tx, key, id)
		if err != nil {
			return err
		}
		if err := change(&r); err != nil {
			return err
		}
		data, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode round %s: %w", id, err)
		}
		ver := uuid.NewString()
		if _, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, key, "data", data, "ver", ver)
			p.HIncrBy(ctx, key, "rev", 1)
			p.Expire(ctx, key, RoundTTL)
			return nil
		}); err != nil {
			return err
		}
		s.rounds.put(key, ver, r)
		out = r
		return nil
	}
	for i := 0; i < maxWatchRetries; i++ {
		err := s.rdb.Watch(ctx, txf, key)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		return out, wrap(err, "update round %s", id)
	}
	return out, mentor.Errorf(mentor.ECONFLICT, "Someone else is changing this right now. Please try again.")
}

// roundCache keeps the rounds a store read or wrote last, decoded, with their ver:
// a round of 6,667 proposals is 2 MB of JSON, about 15 ms to decode, and a click
// in the pairing modal reads it two or three times. Entries are copied in and out,
// so callers may change what they get.
type roundCache struct {
	mu    sync.Mutex
	byKey map[string]cachedRound
}

type cachedRound struct {
	ver   string
	round mentor.PairingRound
	used  int64
}

// maxCachedRounds bounds the cache: a round is a few MB at most.
const maxCachedRounds = 8

func (c *roundCache) ver(key string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byKey[key].ver
}

func (c *roundCache) get(key, ver string) (mentor.PairingRound, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok || ver == "" || e.ver != ver {
		return mentor.PairingRound{}, false
	}
	e.used = c.tick()
	c.byKey[key] = e
	return cloneRound(e.round), true
}

func (c *roundCache) put(key, ver string, r mentor.PairingRound) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.byKey = map[string]cachedRound{}
	}
	c.byKey[key] = cachedRound{ver: ver, round: cloneRound(r), used: c.tick()}
	for len(c.byKey) > maxCachedRounds {
		oldest := ""
		for k, e := range c.byKey {
			if oldest == "" || e.used < c.byKey[oldest].used {
				oldest = k
			}
		}
		delete(c.byKey, oldest)
	}
}

// tick orders uses; c.mu is held.
func (c *roundCache) tick() int64 {
	var n int64
	for _, e := range c.byKey {
		n = max(n, e.used)
	}
	return n + 1
}

// cloneRound copies r deeply (a Proposal holds only values).
func cloneRound(r mentor.PairingRound) mentor.PairingRound {
	r.Proposals = slices.Clone(r.Proposals)
	return r
}
