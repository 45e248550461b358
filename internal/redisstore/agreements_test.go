package redisstore_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

func agreement(freq string, at time.Time) mentor.Agreement {
	return mentor.Agreement{CycleID: "c", DuoID: "D", Methods: []string{"email"}, Frequency: freq,
		Goal: "A first job in an academic library", Activities: []string{"career"}, MentorHours: 2, MenteeHours: 3,
		From: t0, Until: t0.AddDate(0, 6, 0), AnnualMeeting: mentor.AnswerMaybe, ShareExperience: mentor.AnswerNo,
		Author: "ME", CreatedAt: at}
}

func TestAgreementVersionsAndSignatures(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	pair(t, s)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

	if _, err := s.Agreement(ctx, "c", "D", 0); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Fatalf("no agreement yet: %v", err)
	}
	wantCode(t, "sign before any version", signErr(s.SignAgreement(ctx, "c", "D", 1, "ME", at(1))), mentor.ENOTFOUND)

	v1 := agreement("monthly", at(1))
	v1.Version = 7 // ignored: the store numbers versions
	saved, created, err := s.SaveAgreement(ctx, v1, "S1")
	if err != nil || !created || saved.Version != 1 || saved.Goal != v1.Goal {
		t.Fatalf("save v1 = %+v %v %v", saved, created, err)
	}
	// The redelivered submission makes no second version.
	again, created, err := s.SaveAgreement(ctx, agreement("weekly", at(2)), "S1")
	if err != nil || created || again.Version != 1 || again.Frequency != "monthly" {
		t.Fatalf("redelivered save = %+v %v %v", again, created, err)
	}
	wantStatus := func(label string, want mentor.AgreementStatus) {
		t.Helper()
		if got := mustGetDuo(t, s, "c", "D").Agreement; got != want {
			t.Fatalf("%s: duo agreement %+v, want %+v", label, got, want)
		}
	}
	wantStatus("drafted", mentor.AgreementStatus{Version: 1, DraftedAt: at(1), UpdatedAt: at(1), Frequency: "monthly"})

	// Signing: a stranger may not, a member may, twice is harmless, the second member
	// completes it.
	wantCode(t, "stranger signs", signErr(s.SignAgreement(ctx, "c", "D", 1, "UX", at(2))), mentor.EFORBIDDEN)
	clicks := 0
	for _, step := range []struct {
		uid              string
		signed, complete bool
		signers          int
	}{{"ME", true, false, 1}, {"ME", false, false, 1}, {"MR", true, true, 2}, {"MR", false, false, 2}} {
		// Each click at its own time: a repeated one must not move the signature.
		clicks++
		out, err := s.SignAgreement(ctx, "c", "D", 1, step.uid, at(1+clicks))
		if err != nil || out.Signed != step.signed || out.Complete != step.complete || len(out.Agreement.Signatures) != step.signers {
			t.Fatalf("%s signs: %+v, %v; want signed %v complete %v", step.uid, out, err, step.signed, step.complete)
		}
		if out.Agreement.Version != 1 || out.Agreement.Goal != v1.Goal {
			t.Fatalf("signed agreement = %+v", out.Agreement)
		}
	}
	wantStatus("signed", mentor.AgreementStatus{Version: 1, DraftedAt: at(1), UpdatedAt: at(1), SignedAt: at(4), Frequency: "monthly"})
	if err := s.SetAgreementPost(ctx, "c", "D", 1, "1700000000.000100"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Agreement(ctx, "c", "D", 0)
	wantSigs := map[string]time.Time{"ME": at(2), "MR": at(4)}
	if err != nil || got.Version != 1 || !reflect.DeepEqual(got.Signatures, wantSigs) || got.PostTS != "1700000000.000100" {
		t.Fatalf("current agreement = %+v, %v", got, err)
	}
	v1.Version, v1.Signatures, v1.PostTS = 1, wantSigs, "1700000000.000100"
	if !reflect.DeepEqual(normal(got), normal(v1)) {
		t.Fatalf("round trip\n%+v\nwant\n%+v", got, v1)
	}

	// A new version voids the signatures of the one before.
	v2, created, err := s.SaveAgreement(ctx, agreement("weekly", at(10)), "S2")
	if err != nil || !created || v2.Version != 2 || len(v2.Signatures) != 0 {
		t.Fatalf("save v2 = %+v %v %v", v2, created, err)
	}
	wantStatus("changed", mentor.AgreementStatus{Version: 2, DraftedAt: at(1), UpdatedAt: at(10), Frequency: "weekly"})
	err = signErr(s.SignAgreement(ctx, "c", "D", 1, "ME", at(11)))
	wantCode(t, "sign replaced version", err, mentor.ECONFLICT)
	if msg := mentor.ErrorMessage(err); !strings.Contains(msg, "version 2") {
		t.Fatalf("stale message = %q", msg)
	}
	if old, err := s.Agreement(ctx, "c", "D", 1); err != nil || len(old.Signatures) != 2 || old.Frequency != "monthly" {
		t.Fatalf("version 1 after v2 = %+v, %v", old, err)
	}
	if cur, err := s.Agreement(ctx, "c", "D", 0); err != nil || cur.Version != 2 || len(cur.Signatures) != 0 || cur.PostTS != "" {
		t.Fatalf("current after v2 = %+v, %v", cur, err)
	}
	for _, v := range []int{3, -1} {
		if _, err := s.Agreement(ctx, "c", "D", v); mentor.ErrorCode(err) != mentor.ENOTFOUND {
			t.Fatalf("version %d: %v", v, err)
		}
		wantCode(t, fmt.Sprintf("sign version %d", v), signErr(s.SignAgreement(ctx, "c", "D", v, "ME", at(11))), mentor.ENOTFOUND)
	}
	wantCode(t, "post of a missing version", s.SetAgreementPost(ctx, "c", "D", 3, "1.2"), mentor.ENOTFOUND)

	// Unknown duo; ended duo.
	missing := agreement("monthly", at(1))
	missing.DuoID = "nope"
	_, _, err = s.SaveAgreement(ctx, missing, "S9")
	wantCode(t, "save for a missing duo", err, mentor.ENOTFOUND)
	wantCode(t, "sign for a missing duo", signErr(s.SignAgreement(ctx, "c", "nope", 1, "ME", at(1))), mentor.ENOTFOUND)
	if _, err := s.DissolveDuo(ctx, "c", "D", "UK", at(12), nil); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.SaveAgreement(ctx, agreement("monthly", at(13)), "S3")
	wantCode(t, "save for an ended duo", err, mentor.ECONFLICT)
	if msg := mentor.ErrorMessage(err); msg != "This duo has ended." {
		t.Fatalf("ended message = %q", msg)
	}
	wantCode(t, "sign for an ended duo", signErr(s.SignAgreement(ctx, "c", "D", 2, "ME", at(13))), mentor.ECONFLICT)
	if d := mustGetDuo(t, s, "c", "D"); d.Agreement.Version != 2 {
		t.Fatalf("ended duo's agreement moved: %+v", d.Agreement)
	}
}

