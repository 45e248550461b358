package signup_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
	"github.com/mentorbot/mentorbot/internal/signup"
)

var t0 = time.Date(2026, time.October, 5, 9, 0, 0, 0, time.UTC)

type env struct {
	t     *testing.T
	ctx   context.Context
	store *redisstore.Store
	clock *clock.Settable
	svc   *signup.Service
	cycle mentor.Cycle
}

func newEnv(t *testing.T) *env {
	t.Helper()
	s := redistest.New(t).Store()
	c := mentor.DefaultCycle(t0)
	c.ID = "c2026"
	clk := clock.NewSettable(t0)
	return &env{t: t, ctx: context.Background(), store: s, clock: clk, svc: signup.New(s, clk), cycle: c}
}

func mentee(uid string) mentor.Participant {
	return mentor.Participant{UserID: uid, Name: "Mentee " + uid, Role: mentor.RoleMentee, Stage: mentor.StageStudent,
		Areas: []string{"career"}, Needs: "Preparing for my first academic library interviews.",
		Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 2}
}

func mentorOf(uid string, capacity int) mentor.Participant {
	return mentor.Participant{UserID: uid, Name: "Mentor " + uid, Role: mentor.RoleMentor, Stage: mentor.StageSenior,
		Areas: []string{"career"}, Offer: "Twenty years in academic libraries.",
		Methods: []string{"video"}, Frequency: "monthly", HoursPerMonth: 3, Capacity: capacity}
}

func (e *env) mustJoin(p mentor.Participant) mentor.Participant {
	e.t.Helper()
	got, err := e.svc.Join(e.ctx, e.cycle, p)
	if err != nil {
		e.t.Fatalf("join %s: %v", p.UserID, err)
	}
	return got
}

func (e *env) mustGet(uid string) mentor.Participant {
	e.t.Helper()
	p, err := e.svc.Get(e.ctx, e.cycle.ID, uid)
	if err != nil {
		e.t.Fatalf("get %s: %v", uid, err)
	}
	return p
}

func (e *env) mustLeave(uid string) signup.Leaving {
	e.t.Helper()
	l, err := e.svc.Leave(e.ctx, e.cycle, uid)
	if err != nil {
		e.t.Fatalf("leave %s: %v", uid, err)
	}
	return l
}

func (e *env) mustNotBeSignedUp(uid string) {
	e.t.Helper()
	if _, err := e.svc.Get(e.ctx, e.cycle.ID, uid); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		e.t.Fatalf("get %s = %v, want not signed up", uid, err)
	}
}

// mustPair makes a duo in the store, as an approval would.
func (e *env) mustPair(menteeID, mentorID string) string {
	e.t.Helper()
	id := "duo-" + menteeID
	if _, _, err := e.store.CreateDuo(e.ctx, mentor.Duo{ID: id, CycleID: e.cycle.ID, MenteeID: menteeID, MentorID: mentorID, CreatedAt: e.clock.Now()}); err != nil {
		e.t.Fatalf("pair %s with %s: %v", menteeID, mentorID, err)
	}
	return id
}

