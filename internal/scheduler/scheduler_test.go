package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
	"github.com/mentorbot/mentorbot/internal/scheduler"
)

var t0 = time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)

// env is a scheduler on a private Redis with a test clock, and a record of what its
// performers did.
type env struct {
	t     *testing.T
	ctx   context.Context
	redis *redistest.Redis
	store *redisstore.Store
	clock *clock.Settable
	s     *scheduler.Scheduler

	mu   sync.Mutex
	done map[string]int // job key → times performed
	seen []mentor.Job
}

func newEnv(t *testing.T, opts scheduler.Options) *env {
	t.Helper()
	r := redistest.New(t)
	e := &env{t: t, ctx: t.Context(), redis: r, store: r.Store(), clock: clock.NewSettable(t0), done: map[string]int{}}
	e.s = e.scheduler(opts)
	return e
}

// scheduler returns another scheduler on the same Redis and clock: another replica.
func (e *env) scheduler(opts scheduler.Options) *scheduler.Scheduler {
	s := scheduler.New(e.store, e.clock, slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	s.Handle("count", func(ctx context.Context, j mentor.Job) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.done[j.Key]++
		e.seen = append(e.seen, j)
		return nil
	})
	return s
}

func (e *env) count(key string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.done[key]
}

func (e *env) schedule(key, kind string, due time.Time, mode mentor.ScheduleMode) bool {
	e.t.Helper()
	ok, err := e.s.Schedule(e.ctx, mentor.Job{Key: key, Kind: kind, Due: due, Data: map[string]string{"k": key}}, mode)
	if err != nil {
		e.t.Fatalf("schedule %s: %v", key, err)
	}
	return ok
}

func (e *env) sweep() scheduler.SweepStats {
	e.t.Helper()
	st, err := e.s.Sweep(e.ctx)
	if err != nil {
		e.t.Fatalf("sweep: %v", err)
	}
	return st
}

func (e *env) job(key string) (mentor.Job, bool) {
	e.t.Helper()
	j, ok, err := e.store.Job(e.ctx, key)
	if err != nil {
		e.t.Fatal(err)
	}
	return j, ok
}

func TestSweepPerformsWhatIsDueAndNothingElse(t *testing.T) {
	e := newEnv(t, scheduler.Options{})
	e.schedule("past", "count", t0.Add(-time.Hour), mentor.ScheduleReplace)
	e.schedule("now", "count", t0, mentor.ScheduleReplace)
	e.schedule("soon", "count", t0.Add(time.Minute), mentor.ScheduleReplace)

	if st := e.sweep(); st.Claimed != 2 {
		t.Fatalf("claimed %d, want 2", st.Claimed)
	}
	if e.count("past") != 1 || e.count("now") != 1 || e.count("soon") != 0 {
		t.Fatalf("performed %v, want past and now once, soon never", e.done)
	}
	if _, ok := e.job("now"); ok {
		t.Error("a performed job is still stored")
	}
	e.sweep()
	if e.count("now") != 1 {
		t.Error("a second sweep performed the job again")
	}
	e.clock.Advance(time.Minute)
	e.sweep()
	if e.count("soon") != 1 {
		t.Error("the job that came due was not performed")
	}
	if e.seen[0].Data["k"] == "" {
		t.Error("the performer did not get the job's data")
	}
}

func TestScheduleModes(t *testing.T) {
	e := newEnv(t, scheduler.Options{})
	at := t0.Add(time.Hour)
	if !e.schedule("k", "count", at, mentor.ScheduleKeep) {
		t.Fatal("keep did not store a new job")
	}
	if e.schedule("k", "count", at.Add(time.Hour), mentor.ScheduleKeep) {
		t.Error("keep moved an existing job")
	}
	if e.schedule("k", "count", at.Add(time.Hour), mentor.ScheduleEarlier) {
		t.Error("earlier moved a job to a later time")
	}
	if !e.schedule("k", "count", at.Add(-30*time.Minute), mentor.ScheduleEarlier) {
		t.Error("earlier did not move a job to an earlier time")
	}
	if j, _ := e.job("k"); !j.Due.Equal(at.Add(-30 * time.Minute)) {
		t.Errorf("due = %v, want %v", j.Due, at.Add(-30*time.Minute))
	}
	if !e.schedule("k", "count", at.Add(2*time.Hour), mentor.ScheduleReplace) {
		t.Error("replace did not move the job")
	}
	if j, _ := e.job("k"); !j.Due.Equal(at.Add(2 * time.Hour)) {
		t.Errorf("due = %v, want %v", j.Due, at.Add(2*time.Hour))
	}
}