// normal makes times comparable with reflect.DeepEqual.
func normal(a mentor.Agreement) mentor.Agreement {
	a.From, a.Until, a.CreatedAt = a.From.UTC(), a.Until.UTC(), a.CreatedAt.UTC()
	return a
}

func signErr[T any](_ T, err error) error { return err }

// Both members clicking "sign" at once, twice each: exactly one call completes the
// agreement, every version.
func TestConcurrentSigningCompletesOnce(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	pair(t, s)
	for v := 1; v <= 10; v++ {
		if _, _, err := s.SaveAgreement(ctx, agreement("monthly", t0.Add(time.Duration(v)*time.Hour)), fmt.Sprint("S", v)); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		signed, complete := 0, 0
		for _, uid := range []string{"ME", "MR", "ME", "MR"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := s.SignAgreement(ctx, "c", "D", v, uid, t0.Add(time.Duration(v)*time.Hour+time.Minute))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if out.Signed {
					signed++
				}
				if out.Complete {
					complete++
					if len(out.Agreement.Signatures) != 2 {
						t.Errorf("complete with signatures %v", out.Agreement.Signatures)
					}
				}
			}()
		}
		wg.Wait()
		if signed != 2 || complete != 1 {
			t.Fatalf("version %d: %d signed, %d complete; want 2 and 1", v, signed, complete)
		}
		if d := mustGetDuo(t, s, "c", "D"); !d.Agreement.Signed() || d.Agreement.Version != v {
			t.Fatalf("version %d: duo agreement %+v", v, d.Agreement)
		}
	}
}