func (e *env) mustCounts() mentor.Counts {
	e.t.Helper()
	c, err := e.svc.Counts(e.ctx, e.cycle.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func TestJoinAsMenteeThenEdit(t *testing.T) {
	e := newEnv(t)
	p := mentee("U0ADA")
	p.Needs = "  Preparing for my first academic library interviews.  \n"
	p.Offer, p.Capacity = "leftover from choosing mentor first", 2 // not a mentee's
	p.CVURL = " https://example.org/cv.pdf "

	got := e.mustJoin(p)
	if got.Status != mentor.StatusPending || got.CycleID != e.cycle.ID || !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0) {
		t.Fatalf("joined = %+v, want pending in the cycle, created now", got)
	}
	stored := e.mustGet("U0ADA")
	if stored.Needs != "Preparing for my first academic library interviews." || stored.CVURL != "https://example.org/cv.pdf" {
		t.Errorf("stored needs %q, CV %q; want them trimmed", stored.Needs, stored.CVURL)
	}
	if stored.Offer != "" || stored.Capacity != 0 {
		t.Errorf("a mentee kept a mentor's offer %q and capacity %d", stored.Offer, stored.Capacity)
	}

	e.clock.Advance(2 * time.Hour)
	edit := mentee("U0ADA")
	edit.Needs = "A first grant application for a small digitisation project."
	got = e.mustJoin(edit)
	stored = e.mustGet("U0ADA")
	if !stored.CreatedAt.Equal(t0) || !stored.UpdatedAt.Equal(e.clock.Now()) || stored.Needs != edit.Needs || stored.Status != mentor.StatusPending {
		t.Fatalf("after edit = %+v, want the new needs, created at %v, updated now", stored, t0)
	}
	if !got.CreatedAt.Equal(t0) {
		t.Errorf("Join returned created %v, want the first sign-up's %v", got.CreatedAt, t0)
	}
	if c := e.mustCounts(); c.Mentees != 1 || c.PendingMentees != 1 {
		t.Errorf("counts = %+v, want one pending mentee", c)
	}
}

func TestJoinAsMentorDropsMenteeFields(t *testing.T) {
	e := newEnv(t)
	p := mentorOf("U0GRACE", 2)
	p.Needs = "left from the mentee form"
	e.mustJoin(p)
	if got := e.mustGet("U0GRACE"); got.Needs != "" || got.Capacity != 2 || got.FreeSlots() != 2 {
		t.Fatalf("mentor = %+v, want no needs and two places", got)
	}
	if c := e.mustCounts(); c.Mentors != 1 || c.FreeMentorCapacity != 2 {
		t.Errorf("counts = %+v", c)
	}
}

func TestJoinRefusedWhenTheCycleIsOver(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(e.cycle.End.Add(24 * time.Hour)) // the day after the last
	_, err := e.svc.Join(e.ctx, e.cycle, mentee("U0ADA"))
	if mentor.ErrorCode(err) != mentor.EINVALID {
		t.Fatalf("join after the end = %v, want invalid", err)
	}
	e.mustNotBeSignedUp("U0ADA")

	e.clock.Set(e.cycle.End.Add(24*time.Hour - time.Minute)) // the last day, 23:59
	e.mustJoin(mentee("U0ADA"))
}

func TestJoinReportsInvalidFields(t *testing.T) {
	e := newEnv(t)
	p := mentee("U0ADA")
	p.Needs = "   help   "
	p.HoursPerMonth = 0
	p.Avoid = []string{"U0ADA"}
	_, err := e.svc.Join(e.ctx, e.cycle, p)
	var fe mentor.FieldErrors
	if !errors.As(err, &fe) || len(fe) != 3 || fe["needs"] == "" || fe["hours"] == "" || fe["avoid"] == "" {
		t.Fatalf("join = %v (%v), want field errors for needs, hours and avoid", err, fe)
	}
	e.mustNotBeSignedUp("U0ADA")

	m := mentorOf("U0GRACE", 4)
	_, err = e.svc.Join(e.ctx, e.cycle, m)
	if !errors.As(err, &fe) || fe["capacity"] == "" {
		t.Fatalf("join with capacity 4 = %v, want a capacity field error", err)
	}
	e.mustNotBeSignedUp("U0GRACE")
}

func TestJoinWhileMatchedIsAConflict(t *testing.T) {
	e := newEnv(t)
	e.mustJoin(mentee("U0ADA"))
	e.mustJoin(mentorOf("U0GRACE", 1))
	e.mustPair("U0ADA", "U0GRACE")
	edit := mentee("U0ADA")
	edit.Needs = "Something else entirely, changed after matching."
	_, err := e.svc.Join(e.ctx, e.cycle, edit)
	if mentor.ErrorCode(err) != mentor.ECONFLICT {
		t.Fatalf("edit while matched = %v, want a conflict", err)
	}
	if got := e.mustGet("U0ADA"); got.Needs == edit.Needs || got.Status != mentor.StatusMatched {
		t.Fatalf("a matched sign-up changed: %+v", got)
	}
}

func TestLeaveThenJoinAgain(t *testing.T) {
	e := newEnv(t)
	e.mustJoin(mentee("U0ADA"))
	e.clock.Advance(24 * time.Hour)

	l := e.mustLeave("U0ADA")
	if l.AlreadyLeft || l.WasStatus != mentor.StatusPending || len(l.DuoIDs) != 0 || l.Participant.Status != mentor.StatusWithdrawn || l.Participant.UserID != "U0ADA" {
		t.Fatalf("leave = %+v, want a pending mentee leaving, no duo", l)
	}
	if got := e.mustGet("U0ADA"); got.Status != mentor.StatusWithdrawn || !got.WithdrawnAt.Equal(e.clock.Now()) {
		t.Fatalf("after leave = %s at %v, want withdrawn now", got.Status, got.WithdrawnAt)
	}
	again := e.mustLeave("U0ADA")
	if !again.AlreadyLeft || again.WasStatus != mentor.StatusWithdrawn {
		t.Fatalf("second leave = %+v, want already left", again)
	}
	if c := e.mustCounts(); c.Withdrawn != 1 || c.Mentees != 0 {
		t.Fatalf("counts = %+v, want one withdrawn", c)
	}

	// Coming back starts a new sign-up: pending again, signed up now.
	e.clock.Advance(24 * time.Hour)
	back := e.mustJoin(mentee("U0ADA"))
	got := e.mustGet("U0ADA")
	if back.Status != mentor.StatusPending || got.Status != mentor.StatusPending || !back.WithdrawnAt.IsZero() || !got.WithdrawnAt.IsZero() {
		t.Fatalf("after re-join = %s (withdrawn at %v), want pending with no withdrawal date", got.Status, got.WithdrawnAt)
	}
	if !got.CreatedAt.Equal(e.clock.Now()) {
		t.Errorf("re-joined sign-up created %v, want now %v", got.CreatedAt, e.clock.Now())
	}
	if c := e.mustCounts(); c.Withdrawn != 0 || c.PendingMentees != 1 {
		t.Fatalf("counts = %+v, want one pending mentee again", c)
	}
}

func TestLeaveReturnsTheAffectedDuos(t *testing.T) {
	e := newEnv(t)
	e.mustJoin(mentorOf("U0GRACE", 2))
	e.mustJoin(mentee("U0ADA"))
	e.mustJoin(mentee("U0BEN"))
	d1 := e.mustPair("U0ADA", "U0GRACE")
	d2 := e.mustPair("U0BEN", "U0GRACE")

	l := e.mustLeave("U0GRACE")
	if l.WasStatus != mentor.StatusMatched || l.AlreadyLeft || len(l.DuoIDs) != 2 {
		t.Fatalf("leave = %+v, want a matched mentor with two duos", l)
	}
	got := map[string]bool{}
	for _, id := range l.DuoIDs {
		got[id] = true
	}
	if !got[d1] || !got[d2] {
		t.Fatalf("duo ids = %v, want %s and %s", l.DuoIDs, d1, d2)
	}
	if again := e.mustLeave("U0GRACE"); !again.AlreadyLeft || len(again.DuoIDs) != 2 {
		t.Errorf("second leave = %+v, want already left, same duos", again)
	}
	// Someone who left a duo cannot sign up again on their own: the committee
	// decides about the duo first.
	if _, err := e.svc.Join(e.ctx, e.cycle, mentorOf("U0GRACE", 2)); mentor.ErrorCode(err) != mentor.ECONFLICT {
		t.Errorf("re-join after leaving duos = %v, want a conflict", err)
	}
	if got := e.mustGet("U0GRACE"); got.Status != mentor.StatusWithdrawn {
		t.Errorf("after a refused re-join Grace is %s, want still withdrawn", got.Status)
	}
	if _, err := e.svc.Leave(e.ctx, e.cycle, "U0NOBODY"); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Errorf("leave of someone never signed up = %v, want not found", err)
	}
}

