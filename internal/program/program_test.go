package program_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/program"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

// t0 is a November afternoon: the committee opens the 2026–2027 cycle late.
var t0 = time.Date(2026, time.November, 12, 14, 30, 15, 123456789, time.UTC)

type env struct {
	t     *testing.T
	ctx   context.Context
	clock *clock.Settable
	svc   *program.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	s := redistest.New(t).Store()
	clk := clock.NewSettable(t0)
	return &env{t: t, ctx: context.Background(), clock: clk, svc: program.New(s, clk)}
}

func (e *env) mustDraft(fresh bool) (mentor.Cycle, int) {
	e.t.Helper()
	c, rev, err := e.svc.Draft(e.ctx, fresh)
	if err != nil {
		e.t.Fatalf("draft (fresh %v): %v", fresh, err)
	}
	return c, rev
}

func (e *env) mustSave(actor string, c mentor.Cycle, rev int) mentor.Cycle {
	e.t.Helper()
	saved, err := e.svc.Save(e.ctx, actor, c, rev)
	if err != nil {
		e.t.Fatalf("save %s at rev %d: %v", c.ID, rev, err)
	}
	return saved
}

func (e *env) mustActive() (mentor.Cycle, int) {
	e.t.Helper()
	c, rev, err := e.svc.Active(e.ctx)
	if err != nil {
		e.t.Fatalf("active: %v", err)
	}
	return c, rev
}

func (e *env) mustHaveNoActive() {
	e.t.Helper()
	if _, _, err := e.svc.Active(e.ctx); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		e.t.Fatalf("active = %v, want no cycle (not found)", err)
	}
}

func TestDraftWithoutActiveCycleIsTheDefaultCycle(t *testing.T) {
	e := newEnv(t)
	e.mustHaveNoActive()
	for _, fresh := range []bool{false, true} {
		c, rev := e.mustDraft(fresh)
		if rev != 0 || c.ID == "" {
			t.Fatalf("draft = id %q rev %d, want a new id at rev 0", c.ID, rev)
		}
		want := mentor.DefaultCycle(t0)
		if c.Name != "2026–2027" || !c.Start.Equal(want.Start) || !c.End.Equal(want.End) || !c.EvaluationDue.Equal(want.EvaluationDue) {
			t.Fatalf("draft = %q %v – %v due %v, want the default 2026–2027 cycle", c.Name, c.Start, c.End, c.EvaluationDue)
		}
	}
	a, _ := e.mustDraft(true)
	b, _ := e.mustDraft(true)
	if a.ID == b.ID {
		t.Fatalf("two drafts share the id %q", a.ID)
	}
}

func TestOpenACycleThenEditIt(t *testing.T) {
	e := newEnv(t)
	draft, rev := e.mustDraft(false)
	draft.Name = "  2026–2027  "

	saved := e.mustSave("U0CHAIR", draft, rev)
	created := t0.Truncate(time.Millisecond)
	if saved.Name != "2026–2027" || saved.CreatedBy != "U0CHAIR" || !saved.CreatedAt.Equal(created) || !saved.UpdatedAt.Equal(created) {
		t.Fatalf("saved = %+v, want the trimmed name, created by the chair now", saved)
	}
	active, arev := e.mustActive()
	if active.ID != draft.ID || arev != 1 || active.Name != "2026–2027" || !active.CreatedAt.Equal(created) {
		t.Fatalf("active = %+v rev %d, want the new cycle at rev 1", active, arev)
	}

	// The form opens on the active cycle…
	edit, erev := e.mustDraft(false)
	if edit.ID != draft.ID || erev != 1 {
		t.Fatalf("draft after opening = id %s rev %d, want the active cycle at rev 1", edit.ID, erev)
	}
	// …and another member saves first.
	e.clock.Advance(time.Hour)
	other := edit
	other.Reminders.ContactDays = 10
	e.mustSave("U0TREASURER", other, erev)

	edit.Name = "Stale edit"
	_, err := e.svc.Save(e.ctx, "U0CHAIR", edit, erev)
	if mentor.ErrorCode(err) != mentor.ECONFLICT {
		t.Fatalf("save at a stale revision = %v, want a conflict", err)
	}
	got, grev, err := e.svc.Get(e.ctx, draft.ID)
	if err != nil || grev != 2 || got.Name != "2026–2027" || got.Reminders.ContactDays != 10 {
		t.Fatalf("stored = %+v rev %d, %v; want the other member's edit at rev 2", got, grev, err)
	}
	if got.CreatedBy != "U0CHAIR" || !got.CreatedAt.Equal(created) || !got.UpdatedAt.Equal(e.clock.Now().Truncate(time.Millisecond)) {
		t.Errorf("an edit changed who created the cycle or when: %+v", got)
	}

	// The chair reloads and saves on top.
	edit, erev = e.mustDraft(false)
	edit.Name = "2026–2027 (extended)"
	edit.End = mentor.Date(2027, time.June, 30)
	e.mustSave("U0CHAIR", edit, erev)
	if got, rev := e.mustActive(); got.Name != "2026–2027 (extended)" || rev != 3 || !got.End.Equal(edit.End) {
		t.Fatalf("active = %q rev %d, want the chair's edit at rev 3", got.Name, rev)
	}
}

