package pairing_test

import (
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/pairing"
)

// Re-optimising after a mentor left, or had their place taken by a duo made
// elsewhere, never proposes them again, though the round's kept optimiser had
// counted their places.
func TestReoptimisingForgetsTheMentorsWhoLeftOrFilledUpElsewhere(t *testing.T) {
	e := newEnv(t)
	e.mustSignUp(menteeP("U0ADA", "career"), menteeP("U0BOB", "career"), menteeP("U0CY", "grants"),
		mentorP("U0GRACE", 2, "career"), mentorP("U0ALAN", 1, "grants"), mentorP("U0EVE", 1, "research"))
	r := e.mustPropose()
	mentorsOf := func() map[string]int {
		t.Helper()
		got, err := e.svc.Reoptimise(e.ctx, e.cycle, r.ID, "a test")
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, p := range got.Proposals {
			n[p.MentorID]++
		}
		return n
	}
	if n := mentorsOf(); n["U0GRACE"] != 2 || n["U0ALAN"] != 1 {
		t.Fatalf("proposals by mentor %v, want Grace 2 and Alan 1", n)
	}
	e.mustWithdraw("U0GRACE")
	if n := mentorsOf(); n["U0GRACE"] != 0 {
		t.Fatalf("Grace left and still has %d proposals", n["U0GRACE"])
	}
	e.mustSignUp(menteeP("U0DEE", "grants"))
	e.mustPair("U0DEE", "U0ALAN")
	if n := mentorsOf(); n["U0ALAN"] != 0 || n["U0GRACE"] != 0 {
		t.Fatalf("Alan is full and Grace gone, yet proposals by mentor are %v", n)
	}
}

// A pair that a choice forces on the rest of the round is marked as kept only to
// match one more mentee, as a solve from scratch marks it: choosing Rosa for Ben
// leaves Ada only Sam, a poor fit that a total of points alone would not make.
func TestAChoiceMarksThePairItForcesAsKeptOnlyForTheCount(t *testing.T) {
	e := newEnv(t)
	ben := menteeP("U0BEN", "grants")
	ben.Stage = mentor.StageSenior
	sam := mentorP("U0SAM", 1, "research")
	sam.Stage, sam.Methods, sam.Frequency = mentor.StageStudent, []string{"phone"}, "weekly"
	e.mustSignUp(menteeP("U0ADA", "career"), ben, mentorP("U0ROSA", 1, "career", "grants"), sam)
	r := e.mustPropose()
	got, err := e.svc.ChangeMentor(e.ctx, e.cycle.ID, r.ID, indexOf(t, r, "U0BEN"), "U0ROSA")
	if err != nil {
		t.Fatal(err)
	}
	a := got.Proposals[indexOf(t, got, "U0ADA")]
	if a.MentorID != "U0SAM" || a.Score >= 0 || !strings.Contains(a.Warning, pairing.WarnForCount) {
		t.Fatalf("Ada %+v after Ben was given Rosa, want Sam, negative, kept only for the count", a)
	}
}
