package redisstore_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

func evaluation(uid, achieved string, at time.Time) mentor.Evaluation {
	return mentor.Evaluation{CycleID: "c", UserID: uid, Role: mentor.RoleMentee,
		Achieved: achieved, Value: "Yes, because <@U123> & friends helped", Liked: "The monthly calls",
		Again: mentor.AnswerYes, Recommend: mentor.AnswerMaybe, Overall: 4, NeedsMet: 3, Communication: 5,
		Activities: []string{"grants", "resume"}, OtherActivities: "Library visits",
		SubmittedAt: at, UpdatedAt: at}
}

func TestEvaluationIsStoredOncePerPersonAndReplaced(t *testing.T) {
	r := redistest.New(t)
	trips := &atomic.Int64{}
	s, err := redisstore.Open(r.URL, r.Prefix, redisstore.Options{RoundTrip: func() { trips.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

	if _, err := s.Evaluation(ctx, "c", "ME"); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Fatalf("no evaluation yet: %v", err)
	}
	first := evaluation("ME", "A first grant proposal", at(1))
	saved, replaced, err := s.SaveEvaluation(ctx, first)
	if err != nil || replaced || !saved.SubmittedAt.Equal(at(1)) {
		t.Fatalf("first save = %+v, replaced %v, %v", saved, replaced, err)
	}
	got, err := s.Evaluation(ctx, "c", "ME")
	if err != nil || !reflect.DeepEqual(normalEval(got), normalEval(first)) {
		t.Fatalf("round trip\n got %+v, %v\nwant %+v", got, err, first)
	}

	// The set the nudges read says so, for this person only.
	wantEvaluated(t, s, map[string]bool{"ME": true}, "MR")

	// Sending again replaces it: one evaluation, the first submission's time, the
	// new answers.
	second := evaluation("ME", "A grant proposal, funded!", at(5))
	second.Late, second.Overall = true, 5
	before := trips.Load()
	saved, replaced, err = s.SaveEvaluation(ctx, second)
	if n := trips.Load() - before; n != 1 {
		t.Errorf("saving took %d round trips, want 1 (one script, loaded by the first save)", n)
	}
	if err != nil || !replaced || !saved.SubmittedAt.Equal(at(1)) || !saved.UpdatedAt.Equal(at(5)) {
		t.Fatalf("second save = %+v, replaced %v, %v", saved, replaced, err)
	}
	got, _ = s.Evaluation(ctx, "c", "ME")
	want := second
	want.SubmittedAt = at(1)
	if !reflect.DeepEqual(normalEval(got), normalEval(want)) {
		t.Fatalf("after the replacement\n got %+v\nwant %+v", got, want)
	}
	rdb := r.Client()
	zs, err := rdb.ZRangeWithScores(ctx, r.Prefix+"{c:c}:evaluations", 0, -1).Result()
	if err != nil || len(zs) != 1 || zs[0].Member != "ME" || int64(zs[0].Score) != at(1).UnixMilli() {
		t.Fatalf("evaluations set = %v, %v; want ME at the first submission", zs, err)
	}
	wantEvaluated(t, s, map[string]bool{"ME": true}, "MR")

	// Every key lives under the cycle's hash tag.
	keys, _ := rdb.Keys(ctx, r.Prefix+"*").Result()
	sort.Strings(keys)
	wantKeys := []string{r.Prefix + "{c:c}:evaluation:ME", r.Prefix + "{c:c}:evaluations"}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Fatalf("keys %v, want %v", keys, wantKeys)
	}

	// Another cycle is another evaluation.
	other := evaluation("ME", "Another year", at(9))
	other.CycleID = "c2"
	if _, replaced, err := s.SaveEvaluation(ctx, other); err != nil || replaced {
		t.Fatalf("other cycle: replaced %v, %v", replaced, err)
	}
	if got, _ := s.Evaluation(ctx, "c", "ME"); got.Achieved != second.Achieved {
		t.Fatalf("another cycle's evaluation replaced this one's: %q", got.Achieved)
	}

	for _, bad := range []mentor.Evaluation{{CycleID: "c", SubmittedAt: at(1)}, {UserID: "ME", SubmittedAt: at(1)}, {CycleID: "c", UserID: "ME"}} {
		if _, _, err := s.SaveEvaluation(ctx, bad); err == nil {
			t.Errorf("saved %+v", bad)
		}
	}
}

// wantEvaluated checks Evaluated, EvaluatedAll and EvaluatedAmong agree on who
// evaluated, and that notYet did not.
func wantEvaluated(t *testing.T, s *redisstore.Store, want map[string]bool, notYet string) {
	t.Helper()
	ctx := context.Background()
	all, err := s.EvaluatedAll(ctx, "c")
	if err != nil || !reflect.DeepEqual(all, want) {
		t.Fatalf("EvaluatedAll = %v, %v; want %v", all, err, want)
	}
	var ids []string
	for id := range want {
		ids = append(ids, id)
	}
	among, err := s.EvaluatedAmong(ctx, "c", append(ids, notYet))
	if err != nil || !reflect.DeepEqual(among, want) {
		t.Fatalf("EvaluatedAmong = %v, %v; want %v", among, err, want)
	}
	for id := range want {
		if ok, err := s.Evaluated(ctx, "c", id); err != nil || !ok {
			t.Fatalf("Evaluated(%s) = %v, %v", id, ok, err)
		}
	}
	if ok, err := s.Evaluated(ctx, "c", notYet); err != nil || ok {
		t.Fatalf("Evaluated(%s) = %v, %v; want false", notYet, ok, err)
	}
	if none, err := s.EvaluatedAmong(ctx, "c", nil); err != nil || len(none) != 0 {
		t.Fatalf("EvaluatedAmong(nobody) = %v, %v", none, err)
	}
}

// Many people evaluating at once, some twice: one evaluation each, the set holds
// exactly them, and nobody's first submission time moves.
func TestConcurrentEvaluationsKeepTheSetTrue(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	const people = 20
	var wg sync.WaitGroup
	var replacedCount atomic.Int32
	for i := range people {
		for round := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := evaluation(fmt.Sprintf("U%02d", i), fmt.Sprintf("Round %d of a long year", round), t0.Add(time.Duration(round)*time.Minute))
				_, replaced, err := s.SaveEvaluation(ctx, e)
				if err != nil {
					t.Error(err)
				}
				if replaced {
					replacedCount.Add(1)
				}
			}()
		}
	}
	wg.Wait()
	if n := replacedCount.Load(); n != people {
		t.Fatalf("%d saves replaced one, want %d (exactly the second of each person)", n, people)
	}
	all, err := s.EvaluatedAll(ctx, "c")
	if err != nil || len(all) != people {
		t.Fatalf("%d people in the set, want %d: %v", len(all), people, err)
	}
	for id := range all {
		e, err := s.Evaluation(ctx, "c", id)
		if err != nil || !strings.HasPrefix(e.Achieved, "Round ") {
			t.Fatalf("evaluation of %s = %+v, %v", id, e, err)
		}
		// The first submission time is that of whichever save landed first.
		if !e.SubmittedAt.Equal(t0) && !e.SubmittedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("%s submitted at %v", id, e.SubmittedAt)
		}
	}
}

// normalEval makes times comparable with reflect.DeepEqual.
func normalEval(e mentor.Evaluation) mentor.Evaluation {
	e.SubmittedAt, e.UpdatedAt = e.SubmittedAt.UTC(), e.UpdatedAt.UTC()
	return e
}
