package pairing_test

import (
	"context"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/pairing"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

// t0 is a morning early in the 2026–2027 cycle.
var t0 = time.Date(2026, time.October, 5, 9, 0, 0, 0, time.UTC)

// env is one program on a Redis of its own: the store, a settable clock, the
// pairing service and the active cycle.
type env struct {
	t     *testing.T
	ctx   context.Context
	store *redisstore.Store
	clock *clock.Settable
	svc   *pairing.Service
	cycle mentor.Cycle
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, redistest.New(t).Store())
}

// newEnvOn is newEnv on the store s.
func newEnvOn(t *testing.T, s *redisstore.Store) *env {
	t.Helper()
	c := mentor.DefaultCycle(t0)
	c.ID = "c2026"
	clk := clock.NewSettable(t0)
	return &env{t: t, ctx: context.Background(), store: s, clock: clk, svc: pairing.New(s, clk), cycle: c}
}

// menteeP is a pending mentee sign-up; the words of needs are the person's own so
// that only areas and the options below decide scores.
func menteeP(uid string, areas ...string) mentor.Participant {
	return mentor.Participant{UserID: uid, Name: "Mentee " + uid, Role: mentor.RoleMentee, Stage: mentor.StageStudent,
		Areas: areas, Needs: "Needs of " + uid, Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 2}
}

// mentorP is a pending mentor sign-up with capacity places.
func mentorP(uid string, capacity int, areas ...string) mentor.Participant {
	return mentor.Participant{UserID: uid, Name: "Mentor " + uid, Role: mentor.RoleMentor, Stage: mentor.StageSenior,
		Areas: areas, Offer: "Offer of " + uid, Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 3, Capacity: capacity}
}

func avoiding(p mentor.Participant, ids ...string) mentor.Participant {
	p.Avoid = ids
	return p
}

// mustSignUp saves the sign-ups in order, a minute apart.
func (e *env) mustSignUp(ps ...mentor.Participant) {
	e.t.Helper()
	for _, p := range ps {
		p.CycleID = e.cycle.ID
		now := e.clock.Advance(time.Minute)
		p.CreatedAt, p.UpdatedAt = now, now
		if err := e.store.SaveSignup(e.ctx, p, now); err != nil {
			e.t.Fatalf("sign up %s: %v", p.UserID, err)
		}
	}
}

func (e *env) mustWithdraw(uid string) {
	e.t.Helper()
	if _, _, err := e.store.Withdraw(e.ctx, e.cycle.ID, uid, e.clock.Now()); err != nil {
		e.t.Fatalf("withdraw %s: %v", uid, err)
	}
}

// mustPair makes a duo directly in the store, as an earlier round would have.
func (e *env) mustPair(menteeID, mentorID string) mentor.Duo {
	e.t.Helper()
	d, created, err := e.store.CreateDuo(e.ctx, mentor.Duo{ID: "seed-" + menteeID, CycleID: e.cycle.ID,
		MenteeID: menteeID, MentorID: mentorID, CreatedAt: e.clock.Now()})
	if err != nil || !created {
		e.t.Fatalf("pair %s with %s: created %v, %v", menteeID, mentorID, created, err)
	}
	return d
}

func (e *env) mustPropose() mentor.PairingRound {
	e.t.Helper()
	r, err := e.svc.Propose(e.ctx, e.cycle, "U0COMMITTEE")
	if err != nil {
		e.t.Fatalf("propose: %v", err)
	}
	return r
}

func (e *env) mustRound(id string) mentor.PairingRound {
	e.t.Helper()
	r, err := e.svc.Round(e.ctx, e.cycle.ID, id)
	if err != nil {
		e.t.Fatalf("round %s: %v", id, err)
	}
	return r
}

func (e *env) mustApprove(roundID string, i int) pairing.Approval {
	e.t.Helper()
	a, err := e.svc.Approve(e.ctx, e.cycle, roundID, i, "U0COMMITTEE", "")
	if err != nil {
		e.t.Fatalf("approve proposal %d of %s: %v", i, roundID, err)
	}
	return a
}

func (e *env) mustDuo(id string) mentor.Duo {
	e.t.Helper()
	ds, err := e.svc.Duos(e.ctx, e.cycle.ID, []string{id})
	if err != nil || len(ds) != 1 {
		e.t.Fatalf("duo %s: %v, %v", id, ds, err)
	}
	return ds[0]
}

func (e *env) mustParticipant(uid string) mentor.Participant {
	e.t.Helper()
	p, err := e.store.Participant(e.ctx, e.cycle.ID, uid)
	if err != nil {
		e.t.Fatalf("participant %s: %v", uid, err)
	}
	return p
}

func (e *env) mustDuoIDs() []string {
	e.t.Helper()
	ids, err := e.store.DuoIDs(e.ctx, e.cycle.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return ids
}

// mustApprovedDuo signs up Ada (mentee) and Grace (mentor), and approves their pair.
func (e *env) mustApprovedDuo() mentor.Duo {
	e.t.Helper()
	e.mustSignUp(menteeP("U0ADA", "career"), mentorP("U0GRACE", 1, "career"))
	r := e.mustPropose()
	if len(r.Proposals) != 1 || r.Proposals[0].MentorID != "U0GRACE" {
		e.t.Fatalf("proposals = %+v, want Ada with Grace", r.Proposals)
	}
	return e.mustApprove(r.ID, 0).Duo
}

// mustCode fails unless err carries the mentor error code want.
func mustCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := mentor.ErrorCode(err); got != want {
		t.Fatalf("error %v has code %q, want %q", err, got, want)
	}
}

// indexOf returns the index of menteeID's proposal in r, failing if there is none.
func indexOf(t *testing.T, r mentor.PairingRound, menteeID string) int {
	t.Helper()
	for i, p := range r.Proposals {
		if p.MenteeID == menteeID {
			return i
		}
	}
	t.Fatalf("no proposal for %s in %+v", menteeID, r.Proposals)
	return -1
}
