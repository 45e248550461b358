// Package scheduler performs durable work exactly once: nudges that fall due and the
// Slack side effects that must happen (open a duo, post a notice). Each piece of work
// is a mentor.Job with a unique key and a due time, stored before anything is done.
// A sweep claims what is due with a lease, hands each job to the performer of its
// kind, and records the outcome: done, postponed, or failed and retried later with
// backoff. A replica that dies mid-job leaves its claim to run out; the job then comes
// due again, marked uncertain so its performer looks before repeating a side effect.
//
// The clock decides what is due; cron only triggers sweeps.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Store is what the scheduler needs from storage.
type Store interface {
	ScheduleJob(ctx context.Context, j mentor.Job, mode mentor.ScheduleMode, now time.Time) (bool, error)
	CancelJobs(ctx context.Context, keys ...string) (int, error)
	ClaimJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]mentor.Job, error)
	ClaimJob(ctx context.Context, key string, now time.Time, lease time.Duration) (mentor.Job, bool, error)
	CompleteJob(ctx context.Context, j mentor.Job) (bool, error)
	RescheduleJob(ctx context.Context, j mentor.Job, due time.Time, lastErr string, uncertain bool, now time.Time) (bool, error)
	Lock(ctx context.Context, name string, ttl time.Duration) (release func(), ok bool, err error)
	JobsOfKind(ctx context.Context, kind string, limit int) ([]mentor.Job, int, error)
	FailingJobs(ctx context.Context, limit int) ([]mentor.Job, int, error)
}

// Performer does one job. It returns nil when the work is done (or no longer
// needed), Later to postpone it without counting a failure, or any other error to
// have it retried with backoff; wrap that error with Uncertain when the failed
// attempt may have taken effect. The context ends before the job's lease does.
type Performer func(ctx context.Context, j mentor.Job) error

// Options tune a Scheduler; zero values take the defaults.
type Options struct {
	Lease   time.Duration // how long a claim lasts; default 2 minutes
	Batch   int           // jobs claimed per round of a sweep; default 100
	Workers int           // jobs performed at once; default 4
	Queue   int           // jobs waiting for a worker (Kick); default 256
	// Rounds bounds the rounds of one sweep, so one sweep cannot run forever while
	// jobs keep falling due; default 50.
	Rounds int
}

// Scheduler runs jobs. Create it with New, register performers with Handle, then
// Start it. It keeps nothing between sweeps that another replica needs.
type Scheduler struct {
	store      Store
	clock      clock.Clock
	log        *slog.Logger
	opts       Options
	performers map[string]Performer
	observe    func(kind, outcome string)

	queue chan string // keys kicked to run now
	sem   chan struct{}
	wg    sync.WaitGroup // jobs being performed, sweeps
	loop  sync.WaitGroup // the loop feeding kicked jobs to workers
	stop  chan struct{}
	once  sync.Once
	work  context.Context
}

