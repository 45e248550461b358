package mentor

import "time"

// Responsibility is one item of a duo's checklist, from the program guidelines.
type Responsibility struct {
	ID    string // stable id, e.g. "mentee.contact"
	Role  Role   // whose it is; "" for both
	Label string
}

// Responsibilities lists the checklist of a duo: the mentee's, the mentor's, then the
// shared ones, in the guidelines' order.
func Responsibilities() []Responsibility {
	return []Responsibility{
		{"mentee.contact", RoleMentee, "Make initial contact with your mentor and agree on the best communication methods"},
		{"mentee.introduce", RoleMentee, "Introduce yourself (an updated CV or vita is a good start)"},
		{"mentee.needs", RoleMentee, "Convey your interests and the specific needs you want covered"},
		{"mentor.welcome", RoleMentor, "Send a welcome message to your mentee"},
		{"mentor.discuss", RoleMentor, "Discuss what you can do to meet your mentee's needs"},
		{"mentor.goal", RoleMentor, "Work with your mentee towards a common goal within the program time frame"},
		{"both.agreement", "", "Complete and sign the duo agreement for the committee"},
		{"both.frequency", "", "Set up the method and frequency of continued communication"},
		{"both.activities", "", "Choose activities or projects and the time both of you can devote"},
		{"both.evaluation", "", "Each submit a program evaluation by the due date"},
	}
}

// ResponsibilityByID finds a checklist item.
func ResponsibilityByID(id string) (Responsibility, bool) {
	for _, r := range Responsibilities() {
		if r.ID == id {
			return r, true
		}
	}
	return Responsibility{}, false
}

// StepKind names what a person has to do next.
type StepKind string

const (
	StepJoin          StepKind = "join"           // not signed up for the active cycle
	StepWaitForMatch  StepKind = "wait_for_match" // signed up, the committee is pairing
	StepWelcomeMentee StepKind = "welcome_mentee" // mentor: send the welcome message
	StepContactMentor StepKind = "contact_mentor" // mentee: make initial contact
	StepEvaluate      StepKind = "evaluate"       // submit the program evaluation
	StepRejoin        StepKind = "rejoin"         // withdrawn; may join again while the cycle is open
	StepLeftDuo       StepKind = "left_duo"       // withdrawn from a duo; the committee follows up
	StepNothing       StepKind = "nothing"        // the cycle is over
)

// Step is the next thing a person has to do, and by when (zero Due: no date).
type Step struct {
	Kind StepKind
	Due  time.Time
	Duo  *Duo // the duo it concerns, if any
}

// NextStep tells a participant what to do next in cycle c on day now. p is nil for
// someone who has not signed up; duos are p's duos.
func NextStep(c Cycle, p *Participant, duos []Duo, now time.Time) Step {
	open := c.Open(now)
	switch {
	case p == nil && open:
		return Step{Kind: StepJoin}
	case p == nil:
		return Step{Kind: StepNothing}
	case p.Status == StatusWithdrawn && len(duos) > 0 && open:
		return Step{Kind: StepLeftDuo}
	case p.Status == StatusWithdrawn && open:
		return Step{Kind: StepRejoin}
	case p.Status == StatusWithdrawn || !open:
		return Step{Kind: StepNothing}
	}
	for i := range duos {
		d := &duos[i]
		if p.Role == RoleMentee && !d.Checklist["mentee.contact"] {
			return Step{Kind: StepContactMentor, Due: d.CreatedAt.AddDate(0, 0, c.Reminders.ContactDays), Duo: d}
		}
		if p.Role == RoleMentor && !d.Checklist["mentor.welcome"] {
			return Step{Kind: StepWelcomeMentee, Due: d.CreatedAt.AddDate(0, 0, c.Reminders.WelcomeDays), Duo: d}
		}
	}
	if len(duos) > 0 {
		return Step{Kind: StepEvaluate, Due: c.EvaluationDue}
	}
	return Step{Kind: StepWaitForMatch}
}
