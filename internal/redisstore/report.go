package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// The committee's report reads a whole cycle, page by page: each page below is one
// round trip (a read-only script), however large the page. Keys, under the cycle's
// hash tag T:
//
//	T:report_cache:<name>   a computed summary (JSON), kept a short while (see
//	                        CacheReport)

// participantPageScript returns {total, rows} where total is the number of sign-ups
// and rows are those from index start to stop, each {uid, data, status, rev,
// withdrawn_at, {duo ids}} (as readAllScript).
// KEYS: the participants zset. ARGV: base, start, stop.
var participantPageScript = redis.NewScript(luaHelpers + `
local out = {}
for _, uid in ipairs(redis.call('ZRANGE', KEYS[1], ARGV[2], ARGV[3])) do
  local f = redis.call('HMGET', pkey(uid), 'data', 'status', 'rev', 'withdrawn_at')
  if f[1] then
    table.insert(out, {uid, f[1], f[2], f[3], f[4] or '', redis.call('SMEMBERS', dkey(uid))})
  end
end
return {redis.call('ZCARD', KEYS[1]), out}
`)

// ParticipantPage returns the sign-ups of a cycle (withdrawn ones included) by
// sign-up time, from offset, at most limit of them, and how many the cycle has, in
// one round trip. limit <= 0 returns none, only the total.
func (s *Store) ParticipantPage(ctx context.Context, cycleID string, offset, limit int) ([]mentor.Participant, int, error) {
	offset = max(offset, 0)
	stop := offset + limit - 1
	if limit <= 0 {
		offset, stop = 1, 0 // an empty range
	}
	res, err := participantPageScript.Run(ctx, s.rdb, []string{s.tag(cycleID) + ":participants"}, s.tag(cycleID), offset, stop).Slice()
	if err != nil {
		return nil, 0, wrap(err, "page participants of %s", cycleID)
	}
	if len(res) < 2 {
		return nil, 0, fmt.Errorf("page participants of %s: short reply", cycleID)
	}
	total, _ := res[0].(int64)
	rows, _ := res[1].([]any)
	out := make([]mentor.Participant, 0, len(rows))
	for _, r := range rows {
		row, _ := r.([]any)
		if len(row) < 6 {
			continue
		}
		var duos []string
		if ds, ok := row[5].([]any); ok {
			for _, d := range ds {
				duos = append(duos, str(d))
			}
		}
		p, err := decodeParticipant(str(row[1]), str(row[2]), str(row[4]), duos)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, int(total), nil
}

// evaluationPageScript returns {total, rows}: the evaluations of a cycle from index
// start to stop, by first submission, each {uid, data, submitted}.
// KEYS: the evaluations zset. ARGV: base, start, stop.
var evaluationPageScript = redis.NewScript(`
local out = {}
for _, uid in ipairs(redis.call('ZRANGE', KEYS[1], ARGV[2], ARGV[3])) do
  local f = redis.call('HMGET', ARGV[1] .. ':evaluation:' .. uid, 'data', 'submitted')
  if f[1] then table.insert(out, {uid, f[1], f[2] or ''}) end
end
return {redis.call('ZCARD', KEYS[1]), out}
`)

// EvaluationPage returns the evaluations of a cycle, in the order they first came in,
// from offset, at most limit of them, and how many there are, in one round trip.
// Evaluations are confidential: this is for the committee's report only.
func (s *Store) EvaluationPage(ctx context.Context, cycleID string, offset, limit int) ([]mentor.Evaluation, int, error) {
	offset = max(offset, 0)
	stop := offset + limit - 1
	if limit <= 0 {
		offset, stop = 1, 0
	}
	res, err := evaluationPageScript.Run(ctx, s.rdb, []string{s.evaluationsKey(cycleID)}, s.tag(cycleID), offset, stop).Slice()
	if err != nil {
		return nil, 0, wrap(err, "page evaluations of %s", cycleID)
	}
	if len(res) < 2 {
		return nil, 0, fmt.Errorf("page evaluations of %s: short reply", cycleID)
	}
	total, _ := res[0].(int64)
	rows, _ := res[1].([]any)
	out := make([]mentor.Evaluation, 0, len(rows))
	for _, r := range rows {
		row, _ := r.([]any)
		if len(row) < 3 {
			continue
		}
		var rec evaluationRecord
		if err := json.Unmarshal([]byte(str(row[1])), &rec); err != nil {
			// The error names the person, never what they wrote.
			return nil, 0, fmt.Errorf("decode evaluation of %s: %w", str(row[0]), err)
		}
		e := rec.Evaluation
		e.SubmittedAt = msTime(str(row[2]))
		out = append(out, e)
	}
	return out, int(total), nil
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