func TestCancelledJobIsNotPerformed(t *testing.T) {
	e := newEnv(t, scheduler.Options{})
	e.schedule("a", "count", t0, mentor.ScheduleReplace)
	e.schedule("b", "count", t0, mentor.ScheduleReplace)
	if err := e.s.Cancel(e.ctx, "a", "missing"); err != nil {
		t.Fatal(err)
	}
	e.sweep()
	if e.count("a") != 0 || e.count("b") != 1 {
		t.Fatalf("performed %v, want only b", e.done)
	}
	if _, n, _ := e.store.JobsOfKind(e.ctx, "count", 10); n != 0 {
		t.Errorf("%d jobs of the kind still listed", n)
	}
}

func TestFailedJobIsRetriedWithBackoffAndShownUntilItSucceeds(t *testing.T) {
	e := newEnv(t, scheduler.Options{})
	var calls atomic.Int32
	e.s.Handle("flaky", func(ctx context.Context, j mentor.Job) error {
		if calls.Add(1) <= 2 {
			return errors.New("slack said no")
		}
		return nil
	})
	e.schedule("f", "flaky", t0, mentor.ScheduleReplace)
	e.sweep()
	j, ok := e.job("f")
	if !ok || j.LastError == "" || !j.Due.Equal(t0.Add(scheduler.Backoff(1))) {
		t.Fatalf("after one failure: %+v, want the error and due in %v", j, scheduler.Backoff(1))
	}
	failing, n, _ := e.store.FailingJobs(e.ctx, 10)
	if n != 1 || failing[0].Key != "f" {
		t.Fatalf("failing jobs = %d %v, want f", n, failing)
	}
	e.sweep() // not due yet
	if calls.Load() != 1 {
		t.Fatalf("retried before its backoff: %d calls", calls.Load())
	}
	e.clock.Advance(scheduler.Backoff(1))
	e.sweep()
	if j, _ := e.job("f"); j.Attempts != 2 || !j.Due.Equal(e.clock.Now().Add(scheduler.Backoff(2))) {
		t.Fatalf("after two failures: %+v", j)
	}
	e.clock.Advance(scheduler.Backoff(2))
	e.sweep()
	if _, ok := e.job("f"); ok {
		t.Fatal("the job is still stored after it succeeded")
	}
	if _, n, _ := e.store.FailingJobs(e.ctx, 10); n != 0 {
		t.Errorf("%d failing jobs after success", n)
	}
}

func TestLaterPostponesWithoutCountingAFailure(t *testing.T) {
	e := newEnv(t, scheduler.Options{})
	at := t0.Add(3 * time.Hour)
	var calls atomic.Int32
	e.s.Handle("wait", func(ctx context.Context, j mentor.Job) error {
		if calls.Add(1) == 1 {
			return scheduler.Later(at)
		}
		return nil
	})
	e.schedule("w", "wait", t0, mentor.ScheduleReplace)
	e.sweep()
	j, ok := e.job("w")
	if !ok || !j.Due.Equal(at) || j.LastError != "" || j.Attempts != 0 {
		t.Fatalf("postponed job = %+v, want due %v with no error and attempts reset", j, at)
	}
	if _, n, _ := e.store.FailingJobs(e.ctx, 10); n != 0 {
		t.Error("a postponed job is listed as failing")
	}
	e.clock.Set(at)
	e.sweep()
	if calls.Load() != 2 {
		t.Fatalf("calls = %d, want 2", calls.Load())
	}
}

func TestAClaimThatIsNeverFinishedComesBackUncertain(t *testing.T) {
	e := newEnv(t, scheduler.Options{Lease: time.Minute})
	e.schedule("x", "count", t0, mentor.ScheduleReplace)
	// A replica claims the job and dies before finishing it.
	claimed, err := e.store.ClaimJobs(e.ctx, t0, 10, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %v, %v", claimed, err)
	}
	e.sweep()
	if e.count("x") != 0 {
		t.Fatal("a job was performed while another replica's claim held")
	}
	e.clock.Advance(time.Minute)
	e.sweep()
	if e.count("x") != 1 {
		t.Fatal("the job was not performed after the dead replica's claim ran out")
	}
	if !e.seen[0].Uncertain || e.seen[0].Attempts != 2 {
		t.Errorf("job = %+v, want uncertain on its second attempt", e.seen[0])
	}
	// The dead replica's late finish must not delete anything.
	if ok, _ := e.store.CompleteJob(e.ctx, claimed[0]); ok {
		t.Error("a stale claim finished the job")
	}
}

