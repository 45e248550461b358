package pairing_test

import (
	"slices"
	"testing"

	"github.com/mentorbot/mentorbot/internal/pairing"
)

// The service keeps the cycle's sign-ups in memory between clicks; whatever
// changes in Redis meanwhile (here through the store, as another replica or a
// sign-up would) shows in its very next answer: a mentor who leaves, one who
// joins, a mentee's new avoid list, a mentor filled up by a duo, and someone
// forgotten.
func TestThePoolInMemoryFollowsEveryChange(t *testing.T) {
	e := newEnv(t)
	e.mustSignUp(menteeP("U0ADA", "career"), mentorP("U0GRACE", 1, "career"), mentorP("U0ALAN", 1, "career"))
	offered := func() []string {
		t.Helper()
		alts, err := e.svc.Alternatives(e.ctx, e.cycle.ID, "U0ADA", 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range alts {
			ids = append(ids, a.MentorID)
		}
		slices.Sort(ids)
		return ids
	}
	want := func(label string, ids ...string) {
		t.Helper()
		if got := offered(); !slices.Equal(got, ids) {
			t.Fatalf("%s: Ada is offered %v, want %v", label, got, ids)
		}
	}
	want("at first", "U0ALAN", "U0GRACE")
	e.mustWithdraw("U0ALAN")
	want("after Alan left", "U0GRACE")
	e.mustSignUp(mentorP("U0BARBARA", 1, "career"))
	want("after Barbara joined", "U0BARBARA", "U0GRACE")
	e.mustSignUp(avoiding(menteeP("U0ADA", "career"), "U0GRACE"))
	want("after Ada's new avoid list", "U0BARBARA")
	e.mustSignUp(menteeP("U0ADA", "career"), menteeP("U0EDSGER", "career"))
	want("after Ada's avoid list emptied", "U0BARBARA", "U0GRACE")
	e.mustPair("U0EDSGER", "U0GRACE")
	want("after Grace's only place was taken", "U0BARBARA")
	if _, err := e.store.Forget(e.ctx, e.cycle.ID, "U0BARBARA", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	want("after Barbara was forgotten")

	// Another service (another replica) sees the same.
	other := pairing.New(e.store, e.clock)
	if alts, err := other.Alternatives(e.ctx, e.cycle.ID, "U0ADA", 10); err != nil || len(alts) != 0 {
		t.Fatalf("another replica offers %+v, %v", alts, err)
	}
}