func TestPendingPagesThroughMenteesThenMentors(t *testing.T) {
	e := newEnv(t)
	for i := range 25 {
		e.clock.Advance(time.Minute)
		e.mustJoin(mentee(fmt.Sprintf("U0E%02d", i)))
	}
	for i := range 10 {
		e.clock.Advance(time.Minute)
		e.mustJoin(mentorOf(fmt.Sprintf("U0R%02d", i), 1))
	}
	// Not pending: a matched pair and someone who left.
	e.clock.Advance(time.Minute)
	e.mustJoin(mentee("U0MATCHED"))
	e.mustJoin(mentorOf("U0MATCHEDR", 1))
	e.mustPair("U0MATCHED", "U0MATCHEDR")
	e.mustJoin(mentee("U0LEFT"))
	e.mustLeave("U0LEFT")

	ids := func(ps []mentor.Participant) []string {
		out := []string{}
		for _, p := range ps {
			out = append(out, p.UserID)
		}
		return out
	}
	seq := func(prefix string, from, to int) []string {
		out := []string{}
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("%s%02d", prefix, i))
		}
		return out
	}
	tests := []struct {
		name          string
		offset, limit int
		want          []string
	}{
		{"first page", 0, 10, seq("U0E", 0, 10)},
		{"mentees only", 10, 10, seq("U0E", 10, 20)},
		{"across mentees and mentors", 20, 10, append(seq("U0E", 20, 25), seq("U0R", 0, 5)...)},
		{"home page of 20 across", 20, 20, append(seq("U0E", 20, 25), seq("U0R", 0, 10)...)},
		{"mentors only", 30, 10, seq("U0R", 5, 10)},
		{"exactly the last mentee", 24, 1, []string{"U0E24"}},
		{"exactly the first mentor", 25, 1, []string{"U0R00"}},
		{"past the end", 35, 10, []string{}},
		{"everything", 0, 100, append(seq("U0E", 0, 25), seq("U0R", 0, 10)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := e.svc.Pending(e.ctx, e.cycle.ID, tt.offset, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(ps)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("Pending(%d, %d) = %v, want %v", tt.offset, tt.limit, got, tt.want)
			}
			for _, p := range ps {
				if p.Status != mentor.StatusPending {
					t.Errorf("%s is %s, not pending", p.UserID, p.Status)
				}
			}
		})
	}
	if c := e.mustCounts(); c.PendingMentees != 25 || c.PendingMentors != 10 {
		t.Fatalf("counts = %+v", c)
	}
	all, err := e.svc.All(e.ctx, e.cycle.ID)
	if err != nil || len(all) != 25+10+3 {
		t.Fatalf("all = %d sign-ups, %v; want 38", len(all), err)
	}
}

