package report

import (
	"slices"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Step is a step of the program's funnel.
type Step string

// The funnel's steps, in order. A person counts at a step:
//   - signed up: they signed up for the cycle (those who left since included);
//   - matched: they are or were in a duo of the cycle (dissolved duos included);
//   - first contact: a duo of theirs had its first message in its channel (from
//     either member);
//   - agreement signed: both members of a duo of theirs signed its agreement;
//   - evaluated: they sent their own program evaluation.
const (
	StepSignedUp        Step = "signed_up"
	StepMatched         Step = "matched"
	StepFirstContact    Step = "first_contact"
	StepAgreementSigned Step = "agreement_signed"
	StepEvaluated       Step = "evaluated"
)

var funnelSteps = []Step{StepSignedUp, StepMatched, StepFirstContact, StepAgreementSigned, StepEvaluated}

// Label is the step as people read it.
func (s Step) Label() string {
	switch s {
	case StepSignedUp:
		return "Signed up"
	case StepMatched:
		return "Matched"
	case StepFirstContact:
		return "First contact"
	case StepAgreementSigned:
		return "Agreement signed"
	case StepEvaluated:
		return "Evaluated"
	}
	return string(s)
}

// FunnelStage is how many mentors and mentees reached one step.
type FunnelStage struct {
	Step    Step
	Mentors int
	Mentees int
}

// Funnel is the program's funnel, one stage a step, in order.
type Funnel struct {
	Stages []FunnelStage
}

// At returns the stage of step s (zero counts if the funnel lacks it).
func (f Funnel) At(s Step) FunnelStage {
	for _, st := range f.Stages {
		if st.Step == s {
			return st
		}
	}
	return FunnelStage{Step: s}
}

// FunnelOf counts the people at each step of the funnel (see Step), each person once
// a step however many duos they had.
func FunnelOf(d Data) Funnel {
	type set = map[string]bool
	reached := map[Step][2]set{} // [mentors, mentees]
	for _, s := range funnelSteps {
		reached[s] = [2]set{{}, {}}
	}
	roleOf := map[string]mentor.Role{}
	for _, p := range d.Participants {
		roleOf[p.UserID] = p.Role
		i := 1
		if p.Role == mentor.RoleMentor {
			i = 0
		}
		reached[StepSignedUp][i][p.UserID] = true
	}
	mark := func(s Step, du mentor.Duo) {
		reached[s][0][du.MentorID] = true
		reached[s][1][du.MenteeID] = true
	}
	for _, du := range d.Duos {
		mark(StepMatched, du)
		if !du.Activity.FirstContact().IsZero() {
			mark(StepFirstContact, du)
		}
		if du.Agreement.Signed() {
			mark(StepAgreementSigned, du)
		}
	}
	for i := range 2 {
		for id := range reached[StepMatched][i] {
			if _, ok := d.Evaluated[id]; ok {
				reached[StepEvaluated][i][id] = true
			}
		}
	}
	var f Funnel
	for _, s := range funnelSteps {
		f.Stages = append(f.Stages, FunnelStage{Step: s, Mentors: len(reached[s][0]), Mentees: len(reached[s][1])})
	}
	return f
}

// StageCount is how many duos are at one stage now.
type StageCount struct {
	Stage mentor.DuoStage
	Duos  int
}

// Summary is what the committee reads first: the funnel, where the duos stand, and
// how many evaluations are in.
type Summary struct {
	Funnel Funnel
	Duos   int          // every duo of the cycle, ended ones included
	Ended  int          // dissolved
	Stages []StageCount // each duo at its current stage, in the program's order; stages no duo is at are left out
	// EvaluationsIn counts the evaluations sent; EvaluationsMissing the people who
	// are or were in a duo and have not sent theirs.
	EvaluationsIn      int
	EvaluationsMissing int
}

// stageOrder is the order of the duo stages in a summary.
var stageOrder = []mentor.DuoStage{mentor.StageOpening, mentor.StageChannelOpen, mentor.StageFirstContact,
	mentor.StageAgreementDraft, mentor.StageAgreementSigned, mentor.StageEvaluated, mentor.StageClosed, mentor.StageEnded}

// SummaryOf sums up d.
func SummaryOf(d Data) Summary {
	s := Summary{Funnel: FunnelOf(d), Duos: len(d.Duos), EvaluationsIn: len(d.Evaluated)}
	at := map[mentor.DuoStage]int{}
	for _, du := range d.Duos {
		st := du.Stage(evaluatedBoth(d, du))
		at[st]++
		if du.Ended() {
			s.Ended++
		}
	}
	for _, st := range stageOrder {
		if at[st] > 0 {
			s.Stages = append(s.Stages, StageCount{Stage: st, Duos: at[st]})
			delete(at, st)
		}
	}
	rest := make([]mentor.DuoStage, 0, len(at)) // stages this package does not know yet
	for st := range at {
		rest = append(rest, st)
	}
	slices.Sort(rest)
	for _, st := range rest {
		s.Stages = append(s.Stages, StageCount{Stage: st, Duos: at[st]})
	}
	m := s.Funnel.At(StepMatched)
	e := s.Funnel.At(StepEvaluated)
	s.EvaluationsMissing = m.Mentors + m.Mentees - e.Mentors - e.Mentees
	return s
}

func evaluatedBoth(d Data, du mentor.Duo) bool {
	_, a := d.Evaluated[du.MenteeID]
	_, b := d.Evaluated[du.MentorID]
	return a && b
}