func TestSaveCreateIsIdempotent(t *testing.T) {
	e := newEnv(t)
	draft, _ := e.mustDraft(false)
	e.mustSave("U0CHAIR", draft, 0)
	e.clock.Advance(time.Second)
	e.mustSave("U0CHAIR", draft, 0) // the same submission, redelivered
	all, err := e.svc.All(e.ctx)
	if err != nil || len(all) != 1 || all[0].ID != draft.ID {
		t.Fatalf("cycles = %+v, %v; want one", all, err)
	}
	if _, rev := e.mustActive(); rev != 1 {
		t.Fatalf("rev after a redelivered create = %d, want 1", rev)
	}
}

func TestSaveFillsTheDefaultEvaluationDueDate(t *testing.T) {
	e := newEnv(t)
	draft, _ := e.mustDraft(false)
	draft.EvaluationDue = time.Time{}
	saved := e.mustSave("U0CHAIR", draft, 0)
	if want := mentor.Date(2027, time.May, 1); !saved.EvaluationDue.Equal(want) {
		t.Fatalf("due = %v, want May 1 of the end year", saved.EvaluationDue)
	}
	if got, _ := e.mustActive(); !got.EvaluationDue.Equal(mentor.Date(2027, time.May, 1)) {
		t.Fatalf("stored due = %v", got.EvaluationDue)
	}

	// A cycle ending before May is due on its last day.
	short, _ := e.mustDraft(true)
	short.Name, short.Start, short.End, short.EvaluationDue = "Winter 2027", mentor.Date(2027, time.January, 1), mentor.Date(2027, time.March, 31), time.Time{}
	if saved := e.mustSave("U0CHAIR", short, 0); !saved.EvaluationDue.Equal(short.End) {
		t.Fatalf("due = %v, want the last day %v", saved.EvaluationDue, short.End)
	}
}

func TestSaveRefusesAnInvalidCycle(t *testing.T) {
	e := newEnv(t)
	draft, _ := e.mustDraft(false)
	draft.Name = ""
	draft.End = draft.Start.AddDate(0, 0, -1)
	_, err := e.svc.Save(e.ctx, "U0CHAIR", draft, 0)
	var fe mentor.FieldErrors
	if !errors.As(err, &fe) || fe["name"] == "" || fe["end"] == "" {
		t.Fatalf("save = %v, want field errors for name and end", err)
	}
	e.mustHaveNoActive()
}

func TestANewCycleBecomesActiveAndEarlierOnesStayReadable(t *testing.T) {
	e := newEnv(t)
	first, _ := e.mustDraft(false)
	e.mustSave("U0CHAIR", first, 0)

	e.clock.Set(time.Date(2027, time.September, 1, 9, 0, 0, 0, time.UTC))
	next, rev := e.mustDraft(true)
	if next.ID == first.ID || rev != 0 || next.Name != "2027–2028" {
		t.Fatalf("fresh draft = %q (%s) rev %d, want a new 2027–2028 cycle", next.Name, next.ID, rev)
	}
	e.mustSave("U0CHAIR", next, 0)

	if active, _ := e.mustActive(); active.ID != next.ID {
		t.Fatalf("active = %s, want the new cycle %s", active.ID, next.ID)
	}
	old, orev, err := e.svc.Get(e.ctx, first.ID)
	if err != nil || old.Name != "2026–2027" || orev != 1 {
		t.Fatalf("earlier cycle = %+v rev %d, %v", old, orev, err)
	}
	all, err := e.svc.All(e.ctx)
	if err != nil || len(all) != 2 || all[0].ID != first.ID || all[1].ID != next.ID {
		t.Fatalf("all = %+v, %v; want both, oldest first", all, err)
	}
	if _, _, err := e.svc.Get(e.ctx, "no-such-cycle"); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Fatalf("get unknown = %v, want not found", err)
	}
}
