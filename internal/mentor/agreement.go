package mentor

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Answer is a yes / maybe / no choice of the duo agreement.
type Answer string

const (
	AnswerYes   Answer = "yes"
	AnswerMaybe Answer = "maybe"
	AnswerNo    Answer = "no"
)

// Answers lists the choices with their labels.
func Answers() []Option {
	return []Option{{string(AnswerYes), "Yes"}, {string(AnswerMaybe), "Maybe"}, {string(AnswerNo), "No"}}
}

// Agreement is one version of a duo's agreement (the guidelines' "Mentoring Duo
// Agreement"): how and how often they communicate, what they aim for and do, the time
// both can give. Version 1 is the first draft; every edit makes the next version and
// voids the signatures of the one before.
type Agreement struct {
	CycleID string
	DuoID   string
	Version int

	Methods         []string // values from Methods()
	Frequency       string   // value from Frequencies(): the keep-in-touch interval
	Goal            string   // the shared goal
	Activities      []string // topic values of the cycle
	OtherActivities string   // free text, with "other"
	MentorHours     int      // hours a month the mentor can give
	MenteeHours     int      // hours a month the mentee can give
	From, Until     time.Time
	AnnualMeeting   Answer // meet at the annual program
	ShareExperience Answer // present or publish the experience

	Author    string // who submitted this version
	CreatedAt time.Time
	// Signatures maps the member who signed this version to when.
	Signatures map[string]time.Time
	// PostTS is the timestamp of this version's post in the duo channel, once posted.
	PostTS string
	// CommitteeTS is the timestamp of its post in the committee channel, once sent
	// there (after both signed).
	CommitteeTS string
}

// Limits of the agreement's free text.
const (
	MaxGoalLen            = 1500
	MaxOtherActivitiesLen = 300
)

// SignedBy reports whether userID signed this version.
func (a Agreement) SignedBy(userID string) bool {
	_, ok := a.Signatures[userID]
	return ok
}

// SignedByBoth reports whether both members of d signed this version.
func (a Agreement) SignedByBoth(d Duo) bool { return a.SignedBy(d.MentorID) && a.SignedBy(d.MenteeID) }

// Interval is the keep-in-touch interval the duo agreed on.
func (a Agreement) Interval() time.Duration { return FrequencyInterval(a.Frequency) }

// DefaultAgreement is the form's starting point for duo d in cycle c: the methods and
// frequency both signed up with where they agree, the cycle as the time frame.
func DefaultAgreement(c Cycle, d Duo, mentee, mentorP *Participant) Agreement {
	a := Agreement{CycleID: c.ID, DuoID: d.ID, From: c.Start, Until: c.End, Frequency: "monthly"}
	if mentee != nil && mentorP != nil {
		for _, m := range mentee.Methods {
			for _, n := range mentorP.Methods {
				if m == n {
					a.Methods = append(a.Methods, m)
				}
			}
		}
		if mentee.Frequency == mentorP.Frequency && mentee.Frequency != "" {
			a.Frequency = mentee.Frequency
		}
		a.MenteeHours, a.MentorHours = mentee.HoursPerMonth, mentorP.HoursPerMonth
		for _, x := range mentee.Areas {
			if x != "other" {
				a.Activities = append(a.Activities, x)
			}
		}
	}
	return a
}

