package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// The committee's report reads a whole cycle, page by page: each page below is two
// round trips (the page's ids and the total, then the records), whatever its size,
// and never a script: a script that reads keys it finds as it runs could not
// declare them, as Redis Cluster asks. Keys, under the cycle's hash tag T:
//
//	T:report_cache:<name>   a computed summary (JSON), kept a short while (see
//	                        CacheReport)

// pageIDs returns the members of zset key from offset, at most limit (none when
// limit <= 0), and the zset's size, in one round trip.
func (s *Store) pageIDs(ctx context.Context, key string, offset, limit int) ([]string, int, error) {
	pipe := s.rdb.Pipeline()
	total := pipe.ZCard(ctx, key)
	var ids *redis.StringSliceCmd
	if limit > 0 {
		ids = pipe.ZRange(ctx, key, int64(max(offset, 0)), int64(max(offset, 0)+limit-1))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, 0, err
	}
	if ids == nil {
		return nil, int(total.Val()), nil
	}
	return ids.Val(), int(total.Val()), nil
}

// ParticipantPage returns the sign-ups of a cycle (withdrawn ones included) by
// sign-up time, from offset, at most limit of them, and how many the cycle has.
// limit <= 0 returns none, only the total. Someone forgotten between the two round
// trips is left out of the page.
func (s *Store) ParticipantPage(ctx context.Context, cycleID string, offset, limit int) ([]mentor.Participant, int, error) {
	ids, total, err := s.pageIDs(ctx, s.tag(cycleID)+":participants", offset, limit)
	if err != nil || len(ids) == 0 {
		return nil, total, wrap(err, "page participants of %s", cycleID)
	}
	pipe := s.rdb.Pipeline()
	page := s.queuePage(ctx, pipe, s.tag(cycleID), ids)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, 0, wrap(err, "page participants of %s", cycleID)
	}
	out, err := page(make([]mentor.Participant, 0, len(ids)))
	return out, total, err
}

// EvaluationPage returns the evaluations of a cycle, in the order they first came in,
// from offset, at most limit of them, and how many there are. Evaluations are
// confidential: this is for the committee's report only.
func (s *Store) EvaluationPage(ctx context.Context, cycleID string, offset, limit int) ([]mentor.Evaluation, int, error) {
	ids, total, err := s.pageIDs(ctx, s.evaluationsKey(cycleID), offset, limit)
	if err != nil || len(ids) == 0 {
		return nil, total, wrap(err, "page evaluations of %s", cycleID)
	}
	pipe := s.rdb.Pipeline()
	fields := make([]*redis.SliceCmd, len(ids))
	for i, uid := range ids {
		fields[i] = pipe.HMGet(ctx, s.evaluationKey(cycleID, uid), "data", "submitted")
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, 0, wrap(err, "page evaluations of %s", cycleID)
	}
	out := make([]mentor.Evaluation, 0, len(ids))
	for i, uid := range ids {
		f := fields[i].Val()
		if len(f) < 2 || f[0] == nil {
			continue // forgotten meanwhile
		}
		var rec evaluationRecord
		if err := json.Unmarshal([]byte(str(f[0])), &rec); err != nil {
			// The error names the person, never what they wrote.
			return nil, 0, fmt.Errorf("decode evaluation of %s: %w", uid, err)
		}
		e := rec.Evaluation
		e.SubmittedAt = msTime(str(f[1]))
		out = append(out, e)
	}
	return out, total, nil
}

// EvaluationTimes returns who evaluated cycle cycleID and when they first did, in
// one round trip: what the report's funnel and duo dates need, without the answers.
func (s *Store) EvaluationTimes(ctx context.Context, cycleID string) (map[string]time.Time, error) {
	zs, err := s.rdb.ZRangeWithScores(ctx, s.evaluationsKey(cycleID), 0, -1).Result()
	if err != nil {
		return nil, wrap(err, "read evaluations of %s", cycleID)
	}
	out := make(map[string]time.Time, len(zs))
	for _, z := range zs {
		id, _ := z.Member.(string)
		out[id] = time.UnixMilli(int64(z.Score)).UTC()
	}
	return out, nil
}

func (s *Store) reportCacheKey(cycleID, name string) string {
	return s.tag(cycleID) + ":report_cache:" + name
}

// CachedReport returns what CacheReport kept under name for the cycle, and whether it
// is still there.
func (s *Store) CachedReport(ctx context.Context, cycleID, name string) ([]byte, bool, error) {
	b, err := s.rdb.Get(ctx, s.reportCacheKey(cycleID, name)).Bytes()
	if isNil(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrap(err, "read cached %s of %s", name, cycleID)
	}
	return b, true, nil
}

// CacheReport keeps data under name for the cycle for ttl, replacing what was there.
func (s *Store) CacheReport(ctx context.Context, cycleID, name string, data []byte, ttl time.Duration) error {
	return wrap(s.rdb.Set(ctx, s.reportCacheKey(cycleID, name), data, ttl).Err(), "cache %s of %s", name, cycleID)
}
