package pairing

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

// Sign-ups kept in memory are in the store's sign-up order after a catch-up too,
// even when two people's saves reach Redis in the other order than their times
// (two replicas, two workers): "first come, first shown" must not depend on which
// replica answers.
func TestCaughtUpSignupsKeepTheStoresOrder(t *testing.T) {
	ctx := context.Background()
	store := redistest.New(t).Store()
	at := time.Date(2026, time.October, 5, 9, 0, 0, 0, time.UTC)
	clk := clock.NewSettable(at)
	save := func(uid string, when time.Time) {
		t.Helper()
		p := mentor.Participant{UserID: uid, CycleID: "c", Name: uid, Role: mentor.RoleMentee, Stage: mentor.StageStudent,
			Areas: []string{"career"}, Needs: "Needs", Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 2, CreatedAt: when}
		if err := store.SaveSignup(ctx, p, when); err != nil {
			t.Fatal(err)
		}
	}
	save("U0A", at)
	svc := New(store, clk)
	if _, err := svc.pool(ctx, "c"); err != nil { // kept in memory
		t.Fatal(err)
	}
	save("U0B", at.Add(2*time.Second)) // saved first, signed up second
	save("U0C", at.Add(time.Second))
	order := func(s *Service) []string {
		t.Helper()
		p, err := s.pool(ctx, "c")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range p.mentees {
			ids = append(ids, e.UserID)
		}
		return ids
	}
	caughtUp, fresh := order(svc), order(New(store, clk))
	if !slices.Equal(caughtUp, fresh) || !slices.Equal(fresh, []string{"U0A", "U0C", "U0B"}) {
		t.Fatalf("caught up %v, read afresh %v; want both U0A U0C U0B", caughtUp, fresh)
	}
}
