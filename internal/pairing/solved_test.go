package pairing_test

import (
	"testing"
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
