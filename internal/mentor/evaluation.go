package mentor

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Evaluation is one participant's program evaluation for one cycle (the guidelines'
// "program evaluation", due by May 1): the questions the program has used, three
// ratings from 1 to 5, and the activities the duo actually did. It is confidential:
// it is for the committee only, never for the partner.
//
// A person has at most one evaluation a cycle; sending it again replaces it.
type Evaluation struct {
	CycleID string
	UserID  string
	Role    Role // how the person took part: the questions are worded for it

	Achieved    string // briefly summarise what you and your mentor / mentee achieved
	Value       string // was the program of value to you, and why or why not
	Liked       string // what you liked about the program (optional)
	Suggestions string // suggestions for improvement (optional)
	Again       Answer // mentor: would you mentor again; mentee: would you take part again
	Recommend   Answer // would you recommend the program to others

	Overall       int // 1–5: the program overall (OverallRatings)
	NeedsMet      int // 1–5: how well needs or goals were met (NeedsMetRatings)
	Communication int // 1–5: communication with the partner (CommunicationRatings)

	Activities      []string // topic values of the cycle: what the duo actually did
	OtherActivities string   // free text, for what the list lacks

	// SubmittedAt is when the person first sent an evaluation for the cycle; a
	// replacement keeps it. UpdatedAt is when this version was sent.
	SubmittedAt time.Time
	UpdatedAt   time.Time
	// Late reports that this version was sent after the cycle's due date (in the
	// person's own calendar): accepted, and marked so for the committee.
	Late bool
}

// Limits of the evaluation's free text.
const (
	MaxEvaluationTextLen = 1500 // each of the four questions
	MinEvaluationTextLen = 10   // the two required ones: a word or two is not an answer
	MaxRating            = 5
)

// OverallRatings is the scale of the overall rating, lowest first; values "1"–"5".
func OverallRatings() []Option {
	return []Option{{"1", "Poor"}, {"2", "Fair"}, {"3", "Good"}, {"4", "Very good"}, {"5", "Excellent"}}
}

// NeedsMetRatings is the scale of "were your needs or goals met", lowest first.
func NeedsMetRatings() []Option {
	return []Option{{"1", "Not at all"}, {"2", "A little"}, {"3", "Partly"}, {"4", "Mostly"}, {"5", "Completely"}}
}

// CommunicationRatings is the scale of the communication rating, lowest first.
func CommunicationRatings() []Option { return OverallRatings() }

// RatingLabel is rating n of scale as people read it, such as "4 · Very good"; ""
// for no rating.
func RatingLabel(scale []Option, n int) string {
	if n < 1 || n > MaxRating {
		return ""
	}
	return strconv.Itoa(n) + " · " + LabelOf(scale, strconv.Itoa(n))
}

// EvaluationLate reports whether an evaluation sent at time at, by a person whose
// clock is loc, comes after the cycle's due date: the due date is a day of the
// person's own calendar, as for the evaluation reminders. A cycle without a due date
// has no late evaluations.
func (c Cycle) EvaluationLate(at time.Time, loc *time.Location) bool {
	if c.EvaluationDue.IsZero() {
		return false
	}
	if loc == nil {
		loc = time.UTC
	}
	local := at.In(loc)
	return Date(local.Year(), local.Month(), local.Day()).After(Date(c.EvaluationDue.Date()))
}

// DefaultEvaluation is the form's starting point for participant p in cycle c: no
// answers, and the activities the person's duos agreed on (the union over the
// agreements given, in the cycle's topic order, kept to the cycle's topics), with
// their other activities joined.
func DefaultEvaluation(c Cycle, p Participant, agreements []Agreement) Evaluation {
	e := Evaluation{CycleID: c.ID, UserID: p.UserID, Role: p.Role}
	chosen := map[string]bool{}
	var others []string
	for _, a := range agreements {
		for _, x := range a.Activities {
			chosen[x] = true
		}
		if o := strings.TrimSpace(a.OtherActivities); o != "" && !contains(others, o) {
			others = append(others, o)
		}
	}
	for _, t := range c.TopicOptions() {
		if chosen[t.Value] {
			e.Activities = append(e.Activities, t.Value)
		}
	}
	e.OtherActivities = truncateRunes(strings.Join(others, "; "), MaxOtherActivitiesLen)
	return e
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// Validate checks an evaluation for cycle c. Problems come back as FieldErrors keyed
// by "achieved", "value", "liked", "suggestions", "again", "recommend", "overall",
// "needs_met", "communication", "activities" and "other_activities" (the modal's
// input block ids). Achieved and value are required, liked and suggestions optional;
// the activities may be none (a duo that ended early). Who, when and Late are the
// use case's, and not checked here.
func (e Evaluation) Validate(c Cycle) error {
	fe := FieldErrors{}
	for _, q := range []struct {
		field, v, missing string
		required          bool
	}{
		{"achieved", e.Achieved, "Tell the committee briefly what the two of you achieved.", true},
		{"value", e.Value, "Tell the committee whether the program was of value to you, and why or why not.", true},
		{"liked", e.Liked, "", false},
		{"suggestions", e.Suggestions, "", false},
	} {
		v := strings.TrimSpace(q.v)
		n := utf8.RuneCountInString(v)
		switch {
		case v == "" && q.required:
			fe.Add(q.field, q.missing)
		case q.required && n < MinEvaluationTextLen:
			fe.Add(q.field, fmt.Sprintf("Please say a little more (at least %d characters).", MinEvaluationTextLen))
		case n > MaxEvaluationTextLen:
			fe.Add(q.field, "Please keep it under 1,500 characters.")
		}
	}
	if !valueIn(Answers(), string(e.Again)) {
		fe.Add("again", "Choose yes, maybe or no.")
	}
	if !valueIn(Answers(), string(e.Recommend)) {
		fe.Add("recommend", "Choose yes, maybe or no.")
	}
	for _, r := range []struct {
		field string
		v     int
	}{{"overall", e.Overall}, {"needs_met", e.NeedsMet}, {"communication", e.Communication}} {
		if r.v < 1 || r.v > MaxRating {
			fe.Add(r.field, "Choose a rating from 1 to 5.")
		}
	}
	for _, x := range e.Activities {
		if !valueIn(c.TopicOptions(), x) {
			fe.Add("activities", "Choose activities from the list.")
		}
	}
	if utf8.RuneCountInString(strings.TrimSpace(e.OtherActivities)) > MaxOtherActivitiesLen {
		fe.Add("other_activities", "Keep other activities under 300 characters.")
	}
	return fe.Err()
}
