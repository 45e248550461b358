package redisstore_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

func concern(id, duo string, minutes int) mentor.Concern {
	return mentor.Concern{ID: id, CycleID: "c", DuoID: duo, From: "ME", Kind: mentor.ConcernRaised,
		Text: "We have not managed to meet once.", NewMatch: true, CreatedAt: t0.Add(time.Duration(minutes) * time.Minute)}
}

func ids(cs []mentor.Concern) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestConcernsLifecycle(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	for _, c := range []mentor.Concern{concern("K1", "D1", 1), concern("K2", "D2", 2), concern("K3", "D1", 3)} {
		saved, created, err := s.SaveConcern(ctx, c)
		c.State = mentor.ConcernOpen
		if err != nil || !created || !reflect.DeepEqual(saved, c) {
			t.Fatalf("save %s = %+v %v %v", c.ID, saved, created, err)
		}
	}
	// A redelivered submission changes nothing.
	dup := concern("K1", "D1", 9)
	dup.Text = "Something else"
	saved, created, err := s.SaveConcern(ctx, dup)
	if err != nil || created || saved.Text != concern("K1", "D1", 1).Text || !saved.CreatedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("save again = %+v %v %v", saved, created, err)
	}

	open, total, err := s.OpenConcerns(ctx, "c", 2)
	if err != nil || total != 3 || !reflect.DeepEqual(ids(open), []string{"K1", "K2"}) {
		t.Fatalf("open = %v of %d, %v", ids(open), total, err)
	}

	at := t0.Add(time.Hour)
	c, changed, err := s.DecideConcern(ctx, "c", "K1", mentor.ConcernHandled, "UK", at)
	if err != nil || !changed || c.State != mentor.ConcernHandled || c.DecidedBy != "UK" || !c.DecidedAt.Equal(at) {
		t.Fatalf("decide = %+v %v %v", c, changed, err)
	}
	// A second decision is no decision: the first stands.
	c, changed, err = s.DecideConcern(ctx, "c", "K1", mentor.ConcernDissolved, "UK2", at.Add(time.Hour))
	if err != nil || changed || c.State != mentor.ConcernHandled || c.DecidedBy != "UK" {
		t.Fatalf("decide again = %+v %v %v", c, changed, err)
	}
	if got, err := s.Concern(ctx, "c", "K1"); err != nil || got.State != mentor.ConcernHandled || got.Text != concern("K1", "D1", 1).Text {
		t.Fatalf("concern = %+v, %v", got, err)
	}

	open, total, err = s.OpenConcerns(ctx, "c", 0)
	if err != nil || total != 2 || !reflect.DeepEqual(ids(open), []string{"K2", "K3"}) {
		t.Fatalf("open after decision = %v of %d, %v", ids(open), total, err)
	}
	of, err := s.ConcernsOf(ctx, "c", "D1")
	if err != nil || !reflect.DeepEqual(ids(of), []string{"K1", "K3"}) || of[0].State != mentor.ConcernHandled {
		t.Fatalf("concerns of D1 = %v, %v", of, err)
	}
	if of, err := s.ConcernsOf(ctx, "c", "D9"); err != nil || len(of) != 0 {
		t.Fatalf("concerns of D9 = %v, %v", of, err)
	}

	if _, err := s.Concern(ctx, "c", "K9"); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Fatalf("missing concern: %v", err)
	}
	if _, _, err := s.DecideConcern(ctx, "c", "K9", mentor.ConcernHandled, "UK", at); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Fatalf("decide missing: %v", err)
	}
	if _, _, err := s.DecideConcern(ctx, "c", "K2", mentor.ConcernOpen, "UK", at); mentor.ErrorCode(err) != mentor.EINVALID {
		t.Fatalf("decide as open: %v", err)
	}
}

func TestConcurrentDecisionsDecideOnce(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if _, _, err := s.SaveConcern(ctx, concern("K1", "D1", 1)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var winners []string
	for _, by := range []string{"UK1", "UK2", "UK3", "UK4"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, changed, err := s.DecideConcern(ctx, "c", "K1", mentor.ConcernDissolved, by, t0)
			if err != nil {
				t.Error(err)
				return
			}
			if changed {
				mu.Lock()
				winners = append(winners, by)
				mu.Unlock()
			}
			if c.State != mentor.ConcernDissolved || c.DecidedBy == "" {
				t.Errorf("decided concern = %+v", c)
			}
		}()
	}
	wg.Wait()
	if c, _ := s.Concern(ctx, "c", "K1"); len(winners) != 1 || c.DecidedBy != winners[0] {
		t.Fatalf("winners %v, decided by %q", winners, c.DecidedBy)
	}
}
