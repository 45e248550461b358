package mentor

import (
	"strings"
	"time"
)

// NudgeKind names a reminder of the program (product.md's nudge table). The values
// are the "kind" of the message metadata every nudge carries.
type NudgeKind string

const (
	NudgeWelcome          NudgeKind = "welcome"           // mentor: welcome your mentee
	NudgeContact          NudgeKind = "contact"           // mentee: make initial contact
	NudgeAgreement        NudgeKind = "agreement"         // both: sign the agreement
	NudgeAgreementOverdue NudgeKind = "agreement_overdue" // committee: an agreement is long unsigned
	NudgeKeepInTouch      NudgeKind = "keep_in_touch"     // both: the duo has been quiet
	NudgeEvaluation       NudgeKind = "evaluation"        // each participant: evaluation due
	NudgeAnnualMeeting    NudgeKind = "annual_meeting"    // both: the annual meeting is coming
	NudgeDigest           NudgeKind = "digest"            // committee: the weekly digest
)

// NudgeMetadataType is the event_type of the Slack message metadata of every nudge,
// so the bot (and anyone) can find its nudges in a channel's history.
const NudgeMetadataType = "mentorbot_nudge"

// Location returns the time zone of a person from Slack's tz name, or from their
// offset when the name is unknown, or UTC.
func Location(tz string, offsetSeconds int) *time.Location {
	if tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	if offsetSeconds != 0 {
		return time.FixedZone("", offsetSeconds)
	}
	return time.UTC
}

// NudgeTime returns the first moment at or after t when a nudge may reach a person
// in loc: a weekday between r.NudgeFromHour and r.NudgeUntilHour of their clock, or
// t itself when the cycle switched the rule off.
func NudgeTime(t time.Time, loc *time.Location, r Reminders) time.Time {
	if r.NudgeAnyTime {
		return t
	}
	from, until := r.NudgeFromHour, r.NudgeUntilHour
	if from < 0 || until > 24 || from >= until { // not a window: never hold a nudge back
		return t
	}
	local := t.In(loc)
	for i := 0; i < 8; i++ {
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
		// Hours of the wall clock, not hours after midnight: a day with a DST change
		// is 23 or 25 hours long.
		start := time.Date(day.Year(), day.Month(), day.Day(), from, 0, 0, 0, loc)
		end := time.Date(day.Year(), day.Month(), day.Day(), until, 0, 0, 0, loc)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			switch {
			case local.Before(start):
				return start.In(t.Location())
			case local.Before(end):
				return t
			}
		}
		local = day.AddDate(0, 0, 1)
	}
	return t
}

// digestWeekday reads a cycle's digest day.
func digestWeekday(s string) (time.Weekday, bool) {
	if s == "" {
		return time.Monday, true
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String(), s) {
			return d, true
		}
	}
	return 0, false
}

// Weekdays lists the choices of the digest day.
func Weekdays() []Option {
	var out []Option
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		out = append(out, Option{strings.ToLower(d.String()), d.String()})
	}
	return out
}

// Zone returns the cycle's time zone (UTC when unset or unknown).
func (c Cycle) Zone() *time.Location { return Location(c.TimeZone, 0) }

// NextDigest returns the first digest time of cycle c strictly after t, and false
// when the digest is off.
func (c Cycle) NextDigest(t time.Time) (time.Time, bool) {
	wd, ok := digestWeekday(c.Reminders.DigestDay)
	if !ok {
		return time.Time{}, false
	}
	loc := c.Zone()
	local := t.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), c.Reminders.DigestHour, 0, 0, 0, loc)
	for i := 0; i < 8; i++ {
		if day.Weekday() == wd && day.After(local) {
			return day.UTC(), true
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}, false
}
