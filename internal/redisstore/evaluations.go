package redisstore

import (
	"context"
)

// Evaluation keys, under the cycle's hash tag T:
//
//	T:evaluations           zset of the user ids who evaluated the cycle, by time (ms)
//
// The evaluation itself (confidential, for the committee) is stored by the
// evaluation use case; the nudges only need to know who has evaluated.

// Evaluated reports whether the person has evaluated cycle cycleID.
func (s *Store) Evaluated(ctx context.Context, cycleID, userID string) (bool, error) {
	_, err := s.rdb.ZScore(ctx, s.tag(cycleID)+":evaluations", userID).Result()
	if isNil(err) {
		return false, nil
	}
	return err == nil, wrap(err, "read evaluation of %s", userID)
}

// EvaluatedAll returns the set of people who evaluated cycle cycleID.
func (s *Store) EvaluatedAll(ctx context.Context, cycleID string) (map[string]bool, error) {
	ids, err := s.rdb.ZRange(ctx, s.tag(cycleID)+":evaluations", 0, -1).Result()
	if err != nil {
		return nil, wrap(err, "read evaluations of %s", cycleID)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
