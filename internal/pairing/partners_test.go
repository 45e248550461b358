package pairing_test

import (
	"slices"
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// PartnersOf, given the sign-up already read, finds what LastPartners finds.
func TestPartnersOfTheSignUpReadAgreesWithLastPartners(t *testing.T) {
	e := newEnv(t)
	last := mentor.DefaultCycle(t0.AddDate(-1, 0, 0))
	last.ID = "c2025"
	if _, err := e.store.CreateCycle(e.ctx, last); err != nil {
		t.Fatal(err)
	}
	e.cycle.Previous = last.ID
	// Last cycle Rosa mentored Ben and Ada; Sam signed up but was in no duo.
	for _, p := range []mentor.Participant{menteeP("U0BEN", "career"), menteeP("U0ADA", "career"), mentorP("U0ROSA", 2, "career"), mentorP("U0SAM", 1, "grants")} {
		p.CycleID = last.ID
		if err := e.store.SaveSignup(e.ctx, p, t0); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []mentor.Duo{{ID: "old1", MenteeID: "U0BEN"}, {ID: "old2", MenteeID: "U0ADA"}} {
		d.CycleID, d.MentorID, d.CreatedAt = last.ID, "U0ROSA", t0
		if _, _, err := e.store.CreateDuo(e.ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for uid, want := range map[string][]string{
		"U0ROSA": {"U0ADA", "U0BEN"},
		"U0ADA":  {"U0ROSA"},
		"U0SAM":  nil,
	} {
		p, err := e.store.Participant(e.ctx, last.ID, uid)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.PartnersOf(e.ctx, last.ID, p)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("PartnersOf(%s) = %v, %v; want %v", uid, got, err, want)
		}
		viaLast, err := e.svc.LastPartners(e.ctx, e.cycle, uid)
		if err != nil || !slices.Equal(viaLast, want) {
			t.Errorf("LastPartners(%s) = %v, %v; want %v", uid, viaLast, err, want)
		}
	}
	if got, err := e.svc.LastPartners(e.ctx, e.cycle, "U0NEW"); err != nil || got != nil {
		t.Errorf("LastPartners of someone new = %v, %v; want none", got, err)
	}
}
