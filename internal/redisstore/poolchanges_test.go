package redisstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Every change to a sign-up raises the cycle's revision and names who changed, so
// the pairing modal's in-memory pool (which trusts PoolChanges instead of reading
// 10,000 sign-ups per click) never misses one: joining, editing, leaving, a duo
// made, dissolved or closed, and coming back to the pool; forgetting someone makes
// every reader read all again.
func TestEveryChangeToASignupIsRecordedForThePoolCache(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	first, err := s.PoolChanges(ctx, "c", -1)
	if err != nil {
		t.Fatal(err)
	}
	rev, epoch := first.Rev, ""
	step := func(label string, do func() error, want ...string) {
		t.Helper()
		if err := do(); err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		pc, err := s.PoolChanges(ctx, "c", rev)
		if err != nil {
			t.Fatal(err)
		}
		now, changed := pc.Rev, pc.Changed
		if epoch == "" {
			epoch = pc.Epoch // the change log's start is set by its first change
		} else if pc.Epoch != epoch {
			t.Fatalf("%s: the epoch changed", label)
		}
		if now <= rev {
			t.Fatalf("%s: revision stayed at %d", label, now)
		}
		slices.Sort(changed)
		slices.Sort(want)
		if !slices.Equal(changed, want) {
			t.Fatalf("%s: changed %v, want %v", label, changed, want)
		}
		rev = now
	}
	signup := func(p mentor.Participant) func() error { return func() error { return s.SaveSignup(ctx, p, t0) } }
	step("a mentor joins", signup(mentorP("c", "MR", 2)), "MR")
	step("a mentee joins", signup(mentee("c", "ME")), "ME")
	edited := mentee("c", "ME")
	edited.Needs = "something else entirely"
	step("the mentee edits", signup(edited), "ME")
	step("another mentee joins", signup(mentee("c", "UME2")), "UME2")
	step("a duo is made", func() error {
		_, _, err := s.CreateDuo(ctx, mentor.Duo{ID: "D", CycleID: "c", MentorID: "MR", MenteeID: "ME", CreatedAt: t0})
		return err
	}, "MR", "ME")
	step("the other mentee leaves", func() error { _, _, err := s.Withdraw(ctx, "c", "UME2", t0); return err }, "UME2")
	step("a second duo is made", func() error {
		if err := s.SaveSignup(ctx, mentee("c", "ME3"), t0); err != nil {
			return err
		}
		_, _, err := s.CreateDuo(ctx, mentor.Duo{ID: "D3", CycleID: "c", MentorID: "MR", MenteeID: "ME3", CreatedAt: t0})
		return err
	}, "MR", "ME3")
	step("the duo is dissolved", func() error {
		_, err := s.DissolveDuo(ctx, "c", "D", "UK", t0, nil)
		return err
	}, "MR", "ME")
	step("the mentee comes back", func() error { _, err := s.ReturnToPool(ctx, "c", "ME", t0); return err }, "ME")
	step("the second duo closes", func() error { _, _, err := s.CloseDuo(ctx, "c", "D3", t0); return err }, "MR", "ME3")
	if _, err := s.Forget(ctx, "c", "UME2", t0); err != nil {
		t.Fatal(err)
	}
	// Forgetting raises the epoch (every reader reads all again) and keeps no
	// trace of the id among the changes.
	pc, err := s.PoolChanges(ctx, "c", rev)
	if err != nil || pc.Rev <= rev || pc.Epoch == epoch || slices.Contains(pc.Changed, "UME2") {
		t.Fatalf("forgetting: %+v (revision was %d, epoch %s), %v", pc, rev, epoch, err)
	}
	rev = pc.Rev
	if _, err := s.Participant(ctx, "c", "UME2"); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Fatalf("the forgotten person still reads back: %v", err)
	}

	// Nothing changed: nothing to catch up with, and the revision holds.
	pc, err = s.PoolChanges(ctx, "c", rev)
	if err != nil || pc.Rev != rev || len(pc.Changed) != 0 {
		t.Fatalf("with no change: %+v (revision was %d), %v", pc, rev, err)
	}
}
