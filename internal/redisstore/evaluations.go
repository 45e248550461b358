package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Evaluation keys, under the cycle's hash tag T:
//
//	T:evaluations           zset of the user ids who evaluated the cycle, scored by
//	                        when they first did (ms)
//	T:evaluation:<uid>      hash:
//	    data                JSON of the person's evaluation (evaluationRecord: no
//	                        SubmittedAt)
//	    submitted           ms of the first submission, kept when replaced
//
// SaveEvaluation writes both in one script, so the set the nudges read (Evaluated,
// EvaluatedAll) is true exactly when an evaluation is stored. Evaluations are
// confidential: only the person's own form and the committee read them.

func (s *Store) evaluationKey(cycleID, userID string) string {
	return s.tag(cycleID) + ":evaluation:" + userID
}

func (s *Store) evaluationsKey(cycleID string) string { return s.tag(cycleID) + ":evaluations" }

// evaluationRecord is what the data field holds: SubmittedAt has its own field (see
// duoRecord for the shadowing).
type evaluationRecord struct {
	mentor.Evaluation
	SubmittedAt json.RawMessage `json:",omitempty"`
}

// saveEvaluationScript stores a person's evaluation, replacing theirs.
// KEYS: evaluation hash, evaluations zset. ARGV: uid, JSON, submitted ms.
// Returns {1 replaced | 0 first, ms of the first submission}.
var saveEvaluationScript = newScript(`
local first = redis.call('HGET', KEYS[1], 'submitted')
local replaced = 1
if not first then
  first = ARGV[3]
  replaced = 0
end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'submitted', first)
redis.call('ZADD', KEYS[2], first, ARGV[1])
return {replaced, tonumber(first)}
`)

// SaveEvaluation stores e as e.UserID's evaluation of cycle e.CycleID, atomically
// with their entry in the set of people who evaluated, and reports whether it
// replaced an earlier one. A replacement keeps the first submission's time: the
// returned evaluation has SubmittedAt of the first submission (e.SubmittedAt for a
// first one) and everything else from e. Saving again is harmless, so a repeated
// submission leaves one evaluation. The caller validates e and decides who may
// evaluate.
func (s *Store) SaveEvaluation(ctx context.Context, e mentor.Evaluation) (saved mentor.Evaluation, replaced bool, err error) {
	if e.CycleID == "" || e.UserID == "" {
		return e, false, fmt.Errorf("save evaluation: empty cycle %q or user %q", e.CycleID, e.UserID)
	}
	if e.SubmittedAt.IsZero() {
		return e, false, fmt.Errorf("save evaluation of %s: no submission time", e.UserID)
	}
	data, err := json.Marshal(evaluationRecord{Evaluation: e})
	if err != nil {
		return e, false, fmt.Errorf("encode evaluation of %s: %w", e.UserID, err)
	}
	keys := []string{s.evaluationKey(e.CycleID, e.UserID), s.evaluationsKey(e.CycleID)}
	res, err := s.run(ctx, s.rdb, saveEvaluationScript, keys, e.UserID, data, e.SubmittedAt.UnixMilli()).Int64Slice()
	if err != nil {
		return e, false, wrap(err, "save evaluation of %s", e.UserID)
	}
	if len(res) < 2 {
		return e, false, fmt.Errorf("save evaluation of %s: short reply %v", e.UserID, res)
	}
	e.SubmittedAt = msTime(strconv.FormatInt(res[1], 10))
	return e, res[0] == 1, nil
}

// Evaluation returns userID's evaluation of cycle cycleID, in one round trip;
// mentor.ENOTFOUND when they have not evaluated it.
func (s *Store) Evaluation(ctx context.Context, cycleID, userID string) (mentor.Evaluation, error) {
	f, err := s.rdb.HMGet(ctx, s.evaluationKey(cycleID, userID), "data", "submitted").Result()
	if err != nil {
		return mentor.Evaluation{}, wrap(err, "get evaluation of %s", userID)
	}
	data := str(f[0])
	if data == "" {
		return mentor.Evaluation{}, mentor.Errorf(mentor.ENOTFOUND, "You haven't evaluated this cycle yet.")
	}
	var r evaluationRecord
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return mentor.Evaluation{}, fmt.Errorf("decode evaluation of %s: %w", userID, err)
	}
	e := r.Evaluation
	e.SubmittedAt = msTime(str(f[1]))
	return e, nil
}

// Evaluated reports whether the person has evaluated cycle cycleID.
func (s *Store) Evaluated(ctx context.Context, cycleID, userID string) (bool, error) {
	_, err := s.rdb.ZScore(ctx, s.evaluationsKey(cycleID), userID).Result()
	if isNil(err) {
		return false, nil
	}
	return err == nil, wrap(err, "read evaluation of %s", userID)
}

// EvaluatedAll returns the set of people who evaluated cycle cycleID.
func (s *Store) EvaluatedAll(ctx context.Context, cycleID string) (map[string]bool, error) {
	ids, err := s.rdb.ZRange(ctx, s.evaluationsKey(cycleID), 0, -1).Result()
	if err != nil {
		return nil, wrap(err, "read evaluations of %s", cycleID)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// EvaluatedAmong returns which of userIDs evaluated cycle cycleID (only those who
// did are in the map), in one round trip however many they are: what a page of duos
// needs for their stages, without reading the whole set.
func (s *Store) EvaluatedAmong(ctx context.Context, cycleID string, userIDs []string) (map[string]bool, error) {
	out := make(map[string]bool, len(userIDs))
	if len(userIDs) == 0 {
		return out, nil
	}
	scores, err := s.rdb.ZMScore(ctx, s.evaluationsKey(cycleID), userIDs...).Result()
	if err != nil {
		return nil, wrap(err, "read evaluations of %s", cycleID)
	}
	for i, sc := range scores {
		// A missing member reads as 0; a stored one is a submission time in ms.
		if i < len(userIDs) && sc > 0 {
			out[userIDs[i]] = true
		}
	}
	return out, nil
}
