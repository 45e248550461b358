package duos_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/duos"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

var t0 = time.Date(2026, 10, 5, 15, 0, 0, 0, time.UTC)

// env is the duo use case on a private Redis, with a duo whose channel is C0DUO.
type env struct {
	ctx    context.Context
	store  *redisstore.Store
	clock  *clock.Settable
	svc    *duos.Service
	trips  *atomic.Int64 // Redis round trips so far
	cycle  mentor.Cycle
	duo    mentor.Duo
	nudges *nudgeLog
}

// nudgeLog records what the service told the nudges.
type nudgeLog struct{ first atomic.Int32 }

func (n *nudgeLog) FirstMessage(context.Context, mentor.Cycle, mentor.Duo, string) error {
	n.first.Add(1)
	return nil
}
func (n *nudgeLog) AgreementSigned(context.Context, mentor.Cycle, mentor.Duo) error { return nil }
func (n *nudgeLog) DuoEnded(context.Context, mentor.Cycle, mentor.Duo) error        { return nil }

// noJobs is a scheduler that stores nothing (the message path schedules nothing).
type noJobs struct{}

func (noJobs) Now(context.Context, mentor.Job, mentor.ScheduleMode) error { return nil }

func newEnv(tb testing.TB) *env {
	tb.Helper()
	r := redistest.New(tb)
	e := &env{ctx: context.Background(), clock: clock.NewSettable(t0), trips: &atomic.Int64{}, nudges: &nudgeLog{}}
	st, err := redisstore.Open(r.URL, r.Prefix, redisstore.Options{RoundTrip: func() { e.trips.Add(1) }})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	e.store = st
	e.svc = duos.New(st, noJobs{}, e.nudges, e.clock)
	e.cycle = mentor.DefaultCycle(t0)
	e.cycle.ID = "c1"
	if _, err := st.CreateCycle(e.ctx, e.cycle); err != nil {
		tb.Fatal(err)
	}
	for _, p := range []mentor.Participant{
		{UserID: "U0MENTEE", CycleID: "c1", Role: mentor.RoleMentee, Stage: mentor.StageStudent, Areas: []string{"career"},
			Needs: "help with my first job search", Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 2},
		{UserID: "U0MENTOR", CycleID: "c1", Role: mentor.RoleMentor, Stage: mentor.StageSenior, Areas: []string{"career"},
			Offer: "twenty years of academic libraries", Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 2, Capacity: 1},
	} {
		if err := st.SaveSignup(e.ctx, p, t0); err != nil {
			tb.Fatal(err)
		}
	}
	d, _, err := st.CreateDuo(e.ctx, mentor.Duo{ID: "d1", CycleID: "c1", MenteeID: "U0MENTEE", MentorID: "U0MENTOR", CreatedAt: t0})
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.IndexDuoChannel(e.ctx, "C0DUO", "c1", d.ID); err != nil {
		tb.Fatal(err)
	}
	e.duo = d
	return e
}

// message plays a message event and returns the round trips it cost.
func (e *env) message(tb testing.TB, channel, user, eventID string) (duos.Seen, int64) {
	tb.Helper()
	before := e.trips.Load()
	seen, err := e.svc.Message(e.ctx, duos.Message{EventID: eventID, Channel: channel, User: user, At: e.clock.Now()})
	if err != nil {
		tb.Fatal(err)
	}
	return seen, e.trips.Load() - before
}

func TestMessageOutsideADuoChannelCostsAtMostOneRoundTrip(t *testing.T) {
	e := newEnv(t)
	if _, n := e.message(t, "C0COMMITTEE", "U0ALICE", "Ev1"); n != 1 {
		t.Fatalf("first message in a channel that is not a duo's: %d round trips, want 1", n)
	}
	for i := range 5 {
		if _, n := e.message(t, "C0COMMITTEE", "U0ALICE", fmt.Sprintf("Ev%d", i+2)); n != 0 {
			t.Fatalf("later message in the same channel: %d round trips, want 0 (the answer is cached)", n)
		}
	}
	// The "not a duo channel" answer is kept only briefly.
	e.clock.Advance(2 * time.Minute)
	if _, n := e.message(t, "C0COMMITTEE", "U0ALICE", "Ev9"); n != 1 {
		t.Fatalf("after the cache expired: %d round trips, want 1", n)
	}
}

func TestMessageInADuoChannelCostsOneRoundTripOnceKnown(t *testing.T) {
	e := newEnv(t)
	seen, _ := e.message(t, "C0DUO", "U0MENTEE", "Ev1")
	if !seen.Outcome.First || !seen.Outcome.Ticked || seen.Outcome.Item != "mentee.contact" || e.nudges.first.Load() != 1 {
		t.Fatalf("the mentee's first message: %+v (nudges told %d times)", seen.Outcome, e.nudges.first.Load())
	}
	seen, n := e.message(t, "C0DUO", "U0MENTEE", "Ev2")
	if n != 1 || seen.Outcome.First || seen.Outcome.Ticked {
		t.Fatalf("a later message: %d round trips, outcome %+v; want 1 and nothing new", n, seen.Outcome)
	}
	// A redelivered event changes nothing and costs the same one round trip.
	seen, n = e.message(t, "C0DUO", "U0MENTEE", "Ev2")
	if n != 1 || !seen.Outcome.Duplicate {
		t.Fatalf("a redelivered event: %d round trips, outcome %+v", n, seen.Outcome)
	}
	// Someone else in the channel (the committee joined it) is not the duo.
	if seen, _ := e.message(t, "C0DUO", "U0ALICE", "Ev3"); !seen.Outcome.NotMember {
		t.Fatalf("a non-member's message: %+v", seen.Outcome)
	}
	if e.nudges.first.Load() != 1 {
		t.Fatalf("nudges told of a first message %d times, want 1", e.nudges.first.Load())
	}
}

