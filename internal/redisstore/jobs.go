package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Job keys, all under the hash tag {sched} so every script runs on one Cluster slot:
//
//	S:due            zset of job keys by due time (ms); a claimed job is pushed to
//	                 the end of its lease, so a claim that is never finished comes due
//	                 again by itself
//	S:job:<key>      hash: kind, data (JSON), created, attempts, last_error,
//	                 uncertain, token (the current claim), gen (bumped by every schedule)
//	S:kind:<kind>    zset of job keys of one kind (for listing on the committee's Home)
//	S:failing        zset of job keys whose last attempt failed, by first failure (ms)
//	S:done:<key>     "1" for a while after the job was done: a "keep" or "earlier"
//	                 schedule of the same key does not make it again (an event
//	                 delivered late, a second click, a cycle re-planned)
//
// The sweep reads S:due from the oldest due time up to now with a LIMIT: its cost is
// O(log n + due), whatever the number of jobs scheduled later.

func (s *Store) schedTag() string { return s.prefix + "{sched}" }

func (s *Store) jobKeys(kind string) []string {
	t := s.schedTag()
	return []string{t + ":due", t + ":kind:" + kind, t + ":failing"}
}

// doneTTL is how long a done job's key is remembered: longer than a program cycle.
const doneTTL = 400 * 24 * time.Hour

// scheduleScript stores a job. KEYS: due, kind set, job hash, done marker.
// ARGV: key, kind, data, due ms, now ms, mode (replace|keep|earlier). "earlier"
// moves an existing, unclaimed job to an earlier due time and keeps its data. Only
// "replace" makes a job that was done again.
// Returns 1 when the job was stored or moved, 0 when left as it was.
var scheduleScript = newScript(`
if ARGV[6] ~= 'replace' and redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
local exists = redis.call('EXISTS', KEYS[3]) == 1
if exists then
  if ARGV[6] == 'keep' then return 0 end
  if ARGV[6] == 'earlier' then
    -- only the due time moves: what the job carries (a nudge's last sending) stays
    local cur = redis.call('ZSCORE', KEYS[1], ARGV[1])
    if redis.call('HGET', KEYS[3], 'token') or (cur and tonumber(cur) <= tonumber(ARGV[4])) then return 0 end
    redis.call('HINCRBY', KEYS[3], 'gen', 1)
    redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
    return 1
  end
else
  redis.call('HSET', KEYS[3], 'created', ARGV[5], 'attempts', 0)
end
redis.call('HSET', KEYS[3], 'kind', ARGV[2], 'data', ARGV[3])
redis.call('HINCRBY', KEYS[3], 'gen', 1)
local due = tonumber(ARGV[4])
if exists and redis.call('HGET', KEYS[3], 'token') then
  -- being performed: its score is the end of the claim, and it must not become
  -- claimable before that; finishing the claim moves it to the new time
  local cur = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0')
  redis.call('HSET', KEYS[3], 'next_due', ARGV[4])
  if cur > due then due = cur end
end
redis.call('ZADD', KEYS[1], due, ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
return 1
`)

// ScheduleJob stores j to be performed at j.Due. What happens when a job with the
// same key exists depends on mode (see mentor.ScheduleMode). It reports whether the
// job was stored or moved.
func (s *Store) ScheduleJob(ctx context.Context, j mentor.Job, mode mentor.ScheduleMode, now time.Time) (bool, error) {
	data, err := json.Marshal(j.Data)
	if err != nil {
		return false, fmt.Errorf("encode job %s: %w", j.Key, err)
	}
	m := map[mentor.ScheduleMode]string{mentor.ScheduleReplace: "replace", mentor.ScheduleKeep: "keep", mentor.ScheduleEarlier: "earlier"}[mode]
	keys := s.jobKeys(j.Kind)
	n, err := s.run(ctx, s.rdb, scheduleScript, []string{keys[0], keys[1], s.schedTag() + ":job:" + j.Key, s.schedTag() + ":done:" + j.Key},
		j.Key, j.Kind, data, j.Due.UnixMilli(), now.UnixMilli(), m).Int()
	if err != nil {
		return false, wrap(err, "schedule job %s", j.Key)
	}
	return n == 1, nil
}

