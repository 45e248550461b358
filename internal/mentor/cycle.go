package mentor

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DateLayout is how civil dates are written (Slack's date pickers use it too).
const DateLayout = "2006-01-02"

// Cycle is one program year: people sign up for it, duos run within it.
type Cycle struct {
	ID            string
	Name          string
	Start         time.Time // first day, a civil date at 00:00 UTC
	End           time.Time // last day
	EvaluationDue time.Time // evaluations are due on this day; May 1 by default
	AnnualMeeting time.Time // optional; zero when unset
	Reminders     Reminders
	// Topics are the areas people choose from when they sign up, and duos choose
	// activities from; the guidelines' list unless the cycle sets its own.
	Topics []Option
	// Previous is the cycle that was active when this one was opened ("" for the
	// first): opening a cycle replaces exactly that one, so two committee members
	// opening cycles at once cannot silently replace each other's.
	Previous string
	// TimeZone is the committee's IANA time zone, for the digest; "" is UTC.
	TimeZone  string
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Reminders are the nudge thresholds of a cycle, in days (0 means at once).
type Reminders struct {
	WelcomeDays            int   // mentor: no message this long after the channel opened
	ContactDays            int   // mentee: no message this long after the channel opened
	AgreementDays          int   // both: agreement not signed this long after the channel opened
	AgreementCommitteeDays int   // committee told when still unsigned
	KeepInTouchPercent     int   // quiet for the agreed interval plus this percentage
	EvaluationDays         []int // days before the due date (0 = on the day)
	AnnualMeetingDays      int   // days before the annual meeting
	NudgeFromHour          int   // nudges reach people from this hour…
	NudgeUntilHour         int   // …until this hour, their time
	NudgeAnyTime           bool  // switch the working-hours rule off
	// DigestDay and DigestHour are when the weekly committee digest is posted, in
	// the cycle's TimeZone: a weekday in lower case ("" is Monday) or "off".
	DigestDay  string
	DigestHour int
	// CloseGraceDays is how long a duo that chose to close at the end of the cycle
	// keeps its channel before it is archived, so both can save what they need.
	CloseGraceDays int
}

// MaxCloseGraceDays bounds the close-out grace period.
const MaxCloseGraceDays = 90

// MaxEvaluationReminders bounds the evaluation reminders of a cycle.
const MaxEvaluationReminders = 10

// DefaultReminders are product.md's defaults.
func DefaultReminders() Reminders {
	return Reminders{
		WelcomeDays: 3, ContactDays: 7, AgreementDays: 14, AgreementCommitteeDays: 28,
		KeepInTouchPercent: 50, EvaluationDays: []int{14, 3, 0}, AnnualMeetingDays: 30,
		NudgeFromHour: 9, NudgeUntilHour: 17,
		DigestDay: "monday", DigestHour: 9,
		CloseGraceDays: 14,
	}
}

// DefaultCycle is the cycle the program usually runs when the committee opens one at
// now: October 1 to May 31, evaluations due May 1.
func DefaultCycle(now time.Time) Cycle {
	year := now.Year()
	if now.Month() < time.June {
		year-- // between January and May we are inside the cycle that began last October
	}
	start := Date(year, time.October, 1)
	end := Date(year+1, time.May, 31)
	return Cycle{
		Name:          fmt.Sprintf("%d–%d", year, year+1),
		Start:         start,
		End:           end,
		EvaluationDue: Date(year+1, time.May, 1),
		Reminders:     DefaultReminders(),
		Topics:        Topics(),
	}
}

// TopicOptions returns the cycle's topics (at most 10: a checkbox group's limit).
func (c Cycle) TopicOptions() []Option {
	if len(c.Topics) == 0 {
		return Topics()
	}
	return c.Topics
}

// DefaultEvaluationDue is May 1 of the end year when that falls within the cycle,
// else the cycle's last day.
func DefaultEvaluationDue(start, end time.Time) time.Time {
	d := Date(end.Year(), time.May, 1)
	if d.Before(start) || d.After(end) {
		return end
	}
	return d
}

// Date returns the civil date y-m-d as 00:00 UTC.
func Date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(s string) (time.Time, error) { return time.Parse(DateLayout, s) }

// FormatDate writes t as "Sat 1 May 2027" for people; "" for zero.
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("Mon 2 Jan 2006")
}

// Open reports whether the cycle still takes sign-ups on day now: until its end.
func (c Cycle) Open(now time.Time) bool {
	return !now.After(c.End.Add(24*time.Hour - time.Nanosecond))
}

// CloseAt is when the cycle's duos are closed: the morning after its last day, at
// the start of the nudge hours in the committee's time zone (09:00 when reminders
// go out at any hour).
func (c Cycle) CloseAt() time.Time {
	hour := c.Reminders.NudgeFromHour
	if c.Reminders.NudgeAnyTime || hour < 0 || hour > 23 {
		hour = 9
	}
	day := c.End.AddDate(0, 0, 1)
	return time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, c.Zone())
}