func TestChannelOpenedForgetsTheNotADuoAnswer(t *testing.T) {
	e := newEnv(t)
	e.message(t, "C0NEW", "U0MENTEE", "Ev1") // not a duo's channel yet: cached
	if err := e.store.IndexDuoChannel(e.ctx, "C0NEW", "c1", e.duo.ID); err != nil {
		t.Fatal(err)
	}
	e.svc.ChannelOpened("C0NEW")
	if seen, _ := e.message(t, "C0NEW", "U0MENTEE", "Ev2"); seen.CycleID != "c1" {
		t.Fatal("a channel that became a duo's is still taken for another")
	}
}

// BenchmarkMessage measures handling one message event: in a channel that is not a
// duo's, and in a duo's channel once its index is cached. It reports Redis round trips
// per event.
//
//	go test -run '^$' -bench Message ./internal/duos/
func BenchmarkMessage(b *testing.B) {
	for _, tc := range []struct{ name, channel string }{{"not-a-duo-channel", "C0GENERAL"}, {"duo-channel", "C0DUO"}} {
		b.Run(tc.name, func(b *testing.B) {
			e := newEnv(b)
			e.message(b, tc.channel, "U0MENTEE", "warm-up") // index looked up and cached, first message ticked
			before := e.trips.Load()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := e.svc.Message(e.ctx, duos.Message{EventID: "Ev" + fmt.Sprint(i), Channel: tc.channel, User: "U0MENTEE", At: t0}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(e.trips.Load()-before)/float64(b.N), "redis-trips/event")
		})
	}
}

// closingStore closes the duo just before the concern is decided: the end of the
// cycle closing it while a committee member clicks "Dissolve".
type closingStore struct {
	*redisstore.Store
	at time.Time
}

func (s closingStore) DecideConcern(ctx context.Context, cycleID, id string, state mentor.ConcernState, by string, at time.Time) (mentor.Concern, bool, error) {
	k, err := s.Store.Concern(ctx, cycleID, id)
	if err != nil {
		return k, false, err
	}
	if _, _, err := s.Store.CloseDuo(ctx, cycleID, k.DuoID, s.at); err != nil {
		return k, false, err
	}
	return s.Store.DecideConcern(ctx, cycleID, id, state, by, at)
}

// jobLog records the jobs scheduled.
type jobLog struct{ jobs []mentor.Job }

func (l *jobLog) Now(_ context.Context, j mentor.Job, _ mentor.ScheduleMode) error {
	l.jobs = append(l.jobs, j)
	return nil
}

// endLog counts the duos the nudges were told ended.
type endLog struct {
	nudgeLog
	ended int
}

func (n *endLog) DuoEnded(context.Context, mentor.Cycle, mentor.Duo) error {
	n.ended++
	return nil
}

func TestDissolveADuoClosedMeanwhileTellsNobody(t *testing.T) {
	e := newEnv(t)
	k, _, err := e.store.SaveConcern(e.ctx, mentor.Concern{ID: "K1", CycleID: "c1", DuoID: e.duo.ID, From: "U0MENTEE",
		Kind: mentor.ConcernRaised, Text: "we never meet", NewMatch: true, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	jobs, ends := &jobLog{}, &endLog{}
	svc := duos.New(closingStore{Store: e.store, at: t0.Add(time.Hour)}, jobs, ends, e.clock)
	_, dis, err := svc.Dissolve(e.ctx, e.cycle, k.ID, "U0ALICE")
	if mentor.ErrorCode(err) != mentor.ECONFLICT || !strings.Contains(err.Error(), "closed at the end of its cycle") {
		t.Fatalf("dissolving a duo closed meanwhile: %v, want the conflict of a closed duo", err)
	}
	if dis.Changed || dis.Duo.Ended() {
		t.Fatalf("the closed duo was dissolved: %+v", dis)
	}
	if ends.ended != 0 || len(jobs.jobs) != 0 {
		t.Fatalf("a duo closed meanwhile: nudges told it ended %d times, jobs %+v; want none", ends.ended, jobs.jobs)
	}
}

func TestDissolveTwiceFinishesTheJob(t *testing.T) {
	e := newEnv(t)
	k, _, err := e.store.SaveConcern(e.ctx, mentor.Concern{ID: "K1", CycleID: "c1", DuoID: e.duo.ID, From: "U0MENTEE",
		Kind: mentor.ConcernRaised, Text: "we never meet", NewMatch: true, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	jobs, ends := &jobLog{}, &endLog{}
	svc := duos.New(e.store, jobs, ends, e.clock)
	for i := range 2 {
		_, dis, err := svc.Dissolve(e.ctx, e.cycle, k.ID, "U0ALICE")
		if err != nil {
			t.Fatalf("click %d: %v", i+1, err)
		}
		if dis.Changed != (i == 0) || !dis.Duo.Ended() {
			t.Fatalf("click %d: %+v", i+1, dis)
		}
	}
	// The second click repeats the side effects (the scheduler keeps the first job
	// of a key), so a first click that failed half-way is finished by the next.
	if ends.ended != 2 || len(jobs.jobs) != 2 || jobs.jobs[1].Kind != duos.JobDissolve {
		t.Fatalf("two clicks: nudges told %d times, jobs %+v", ends.ended, jobs.jobs)
	}
}