func TestPendingWithLimitZeroIsEmpty(t *testing.T) {
	e := newEnv(t)
	for i := range 3 {
		e.mustJoin(mentee(fmt.Sprintf("U0E%02d", i)))
	}
	ps, err := e.svc.Pending(e.ctx, e.cycle.ID, 0, 0)
	if err != nil || len(ps) != 0 {
		t.Fatalf("Pending(0, 0) = %d people, %v; want none", len(ps), err)
	}
}

func TestOverviewCountsOnceAndClampsThePage(t *testing.T) {
	e := newEnv(t)
	for i := range 25 {
		e.mustJoin(mentee(fmt.Sprintf("U0E%02d", i)))
	}
	for i := range 3 {
		e.mustJoin(mentorOf(fmt.Sprintf("U0R%02d", i), 2))
	}
	o, err := e.svc.Overview(e.ctx, e.cycle.ID, 1, 20)
	if err != nil {
		t.Fatal(err)
	}
	if o.Page != 1 || o.Total != 28 || len(o.Pending) != 8 || o.Pending[0].UserID != "U0E20" || o.Pending[7].UserID != "U0R02" {
		t.Fatalf("page 1 = page %d, total %d, %d people", o.Page, o.Total, len(o.Pending))
	}
	if o.Counts.PendingMentees != 25 || o.Counts.FreeMentorCapacity != 6 {
		t.Fatalf("counts = %+v", o.Counts)
	}
	if o, _ := e.svc.Overview(e.ctx, e.cycle.ID, 99, 20); o.Page != 1 || len(o.Pending) != 8 {
		t.Fatalf("page past the end = page %d with %d people, want the last page", o.Page, len(o.Pending))
	}
	if o, _ := e.svc.Overview(e.ctx, e.cycle.ID, -3, 20); o.Page != 0 || len(o.Pending) != 20 {
		t.Fatalf("negative page = page %d with %d people, want the first", o.Page, len(o.Pending))
	}
}
