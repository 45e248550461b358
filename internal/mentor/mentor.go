// Package mentor is mentorbot's vocabulary: program cycles, participants, duos and the
// rules about them, in the words of the program guidelines. It imports nothing of
// mentorbot's and knows nothing of Slack or Redis.
package mentor

import (
	"time"
)

// Role is how a person takes part.
type Role string

const (
	RoleMentor Role = "mentor"
	RoleMentee Role = "mentee"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleMentor || r == RoleMentee }

// Label is the role as shown to people.
func (r Role) Label() string {
	switch r {
	case RoleMentor:
		return "Mentor"
	case RoleMentee:
		return "Mentee"
	}
	return string(r)
}

// Stage is a career stage, from library school student to senior professional.
type Stage string

const (
	StageStudent Stage = "student"
	StageNew     Stage = "new"
	StageMid     Stage = "mid"
	StageSenior  Stage = "senior"
)

// Stages lists the career stages, most junior first, with their labels.
func Stages() []Option {
	return []Option{
		{string(StageStudent), "Library school student"},
		{string(StageNew), "New professional (under 3 years)"},
		{string(StageMid), "Mid-career (3–10 years)"},
		{string(StageSenior), "Senior (10+ years)"},
	}
}

// Option is a value with the label people see.
type Option struct {
	Value string
	Label string
}

// LabelOf returns the label of value among opts, or value itself.
func LabelOf(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

func valueIn(opts []Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// Topics are the activities and projects of the program guidelines (section 3.3),
// the areas people sign up for and duos choose from.
func Topics() []Option {
	return []Option{
		{"experience", "Sharing professional experience"},
		{"grants", "Introducing grant opportunities"},
		{"career", "Providing career advice"},
		{"research", "Developing a research topic"},
		{"resume", "Refining or creating a resume"},
		{"development", "Professional development and continued education"},
		{"self-assessment", "Assisting in self-assessment"},
		{"web-page", "Creating a personal web page"},
		{"organizations", "Professional organizations and listservs"},
		{"other", "Other"},
	}
}

// Methods are the ways of communicating a duo may use.
func Methods() []Option {
	return []Option{
		{"email", "Email"},
		{"slack", "Slack"},
		{"video", "Video call"},
		{"phone", "Phone"},
		{"in-person", "In person"},
	}
}

// Frequencies are the meeting rhythms people can prefer.
func Frequencies() []Option {
	return []Option{
		{"weekly", "Weekly"},
		{"biweekly", "Every two weeks"},
		{"monthly", "Monthly"},
	}
}

// FrequencyInterval is how long a duo with frequency f may stay quiet before it is
// late: the basis of the "keep in touch" nudge. Unknown frequencies count as monthly,
// the program's default.
func FrequencyInterval(f string) time.Duration {
	switch f {
	case "weekly":
		return 7 * 24 * time.Hour
	case "biweekly":
		return 14 * 24 * time.Hour
	}
	return 30 * 24 * time.Hour
}

// Status is where a participant stands in a cycle.
type Status string

const (
	StatusPending   Status = "pending"   // signed up, not yet in a duo (mentors: no duo yet)
	StatusMatched   Status = "matched"   // in at least one duo
	StatusWithdrawn Status = "withdrawn" // left the program
	StatusCompleted Status = "completed" // every duo of the person was closed at the end of the cycle
)
