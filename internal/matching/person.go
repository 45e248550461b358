package matching

import (
	"fmt"
	"strings"
)

// Stage is a career stage. Stages are ordered: Student < New < Mid < Senior. The zero
// value, StageUnknown, scores nothing for the stage gap.
type Stage int

// The career stages, most junior first.
const (
	StageUnknown Stage = iota
	Student
	New
	Mid
	Senior
)

var stageNames = [...]string{"", "student", "new", "mid", "senior"}

// ParseStage returns the stage named s ("student", "new", "mid" or "senior", any
// case, surrounding spaces ignored). Any other s is an error whose message lists the
// valid names.
func ParseStage(s string) (Stage, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for i, n := range stageNames {
		if i > 0 && n == v {
			return Stage(i), nil
		}
	}
	return StageUnknown, fmt.Errorf("must be one of student, new, mid, senior")
}

// String returns the stage's name as ParseStage reads it, or "" for StageUnknown.
func (s Stage) String() string {
	if s < 0 || int(s) >= len(stageNames) {
		return fmt.Sprintf("Stage(%d)", int(s))
	}
	return stageNames[s]
}

// Person is one side of a pair: a mentee or a mentor, as the scorer sees them.
type Person struct {
	ID    string // unique among the people of one Solve or NewMatrix call
	Name  string // not used for scoring
	Stage Stage
	// Areas are topics: program topics (e.g. "grant opportunities") or free text.
	// They match case-insensitively, ignoring repeated spaces, '-' and '_'.
	Areas []string
	// Text is the mentee's specific needs or the mentor's offer; it is matched on
	// its words after Normalize.
	Text string
	// Methods are any of Methods(); other values are ignored.
	Methods []string
	// Frequency is one of Frequencies(), or "" for no preference; other values
	// count as no preference.
	Frequency string
	// UTCOffset is minutes east of UTC at the time of matching, worked out by the
	// caller from the person's time zone.
	UTCOffset int
	// Capacity is how many more mentees a mentor can take; a mentor with Capacity < 1
	// is never paired. Ignored for mentees.
	Capacity int
	// Avoid lists the IDs this person must never be paired with. It works both ways:
	// a pair is forbidden if either side lists the other.
	Avoid []string
	// Previous lists the IDs this person was paired with last cycle: such a pair is
	// forbidden, both ways, like Avoid but with its own reason. (A pair who both
	// asked to continue is not listed here; the caller pins it.)
	Previous []string
	// Request is, for a mentee, the ID of the mentor they asked for: that pair gets
	// Weights.Requested points, with the reason "requested by the mentee".
	Request string
}

var methodNames = [...]string{"slack", "email", "video", "phone", "in-person"}

// Methods returns the communication methods the scorer knows, in a fixed order.
func Methods() []string { return append([]string(nil), methodNames[:]...) }

// methodBits maps a method name (any case, "in person" or "inperson" for
// "in-person") to its bit, or 0 when unknown.
func methodBits(ms []string) uint8 {
	var b uint8
	for _, m := range ms {
		m = strings.ToLower(strings.TrimSpace(m))
		switch m {
		case "in person", "inperson", "in_person":
			m = "in-person"
		}
		for i, n := range methodNames {
			if n == m {
				b |= 1 << i
			}
		}
	}
	return b
}

var frequencyNames = [...]string{"weekly", "biweekly", "monthly"}

// Frequencies returns the meeting frequencies the scorer knows, most frequent first.
// Neighbours in this list are "adjacent" for scoring.
func Frequencies() []string { return append([]string(nil), frequencyNames[:]...) }

// frequencyIndex is f's position in Frequencies, or -1.
func frequencyIndex(f string) int8 {
	f = strings.ToLower(strings.TrimSpace(f))
	for i, n := range frequencyNames {
		if n == f {
			return int8(i)
		}
	}
	return -1
}

// TimeZoneDistance returns how far apart two UTC offsets (minutes east of UTC) are,
// in minutes, on the 24-hour circle: always between 0 and 720, so UTC+12 and UTC-11
// are 60 minutes apart.
func TimeZoneDistance(a, b int) int {
	const day = 24 * 60
	d := a - b
	if d < 0 {
		d = -d
	}
	if d >= day {
		d %= day
	}
	if d > day-d {
		d = day - d
	}
	return d
}