// cancelScript deletes jobs. KEYS: due, failing, then for each job its hash and
// the kind set the caller read for it. ARGV: the kind-set prefix, the job keys.
// Returns how many existed; error STALE when a job's kind is not the one declared
// (it was scheduled again as another kind meanwhile).
var cancelScript = newScript(`
local n = 0
for i = 2, #ARGV do
  local h, set = KEYS[2 * i - 1], KEYS[2 * i]
  local kind = redis.call('HGET', h, 'kind')
  if kind and set ~= ARGV[1] .. kind then return redis.error_reply('STALE') end
end
for i = 2, #ARGV do
  local h, set = KEYS[2 * i - 1], KEYS[2 * i]
  if redis.call('EXISTS', h) == 1 then
    redis.call('ZREM', set, ARGV[i])
    n = n + redis.call('DEL', h)
  end
  redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('ZREM', KEYS[2], ARGV[i])
end
return n
`)

// CancelJobs deletes the jobs with these keys (missing ones are ignored) and returns
// how many existed. A job being performed right now still finishes its attempt.
func (s *Store) CancelJobs(ctx context.Context, keys ...string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	t := s.schedTag()
	for attempt := 0; attempt < maxWatchRetries; attempt++ {
		// The kinds first, so that the script declares each job's kind set.
		pipe := s.rdb.Pipeline()
		kinds := make([]*redis.StringCmd, len(keys))
		for i, k := range keys {
			kinds[i] = pipe.HGet(ctx, t+":job:"+k, "kind")
		}
		if _, err := pipe.Exec(ctx); err != nil && !isNil(err) {
			return 0, wrap(err, "cancel jobs")
		}
		declared := []string{t + ":due", t + ":failing"}
		args := []any{t + ":kind:"}
		for i, k := range keys {
			declared = append(declared, t+":job:"+k, t+":kind:"+kinds[i].Val())
			args = append(args, k)
		}
		n, err := s.run(ctx, s.rdb, cancelScript, declared, args...).Int()
		if isReply(err, "STALE") {
			continue
		}
		return n, wrap(err, "cancel jobs")
	}
	return 0, mentor.Errorf(mentor.ECONFLICT, "These reminders are being changed right now. Please try again.")
}

// claimScript claims jobs the caller found due. KEYS: due, then the hash of each
// candidate. ARGV: now ms, lease ms, token, only ("1": claim the one candidate even
// before it is due, unless someone holds it), the candidates' keys.
// Returns, per job claimed: key, kind, data, attempts, last_error, uncertain,
// created, gen, due ms. A candidate claimed meanwhile by someone else (its due time
// moved to the end of their lease) or gone is skipped. A job whose previous claim
// was never finished (its holder died) comes back marked uncertain.
var claimScript = newScript(`
local now = tonumber(ARGV[1])
local out = {}
for i = 5, #ARGV do
  local id, h = ARGV[i], KEYS[i - 3]
  local due = redis.call('ZSCORE', KEYS[1], id)
  local f = redis.call('HMGET', h, 'kind', 'data', 'last_error', 'uncertain', 'created', 'gen', 'token')
  if not due then
    -- done or cancelled meanwhile
  elseif not f[1] then
    redis.call('ZREM', KEYS[1], id)
  elseif tonumber(due) > now and (ARGV[4] ~= '1' or f[7]) then
    -- not due, or held: a claim pushes the due time to the end of its lease
  else
    local uncertain = f[4] or '0'
    if f[7] then uncertain = '1' end
    local attempts = redis.call('HINCRBY', h, 'attempts', 1)
    redis.call('HSET', h, 'token', ARGV[3], 'uncertain', uncertain)
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), id)
    table.insert(out, {id, f[1], f[2], attempts, f[3] or '', uncertain, f[5] or '0', f[6] or '0', due})
  end
end
return out
`)

// ClaimJobs claims up to limit jobs due at now, oldest first, for lease: until the
// lease ends nobody else can claim them. A claim that is neither completed nor
// rescheduled within its lease (its replica died) makes the job due again.
func (s *Store) ClaimJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]mentor.Job, error) {
	return s.claim(ctx, now, limit, lease, "")
}

// ClaimJob claims the job key if it exists and nobody holds it (it need not be due:
// this is "run it now"). ok is false when it does not exist or is held.
func (s *Store) ClaimJob(ctx context.Context, key string, now time.Time, lease time.Duration) (mentor.Job, bool, error) {
	js, err := s.claim(ctx, now, 1, lease, key)
	if err != nil || len(js) == 0 {
		return mentor.Job{}, false, err
	}
	return js[0], true, nil
}

