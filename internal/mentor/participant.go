package mentor

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Participant is a person's sign-up for one cycle.
type Participant struct {
	UserID        string // Slack user id
	CycleID       string
	Name          string // display name from Slack, for lists and channel names
	Role          Role
	Stage         Stage
	Areas         []string // topic values from Topics()
	OtherAreas    string   // free text areas
	Needs         string   // mentee: specific needs
	Offer         string   // mentor: what I can offer
	CVURL         string   // optional http(s) link to a CV or vita
	Methods       []string // values from Methods()
	Frequency     string   // value from Frequencies()
	HoursPerMonth int
	Capacity      int      // mentor: how many mentees, 1–3
	Avoid         []string // Slack user ids never to pair with
	// ContinueWith lists last cycle's partners this person asks to continue with;
	// a pair who both ask is proposed first. Anyone else from last cycle is never
	// proposed again.
	ContinueWith []string `json:",omitempty"`
	// RequestMentor is, for a mentee, the mentor they would like: a strong bonus in
	// matching, never a guarantee.
	RequestMentor string `json:",omitempty"`
	TZ            string // IANA time zone from Slack's users.info
	TZOffset      int    // seconds east of UTC, from users.info
	Status        Status
	Duos          []string // ids of this person's duos in the cycle
	CreatedAt     time.Time
	UpdatedAt     time.Time
	WithdrawnAt   time.Time
}

// Limits on free text, so a profile fits in Slack's blocks.
const (
	MaxNeedsLen      = 1500
	MaxOtherAreasLen = 200
	MaxURLLen        = 500
	MaxHoursPerMonth = 40
	MaxCapacity      = 3
)

// FreeSlots is how many more mentees a mentor can take; 0 for mentees and people who
// left.
func (p Participant) FreeSlots() int {
	if p.Role != RoleMentor || p.Status == StatusWithdrawn {
		return 0
	}
	if n := p.Capacity - len(p.Duos); n > 0 {
		return n
	}
	return 0
}

// Matchable reports whether the participant can be given a (further) duo.
func (p Participant) Matchable() bool {
	switch {
	case p.Status == StatusWithdrawn:
		return false
	case p.Role == RoleMentee:
		return len(p.Duos) == 0
	default:
		return p.FreeSlots() > 0
	}
}

// Validate checks a sign-up against the guidelines' topics. Problems come back as
// FieldErrors keyed by the field names "role", "stage", "areas", "other_areas",
// "needs", "offer", "cv_url", "methods", "frequency", "hours", "capacity" and "avoid".
func (p Participant) Validate() error { return p.ValidateIn(Cycle{}) }

// ValidateIn checks a sign-up for cycle c, whose topics the areas must come from.
func (p Participant) ValidateIn(c Cycle) error {
	fe := FieldErrors{}
	if !p.Role.Valid() {
		fe.Add("role", "Choose whether you join as a mentor or a mentee.")
	}
	if !valueIn(Stages(), string(p.Stage)) {
		fe.Add("stage", "Choose your career stage.")
	}
	for _, a := range p.Areas {
		if !valueIn(c.TopicOptions(), a) {
			fe.Add("areas", "Choose areas from the list.")
		}
	}
	other := strings.TrimSpace(p.OtherAreas)
	switch {
	case len(p.Areas) == 0 && other == "":
		fe.Add("areas", "Choose at least one area, or describe one under other areas.")
	case utf8.RuneCountInString(other) > MaxOtherAreasLen:
		fe.Add("other_areas", "Keep other areas under 200 characters.")
	}
	switch p.Role {
	case RoleMentee:
		checkText(fe, "needs", p.Needs, "Tell your mentor what you need: be specific, so they can say whether they can help.")
	case RoleMentor:
		checkText(fe, "offer", p.Offer, "Tell mentees what you can offer.")
		if p.Capacity < 1 || p.Capacity > MaxCapacity {
			fe.Add("capacity", "Choose how many mentees you can take: 1, 2 or 3.")
		}
	}
	if p.CVURL != "" {
		if msg := checkURL(p.CVURL); msg != "" {
			fe.Add("cv_url", msg)
		}
	}
	if len(p.Methods) == 0 {
		fe.Add("methods", "Choose at least one way to communicate.")
	}
	for _, m := range p.Methods {
		if !valueIn(Methods(), m) {
			fe.Add("methods", "Choose communication methods from the list.")
		}
	}
	if !valueIn(Frequencies(), p.Frequency) {
		fe.Add("frequency", "Choose how often you'd like to meet.")
	}
	if p.HoursPerMonth < 1 || p.HoursPerMonth > MaxHoursPerMonth {
		fe.Add("hours", "Give the hours a month you can give the program: a whole number from 1 to 40.")
	}
	for _, a := range p.Avoid {
		if a == p.UserID {
			fe.Add("avoid", "You can't list yourself here.")
		}
		if a == p.RequestMentor && a != "" {
			fe.Add("request_mentor", "You listed this person among those you'd rather not be paired with.")
		}
	}
	if p.RequestMentor != "" && p.RequestMentor == p.UserID {
		fe.Add("request_mentor", "You can't ask for yourself.")
	}
	return fe.Err()
}

func checkText(fe FieldErrors, field, v, missing string) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		fe.Add(field, missing)
	case utf8.RuneCountInString(v) < 10:
		fe.Add(field, "Please say a little more (at least 10 characters).")
	case utf8.RuneCountInString(v) > MaxNeedsLen:
		fe.Add(field, "Please keep it under 1,500 characters.")
	}
}

// checkURL returns a problem with a CV link, or "".
func checkURL(s string) string {
	if utf8.RuneCountInString(s) > MaxURLLen {
		return "That link is too long (500 characters at most)."
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " <>|") {
		return "Give a web link starting with https:// (or http://), such as https://example.org/my-cv.pdf."
	}
	return ""
}

// Counts are a cycle's numbers, as the committee sees them.
type Counts struct {
	Mentees, Mentors   int // signed up and not withdrawn
	PendingMentees     int // waiting for a mentor
	PendingMentors     int // no mentee yet
	MatchedMentees     int
	MatchedMentors     int
	CompletedMentees   int // ended the cycle with every duo closed
	CompletedMentors   int
	Withdrawn          int
	FreeMentorCapacity int // mentee places left with mentors
}

// PoolChange is what changed in a cycle's sign-ups after a revision: the revision
// now, the people whose sign-up changed, and the epoch, which changes when someone
// is forgotten (their id is not kept to say so) and when the change log itself
// started afresh (Redis lost its data): read everything again.
//
// Stamp is the stamp of revision Rev, and SinceStamp the one the log holds now for
// the revision asked about: different from the one the caller saw for it when the
// log lost writes and counted up again (a failover to a replica that was behind),
// and then too the caller reads everything again.
type PoolChange struct {
	Rev               int64
	Epoch             string
	Stamp, SinceStamp string
	Changed           []string
}