// New returns a scheduler over store. It does nothing until Start.
func New(store Store, clk clock.Clock, log *slog.Logger, opts Options) *Scheduler {
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.Batch <= 0 {
		opts.Batch = 100
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Queue <= 0 {
		opts.Queue = 256
	}
	if opts.Rounds <= 0 {
		opts.Rounds = 50
	}
	return &Scheduler{store: store, clock: clk, log: log, opts: opts, performers: map[string]Performer{},
		queue: make(chan string, opts.Queue), sem: make(chan struct{}, opts.Workers), work: context.Background(), stop: make(chan struct{}),
		observe: func(string, string) {}}
}

// Handle registers the performer of a kind of job. Call it before Start.
func (s *Scheduler) Handle(kind string, p Performer) { s.performers[kind] = p }

// Observe sets a function told of every attempt's outcome ("done", "later",
// "retry", "lost"), for metrics. Call it before Start.
func (s *Scheduler) Observe(fn func(kind, outcome string)) { s.observe = fn }

// Schedule stores j (due at j.Due) according to mode. It reports whether the job was
// stored or moved.
func (s *Scheduler) Schedule(ctx context.Context, j mentor.Job, mode mentor.ScheduleMode) (bool, error) {
	if j.Key == "" || j.Kind == "" {
		return false, fmt.Errorf("schedule: a job needs a key and a kind")
	}
	return s.store.ScheduleJob(ctx, j, mode, s.clock.Now())
}

// Now stores j due at once (according to mode) and kicks it, so it runs in the
// background without waiting for the next sweep. The job is durable before this
// returns: should the kick be lost, a sweep performs it.
func (s *Scheduler) Now(ctx context.Context, j mentor.Job, mode mentor.ScheduleMode) error {
	j.Due = s.clock.Now()
	if _, err := s.Schedule(ctx, j, mode); err != nil {
		return err
	}
	s.Kick(j.Key)
	return nil
}

// Cancel deletes the jobs with these keys, if any.
func (s *Scheduler) Cancel(ctx context.Context, keys ...string) error {
	_, err := s.store.CancelJobs(ctx, keys...)
	return err
}

// Jobs returns up to limit stored jobs of a kind, oldest first, and how many there
// are (for the committee's Home: duos still opening).
func (s *Scheduler) Jobs(ctx context.Context, kind string, limit int) ([]mentor.Job, int, error) {
	return s.store.JobsOfKind(ctx, kind, limit)
}

// Failing returns up to limit jobs whose last attempt failed, and how many there are.
func (s *Scheduler) Failing(ctx context.Context, limit int) ([]mentor.Job, int, error) {
	return s.store.FailingJobs(ctx, limit)
}

// Start runs the loop that performs kicked jobs, under work (which bounds every job it
// runs). Stop ends it.
func (s *Scheduler) Start(work context.Context) {
	s.work = work
	s.loop.Add(1)
	go func() {
		defer s.loop.Done()
		for {
			select {
			case key := <-s.queue:
				select {
				case s.sem <- struct{}{}:
				case <-s.stop:
					s.log.Info("job left for the sweep at shutdown", "job", key)
					s.drain()
					return
				case <-work.Done():
					s.drain()
					return
				}
				s.wg.Add(1)
				go func() {
					defer s.wg.Done()
					defer func() { <-s.sem }()
					s.runKey(work, key)
				}()
			case <-s.stop:
				s.drain()
				return
			case <-work.Done():
				s.drain()
				return
			}
		}
	}()
}

// Stop takes no more kicked jobs: those still queued are dropped (and logged); they
// stay stored, and a later sweep, here or on another replica, performs them. Jobs
// already running go on; Wait waits for them.
func (s *Scheduler) Stop() {
	s.once.Do(func() { close(s.stop) })
	s.loop.Wait()
}

// drain logs the keys left in the queue at shutdown.
func (s *Scheduler) drain() {
	for {
		select {
		case key := <-s.queue:
			s.log.Info("job left for the sweep at shutdown", "job", key)
		default:
			return
		}
	}
}

// Wait blocks until the jobs being performed and any sweep in progress have
// returned.
func (s *Scheduler) Wait() { s.wg.Wait() }

// Kick asks for the job key to be performed now, in the background, without waiting
// for the next sweep. It never blocks: when the queue is full the job simply waits
// for the sweep.
func (s *Scheduler) Kick(key string) {
	select {
	case s.queue <- key:
	default:
		s.log.Warn("background queue full; job left for the sweep", "job", key)
	}
}

// runKey claims one job and performs it (the caller holds a worker slot).
func (s *Scheduler) runKey(ctx context.Context, key string) {
	j, ok, err := s.store.ClaimJob(ctx, key, s.clock.Now(), s.opts.Lease)
	if err != nil {
		s.log.Warn("could not claim job; left for the sweep", "job", key, "err", err)
		return
	}
	if !ok {
		return // done already, or someone else holds it
	}
	s.run(ctx, j)
}

// SweepStats says what one sweep did.
type SweepStats struct {
	Claimed int
	Skipped bool // another replica was sweeping
}

// Sweep performs every job due now: it claims only as many jobs as it has free
// workers, and starts each the moment it is claimed, so no claim waits (and runs out)
// before its job begins; it records each outcome. Only one replica sweeps at a time;
// a sweep that finds another running returns at once with Skipped. A sweep stops
// claiming when Stop is called, its context ends, or half its lock's time has
// passed (the next sweep takes up what is left).
func (s *Scheduler) Sweep(ctx context.Context) (SweepStats, error) {
	var st SweepStats
	s.wg.Add(1)
	defer s.wg.Done()
	release, ok, err := s.store.Lock(ctx, "sweep", s.opts.Lease)
	if err != nil {
		return st, err
	}
	if !ok {
		st.Skipped = true
		return st, nil
	}
	defer release()
	started := time.Now() // the lock's TTL runs in Redis's real time
	var running sync.WaitGroup
	defer running.Wait()
	for round := 0; round < s.opts.Rounds*s.opts.Batch; round++ {
		if ctx.Err() != nil || s.stopping() || time.Since(started) > s.opts.Lease/2 {
			break
		}
		// Take the worker slots first: at least one (waiting for it), then as many
		// more as are free, up to a batch.
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			return st, nil
		case <-s.stop:
			return st, nil
		}
		slots := 1
		for slots < s.opts.Batch {
			select {
			case s.sem <- struct{}{}:
				slots++
				continue
			default:
			}
			break
		}
		jobs, err := s.store.ClaimJobs(ctx, s.clock.Now(), slots, s.opts.Lease)
		for range slots - len(jobs) {
			<-s.sem
		}
		if err != nil {
			return st, err
		}
		st.Claimed += len(jobs)
		for _, j := range jobs {
			running.Add(1)
			go func() {
				defer running.Done()
				defer func() { <-s.sem }()
				s.run(ctx, j)
			}()
		}
		if len(jobs) < slots {
			break // nothing more is due
		}
	}
	return st, nil
}

