package matching

import (
	"fmt"
	"slices"
	"strings"
)

// Level is how much one criterion counts in a cycle, on the committee's small
// scale. The empty Level is LevelNormal, so Settings{} are the defaults of Weights.
type Level string

// The levels, with the factor each applies to the criterion's points: off ×0,
// low ×½ (rounded half away from zero), normal ×1, high ×2.
const (
	LevelOff    Level = "off"
	LevelLow    Level = "low"
	LevelNormal Level = "normal"
	LevelHigh   Level = "high"
)

// Levels returns the levels, from off to high.
func Levels() []Level { return []Level{LevelOff, LevelLow, LevelNormal, LevelHigh} }

// ParseLevel reads a level's name (any case, surrounding spaces ignored; "" is
// normal).
func ParseLevel(s string) (Level, error) {
	switch v := Level(strings.ToLower(strings.TrimSpace(s))); v {
	case "", LevelNormal:
		return LevelNormal, nil
	case LevelOff, LevelLow, LevelHigh:
		return v, nil
	}
	return "", fmt.Errorf("must be one of off, low, normal, high")
}

// scale applies the level's factor to p.
func (l Level) scale(p int) int {
	switch l {
	case LevelOff:
		return 0
	case LevelLow:
		if p < 0 {
			return -((-p + 1) / 2)
		}
		return (p + 1) / 2
	case LevelHigh:
		return 2 * p
	}
	return p
}

// Criterion names one part of a pair's score.
type Criterion string

// The criteria a committee steers, in the order settings show them.
const (
	CriterionAreas     Criterion = "areas"     // shared areas (topics)
	CriterionWords     Criterion = "words"     // words shared by the mentee's needs and the mentor's offer
	CriterionMethods   Criterion = "methods"   // communication methods
	CriterionFrequency Criterion = "frequency" // meeting frequency
	CriterionTimeZone  Criterion = "timezone"  // hours apart
	CriterionStage     Criterion = "stage"     // career stage gap
	CriterionRequest   Criterion = "request"   // the mentor the mentee asked for
)

// Criteria returns every criterion, in a fixed order.
func Criteria() []Criterion {
	return []Criterion{CriterionAreas, CriterionWords, CriterionMethods, CriterionFrequency, CriterionTimeZone, CriterionStage, CriterionRequest}
}

// Known reports whether c is one of Criteria.
func (c Criterion) Known() bool { return slices.Contains(Criteria(), c) }

// MaxHoursLimit is the largest Settings.MaxHoursApart.
const MaxHoursLimit = 12

// Label is the criterion's name for people.
func (c Criterion) Label() string {
	switch c {
	case CriterionAreas:
		return "Shared areas"
	case CriterionWords:
		return "Common words in needs and offer"
	case CriterionMethods:
		return "Communication methods"
	case CriterionFrequency:
		return "Meeting frequency"
	case CriterionTimeZone:
		return "Time zones"
	case CriterionStage:
		return "Career stage"
	case CriterionRequest:
		return "Mentor requested by the mentee"
	}
	return string(c)
}

// Settings are how a committee steers the scorer for one cycle: a Level for each
// criterion, and must-haves. A must-have makes every pair that does not meet it
// forbidden, whatever its points. The zero value is the program's defaults: every
// criterion normal, no must-have.
type Settings struct {
	Levels map[Criterion]Level `json:"levels,omitempty"`

	// MustShareArea: mentee and mentor list at least one area in common.
	MustShareArea bool `json:"must_share_area,omitempty"`
	// MustShareMethod: at least one communication method in common (someone who
	// lists no method shares none).
	MustShareMethod bool `json:"must_share_method,omitempty"`
	// MaxHoursApart, from 1 to MaxHoursLimit: at most this many hours apart; 0 is
	// no limit.
	MaxHoursApart int `json:"max_hours_apart,omitempty"`
	// MentorMoreSenior: the mentor is at a more senior career stage than the
	// mentee (an unknown stage does not qualify).
	MentorMoreSenior bool `json:"mentor_more_senior,omitempty"`
}

// Level returns the criterion's level (normal when unset).
func (s Settings) Level(c Criterion) Level {
	if l, ok := s.Levels[c]; ok && l != "" {
		return l
	}
	return LevelNormal
}

// Validate reports the first setting out of range.
func (s Settings) Validate() error {
	for c, l := range s.Levels {
		if _, err := ParseLevel(string(l)); err != nil {
			return fmt.Errorf("%s: level %q %v", c, l, err)
		}
		if !c.Known() {
			return fmt.Errorf("unknown criterion %q", c)
		}
	}
	if s.MaxHoursApart < 0 || s.MaxHoursApart > MaxHoursLimit {
		return fmt.Errorf("max hours apart must be from 1 to %d (0 for no limit)", MaxHoursLimit)
	}
	return nil
}

// IsDefault reports whether s changes nothing.
func (s Settings) IsDefault() bool {
	for _, c := range Criteria() {
		if s.Level(c) != LevelNormal {
			return false
		}
	}
	return !s.MustShareArea && !s.MustShareMethod && s.MaxHoursApart == 0 && !s.MentorMoreSenior
}

// Describe says how s differs from the defaults, in words, e.g. "shared areas high ·
// must-haves: at most 3 h apart"; "" for the defaults.
func (s Settings) Describe() string {
	var parts []string
	for _, c := range Criteria() {
		if l := s.Level(c); l != LevelNormal {
			parts = append(parts, strings.ToLower(c.Label())+" "+string(l))
		}
	}
	if m := s.MustHaves(); len(m) > 0 {
		parts = append(parts, "must-haves: "+strings.Join(m, ", "))
	}
	return strings.Join(parts, " · ")
}

// MustHaves returns the must-haves in words, e.g. "at most 3 h apart".
func (s Settings) MustHaves() []string {
	var out []string
	if s.MustShareArea {
		out = append(out, "a shared area")
	}
	if s.MustShareMethod {
		out = append(out, "a communication method in common")
	}
	if s.MaxHoursApart > 0 {
		out = append(out, fmt.Sprintf("at most %d h apart", s.MaxHoursApart))
	}
	if s.MentorMoreSenior {
		out = append(out, "mentor more senior")
	}
	return out
}

// banned marks a component that breaks a must-have. It is far below any sum of
// allowed components (each within ±MaxPoints), and seven of them still fit in an
// int32, so a pair's sum tells at once whether a must-have failed.
const banned = -(1 << 26)

// bannedBelow: a sum of components below this contains a banned one.
const bannedBelow = -(1 << 25)

// mustHaveReason says which must-have an allowed pair breaks, or returns "".
func mustHaveReason(e, r *profile, s *Settings) string {
	switch {
	case s.MustShareArea && countShared(e.areas, r.areas) == 0:
		return "must-have not met: a shared area"
	case s.MustShareMethod && e.methods&r.methods == 0:
		return "must-have not met: a communication method in common"
	case s.MaxHoursApart > 0 && TimeZoneDistance(e.offset, r.offset) > s.MaxHoursApart*60:
		return fmt.Sprintf("must-have not met: at most %d h apart", s.MaxHoursApart)
	case s.MentorMoreSenior && (e.stage == StageUnknown || r.stage == StageUnknown || r.stage <= e.stage):
		return "must-have not met: mentor more senior"
	}
	return ""
}