func TestJobScheduledAgainWhileRunningIsKept(t *testing.T) {
	e := newEnv(t, scheduler.Options{})
	next := t0.Add(7 * 24 * time.Hour)
	e.s.Handle("recur", func(ctx context.Context, j mentor.Job) error {
		_, err := e.s.Schedule(ctx, mentor.Job{Key: j.Key, Kind: j.Kind, Due: next, Data: j.Data}, mentor.ScheduleReplace)
		return err
	})
	e.schedule("r", "recur", t0, mentor.ScheduleReplace)
	e.sweep()
	j, ok := e.job("r")
	if !ok || !j.Due.Equal(next) || j.Token != "" {
		t.Fatalf("job = %+v (stored %v), want it kept, due %v and unclaimed", j, ok, next)
	}
}

func TestKickRunsAJobNowAndOnlyOnce(t *testing.T) {
	e := newEnv(t, scheduler.Options{})
	work, stop := context.WithCancel(e.ctx)
	e.s.Start(work)
	e.schedule("k", "count", t0.Add(time.Hour), mentor.ScheduleReplace)
	for range 5 {
		e.s.Kick("k")
	}
	deadline := time.Now().Add(5 * time.Second)
	for e.count("k") == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	e.s.Stop()
	e.s.Wait()
	if e.count("k") != 1 {
		t.Fatalf("kicked job performed %d times, want 1", e.count("k"))
	}
}

func TestPanickingPerformerIsRetried(t *testing.T) {
	e := newEnv(t, scheduler.Options{})
	e.s.Handle("boom", func(ctx context.Context, j mentor.Job) error { panic("oops") })
	e.schedule("b", "boom", t0, mentor.ScheduleReplace)
	e.sweep()
	if j, ok := e.job("b"); !ok || j.LastError == "" {
		t.Fatalf("job = %+v, want it kept with the panic as its error", j)
	}
}

