package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// maxWatchRetries bounds optimistic-locking retries before giving up with ECONFLICT.
const maxWatchRetries = 8

// updateJSON reads the JSON record in key's "data" field, applies change and writes
// it back with its "rev" bumped, in one WATCH/MULTI transaction retried when someone
// else wrote meanwhile. A missing record is mentor.ENOTFOUND with notFound as message.
func updateJSON[T any](ctx context.Context, s *Store, key, notFound string, change func(*T) error) (T, error) {
	var out T
	txf := func(tx *redis.Tx) error {
		raw, err := tx.HGet(ctx, key, "data").Result()
		if isNil(err) {
			return mentor.Errorf(mentor.ENOTFOUND, "%s", notFound)
		}
		if err != nil {
			return err
		}
		var v T
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return fmt.Errorf("decode %s: %w", key, err)
		}
		if err := change(&v); err != nil {
			return err
		}
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, key, "data", data)
			p.HIncrBy(ctx, key, "rev", 1)
			return nil
		})
		out = v
		return err
	}
	for i := 0; i < maxWatchRetries; i++ {
		err := s.rdb.Watch(ctx, txf, key)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		return out, wrap(err, "update %s", key)
	}
	return out, mentor.Errorf(mentor.ECONFLICT, "Someone else is changing this right now. Please try again.")
}
