package matchcsv

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/mentorbot/mentorbot/internal/matching"
)

// weightsUsage documents the --weights file; Run's usage includes it.
const weightsUsage = `Weights file (--weights): the committee's settings for the cycle, the same as
the bot's "Matching settings"; one setting a line, '#' starts a comment:
  areas = high          a criterion and its level: off, low, normal (the
                        default) or high (points ×0, ×½, ×1, ×2); criteria:
                        areas, words, methods, frequency, timezone, stage, request
  must-share-area = yes      must-haves (yes or no, default no): a pair that
  must-share-method = yes    breaks one is never proposed
  mentor-more-senior = yes
  max-hours-apart = 3        1 to 12; 0 for no limit
`

// parseWeights reads a --weights file. It returns every problem found, with its
// line; the settings are only meaningful when there are none.
func parseWeights(data []byte) (matching.Settings, []problem) {
	s := matching.Settings{Levels: map[matching.Criterion]matching.Level{}}
	var probs []problem
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		bad := func(format string, args ...any) {
			probs = append(probs, problem{n, fmt.Sprintf(format, args...)})
		}
		key, val, ok := strings.Cut(line, "=")
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		if !ok || key == "" {
			bad("want name = value, e.g. areas = high")
			continue
		}
		if at, dup := seen[key]; dup {
			bad("%s is set twice (first on line %d)", key, at)
			continue
		}
		seen[key] = n
		yes := func(dst *bool) {
			switch strings.ToLower(val) {
			case "yes", "true", "on":
				*dst = true
			case "no", "false", "off":
				*dst = false
			default:
				bad("%s: want yes or no, not %q", key, val)
			}
		}
		switch key {
		case "must-share-area":
			yes(&s.MustShareArea)
		case "must-share-method":
			yes(&s.MustShareMethod)
		case "mentor-more-senior":
			yes(&s.MentorMoreSenior)
		case "max-hours-apart":
			h, err := strconv.Atoi(val)
			if err != nil || h < 0 || h > matching.MaxHoursLimit {
				bad("max-hours-apart: want a whole number of hours from 1 to %d, or 0 for no limit, not %q", matching.MaxHoursLimit, val)
			}
			s.MaxHoursApart = h
		default:
			c := matching.Criterion(key)
			if !c.Known() {
				bad("unknown setting %q (criteria: %s; must-haves: must-share-area, must-share-method, mentor-more-senior, max-hours-apart)", key, criteriaList())
				continue
			}
			l, err := matching.ParseLevel(val)
			if err != nil {
				bad("%s: level %q %v", key, val, err)
				continue
			}
			s.Levels[c] = l
		}
	}
	if err := sc.Err(); err != nil {
		probs = append(probs, problem{0, err.Error()})
	}
	return s, probs
}

func criteriaList() string {
	var cs []string
	for _, c := range matching.Criteria() {
		cs = append(cs, string(c))
	}
	return strings.Join(cs, ", ")
}