func (s *Store) claim(ctx context.Context, now time.Time, limit int, lease time.Duration, only string) ([]mentor.Job, error) {
	t := s.schedTag()
	ids, flag := []string{only}, "1"
	if only == "" {
		// The candidates first, so that the script declares each job's hash; the
		// script checks again that each is still due and free.
		var err error
		ids, err = s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: t + ":due", Start: "-inf",
			Stop: strconv.FormatInt(now.UnixMilli(), 10), ByScore: true, Count: int64(limit)}).Result()
		if err != nil || len(ids) == 0 {
			return nil, wrap(err, "find due jobs")
		}
		flag = ""
	}
	keys := make([]string, 0, len(ids)+1)
	keys = append(keys, t+":due")
	args := []any{now.UnixMilli(), lease.Milliseconds(), uuid.NewString(), flag}
	for _, id := range ids {
		keys = append(keys, t+":job:"+id)
		args = append(args, id)
	}
	token := args[2].(string)
	res, err := s.run(ctx, s.rdb, claimScript, keys, args...).Slice()
	if err != nil {
		return nil, wrap(err, "claim jobs")
	}
	out := make([]mentor.Job, 0, len(res))
	for _, r := range res {
		row, _ := r.([]any)
		if len(row) < 9 {
			continue
		}
		j := mentor.Job{Key: str(row[0]), Kind: str(row[1]), LastError: str(row[4]), Uncertain: str(row[5]) == "1", Token: token}
		if err := json.Unmarshal([]byte(str(row[2])), &j.Data); err != nil {
			return nil, fmt.Errorf("decode job %s: %w", j.Key, err)
		}
		j.Attempts, _ = strconv.Atoi(str(row[3]))
		j.Gen, _ = strconv.Atoi(str(row[7]))
		j.CreatedAt = msTime(str(row[6]))
		j.Due = msTime(str(row[8]))
		out = append(out, j)
	}
	return out, nil
}

// finishScript ends a claim. KEYS: due, failing, job hash, done marker, kind set.
// ARGV: key, token, gen, action (done|retry), due ms, last_error, uncertain, now ms,
// done TTL ms.
// done: deletes the job, unless it was scheduled again while it ran (gen changed):
// then only the claim is released. retry: moves the job to due with the error noted,
// unless it was scheduled again meanwhile (then the newer schedule stands).
// Returns 1, or 0 when the claim was no longer ours (the lease ran out and someone
// else claimed it).
var finishScript = newScript(`
if redis.call('HGET', KEYS[3], 'token') ~= ARGV[2] then return 0 end
local same = redis.call('HGET', KEYS[3], 'gen') == ARGV[3]
local nextDue = redis.call('HGET', KEYS[3], 'next_due')
redis.call('HDEL', KEYS[3], 'token', 'next_due')
if ARGV[4] == 'done' then
  if same then
    redis.call('DEL', KEYS[3])
    redis.call('ZREM', KEYS[1], ARGV[1])
    redis.call('ZREM', KEYS[2], ARGV[1])
    redis.call('ZREM', KEYS[5], ARGV[1])
    redis.call('SET', KEYS[4], '1', 'PX', ARGV[9])
  else
    -- scheduled again while it ran: a new piece of work, due when that said
    redis.call('HSET', KEYS[3], 'uncertain', '0', 'attempts', 0, 'last_error', '')
    redis.call('ZREM', KEYS[2], ARGV[1])
    if nextDue then redis.call('ZADD', KEYS[1], nextDue, ARGV[1]) end
  end
  return 1
end
-- "this may already have happened" sticks until the job is done: a postponement
-- (Slack's pacing, working hours) between two attempts must not make the next one
-- skip its look-up. A failed attempt before (attempts > 1) counts as such too.
local uncertain = ARGV[7]
if redis.call('HGET', KEYS[3], 'uncertain') == '1' or tonumber(redis.call('HGET', KEYS[3], 'attempts') or '0') > 1 then
  uncertain = '1'
end
redis.call('HSET', KEYS[3], 'last_error', ARGV[6], 'uncertain', uncertain)
if ARGV[6] ~= '' then
  redis.call('ZADD', KEYS[2], 'NX', ARGV[8], ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HSET', KEYS[3], 'attempts', 0)
end
if same then
  redis.call('ZADD', KEYS[1], ARGV[5], ARGV[1])
elseif nextDue then
  redis.call('ZADD', KEYS[1], nextDue, ARGV[1])
end
return 1
`)

// CompleteJob finishes a claimed job: it is deleted, unless it was scheduled again
// while it ran. ok is false when the claim had run out and someone else holds the job.
func (s *Store) CompleteJob(ctx context.Context, j mentor.Job) (ok bool, err error) {
	return s.finish(ctx, j, "done", time.Time{}, "", false, time.Time{})
}

