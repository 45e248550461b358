package redisstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// At the end of the cycle a duo is closed once, and a person ends the cycle as
// completed only when every duo of theirs is closed: a mentor with a second duo
// still running stays matched until that one closes too.
func TestCloseDuoCompletesPeopleWhoseDuosAreAllClosed(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustSignup(t, s, mentorP("c", "MR", 3))
	mustSignup(t, s, mentee("c", "ME"))
	mustSignup(t, s, mentee("c", "ME2"))
	mustDuo(t, s, "c", "D", "MR", "ME", 0)
	mustDuo(t, s, "c", "D2", "MR", "ME2", 1)
	end := t0.AddDate(0, 8, 0)

	d, closed, err := s.CloseDuo(ctx, "c", "D", end)
	if err != nil || !closed || !d.Closed() || !d.Close.ClosedAt.Equal(end) {
		t.Fatalf("first close = %+v, %v, %v", d.Close, closed, err)
	}
	status := func(uid string) mentor.Status {
		p, err := s.Participant(ctx, "c", uid)
		if err != nil {
			t.Fatal(err)
		}
		return p.Status
	}
	if status("ME") != mentor.StatusCompleted || status("MR") != mentor.StatusMatched {
		t.Fatalf("after closing D: mentee %s, mentor %s; want completed, matched (D2 still runs)", status("ME"), status("MR"))
	}
	if _, closed, err := s.CloseDuo(ctx, "c", "D", end.Add(time.Hour)); err != nil || closed {
		t.Fatalf("closing D again = %v, %v; want nothing done", closed, err)
	}
	if _, _, err := s.CloseDuo(ctx, "c", "D2", end); err != nil {
		t.Fatal(err)
	}
	if status("MR") != mentor.StatusCompleted || status("ME2") != mentor.StatusCompleted {
		t.Fatalf("after closing both: mentor %s, mentee %s; want completed", status("MR"), status("ME2"))
	}
	n, err := s.Counts(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	if n.CompletedMentees != 2 || n.CompletedMentors != 1 || n.Mentees != 2 || n.Mentors != 1 || n.MatchedMentors != 0 || n.FreeMentorCapacity != 0 {
		t.Fatalf("counts = %+v; want 2 mentees and 1 mentor completed, no free place left", n)
	}
}

// A dissolved duo is not closed: it ended before the cycle did.
func TestCloseDuoLeavesADissolvedDuo(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	pair(t, s)
	if _, err := s.DissolveDuo(ctx, "c", "D", "UK", t0.Add(time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	d, closed, err := s.CloseDuo(ctx, "c", "D", t0.AddDate(0, 8, 0))
	if err != nil || closed || d.Closed() {
		t.Fatalf("close a dissolved duo = %+v, %v, %v; want nothing done", d.Close, closed, err)
	}
}

// Two replicas closing the same duo at once close it once.
func TestConcurrentCloseDuoClosesOnce(t *testing.T) {
	s, _ := newStore(t)
	pair(t, s)
	var wg sync.WaitGroup
	var mu sync.Mutex
	closedCount := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, closed, err := s.CloseDuo(context.Background(), "c", "D", t0.AddDate(0, 8, 0))
			if err != nil {
				t.Error(err)
			}
			if closed {
				mu.Lock()
				closedCount++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if closedCount != 1 {
		t.Fatalf("%d of 8 concurrent closes reported closing the duo; want 1", closedCount)
	}
}

// The close-out choice: only members choose, only once the duo is closed, the
// latest choice counts, and nothing changes once the channel is archived.
func TestChooseClose(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	pair(t, s)
	at := t0.AddDate(0, 8, 1)
	_, _, err := s.ChooseClose(ctx, "c", "D", "ME", mentor.CloseArchive, at)
	wantCode(t, "choose before the close", err, mentor.ECONFLICT)
	if _, _, err := s.CloseDuo(ctx, "c", "D", at); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.ChooseClose(ctx, "c", "D", "UX", mentor.CloseArchive, at)
	wantCode(t, "a stranger chooses", err, mentor.EFORBIDDEN)

	d, changed, err := s.ChooseClose(ctx, "c", "D", "ME", mentor.CloseArchive, at)
	if err != nil || !changed || d.Close.Choice != mentor.CloseArchive || d.Close.ChosenBy != "ME" || !d.Close.ChosenAt.Equal(at) {
		t.Fatalf("mentee chooses close = %+v, %v, %v", d.Close, changed, err)
	}
	if _, changed, _ := s.ChooseClose(ctx, "c", "D", "ME", mentor.CloseArchive, at.Add(time.Hour)); changed {
		t.Fatal("choosing the same again changed the duo")
	}
	d, changed, err = s.ChooseClose(ctx, "c", "D", "MR", mentor.CloseContinue, at.Add(2*time.Hour))
	if err != nil || !changed || d.Close.Choice != mentor.CloseContinue || d.Close.ChosenBy != "MR" {
		t.Fatalf("mentor chooses continue = %+v, %v, %v", d.Close, changed, err)
	}
	if err := s.CloseoutPosted(ctx, "c", "D", "123.456"); err != nil {
		t.Fatal(err)
	}
	if err := s.ChannelArchived(ctx, "c", "D", at.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.ChooseClose(ctx, "c", "D", "MR", mentor.CloseArchive, at.Add(4*time.Hour))
	wantCode(t, "choose after archiving", err, mentor.ECONFLICT)
	d = mustGetDuo(t, s, "c", "D")
	if d.Close.PostTS != "123.456" || !d.Close.ArchivedAt.Equal(at.Add(3*time.Hour)) {
		t.Fatalf("close-out read back = %+v", d.Close)
	}
}

// A duo closed at the end of its cycle is not dissolved afterwards (a concern decided
// late): its people stay completed and the places stay as they were.
func TestDissolvingAClosedDuoChangesNothing(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	pair(t, s)
	if _, _, err := s.CloseDuo(ctx, "c", "D", t0.AddDate(0, 8, 0)); err != nil {
		t.Fatal(err)
	}
	out, err := s.DissolveDuo(ctx, "c", "D", "UK", t0.AddDate(0, 8, 1), map[string]bool{"ME": true, "MR": true})
	if err != nil || out.Changed || out.Duo.Ended() {
		t.Fatalf("dissolve a closed duo = changed %v, ended %v, %v; want nothing done", out.Changed, out.Duo.Ended(), err)
	}
	for _, uid := range []string{"ME", "MR"} {
		if p, _ := s.Participant(ctx, "c", uid); p.Status != mentor.StatusCompleted {
			t.Fatalf("%s after dissolving a closed duo: %s, want completed", uid, p.Status)
		}
	}
}