func TestReplicasSweepingAtOncePerformEachJobOnce(t *testing.T) {
	e := newEnv(t, scheduler.Options{Batch: 7})
	const n = 300
	for i := range n {
		e.schedule(fmt.Sprintf("j%03d", i), "count", t0.Add(-time.Duration(i)*time.Second), mentor.ScheduleReplace)
	}
	replicas := []*scheduler.Scheduler{e.s, e.scheduler(scheduler.Options{Batch: 5}), e.scheduler(scheduler.Options{Batch: 11})}
	var wg sync.WaitGroup
	for _, r := range replicas {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					if _, err := r.Sweep(e.ctx); err != nil {
						t.Error(err)
						return
					}
					if due, _, _ := e.store.DueJobCount(e.ctx, e.clock.Now()); due == 0 {
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.done) != n {
		t.Fatalf("%d jobs performed, want %d", len(e.done), n)
	}
	for k, c := range e.done {
		if c != 1 {
			t.Errorf("%s performed %d times", k, c)
		}
	}
}

func TestOnlyOneSweepAtATime(t *testing.T) {
	e := newEnv(t, scheduler.Options{})
	entered := make(chan struct{})
	release := make(chan struct{})
	e.s.Handle("slow", func(ctx context.Context, j mentor.Job) error {
		close(entered)
		<-release
		return nil
	})
	e.schedule("s", "slow", t0, mentor.ScheduleReplace)
	done := make(chan struct{})
	go func() { defer close(done); e.sweep() }()
	<-entered
	other := e.scheduler(scheduler.Options{})
	st, err := other.Sweep(e.ctx)
	close(release)
	<-done
	if err != nil || !st.Skipped {
		t.Fatalf("second sweep = %+v, %v; want skipped while the first runs", st, err)
	}
}

func TestStopLeavesQueuedJobsForTheSweep(t *testing.T) {
	e := newEnv(t, scheduler.Options{Workers: 1})
	entered, release := make(chan struct{}), make(chan struct{})
	e.s.Handle("slow", func(ctx context.Context, j mentor.Job) error {
		close(entered)
		<-release
		return nil
	})
	e.s.Start(e.ctx)
	e.schedule("busy", "slow", t0, mentor.ScheduleReplace)
	e.schedule("queued", "count", t0, mentor.ScheduleReplace)
	e.s.Kick("busy")
	<-entered // the only worker is busy…
	e.s.Kick("queued")
	stopped := make(chan struct{})
	go func() { e.s.Stop(); close(stopped) }() // …when shutdown begins
	<-stopped
	close(release)
	e.s.Wait()
	if e.count("queued") != 0 {
		t.Fatal("a job queued at shutdown was performed anyway")
	}
	if _, ok := e.job("queued"); !ok {
		t.Fatal("the job queued at shutdown is lost")
	}
	if _, ok := e.job("busy"); ok {
		t.Fatal("the job running at shutdown did not finish")
	}
	// The next sweep (here, or on another replica) performs it.
	e.scheduler(scheduler.Options{}).Sweep(e.ctx)
	if e.count("queued") != 1 {
		t.Fatal("the sweep did not perform the job left at shutdown")
	}
}

func TestUncertaintySurvivesAPostponement(t *testing.T) {
	e := newEnv(t, scheduler.Options{})
	var seen []mentor.Job
	e.s.Handle("post", func(ctx context.Context, j mentor.Job) error {
		seen = append(seen, j)
		switch len(seen) {
		case 1:
			return scheduler.Uncertain(errors.New("slack timed out after the request was sent"))
		case 2:
			return scheduler.Deferred(e.clock.Now().Add(time.Minute), errors.New("paced"))
		}
		return nil
	})
	e.schedule("p", "post", t0, mentor.ScheduleReplace)
	for range 3 {
		e.sweep()
		e.clock.Advance(time.Hour)
	}
	if len(seen) != 3 || !seen[1].Uncertain || !seen[2].Uncertain {
		t.Fatalf("attempts = %+v; want the third still marked uncertain after the postponement", seen)
	}
}

func TestAJobScheduledAgainWhileRunningWaitsForItsClaim(t *testing.T) {
	e := newEnv(t, scheduler.Options{})
	entered, release := make(chan struct{}), make(chan struct{})
	var runs atomic.Int32
	e.s.Handle("slow", func(ctx context.Context, j mentor.Job) error {
		if runs.Add(1) == 1 {
			close(entered)
			<-release
		}
		return nil
	})
	e.schedule("s", "slow", t0, mentor.ScheduleReplace)
	done := make(chan struct{})
	go func() { defer close(done); e.sweep() }()
	<-entered
	// Scheduled again for now while it runs (an edit of the cycle, say): nobody
	// may take it before the running claim ends.
	e.schedule("s", "slow", t0, mentor.ScheduleReplace)
	if _, ok, err := e.store.ClaimJob(e.ctx, "s", t0, time.Minute); err != nil || ok {
		t.Fatalf("a job being performed was claimed again (%v)", err)
	}
	close(release)
	<-done
	e.sweep() // now the new schedule runs
	if runs.Load() != 2 {
		t.Fatalf("%d runs, want the first and then the new one", runs.Load())
	}
}

func TestEveryClaimedJobStartsBeforeItsClaimEnds(t *testing.T) {
	// One worker, slow jobs (each takes 50 s of the clock) and a one-minute lease:
	// claiming more than the worker can start would let claims run out unstarted.
	e := newEnv(t, scheduler.Options{Workers: 1, Lease: time.Minute})
	var late atomic.Int32
	e.s.Handle("slow", func(ctx context.Context, j mentor.Job) error {
		stored, ok, _ := e.store.Job(ctx, j.Key)
		if !ok || stored.Token != j.Token || !stored.Due.After(e.clock.Now()) {
			late.Add(1)
		}
		e.clock.Advance(50 * time.Second)
		return nil
	})
	for i := range 5 {
		e.schedule(fmt.Sprintf("s%d", i), "slow", t0, mentor.ScheduleReplace)
	}
	if st := e.sweep(); st.Claimed != 5 {
		t.Fatalf("claimed %d, want 5", st.Claimed)
	}
	if n := late.Load(); n != 0 {
		t.Fatalf("%d jobs started after their claim had run out", n)
	}
}

func TestADoneJobIsNotMadeAgainUnlessReplaced(t *testing.T) {
	e := newEnv(t, scheduler.Options{})
	e.schedule("once", "count", t0, mentor.ScheduleKeep)
	e.sweep()
	// A late event, a second click, a cycle re-planned: the same key again.
	if e.schedule("once", "count", t0, mentor.ScheduleKeep) || e.schedule("once", "count", t0, mentor.ScheduleEarlier) {
		t.Fatal("a done job was scheduled again")
	}
	e.sweep()
	if e.count("once") != 1 {
		t.Fatalf("performed %d times, want 1", e.count("once"))
	}
	// Replace is how a job that recurs (a redraw, the next digest) is made again.
	if !e.schedule("once", "count", t0, mentor.ScheduleReplace) {
		t.Fatal("replace did not make the job again")
	}
	e.sweep()
	if e.count("once") != 2 {
		t.Fatalf("performed %d times after replace, want 2", e.count("once"))
	}
	// A cancelled job was not done: it may be scheduled again.
	e.schedule("cancelled", "count", t0.Add(time.Hour), mentor.ScheduleKeep)
	e.s.Cancel(e.ctx, "cancelled")
	if !e.schedule("cancelled", "count", t0, mentor.ScheduleKeep) {
		t.Fatal("a cancelled job could not be scheduled again")
	}
}