// Validate checks the cycle's rules. Problems come back as FieldErrors keyed by
// "name", "start", "end", "evaluation_due", "annual_meeting", and for the reminders
// "welcome_days", "contact_days", "agreement_days", "agreement_committee_days",
// "annual_meeting_days", "evaluation_days", "keep_in_touch" and "nudge_hours".
func (c Cycle) Validate() error {
	fe := FieldErrors{}
	name := strings.TrimSpace(c.Name)
	switch {
	case name == "":
		fe.Add("name", "Give the cycle a name, such as 2026–2027.")
	case utf8.RuneCountInString(name) > 80:
		fe.Add("name", "Keep the name under 80 characters.")
	}
	if c.Start.IsZero() {
		fe.Add("start", "Choose the day the cycle starts.")
	}
	if c.End.IsZero() {
		fe.Add("end", "Choose the day the cycle ends.")
	}
	if !c.Start.IsZero() && !c.End.IsZero() {
		if !c.End.After(c.Start) {
			fe.Add("end", "The cycle must end after it starts.")
		} else if c.End.After(c.Start.AddDate(2, 0, 0)) {
			fe.Add("end", "A cycle runs for at most two years.")
		}
		if !c.EvaluationDue.IsZero() && (c.EvaluationDue.Before(c.Start) || c.EvaluationDue.After(c.End)) {
			fe.Add("evaluation_due", fmt.Sprintf("The evaluation due date must fall within the cycle (%s – %s).", c.Start.Format(DateLayout), c.End.Format(DateLayout)))
		}
		if !c.AnnualMeeting.IsZero() && c.AnnualMeeting.Before(c.Start) {
			fe.Add("annual_meeting", "The annual meeting must be on or after the cycle's start.")
		}
	}
	if c.EvaluationDue.IsZero() {
		fe.Add("evaluation_due", "Choose the day evaluations are due.")
	}
	if field, msg := c.Reminders.problem(); msg != "" {
		fe.Add(field, msg)
	}
	if c.TimeZone != "" {
		if _, err := time.LoadLocation(c.TimeZone); err != nil || strings.ContainsAny(c.TimeZone, " ") {
			fe.Add("time_zone", "Give an IANA time zone name such as America/New_York, or leave it empty for UTC.")
		}
	}
	if c.Topics != nil {
		switch {
		case len(c.Topics) == 0:
			fe.Add("topics", "Give at least one topic, one a line.")
		case len(c.Topics) > MaxTopics:
			fe.Add("topics", fmt.Sprintf("At most %d topics (a checkbox list holds 10).", MaxTopics))
		}
		for _, t := range c.Topics {
			if utf8.RuneCountInString(t.Label) > 75 {
				fe.Add("topics", "Keep each topic under 75 characters.")
			}
		}
	}
	return fe.Err()
}

// MaxTopics is how many topics a cycle may have: Slack's checkbox groups hold 10.
const MaxTopics = 10

// TopicValue makes the stored value of a topic from its label: lower case, words
// joined by dashes, at most 40 characters.
func TopicValue(label string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(label) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	if b.Len() == 0 {
		return "topic"
	}
	return b.String()
}

// problem returns the first field of r that breaks a rule and what is wrong with it.
func (r Reminders) problem() (field, msg string) {
	days := []struct {
		field, name string
		v           int
	}{
		{"welcome_days", "welcome", r.WelcomeDays}, {"contact_days", "initial contact", r.ContactDays},
		{"agreement_days", "agreement", r.AgreementDays}, {"agreement_committee_days", "committee's agreement", r.AgreementCommitteeDays},
		{"annual_meeting_days", "annual meeting", r.AnnualMeetingDays},
	}
	for _, d := range days {
		if d.v < 0 {
			return d.field, fmt.Sprintf("The %s reminder can't be negative (0 means at once).", d.name)
		}
		if d.v > 365 {
			return d.field, fmt.Sprintf("The %s reminder must be within a year (365 days).", d.name)
		}
	}
	if len(r.EvaluationDays) > MaxEvaluationReminders {
		return "evaluation_days", fmt.Sprintf("At most %d evaluation reminders.", MaxEvaluationReminders)
	}
	for _, d := range r.EvaluationDays {
		if d < 0 {
			return "evaluation_days", "Evaluation reminders are days before the due date: 0 or more."
		}
		if d > 365 {
			return "evaluation_days", "Evaluation reminders must be within a year of the due date."
		}
	}
	if r.AgreementCommitteeDays < r.AgreementDays {
		return "agreement_committee_days", "The committee should hear about an unsigned agreement after the duo's own reminder, not before."
	}
	if r.KeepInTouchPercent < 0 || r.KeepInTouchPercent > 1000 {
		return "keep_in_touch", "The keep-in-touch margin must be between 0 and 1000 %."
	}
	if !r.NudgeAnyTime && (r.NudgeFromHour < 0 || r.NudgeUntilHour > 24 || r.NudgeFromHour >= r.NudgeUntilHour) {
		return "nudge_hours", "Nudge hours must be a window within the day, such as 9 to 17."
	}
	if _, ok := digestWeekday(r.DigestDay); !ok && r.DigestDay != "off" {
		return "digest_day", "Choose a weekday for the digest, or off."
	}
	if r.DigestHour < 0 || r.DigestHour > 23 {
		return "digest_hour", "The digest hour must be from 0 to 23."
	}
	if r.CloseGraceDays < 0 || r.CloseGraceDays > MaxCloseGraceDays {
		return "close_grace_days", fmt.Sprintf("Keep a closing channel from 0 to %d days before it is archived.", MaxCloseGraceDays)
	}
	return "", ""
}
