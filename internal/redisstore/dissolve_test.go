package redisstore_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
)

// How each member stands after their duo is dissolved.
func TestDissolveSettlesMembers(t *testing.T) {
	ended := t0.Add(48 * time.Hour)
	for _, tc := range []struct {
		name        string
		otherDuo    bool   // the mentor (capacity 2) has a second duo
		left        string // a member who left the program before
		toPool      map[string]bool
		want        map[string]mentor.Status
		wantFree    int // the cycle's free mentor capacity after
		wantPending int // pending mentees after
	}{
		{name: "both out of the pool", want: map[string]mentor.Status{"MR": mentor.StatusWithdrawn, "ME": mentor.StatusWithdrawn}},
		{name: "mentee asked for a new match", toPool: map[string]bool{"ME": true},
			want: map[string]mentor.Status{"MR": mentor.StatusWithdrawn, "ME": mentor.StatusPending}, wantPending: 1},
		{name: "both back in the pool", toPool: map[string]bool{"ME": true, "MR": true},
			want: map[string]mentor.Status{"MR": mentor.StatusPending, "ME": mentor.StatusPending}, wantFree: 2, wantPending: 1},
		{name: "mentor with another duo stays matched", otherDuo: true, toPool: map[string]bool{"MR": true},
			want: map[string]mentor.Status{"MR": mentor.StatusMatched, "ME": mentor.StatusWithdrawn}, wantFree: 1},
		{name: "mentor with another duo, not to the pool", otherDuo: true,
			want: map[string]mentor.Status{"MR": mentor.StatusMatched, "ME": mentor.StatusWithdrawn}, wantFree: 1},
		{name: "a mentee who left stays withdrawn", left: "ME", toPool: map[string]bool{"ME": true, "MR": true},
			want: map[string]mentor.Status{"MR": mentor.StatusPending, "ME": mentor.StatusWithdrawn}, wantFree: 2},
		{name: "a mentor who left stays withdrawn", left: "MR", otherDuo: true, toPool: map[string]bool{"ME": true, "MR": true},
			want: map[string]mentor.Status{"MR": mentor.StatusWithdrawn, "ME": mentor.StatusPending}, wantPending: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newStore(t)
			ctx := context.Background()
			mustSignup(t, s, mentorP("c", "MR", 2))
			mustSignup(t, s, mentee("c", "ME"))
			mustDuo(t, s, "c", "D", "MR", "ME", 0)
			if tc.otherDuo {
				mustSignup(t, s, mentee("c", "ME2"))
				mustDuo(t, s, "c", "D2", "MR", "ME2", 1)
			}
			if tc.left != "" {
				if _, _, err := s.Withdraw(ctx, "c", tc.left, t0.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			out, err := s.DissolveDuo(ctx, "c", "D", "UK", ended, tc.toPool)
			if err != nil {
				t.Fatal(err)
			}
			if !out.Changed || !out.Duo.EndedAt.Equal(ended) || out.Duo.EndedBy != "UK" || out.Duo.ID != "D" || !reflect.DeepEqual(out.Status, tc.want) {
				t.Fatalf("dissolution = %+v, want statuses %v", out, tc.want)
			}
			for uid, st := range tc.want {
				p, err := s.Participant(ctx, "c", uid)
				if err != nil || p.Status != st {
					t.Fatalf("%s = %s, %v; want %s", uid, p.Status, err, st)
				}
				for _, d := range p.Duos {
					if d == "D" {
						t.Fatalf("%s still lists D: %v", uid, p.Duos)
					}
				}
				if st == mentor.StatusWithdrawn && uid != tc.left && !p.WithdrawnAt.Equal(ended) {
					t.Errorf("%s withdrawn at %v, want %v", uid, p.WithdrawnAt, ended)
				}
			}
			cnt, err := s.Counts(ctx, "c")
			if err != nil || cnt.FreeMentorCapacity != tc.wantFree || cnt.PendingMentees != tc.wantPending {
				t.Fatalf("counts = %+v, %v; want free %d, pending mentees %d", cnt, err, tc.wantFree, tc.wantPending)
			}
			mustMatchIndexes(t, s)
		})
	}
}

// mustMatchIndexes checks that the counts (from the idx zsets and stats) agree with
// the participants' own records.
func mustMatchIndexes(t *testing.T, s *redisstore.Store) {
	t.Helper()
	ctx := context.Background()
	all, err := s.Participants(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	var want mentor.Counts
	for _, p := range all {
		want.FreeMentorCapacity += p.FreeSlots()
		switch {
		case p.Status == mentor.StatusWithdrawn:
			want.Withdrawn++
		case p.Role == mentor.RoleMentee:
			want.Mentees++
			if p.Status == mentor.StatusPending {
				want.PendingMentees++
			} else {
				want.MatchedMentees++
			}
		default:
			want.Mentors++
			if p.Status == mentor.StatusPending {
				want.PendingMentors++
			} else {
				want.MatchedMentors++
			}
		}
		if (p.Status == mentor.StatusMatched) != (len(p.Duos) > 0 && p.Status != mentor.StatusWithdrawn) {
			t.Errorf("%s is %s with duos %v", p.UserID, p.Status, p.Duos)
		}
	}
	if got, err := s.Counts(ctx, "c"); err != nil || got != want {
		t.Fatalf("counts = %+v, %v; participants say %+v", got, err, want)
	}
}

// The committee's whole path: dissolve a mentor's two duos, put people back, pair
// them again.
func TestDissolveThenPairAgain(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustSignup(t, s, mentorP("c", "M", 2))
	mustSignup(t, s, mentorP("c", "N", 1))
	for _, uid := range []string{"A", "B", "C"} {
		mustSignup(t, s, mentee("c", uid))
	}
	mustDuo(t, s, "c", "DA", "M", "A", 0)
	mustDuo(t, s, "c", "DB", "M", "B", 1)
	wantCounts := func(label string, want mentor.Counts) {
		t.Helper()
		got, err := s.Counts(ctx, "c")
		if err != nil || got != want {
			t.Fatalf("%s: counts %+v, %v; want %+v", label, got, err, want)
		}
		mustMatchIndexes(t, s)
	}
	wantCounts("paired", mentor.Counts{Mentees: 3, Mentors: 2, PendingMentees: 1, PendingMentors: 1,
		MatchedMentees: 2, MatchedMentors: 1, FreeMentorCapacity: 1})

	// A asked for a new match; M keeps B.
	out, err := s.DissolveDuo(ctx, "c", "DA", "UK", t0.Add(time.Hour), map[string]bool{"A": true})
	if err != nil || !out.Changed {
		t.Fatalf("dissolve DA = %+v, %v", out, err)
	}
	wantCounts("DA dissolved", mentor.Counts{Mentees: 3, Mentors: 2, PendingMentees: 2, PendingMentors: 1,
		MatchedMentees: 1, MatchedMentors: 1, FreeMentorCapacity: 2})
	// Again, later: nothing changes, the first dissolution stands.
	again, err := s.DissolveDuo(ctx, "c", "DA", "UK2", t0.Add(2*time.Hour), map[string]bool{"M": true})
	if err != nil || again.Changed || !again.Duo.EndedAt.Equal(t0.Add(time.Hour)) || again.Duo.EndedBy != "UK" ||
		again.Status["M"] != mentor.StatusMatched || again.Status["A"] != mentor.StatusPending {
		t.Fatalf("dissolve again = %+v, %v", again, err)
	}
	wantCounts("DA dissolved twice", mentor.Counts{Mentees: 3, Mentors: 2, PendingMentees: 2, PendingMentors: 1,
		MatchedMentees: 1, MatchedMentors: 1, FreeMentorCapacity: 2})

	// Nobody asked: both out of the pool.
	if _, err := s.DissolveDuo(ctx, "c", "DB", "UK", t0.Add(3*time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	wantCounts("DB dissolved", mentor.Counts{Mentees: 2, Mentors: 1, PendingMentees: 2, PendingMentors: 1,
		Withdrawn: 2, FreeMentorCapacity: 1})

	// B answers "find me a new match"; so does M.
	for _, uid := range []string{"B", "M"} {
		if changed, err := s.ReturnToPool(ctx, "c", uid, t0.Add(4*time.Hour)); err != nil || !changed {
			t.Fatalf("return %s = %v, %v", uid, changed, err)
		}
	}
	if changed, err := s.ReturnToPool(ctx, "c", "B", t0.Add(4*time.Hour)); err != nil || changed {
		t.Fatalf("return B again = %v, %v", changed, err)
	}
	if p, _ := s.Participant(ctx, "c", "B"); p.Status != mentor.StatusPending || !p.WithdrawnAt.IsZero() {
		t.Fatalf("B after return = %+v", p)
	}
	wantCounts("returned", mentor.Counts{Mentees: 3, Mentors: 2, PendingMentees: 3, PendingMentors: 2,
		FreeMentorCapacity: 3})

	// Both can be paired again, even with each other; the ended duo's id cannot be
	// reused.
	mustDuo(t, s, "c", "DA2", "N", "A", 10)
	mustDuo(t, s, "c", "DB2", "M", "B", 11)
	_, _, err = s.CreateDuo(ctx, mentor.Duo{ID: "DA", CycleID: "c", MentorID: "M", MenteeID: "C", CreatedAt: t0})
	wantCode(t, "reuse an ended duo's id", err, mentor.ECONFLICT)
	wantCounts("paired again", mentor.Counts{Mentees: 3, Mentors: 2, PendingMentees: 1,
		MatchedMentees: 2, MatchedMentors: 2, FreeMentorCapacity: 1})
	if d := mustGetDuo(t, s, "c", "DB2"); d.Ended() {
		t.Fatalf("new duo is ended: %+v", d)
	}

	_, err = s.ReturnToPool(ctx, "c", "A", t0)
	wantCode(t, "return someone in a duo", err, mentor.ECONFLICT)
	// Someone who left while in a duo waits for the committee, not for a new match.
	if _, _, err := s.Withdraw(ctx, "c", "A", t0.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, err = s.ReturnToPool(ctx, "c", "A", t0)
	wantCode(t, "return someone who left a duo", err, mentor.ECONFLICT)
	_, err = s.ReturnToPool(ctx, "c", "Z", t0)
	wantCode(t, "return a stranger", err, mentor.ENOTFOUND)
	_, err = s.DissolveDuo(ctx, "c", "nope", "UK", t0, nil)
	wantCode(t, "dissolve a missing duo", err, mentor.ENOTFOUND)
}

// Two committee members dissolving the same duos at once: each duo ends once, and
// the numbers stay exact.
func TestConcurrentDissolveEndsOnce(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustSignup(t, s, mentorP("c", "M", 3))
	for i := 0; i < 3; i++ {
		mustSignup(t, s, mentee("c", fmt.Sprint("E", i)))
		mustDuo(t, s, "c", fmt.Sprint("D", i), "M", fmt.Sprint("E", i), i)
	}
	for i := 0; i < 3; i++ {
		var wg sync.WaitGroup
		changes := make(chan redisstore.Dissolution, 2)
		for _, by := range []string{"UK1", "UK2"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := s.DissolveDuo(ctx, "c", fmt.Sprint("D", i), by, t0.Add(time.Hour), map[string]bool{fmt.Sprint("E", i): true, "M": true})
				if err != nil {
					t.Error(err)
				}
				changes <- out
			}()
		}
		wg.Wait()
		close(changes)
		n := 0
		for out := range changes {
			if out.Changed {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("duo %d: %d dissolutions changed it, want 1", i, n)
		}
		mustMatchIndexes(t, s)
	}
	cnt, _ := s.Counts(ctx, "c")
	if cnt.PendingMentees != 3 || cnt.PendingMentors != 1 || cnt.FreeMentorCapacity != 3 {
		t.Fatalf("counts = %+v", cnt)
	}
}