// Validate checks an agreement for cycle c. Problems come back as FieldErrors keyed
// by "methods", "frequency", "goal", "activities", "other_activities",
// "mentor_hours", "mentee_hours", "from", "until", "annual_meeting" and
// "share_experience".
func (a Agreement) Validate(c Cycle) error {
	fe := FieldErrors{}
	if len(a.Methods) == 0 {
		fe.Add("methods", "Choose at least one way you'll communicate.")
	}
	for _, m := range a.Methods {
		if !valueIn(Methods(), m) {
			fe.Add("methods", "Choose communication methods from the list.")
		}
	}
	if !valueIn(Frequencies(), a.Frequency) {
		fe.Add("frequency", "Choose how often you'll be in touch.")
	}
	goal := strings.TrimSpace(a.Goal)
	switch {
	case goal == "":
		fe.Add("goal", "Write the goal you'll work towards together.")
	case utf8.RuneCountInString(goal) < 10:
		fe.Add("goal", "Please say a little more about the goal (at least 10 characters).")
	case utf8.RuneCountInString(goal) > MaxGoalLen:
		fe.Add("goal", "Please keep the goal under 1,500 characters.")
	}
	other := strings.TrimSpace(a.OtherActivities)
	for _, x := range a.Activities {
		if !valueIn(c.TopicOptions(), x) {
			fe.Add("activities", "Choose activities from the list.")
		}
	}
	switch {
	case len(a.Activities) == 0 && other == "":
		fe.Add("activities", "Choose at least one activity, or describe one under other activities.")
	case utf8.RuneCountInString(other) > MaxOtherActivitiesLen:
		fe.Add("other_activities", "Keep other activities under 300 characters.")
	}
	for _, h := range []struct {
		field string
		v     int
		who   string
	}{{"mentor_hours", a.MentorHours, "the mentor"}, {"mentee_hours", a.MenteeHours, "the mentee"}} {
		if h.v < 1 || h.v > MaxHoursPerMonth {
			fe.Add(h.field, fmt.Sprintf("Give the hours a month %s can give: a whole number from 1 to 40.", h.who))
		}
	}
	switch {
	case a.From.IsZero():
		fe.Add("from", "Choose when the agreement starts.")
	case a.Until.IsZero():
		fe.Add("until", "Choose when the agreement ends.")
	case !a.Until.After(a.From):
		fe.Add("until", "The agreement must end after it starts.")
	case !c.End.IsZero() && a.Until.After(c.End.AddDate(1, 0, 0)):
		fe.Add("until", "Keep the time frame within a year of the cycle's end.")
	}
	if !valueIn(Answers(), string(a.AnnualMeeting)) {
		fe.Add("annual_meeting", "Choose yes, maybe or no.")
	}
	if !valueIn(Answers(), string(a.ShareExperience)) {
		fe.Add("share_experience", "Choose yes, maybe or no.")
	}
	return fe.Err()
}

// ConcernState is where a concern stands with the committee.
type ConcernState string

const (
	ConcernOpen      ConcernState = "open"
	ConcernHandled   ConcernState = "handled"   // the committee dealt with it; the duo goes on
	ConcernDissolved ConcernState = "dissolved" // the committee dissolved the duo
)

// ConcernKind tells how a concern came to the committee.
type ConcernKind string

const (
	ConcernRaised ConcernKind = "concern" // /mentorship concern
	ConcernLeft   ConcernKind = "left"    // a member left the program while in the duo
)

// Concern is a participant's confidential word to the committee about their duo: the
// no-fault exit of the guidelines. The partner hears nothing until the committee acts.
type Concern struct {
	ID        string
	CycleID   string
	DuoID     string
	From      string // who raised it
	Kind      ConcernKind
	Text      string // what is happening (confidential: committee only)
	NewMatch  bool   // the person asks for a new match
	State     ConcernState
	CreatedAt time.Time
	DecidedBy string
	DecidedAt time.Time
	// PostTS is the timestamp of the concern's post in the committee channel, once
	// posted.
	PostTS string
}

// MaxConcernLen bounds a concern's text.
const MaxConcernLen = 2000

// Validate checks a concern. Problems come back as FieldErrors keyed by "text" and
// "duo".
func (c Concern) Validate() error {
	fe := FieldErrors{}
	if c.DuoID == "" {
		fe.Add("duo", "Choose the duo this is about.")
	}
	t := strings.TrimSpace(c.Text)
	switch {
	case c.Kind == ConcernLeft:
	case t == "":
		fe.Add("text", "Tell the committee what is happening; only the committee will read it.")
	case utf8.RuneCountInString(t) > MaxConcernLen:
		fe.Add("text", "Please keep it under 2,000 characters.")
	}
	return fe.Err()
}

// DuoStage is how far a duo has come, in the order of the program.
type DuoStage string

const (
	StageOpening         DuoStage = "opening"           // the channel is being set up
	StageChannelOpen     DuoStage = "channel_open"      // set up; nobody has written yet
	StageFirstContact    DuoStage = "first_contact"     // a member wrote in the channel
	StageAgreementDraft  DuoStage = "agreement_drafted" // an agreement waits for signatures
	StageAgreementSigned DuoStage = "agreement_signed"  // both signed the current version
	StageEvaluated       DuoStage = "evaluated"         // both evaluated the program
	StageClosed          DuoStage = "closed"            // the cycle ended and the duo was closed
	StageEnded           DuoStage = "ended"             // dissolved by the committee
)

// StageLabel is the stage as people read it.
func StageLabel(s DuoStage) string {
	switch s {
	case StageOpening:
		return "Setting up"
	case StageChannelOpen:
		return "Channel open"
	case StageFirstContact:
		return "First contact"
	case StageAgreementDraft:
		return "Agreement drafted"
	case StageAgreementSigned:
		return "Agreement signed"
	case StageEvaluated:
		return "Evaluated"
	case StageClosed:
		return "Completed"
	case StageEnded:
		return "Ended"
	}
	return string(s)
}

// Milestone is a stage a duo reached, and when.
type Milestone struct {
	Stage DuoStage
	At    time.Time
}