// RescheduleJob releases a claimed job and makes it due again at due. A non-empty
// lastErr records a failed attempt (the job shows among the failing ones until an
// attempt succeeds); an empty one is a plain postponement and resets the attempts.
// uncertain marks that the failed attempt may have taken effect. ok is false when the
// claim had run out.
func (s *Store) RescheduleJob(ctx context.Context, j mentor.Job, due time.Time, lastErr string, uncertain bool, now time.Time) (ok bool, err error) {
	return s.finish(ctx, j, "retry", due, lastErr, uncertain, now)
}

func (s *Store) finish(ctx context.Context, j mentor.Job, action string, due time.Time, lastErr string, uncertain bool, now time.Time) (bool, error) {
	t := s.schedTag()
	u := "0"
	if uncertain {
		u = "1"
	}
	n, err := s.run(ctx, s.rdb, finishScript, []string{t + ":due", t + ":failing", t + ":job:" + j.Key, t + ":done:" + j.Key, t + ":kind:" + j.Kind},
		j.Key, j.Token, j.Gen, action, due.UnixMilli(), lastErr, u, now.UnixMilli(), doneTTL.Milliseconds()).Int()
	if err != nil {
		return false, wrap(err, "finish job %s", j.Key)
	}
	return n == 1, nil
}

// Job returns the stored job with this key; ok is false when there is none.
func (s *Store) Job(ctx context.Context, key string) (mentor.Job, bool, error) {
	js, err := s.jobsByKey(ctx, []string{key})
	if err != nil || len(js) == 0 {
		return mentor.Job{}, false, err
	}
	return js[0], true, nil
}

// JobsOfKind returns up to limit jobs of one kind, oldest first, and how many there
// are.
func (s *Store) JobsOfKind(ctx context.Context, kind string, limit int) ([]mentor.Job, int, error) {
	return s.listJobs(ctx, s.schedTag()+":kind:"+kind, limit)
}

// FailingJobs returns up to limit jobs whose last attempt failed, longest failing
// first, and how many there are.
func (s *Store) FailingJobs(ctx context.Context, limit int) ([]mentor.Job, int, error) {
	return s.listJobs(ctx, s.schedTag()+":failing", limit)
}

// DueJobCount returns how many jobs are due at now (claimed ones included until their
// lease ends) and how many are scheduled in all.
func (s *Store) DueJobCount(ctx context.Context, now time.Time) (due, total int64, err error) {
	pipe := s.rdb.Pipeline()
	d := pipe.ZCount(ctx, s.schedTag()+":due", "-inf", strconv.FormatInt(now.UnixMilli(), 10))
	n := pipe.ZCard(ctx, s.schedTag()+":due")
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, 0, wrap(err, "count jobs")
	}
	return d.Val(), n.Val(), nil
}

func (s *Store) listJobs(ctx context.Context, set string, limit int) ([]mentor.Job, int, error) {
	if limit <= 0 {
		n, err := s.rdb.ZCard(ctx, set).Result()
		return nil, int(n), wrap(err, "count jobs")
	}
	pipe := s.rdb.Pipeline()
	keys := pipe.ZRange(ctx, set, 0, int64(limit-1))
	n := pipe.ZCard(ctx, set)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, 0, wrap(err, "list jobs")
	}
	js, err := s.jobsByKey(ctx, keys.Val())
	return js, int(n.Val()), err
}

func (s *Store) jobsByKey(ctx context.Context, keys []string) ([]mentor.Job, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	t := s.schedTag()
	pipe := s.rdb.Pipeline()
	hs := make([]*redis.SliceCmd, len(keys))
	dues := make([]*redis.FloatCmd, len(keys))
	for i, k := range keys {
		hs[i] = pipe.HMGet(ctx, t+":job:"+k, "kind", "data", "attempts", "last_error", "uncertain", "created", "gen", "token")
		dues[i] = pipe.ZScore(ctx, t+":due", k)
	}
	if _, err := pipe.Exec(ctx); err != nil && !isNil(err) {
		return nil, wrap(err, "read jobs")
	}
	out := make([]mentor.Job, 0, len(keys))
	for i, k := range keys {
		v := hs[i].Val()
		if len(v) < 8 || v[0] == nil {
			continue
		}
		j := mentor.Job{Key: k, Kind: str(v[0]), LastError: str(v[3]), Uncertain: str(v[4]) == "1", Token: str(v[7])}
		_ = json.Unmarshal([]byte(str(v[1])), &j.Data)
		j.Attempts, _ = strconv.Atoi(str(v[2]))
		j.Gen, _ = strconv.Atoi(str(v[6]))
		j.CreatedAt = msTime(str(v[5]))
		if d, err := dues[i].Result(); err == nil {
			j.Due = time.UnixMilli(int64(d)).UTC()
		}
		out = append(out, j)
	}
	return out, nil
}
