package evaluation_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/evaluation"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

// t0 is a November afternoon of the 2026–2027 cycle (evaluations due 1 May 2027).
var t0 = time.Date(2026, 11, 5, 15, 0, 0, 0, time.UTC)

// env is the use case on a private Redis: mentor MR in duos d1 (with mentee ME, in
// Shanghai) and d2 (with mentee ME2), both with an agreement, and mentee PE, signed up
// but never paired.
type env struct {
	ctx    context.Context
	store  *redisstore.Store
	clock  *clock.Settable
	nudges *nudgeLog
	svc    *evaluation.Service
	cycle  mentor.Cycle
	trips  *atomic.Int64 // Redis round trips so far
}

// nudgeLog records who the service said has evaluated; fail makes it fail.
type nudgeLog struct {
	mu        sync.Mutex
	evaluated []string
	fail      error
}

func (n *nudgeLog) Evaluated(_ context.Context, _ mentor.Cycle, userID string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.evaluated = append(n.evaluated, userID)
	return n.fail
}

func (n *nudgeLog) told() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.evaluated...)
}

func newEnv(t *testing.T) *env {
	t.Helper()
	r := redistest.New(t)
	e := &env{ctx: context.Background(), clock: clock.NewSettable(t0), nudges: &nudgeLog{}, trips: &atomic.Int64{}}
	st, err := redisstore.Open(r.URL, r.Prefix, redisstore.Options{RoundTrip: func() { e.trips.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	e.svc = evaluation.New(st, st, e.nudges, e.clock)
	e.cycle = mentor.DefaultCycle(t0)
	e.cycle.ID = "c1"
	if _, err := st.CreateCycle(e.ctx, e.cycle); err != nil {
		t.Fatal(err)
	}
	person := func(uid string, role mentor.Role, tz string) mentor.Participant {
		p := mentor.Participant{UserID: uid, CycleID: "c1", Role: role, Stage: mentor.StageStudent, Areas: []string{"career"},
			Needs: "help with my first job search", Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 2, TZ: tz}
		if role == mentor.RoleMentor {
			p.Stage, p.Needs, p.Offer, p.Capacity = mentor.StageSenior, "", "twenty years of academic libraries", 2
		}
		return p
	}
	for _, p := range []mentor.Participant{
		person("ME", mentor.RoleMentee, "Asia/Shanghai"), person("ME2", mentor.RoleMentee, ""),
		person("PE", mentor.RoleMentee, ""), person("MR", mentor.RoleMentor, "America/Los_Angeles"),
	} {
		if err := st.SaveSignup(e.ctx, p, t0); err != nil {
			t.Fatal(err)
		}
	}
	for i, d := range []mentor.Duo{{ID: "d1", MenteeID: "ME"}, {ID: "d2", MenteeID: "ME2"}} {
		d.CycleID, d.MentorID, d.CreatedAt = "c1", "MR", t0.Add(time.Duration(i)*time.Minute)
		if _, _, err := st.CreateDuo(e.ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []mentor.Agreement{
		{DuoID: "d1", Activities: []string{"resume", "grants"}, OtherActivities: "Library visits"},
		{DuoID: "d2", Activities: []string{"career", "grants"}},
	} {
		a.CycleID, a.Methods, a.Frequency, a.Goal, a.MentorHours, a.MenteeHours = "c1", []string{"email"}, "monthly", "A first job in a library", 2, 2
		a.From, a.Until, a.AnnualMeeting, a.ShareExperience, a.CreatedAt = e.cycle.Start, e.cycle.End, mentor.AnswerNo, mentor.AnswerNo, t0
		if _, _, err := st.SaveAgreement(e.ctx, a, "sub-"+a.DuoID); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// answers is a complete evaluation as the form sends it (no who, no when).
func answers(achieved string) mentor.Evaluation {
	return mentor.Evaluation{Achieved: achieved, Value: "Yes: I learnt how proposals are judged",
		Again: mentor.AnswerYes, Recommend: mentor.AnswerYes, Overall: 4, NeedsMet: 4, Communication: 5,
		Activities: []string{"grants"}}
}

func TestFormStartsFromTheAgreementsThenFromTheEvaluation(t *testing.T) {
	e := newEnv(t)
	// The mentee: their duo's activities, in the cycle's topic order.
	f, err := e.svc.Form(e.ctx, e.cycle, "ME")
	if err != nil {
		t.Fatal(err)
	}
	if f.Role != mentor.RoleMentee || !reflect.DeepEqual(f.Activities, []string{"grants", "resume"}) || f.OtherActivities != "Library visits" {
		t.Fatalf("mentee's form = %+v", f)
	}
	// The mentor of two duos: both agreements' activities, once each.
	f, err = e.svc.Form(e.ctx, e.cycle, "MR")
	if err != nil {
		t.Fatal(err)
	}
	if f.Role != mentor.RoleMentor || !reflect.DeepEqual(f.Activities, []string{"grants", "career", "resume"}) {
		t.Fatalf("mentor's form = %+v", f)
	}
	// Once sent, the form shows what was sent.
	if _, err := e.svc.Submit(e.ctx, e.cycle, answers("A grant proposal, sent in March"), "ME"); err != nil {
		t.Fatal(err)
	}
	f, err = e.svc.Form(e.ctx, e.cycle, "ME")
	if err != nil || f.Achieved != "A grant proposal, sent in March" || !reflect.DeepEqual(f.Activities, []string{"grants"}) || f.SubmittedAt.IsZero() {
		t.Fatalf("form after sending = %+v, %v", f, err)
	}
}

func TestSubmitOncePerPersonReplacingUntilLate(t *testing.T) {
	e := newEnv(t)
	out, err := e.svc.Submit(e.ctx, e.cycle, answers("A grant proposal, sent in March"), "ME")
	if err != nil || out.Replaced || out.Evaluation.Late || out.RemindersErr != nil {
		t.Fatalf("first submission = %+v, %v", out, err)
	}
	got := out.Evaluation
	if got.UserID != "ME" || got.CycleID != "c1" || got.Role != mentor.RoleMentee || !got.SubmittedAt.Equal(t0) || !got.UpdatedAt.Equal(t0) {
		t.Fatalf("stored as %+v", got)
	}
	if told := e.nudges.told(); !reflect.DeepEqual(told, []string{"ME"}) {
		t.Fatalf("nudges told %v, want ME", told)
	}

	// Again before the due date: it replaces the first, which keeps its date.
	e.clock.Set(t0.AddDate(0, 2, 0))
	out, err = e.svc.Submit(e.ctx, e.cycle, answers("A grant proposal, funded in January"), "ME")
	if err != nil || !out.Replaced || out.Evaluation.Late || !out.Evaluation.SubmittedAt.Equal(t0) {
		t.Fatalf("second submission = %+v, %v", out, err)
	}
	stored, _ := e.store.Evaluation(e.ctx, "c1", "ME")
	if stored.Achieved != "A grant proposal, funded in January" {
		t.Fatalf("not replaced: %+v", stored)
	}

	// 1 May, 20:00 UTC: still the due day in Los Angeles, already 2 May in Shanghai.
	e.clock.Set(time.Date(2027, 5, 1, 20, 0, 0, 0, time.UTC))
	if out, err := e.svc.Submit(e.ctx, e.cycle, answers("Mentoring two people at once"), "MR"); err != nil || out.Evaluation.Late || out.Replaced {
		t.Fatalf("the mentor on the due day in Los Angeles = %+v, %v", out, err)
	}
	out, err = e.svc.Submit(e.ctx, e.cycle, answers("A grant proposal, funded; a paper"), "ME")
	if err != nil || !out.Replaced || !out.Evaluation.Late {
		t.Fatalf("the mentee after the due day in Shanghai = %+v, %v", out, err)
	}
	if stored, _ := e.store.Evaluation(e.ctx, "c1", "ME"); !stored.Late || !stored.SubmittedAt.Equal(t0) {
		t.Fatalf("late replacement stored as %+v", stored)
	}
	among, _ := e.svc.Evaluated(e.ctx, "c1", []string{"ME", "ME2", "MR", "PE"})
	if !reflect.DeepEqual(among, map[string]bool{"ME": true, "MR": true}) {
		t.Fatalf("evaluated = %v", among)
	}
}

func TestSubmitTakesWhoAndRoleFromTheSignup(t *testing.T) {
	e := newEnv(t)
	forged := answers("Mentoring two people at once")
	forged.UserID, forged.CycleID, forged.Role, forged.Late = "ME", "other", mentor.RoleMentee, true
	forged.SubmittedAt = t0.AddDate(-1, 0, 0)
	out, err := e.svc.Submit(e.ctx, e.cycle, forged, "MR")
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Evaluation; got.UserID != "MR" || got.CycleID != "c1" || got.Role != mentor.RoleMentor || got.Late || !got.SubmittedAt.Equal(t0) {
		t.Fatalf("stored as %+v", got)
	}
	if _, err := e.store.Evaluation(e.ctx, "c1", "ME"); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Fatalf("someone else's evaluation was written: %v", err)
	}
}

func TestOnlyParticipantsWhoAreOrWereInADuoEvaluate(t *testing.T) {
	e := newEnv(t)
	for _, uid := range []string{"UNKNOWN", "PE"} {
		if _, err := e.svc.Form(e.ctx, e.cycle, uid); mentor.ErrorCode(err) != mentor.EFORBIDDEN {
			t.Errorf("form of %s: %v, want forbidden", uid, err)
		}
		if _, err := e.svc.Submit(e.ctx, e.cycle, answers("Nothing at all, really"), uid); mentor.ErrorCode(err) != mentor.EFORBIDDEN {
			t.Errorf("submission of %s: %v, want forbidden", uid, err)
		}
	}
	if all, _ := e.store.EvaluatedAll(e.ctx, "c1"); len(all) != 0 || len(e.nudges.told()) != 0 {
		t.Fatalf("a refused submission was stored (%v) or told (%v)", all, e.nudges.told())
	}

	// A dissolved duo's mentee took part: they may evaluate, from its agreement.
	if _, err := e.store.DissolveDuo(e.ctx, "c1", "d2", "UK", t0, map[string]bool{"ME2": true}); err != nil {
		t.Fatal(err)
	}
	if p, _ := e.store.Participant(e.ctx, "c1", "ME2"); len(p.Duos) != 0 {
		t.Fatalf("the dissolved duo is still on the mentee's list: %v", p.Duos)
	}
	f, err := e.svc.Form(e.ctx, e.cycle, "ME2")
	if err != nil || !reflect.DeepEqual(f.Activities, []string{"grants", "career"}) {
		t.Fatalf("form after the duo ended = %+v, %v", f, err)
	}
	if _, err := e.svc.Submit(e.ctx, e.cycle, answers("We met twice before it ended"), "ME2"); err != nil {
		t.Fatalf("a dissolved duo's mentee refused: %v", err)
	}
}

func TestInvalidAnswersAreFieldErrorsAndStoreNothing(t *testing.T) {
	e := newEnv(t)
	bad := answers("ok")
	bad.Overall = 0
	_, err := e.svc.Submit(e.ctx, e.cycle, bad, "ME")
	var fe mentor.FieldErrors
	if !errors.As(err, &fe) || fe["achieved"] == "" || fe["overall"] == "" {
		t.Fatalf("submission of bad answers: %v", err)
	}
	if _, err := e.store.Evaluation(e.ctx, "c1", "ME"); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Fatalf("bad answers were stored: %v", err)
	}
	if told := e.nudges.told(); len(told) != 0 {
		t.Fatalf("nudges told %v after a refused submission", told)
	}
}

// The reminders failing to stop does not undo or fail the submission: it is reported
// for the log.
func TestRemindersThatFailToStopAreReportedNotFatal(t *testing.T) {
	e := newEnv(t)
	e.nudges.fail = errors.New("scheduler unreachable")
	out, err := e.svc.Submit(e.ctx, e.cycle, answers("A grant proposal, sent in March"), "ME")
	if err != nil || out.RemindersErr == nil {
		t.Fatalf("submission = %+v, %v; want saved with RemindersErr", out, err)
	}
	if ok, _ := e.store.Evaluated(e.ctx, "c1", "ME"); !ok {
		t.Fatal("not saved")
	}
}

// What a person's form and submission cost in Redis round trips (scripts loaded):
// the sign-up, the duos, then the evaluation or each duo's agreement; a submission
// is the sign-up, the duos and one script.
func TestRoundTrips(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.Submit(e.ctx, e.cycle, answers("Loading the scripts once"), "ME2"); err != nil {
		t.Fatal(err)
	}
	count := func(what string, want int64, f func() error) {
		t.Helper()
		before := e.trips.Load()
		if err := f(); err != nil {
			t.Fatal(err)
		}
		if n := e.trips.Load() - before; n != want {
			t.Errorf("%s: %d round trips, want %d", what, n, want)
		}
	}
	count("form of a mentor of two duos, new", 5, func() error { _, err := e.svc.Form(e.ctx, e.cycle, "MR"); return err })
	count("submission", 3, func() error {
		_, err := e.svc.Submit(e.ctx, e.cycle, answers("Mentoring two people at once"), "MR")
		return err
	})
	count("form to change it", 3, func() error { _, err := e.svc.Form(e.ctx, e.cycle, "MR"); return err })
	count("stages of a page of duos", 1, func() error {
		_, err := e.svc.Evaluated(e.ctx, "c1", []string{"ME", "MR", "ME2", "MR", "PE", "UNKNOWN"})
		return err
	})
}
