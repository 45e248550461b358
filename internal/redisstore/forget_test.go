package redisstore_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

// Slack-like ids, as forgetting accepts only those.
const (
	fMentor = "UMENTOR01"
	fMentee = "UMENTEE01"
	fOther  = "UOTHER001"
)

// forgetCycle builds a cycle "c" where fMentee has left a trace in every kind of
// record: a sign-up, a duo with fMentor (an agreement both signed, messages, a concern
// of each, a close-out choice), an evaluation; and fOther is a pending mentee.
func forgetCycle(t *testing.T, s *redisstore.Store) mentor.Duo {
	t.Helper()
	ctx := context.Background()
	mustSignup(t, s, mentorP("c", fMentor, 2))
	mustSignup(t, s, mentee("c", fMentee))
	mustSignup(t, s, mentee("c", fOther))
	d := mustDuo(t, s, "c", "D1", fMentor, fMentee, 0)
	if _, err := s.UpdateDuo(ctx, "c", "D1", func(d *mentor.Duo) error {
		d.ChannelID, d.ChannelName = "CDUO1", "duo-2026-umentee01-umentor01"
		d.Setup.IntendedName = d.ChannelName
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, u := range []string{fMentee, fMentor} {
		if _, err := s.RecordMessage(ctx, "c", "D1", u, fmt.Sprintf("Ev%d", i), t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	a := mentor.Agreement{CycleID: "c", DuoID: "D1", Methods: []string{"email"}, Frequency: "monthly", Goal: "A first grant proposal",
		Author: fMentee, CreatedAt: t0.Add(2 * time.Hour)}
	if _, _, err := s.SaveAgreement(ctx, a, "sub1"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{fMentee, fMentor} {
		if _, err := s.SignAgreement(ctx, "c", "D1", 1, u, t0.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []mentor.Concern{
		{ID: "K1", CycleID: "c", DuoID: "D1", From: fMentee, Kind: mentor.ConcernRaised, Text: "My mentor never answers <@UMENTOR01>", CreatedAt: t0.Add(4 * time.Hour)},
		{ID: "K2", CycleID: "c", DuoID: "D1", From: fMentor, Kind: mentor.ConcernRaised, Text: "We are fine now", CreatedAt: t0.Add(5 * time.Hour)},
	} {
		if _, _, err := s.SaveConcern(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []string{fMentee, fMentor} {
		e := mentor.Evaluation{CycleID: "c", UserID: u, Role: mentor.RoleMentee, Achieved: "A grant proposal " + u, Value: "Yes, very much",
			Overall: 5, NeedsMet: 4, Communication: 5, SubmittedAt: t0.Add(6 * time.Hour)}
		if _, _, err := s.SaveEvaluation(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.CloseDuo(ctx, "c", "D1", t0.Add(7*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ChooseClose(ctx, "c", "D1", fMentee, mentor.CloseContinue, t0.Add(8*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return d
}

// dumpKeys returns every key under the test's prefix with its whole content, one
// line each, so a test can search the store for a person's id anywhere.
func dumpKeys(t *testing.T, r *redistest.Redis) map[string]string {
	t.Helper()
	ctx := context.Background()
	rdb := r.Client()
	keys, err := rdb.Keys(ctx, r.Prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range keys {
		var v any
		switch rdb.Type(ctx, k).Val() {
		case "string":
			v = rdb.Get(ctx, k).Val()
		case "hash":
			v = rdb.HGetAll(ctx, k).Val()
		case "set":
			v = rdb.SMembers(ctx, k).Val()
		case "zset":
			v = rdb.ZRangeWithScores(ctx, k, 0, -1).Val()
		default:
			v = "?"
		}
		out[strings.TrimPrefix(k, r.Prefix)] = fmt.Sprint(v)
	}
	return out
}

func TestForgetRemovesEveryTraceAndKeepsTheCounts(t *testing.T) {
	r := redistest.New(t)
	s := r.Store()
	ctx := context.Background()
	forgetCycle(t, s)
	counts0, err := s.Counts(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	evals0, _ := s.EvaluatedAll(ctx, "c")
	concerns0, _ := s.ConcernsOf(ctx, "c", "D1")

	got, err := s.Forget(ctx, "c", fMentee, t0.Add(9*time.Hour))
	want := mentor.Forgotten{CycleID: "c", Profile: true, Evaluations: 1, Concerns: 1, Duos: 1, Agreements: 1}
	if err != nil || got != want {
		t.Fatalf("forget = %+v, %v; want %+v", got, err, want)
	}

	// Not a trace of the id anywhere, in any key or value.
	for k, v := range dumpKeys(t, r) {
		if strings.Contains(k, fMentee) || strings.Contains(v, fMentee) {
			t.Errorf("the forgotten id is still in %s: %s", k, v)
		}
		if strings.Contains(v, "umentee01") || strings.Contains(v, "first grant proposal") && !strings.Contains(k, "agreement") {
			t.Errorf("the person's name or words are still in %s: %s", k, v)
		}
		if strings.Contains(v, "My mentor never answers") {
			t.Errorf("the concern's text is still in %s", k)
		}
	}
	if _, err := s.Participant(ctx, "c", fMentee); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Errorf("the sign-up is still readable: %v", err)
	}
	if _, err := s.Evaluation(ctx, "c", fMentee); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Errorf("the evaluation is still readable: %v", err)
	}
	ps, _ := s.Participants(ctx, "c")
	for _, p := range ps {
		if p.UserID != fMentor && p.UserID != fOther {
			t.Errorf("an anonymous sign-up is listed: %+v", p)
		}
	}

	// The counts are those of before: people, duos, evaluations, concerns.
	if counts, err := s.Counts(ctx, "c"); err != nil || counts != counts0 {
		t.Errorf("counts = %+v, %v; want %+v", counts, err, counts0)
	}
	if evals, _ := s.EvaluatedAll(ctx, "c"); len(evals) != len(evals0) || !evals[fMentor] {
		t.Errorf("evaluated = %v; want as many as %v, the mentor's kept", evals, evals0)
	}
	if e, err := s.Evaluation(ctx, "c", fMentor); err != nil || !strings.Contains(e.Achieved, fMentor) {
		t.Errorf("the partner's evaluation = %+v, %v", e, err)
	}
	concerns, _ := s.ConcernsOf(ctx, "c", "D1")
	if len(concerns) != len(concerns0) {
		t.Fatalf("concerns = %d, want %d", len(concerns), len(concerns0))
	}
	for i, c := range concerns {
		switch c.ID {
		case "K1":
			if c.Text != redisstore.ForgottenText || !strings.HasPrefix(c.From, "forgotten-") || c.State != concerns0[i].State || !c.CreatedAt.Equal(concerns0[i].CreatedAt) {
				t.Errorf("the forgotten person's concern = %+v", c)
			}
		default:
			if !reflect.DeepEqual(c, concerns0[i]) {
				t.Errorf("the partner's concern changed: %+v, was %+v", c, concerns0[i])
			}
		}
	}
	d := mustGetDuo(t, s, "c", "D1")
	token := d.MenteeID
	if !strings.HasPrefix(token, "forgotten-") || d.MentorID != fMentor || d.ChannelName != "" || d.Setup.IntendedName != "" ||
		d.Activity.MenteeLast.IsZero() || !d.Agreement.Signed() || !d.Closed() || d.Close.ChosenBy != token {
		t.Errorf("duo = %+v", d)
	}
	if concerns[0].From != token {
		t.Errorf("one person, two tokens: duo %s, concern %s", token, concerns[0].From)
	}
	a, err := s.Agreement(ctx, "c", "D1", 1)
	if err != nil || a.Author != token || a.Signatures[token].IsZero() || a.Signatures[fMentor].IsZero() || a.Goal == "" {
		t.Errorf("agreement = %+v, %v", a, err)
	}

	// Again: nothing left, nothing changed.
	before := dumpKeys(t, r)
	if again, err := s.Forget(ctx, "c", fMentee, t0.Add(10*time.Hour)); err != nil || !again.Empty() {
		t.Errorf("forget again = %+v, %v; want nothing", again, err)
	}
	if after := dumpKeys(t, r); !reflect.DeepEqual(before, after) {
		t.Errorf("forgetting again changed the store")
	}
}

func TestForgetPendingPersonCountsThemAsWithdrawn(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustSignup(t, s, mentorP("c", fMentor, 3))
	mustSignup(t, s, mentee("c", fOther))
	c0, _ := s.Counts(ctx, "c")
	got, err := s.Forget(ctx, "c", fMentor, t0)
	if err != nil || !got.Profile || got.Duos+got.Evaluations+got.Concerns != 0 {
		t.Fatalf("forget = %+v, %v", got, err)
	}
	c1, _ := s.Counts(ctx, "c")
	if c1.PendingMentors != c0.PendingMentors-1 || c1.Withdrawn != c0.Withdrawn+1 || c1.FreeMentorCapacity != c0.FreeMentorCapacity-3 {
		t.Errorf("counts %+v after forgetting a pending mentor of capacity 3; before %+v", c1, c0)
	}
	pool, _ := s.ParticipantsWith(ctx, "c", mentor.RoleMentor, mentor.StatusPending, 0, -1)
	if len(pool) != 0 {
		t.Errorf("the forgotten mentor is still in the pool: %+v", pool)
	}
}

func TestForgetRefusesAPersonInARunningDuo(t *testing.T) {
	r := redistest.New(t)
	s := r.Store()
	ctx := context.Background()
	mustSignup(t, s, mentorP("c", fMentor, 1))
	mustSignup(t, s, mentee("c", fMentee))
	mustDuo(t, s, "c", "D1", fMentor, fMentee, 0)
	before := dumpKeys(t, r)
	for _, u := range []string{fMentee, fMentor} {
		_, err := s.Forget(ctx, "c", u, t0)
		if mentor.ErrorCode(err) != mentor.ECONFLICT || !strings.Contains(mentor.ErrorMessage(err), "still running") {
			t.Errorf("forget %s in a running duo = %v; want a conflict", u, err)
		}
	}
	if after := dumpKeys(t, r); !reflect.DeepEqual(before, after) {
		t.Errorf("a refused forget changed the store")
	}
	// Once dissolved, the duo no longer holds them.
	if _, err := s.DissolveDuo(ctx, "c", "D1", "UCOMMITTEE", t0.Add(time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Forget(ctx, "c", fMentee, t0.Add(2*time.Hour)); err != nil || !got.Profile || got.Duos != 1 {
		t.Errorf("forget after dissolving = %+v, %v", got, err)
	}
}

func TestForgetRejectsWhatIsNotAUserID(t *testing.T) {
	s, _ := newStore(t)
	for _, id := range []string{"", "*", "U1", "umentee01", "U1 U2", "UA\"B", "U%a"} {
		if _, err := s.Forget(context.Background(), "c", id, t0); mentor.ErrorCode(err) != mentor.EINVALID {
			t.Errorf("forget %q = %v; want invalid", id, err)
		}
	}
}
