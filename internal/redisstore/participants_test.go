package redisstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

var t0 = time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)

func mentee(cycle, uid string) mentor.Participant {
	return mentor.Participant{UserID: uid, CycleID: cycle, Name: uid, Role: mentor.RoleMentee, Stage: mentor.StageStudent,
		Areas: []string{"career"}, Needs: "Help with my first job search", Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 2}
}

func mentorP(cycle, uid string, capacity int) mentor.Participant {
	return mentor.Participant{UserID: uid, CycleID: cycle, Name: uid, Role: mentor.RoleMentor, Stage: mentor.StageSenior,
		Areas: []string{"career"}, Offer: "Twenty years in academic libraries", Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 3, Capacity: capacity}
}

func TestCycleCreateIsIdempotentAndEditChecksRevision(t *testing.T) {
	s := mustOpen(t, redistest.New(t))
	ctx := context.Background()
	c := mentor.DefaultCycle(t0)
	c.ID = "cyc1"
	c.CreatedAt = t0
	rev, err := s.CreateCycle(ctx, c)
	if err != nil || rev != 1 {
		t.Fatalf("create = %d, %v", rev, err)
	}
	if rev, err := s.CreateCycle(ctx, c); err != nil || rev != 1 {
		t.Fatalf("redelivered create = %d, %v; want 1, nil", rev, err)
	}
	active, arev, err := s.ActiveCycle(ctx)
	if err != nil || active.ID != "cyc1" || arev != 1 || !active.Start.Equal(c.Start) {
		t.Fatalf("active = %+v rev %d, %v", active, arev, err)
	}
	c.Name = "Renamed"
	if _, err := s.UpdateCycle(ctx, c, 1); err != nil {
		t.Fatal(err)
	}
	c.Name = "Stale edit"
	if _, err := s.UpdateCycle(ctx, c, 1); mentor.ErrorCode(err) != mentor.ECONFLICT {
		t.Fatalf("stale update: %v, want conflict", err)
	}
	got, _, _ := s.Cycle(ctx, "cyc1")
	if got.Name != "Renamed" {
		t.Fatalf("name = %q", got.Name)
	}

	c2 := mentor.DefaultCycle(t0.AddDate(1, 0, 0))
	c2.ID, c2.CreatedAt = "cyc2", t0.AddDate(1, 0, 0)
	// A new cycle replaces only the cycle that was active when it was drafted.
	if _, err := s.CreateCycle(ctx, c2); mentor.ErrorCode(err) != mentor.ECONFLICT {
		t.Fatalf("create replacing a cycle it did not know: %v, want conflict", err)
	}
	c2.Previous = "cyc1"
	if _, err := s.CreateCycle(ctx, c2); err != nil {
		t.Fatal(err)
	}
	all, err := s.Cycles(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "cyc1" || all[1].ID != "cyc2" {
		t.Fatalf("cycles = %v, %v", all, err)
	}
	if a, _, _ := s.ActiveCycle(ctx); a.ID != "cyc2" {
		t.Fatalf("active after new cycle = %s", a.ID)
	}
}

func TestNoActiveCycle(t *testing.T) {
	s := mustOpen(t, redistest.New(t))
	if _, _, err := s.ActiveCycle(context.Background()); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Fatalf("err = %v, want not found", err)
	}
}

