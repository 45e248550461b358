package redisstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

// The report reads a cycle page by page, two round trips a page however large,
// with every key named by its command (no script reading keys it finds).
func TestReportPagesReadTheWholeCycleTwoRoundTripsAPage(t *testing.T) {
	r := redistest.New(t)
	trips := &atomic.Int64{}
	s, err := redisstore.Open(r.URL, r.Prefix, redisstore.Options{RoundTrip: func() { trips.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	for i := range 5 {
		if err := s.SaveSignup(ctx, mentee("c", fmt.Sprintf("ME%d", i)), t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.Withdraw(ctx, "c", "ME1", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, _, err := s.SaveEvaluation(ctx, evaluation(fmt.Sprintf("ME%d", 2-i), "achieved "+fmt.Sprint(i), t0.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}

	// An empty page gives the total.
	if ps, total, err := s.ParticipantPage(ctx, "c", 0, 0); err != nil || len(ps) != 0 || total != 5 {
		t.Errorf("an empty page: %d participants, total %d, %v", len(ps), total, err)
	}
	if es, total, err := s.EvaluationPage(ctx, "c", 0, 0); err != nil || len(es) != 0 || total != 3 {
		t.Errorf("an empty page: %d evaluations, total %d, %v", len(es), total, err)
	}
	trips.Store(0)
	var got []string
	for off := 0; ; off += 2 {
		ps, total, err := s.ParticipantPage(ctx, "c", off, 2)
		if err != nil || total != 5 {
			t.Fatalf("page at %d: total %d, %v", off, total, err)
		}
		for _, p := range ps {
			got = append(got, p.UserID+":"+string(p.Status))
		}
		if off+2 >= total {
			break
		}
	}
	if fmt.Sprint(got) != "[ME0:pending ME1:withdrawn ME2:pending ME3:pending ME4:pending]" {
		t.Errorf("participants by sign-up time: %v", got)
	}
	if n := trips.Load(); n != 6 {
		t.Errorf("3 pages took %d round trips", n)
	}

	trips.Store(0)
	es, total, err := s.EvaluationPage(ctx, "c", 1, 5)
	if err != nil || total != 3 || len(es) != 2 {
		t.Fatalf("evaluations from 1: %d of %d, %v", len(es), total, err)
	}
	if es[0].UserID != "ME1" || es[0].Achieved != "achieved 1" || !es[0].SubmittedAt.Equal(t0.Add(time.Hour)) || es[1].UserID != "ME0" {
		t.Errorf("evaluations in the order they came in: %+v", es)
	}
	if n := trips.Load(); n != 2 {
		t.Errorf("a page of evaluations took %d round trips", n)
	}
	times, err := s.EvaluationTimes(ctx, "c")
	if err != nil || len(times) != 3 || !times["ME0"].Equal(t0.Add(2*time.Hour)) {
		t.Errorf("evaluation times %v, %v", times, err)
	}
}

func TestCachedReportExpires(t *testing.T) {
	s, r := newStore(t)
	ctx := context.Background()
	if _, ok, err := s.CachedReport(ctx, "c", "funnel"); ok || err != nil {
		t.Fatalf("nothing cached yet: %v %v", ok, err)
	}
	if err := s.CacheReport(ctx, "c", "funnel", []byte(`{"a":1}`), time.Minute); err != nil {
		t.Fatal(err)
	}
	if b, ok, err := s.CachedReport(ctx, "c", "funnel"); !ok || err != nil || string(b) != `{"a":1}` {
		t.Fatalf("cached: %s %v %v", b, ok, err)
	}
	ttl, err := r.Client().TTL(ctx, r.Prefix+"{c:c}:report_cache:funnel").Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Errorf("ttl %v, %v", ttl, err)
	}
}