// stopping reports whether Stop was called.
func (s *Scheduler) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// run performs one claimed job and records what happened.
func (s *Scheduler) run(ctx context.Context, j mentor.Job) {
	log := s.log.With("job", j.Key, "kind", j.Kind, "attempt", j.Attempts)
	p := s.performers[j.Kind]
	var err error
	if p == nil {
		err = fmt.Errorf("no performer for jobs of kind %q", j.Kind)
	} else {
		err = s.protect(ctx, p, j)
	}
	// The outcome must be recorded even when the work context ended meanwhile.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	now := s.clock.Now()
	var later *laterError
	var ok bool
	var rerr error
	outcome := ""
	switch {
	case err == nil:
		outcome = "done"
		ok, rerr = s.store.CompleteJob(rctx, j)
	case errors.As(err, &later):
		outcome = "later"
		log.Debug("job postponed", "until", later.at, "why", later.Error())
		ok, rerr = s.store.RescheduleJob(rctx, j, later.at, "", false, now)
	default:
		outcome = "retry"
		due := now.Add(Backoff(j.Attempts))
		uncertain := IsUncertain(err)
		log.Warn("job failed; will retry", "err", err, "retry_at", due, "uncertain", uncertain)
		ok, rerr = s.store.RescheduleJob(rctx, j, due, errorLine(err), uncertain, now)
	}
	switch {
	case rerr != nil:
		// The claim runs out and the job comes due again, marked uncertain.
		log.Error("could not record a job's outcome; it will come due again", "outcome", outcome, "err", rerr)
		outcome = "unrecorded"
	case !ok:
		log.Warn("job's claim ran out before it finished; another replica holds it now", "outcome", outcome)
		outcome = "lost"
	default:
		log.Debug("job performed", "outcome", outcome)
	}
	s.observe(j.Kind, outcome)
}

// protect runs p, turning a panic into an error, and bounds it by the lease.
func (s *Scheduler) protect(ctx context.Context, p Performer, j mentor.Job) (err error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Lease-s.opts.Lease/8)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return p(ctx, j)
}

// errorLine is what a failure shows on the committee's Home: the error's first
// person-facing message if it has one, else its text, kept short.
func errorLine(err error) string {
	msg := err.Error()
	var me *mentor.Error
	if errors.As(err, &me) && me.Message != "" && me.Code != mentor.EINTERNAL {
		msg = me.Message
	}
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return msg
}

// Backoff is how long to wait before attempt n+1 after n failed: 30 s, 1, 2, 5, 10
// and 30 minutes, then hourly. Jobs are never given up: they show on the committee's
// Home until they succeed.
func Backoff(attempts int) time.Duration {
	steps := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 30 * time.Minute}
	if attempts <= 0 {
		return steps[0]
	}
	if attempts > len(steps) {
		return time.Hour
	}
	return steps[attempts-1]
}

// laterError postpones a job without counting a failure.
type laterError struct {
	at  time.Time
	why error
}

func (e *laterError) Error() string {
	s := "later: " + e.at.Format(time.RFC3339)
	if e.why != nil {
		s += ": " + e.why.Error()
	}
	return s
}

// Later returns the error a performer gives to postpone its job to at: not due yet
// after all, outside the recipient's working hours.
func Later(at time.Time) error { return &laterError{at: at} }

// Deferred postpones a job to at because of why (Slack's pacing, say): not a failure.
func Deferred(at time.Time, why error) error { return &laterError{at: at, why: why} }

// uncertainError marks a failure that may have taken effect.
type uncertainError struct{ err error }

func (e *uncertainError) Error() string { return e.err.Error() }
func (e *uncertainError) Unwrap() error { return e.err }

// Uncertain wraps err to say the failed attempt may still have taken effect (Slack
// answered 500 or timed out after the request was sent): the next attempt must look
// before repeating it. Uncertain(nil) is nil.
func Uncertain(err error) error {
	if err == nil {
		return nil
	}
	return &uncertainError{err: err}
}

// IsUncertain reports whether err was marked with Uncertain.
func IsUncertain(err error) bool {
	var u *uncertainError
	return errors.As(err, &u)
}