func TestSignupEditWithdrawRejoinAndCounts(t *testing.T) {
	s := mustOpen(t, redistest.New(t))
	ctx := context.Background()
	if err := s.SaveSignup(ctx, mentee("c", "U1"), t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSignup(ctx, mentorP("c", "U2", 3), t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// Redelivered and edited submissions keep one sign-up.
	edit := mentee("c", "U1")
	edit.Needs = "Help with grant writing for a small project"
	for i := 0; i < 2; i++ {
		if err := s.SaveSignup(ctx, edit, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	p, err := s.Participant(ctx, "c", "U1")
	if err != nil || p.Needs != edit.Needs || p.Status != mentor.StatusPending {
		t.Fatalf("participant = %+v, %v", p, err)
	}
	all, err := s.Participants(ctx, "c")
	if err != nil || len(all) != 2 || all[0].UserID != "U1" || all[1].UserID != "U2" {
		t.Fatalf("participants = %v, %v", all, err)
	}
	want := func(label string, c func() bool) {
		t.Helper()
		if !c() {
			cnt, _ := s.Counts(ctx, "c")
			t.Fatalf("%s: counts %+v", label, cnt)
		}
	}
	cnt, _ := s.Counts(ctx, "c")
	want("after sign-up", func() bool {
		return cnt.Mentees == 1 && cnt.Mentors == 1 && cnt.PendingMentees == 1 && cnt.FreeMentorCapacity == 3 && cnt.Withdrawn == 0
	})

	// A mentor lowering capacity moves the free capacity with it.
	if err := s.SaveSignup(ctx, mentorP("c", "U2", 1), t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	cnt, _ = s.Counts(ctx, "c")
	want("after capacity edit", func() bool { return cnt.FreeMentorCapacity == 1 })

	prev, duos, err := s.Withdraw(ctx, "c", "U2", t0.Add(3*time.Hour))
	if err != nil || prev != mentor.StatusPending || len(duos) != 0 {
		t.Fatalf("withdraw = %v %v %v", prev, duos, err)
	}
	if prev, _, err := s.Withdraw(ctx, "c", "U2", t0.Add(3*time.Hour)); err != nil || prev != mentor.StatusWithdrawn {
		t.Fatalf("second withdraw = %v %v", prev, err)
	}
	cnt, _ = s.Counts(ctx, "c")
	want("after withdraw", func() bool { return cnt.Mentors == 0 && cnt.Withdrawn == 1 && cnt.FreeMentorCapacity == 0 })
	p, _ = s.Participant(ctx, "c", "U2")
	if p.Status != mentor.StatusWithdrawn || !p.WithdrawnAt.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("withdrawn participant = %+v", p)
	}

	if err := s.SaveSignup(ctx, mentorP("c", "U2", 2), t0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	cnt, _ = s.Counts(ctx, "c")
	want("after re-join", func() bool { return cnt.Mentors == 1 && cnt.Withdrawn == 0 && cnt.FreeMentorCapacity == 2 })

	if _, _, err := s.Withdraw(ctx, "c", "U9", t0); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Fatalf("withdraw stranger: %v", err)
	}
}

func TestConcurrentSignupsKeepCountsExact(t *testing.T) {
	s := mustOpen(t, redistest.New(t))
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			uid := fmt.Sprintf("U%03d", i)
			var err error
			if i%2 == 0 {
				err = s.SaveSignup(ctx, mentorP("c", uid, 1+i%3), t0)
			} else {
				err = s.SaveSignup(ctx, mentee("c", uid), t0)
			}
			if err == nil {
				// an edit racing with other sign-ups
				if i%2 == 0 {
					err = s.SaveSignup(ctx, mentorP("c", uid, 2), t0)
				}
			}
			if err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	cnt, err := s.Counts(ctx, "c")
	if err != nil || cnt.Mentors != 25 || cnt.Mentees != 25 || cnt.FreeMentorCapacity != 50 {
		t.Fatalf("counts = %+v, %v", cnt, err)
	}
}

// A full read sees everyone even when people move in the sign-up order while it
// reads (someone who left and signs up again goes last): paging the order by index
// skipped the person a move shifted across a page boundary.
func TestParticipantsReadWhilePeopleMoveMissesNobody(t *testing.T) {
	r := redistest.New(t)
	ctx := context.Background()
	other := r.Store()
	at := time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)
	const n = 1203
	for i := 0; i < n; i++ {
		if err := other.SaveSignup(ctx, mentee("c", fmt.Sprintf("U%05d", i)), at.Add(time.Duration(i)*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	trips, armed := 0, false
	reader, err := redisstore.Open(r.URL, r.Prefix, redisstore.Options{RoundTrip: func() {
		if !armed {
			return
		}
		trips++
		if trips == 2 { // between the first page and the second, U00000 leaves and comes back
			if _, _, err := other.Withdraw(ctx, "c", "U00000", at.Add(time.Hour)); err != nil {
				t.Error(err)
			}
			if err := other.SaveSignup(ctx, mentee("c", "U00000"), at.Add(2*time.Hour)); err != nil {
				t.Error(err)
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reader.Close() })
	if err := reader.Ping(ctx); err != nil { // the connection's own set-up commands
		t.Fatal(err)
	}
	armed = true
	ps, err := reader.Participants(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range ps {
		seen[p.UserID] = true
	}
	for i := 0; i < n; i++ {
		if id := fmt.Sprintf("U%05d", i); !seen[id] {
			t.Fatalf("%s was not read (%d of %d read)", id, len(seen), n)
		}
	}
}
