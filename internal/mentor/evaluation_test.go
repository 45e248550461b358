package mentor_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// goodEvaluation is a complete evaluation for goodCycle.
func goodEvaluation() mentor.Evaluation {
	return mentor.Evaluation{CycleID: "c2026", UserID: "U0MENTEE1", Role: mentor.RoleMentee,
		Achieved: "A first grant proposal, sent in March", Value: "Yes: I learnt how a proposal is judged",
		Again: mentor.AnswerYes, Recommend: mentor.AnswerMaybe, Overall: 4, NeedsMet: 5, Communication: 3,
		Activities: []string{"grants", "resume"}}
}

func TestEvaluationValidate(t *testing.T) {
	c := goodCycle()
	long := strings.Repeat("é", mentor.MaxEvaluationTextLen+1)
	tests := []struct {
		name   string
		change func(*mentor.Evaluation)
		field  string // "" when valid
	}{
		{"complete", func(*mentor.Evaluation) {}, ""},
		{"optional questions and activities left empty", func(e *mentor.Evaluation) { e.Liked, e.Suggestions, e.Activities = "", "", nil }, ""},
		{"other activities only", func(e *mentor.Evaluation) { e.Activities, e.OtherActivities = nil, "Visited each other's libraries" }, ""},
		{"longest answers", func(e *mentor.Evaluation) { e.Achieved = long[:len(long)-2] }, ""},
		{"no achievement", func(e *mentor.Evaluation) { e.Achieved = "   " }, "achieved"},
		{"a word is not an answer", func(e *mentor.Evaluation) { e.Achieved = "lots" }, "achieved"},
		{"achievement too long", func(e *mentor.Evaluation) { e.Achieved = long }, "achieved"},
		{"no value", func(e *mentor.Evaluation) { e.Value = "" }, "value"},
		{"value too short", func(e *mentor.Evaluation) { e.Value = "yes" }, "value"},
		{"liked too long", func(e *mentor.Evaluation) { e.Liked = long }, "liked"},
		{"suggestions too long", func(e *mentor.Evaluation) { e.Suggestions = long }, "suggestions"},
		{"again unanswered", func(e *mentor.Evaluation) { e.Again = "" }, "again"},
		{"recommend not an answer", func(e *mentor.Evaluation) { e.Recommend = "sure" }, "recommend"},
		{"no overall rating", func(e *mentor.Evaluation) { e.Overall = 0 }, "overall"},
		{"needs rating above 5", func(e *mentor.Evaluation) { e.NeedsMet = 6 }, "needs_met"},
		{"negative communication rating", func(e *mentor.Evaluation) { e.Communication = -1 }, "communication"},
		{"activity not a topic", func(e *mentor.Evaluation) { e.Activities = []string{"skydiving"} }, "activities"},
		{"other activities too long", func(e *mentor.Evaluation) { e.OtherActivities = strings.Repeat("x", 301) }, "other_activities"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := goodEvaluation()
			tt.change(&e)
			err := e.Validate(c)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("valid evaluation refused: %v", err)
				}
				return
			}
			fe := mustFieldErrors(t, err)
			if _, ok := fe[tt.field]; !ok || len(fe) != 1 {
				t.Fatalf("errors %v, want exactly one on %q", fe, tt.field)
			}
		})
	}
}

// A cycle's own topics are the activities an evaluation may name.
func TestEvaluationActivitiesComeFromTheCycle(t *testing.T) {
	c := goodCycle()
	c.Topics = []mentor.Option{{Value: "cataloguing", Label: "Cataloguing"}}
	e := goodEvaluation()
	e.Activities = []string{"cataloguing"}
	if err := e.Validate(c); err != nil {
		t.Fatalf("the cycle's own topic refused: %v", err)
	}
	e.Activities = []string{"grants"}
	if fe := mustFieldErrors(t, e.Validate(c)); fe["activities"] == "" {
		t.Fatalf("a topic the cycle does not have was accepted: %v", fe)
	}
}

func TestEvaluationLateIsAfterTheDueDayOfThePersonsCalendar(t *testing.T) {
	c := goodCycle() // due Sat 1 May 2027
	shanghai := mentor.Location("Asia/Shanghai", 0)
	la := mentor.Location("America/Los_Angeles", 0)
	tests := []struct {
		at   time.Time
		loc  *time.Location
		late bool
	}{
		{time.Date(2027, 4, 30, 12, 0, 0, 0, time.UTC), time.UTC, false},
		{time.Date(2027, 5, 1, 23, 59, 0, 0, time.UTC), time.UTC, false}, // the due day itself
		{time.Date(2027, 5, 2, 0, 0, 0, 0, time.UTC), time.UTC, true},
		{time.Date(2027, 5, 2, 5, 0, 0, 0, time.UTC), la, false},       // still 1 May in Los Angeles
		{time.Date(2027, 5, 1, 17, 0, 0, 0, time.UTC), shanghai, true}, // already 2 May in Shanghai
		{time.Date(2027, 5, 2, 5, 0, 0, 0, time.UTC), nil, true},       // no zone: UTC
	}
	for _, tt := range tests {
		if got := c.EvaluationLate(tt.at, tt.loc); got != tt.late {
			t.Errorf("sent %s in %v: late %v, want %v", tt.at.Format(time.RFC3339), tt.loc, got, tt.late)
		}
	}
	c.EvaluationDue = time.Time{}
	if c.EvaluationLate(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC) {
		t.Error("late without a due date")
	}
}

// A mentor with two duos starts from both agreements' activities, once each, in the
// cycle's order; topics the cycle no longer has are left out.
func TestDefaultEvaluationUnitesTheAgreements(t *testing.T) {
	c := goodCycle()
	p := mentor.Participant{UserID: "U0MENTOR1", CycleID: c.ID, Role: mentor.RoleMentor}
	got := mentor.DefaultEvaluation(c, p, []mentor.Agreement{
		{Activities: []string{"resume", "grants"}, OtherActivities: "Library visits"},
		{Activities: []string{"grants", "career", "gone-topic"}, OtherActivities: "Library visits"},
		{OtherActivities: " A conference poster "},
	})
	want := mentor.Evaluation{CycleID: c.ID, UserID: "U0MENTOR1", Role: mentor.RoleMentor,
		Activities: []string{"grants", "career", "resume"}, OtherActivities: "Library visits; A conference poster"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("default evaluation\n got %+v\nwant %+v", got, want)
	}
	if none := mentor.DefaultEvaluation(c, p, nil); len(none.Activities) != 0 || none.OtherActivities != "" || none.Role != mentor.RoleMentor {
		t.Fatalf("without agreements: %+v", none)
	}
}

func TestRatingLabel(t *testing.T) {
	if got := mentor.RatingLabel(mentor.NeedsMetRatings(), 4); got != "4 · Mostly" {
		t.Errorf("RatingLabel(4) = %q", got)
	}
	for _, n := range []int{0, 6} {
		if got := mentor.RatingLabel(mentor.OverallRatings(), n); got != "" {
			t.Errorf("RatingLabel(%d) = %q, want empty", n, got)
		}
	}
}
