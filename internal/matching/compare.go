package matching

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Difference is how a pair's score compares with another pair of the same mentee:
// the difference in points and the criteria behind it.
type Difference struct {
	Points  int      // to.Points - from.Points
	Reasons []string // the criteria that changed, the largest change first, e.g. "better time zones"
}

// Compare tells how the score to differs from from, criterion by criterion:
// "more shared areas", "worse time zones", "requested by the mentee". Both must be
// scores of allowed pairs: a forbidden score has no parts, so every criterion of
// the other would count as changed.
func Compare(from, to Score) Difference {
	d := Difference{Points: to.Points - from.Points}
	type change struct {
		c     Criterion
		delta int
	}
	var cs []change
	for _, c := range Criteria() {
		if delta := to.Parts.Of(c) - from.Parts.Of(c); delta != 0 {
			cs = append(cs, change{c, delta})
		}
	}
	slices.SortStableFunc(cs, func(a, b change) int { return cmp.Compare(abs(b.delta), abs(a.delta)) })
	for _, ch := range cs {
		d.Reasons = append(d.Reasons, changeWords(ch.c, ch.delta > 0))
	}
	return d
}

func changeWords(c Criterion, better bool) string {
	pick := func(good, bad string) string {
		if better {
			return good
		}
		return bad
	}
	switch c {
	case CriterionAreas:
		return pick("more shared areas", "fewer shared areas")
	case CriterionWords:
		return pick("more common words", "fewer common words")
	case CriterionMethods:
		return pick("better methods match", "worse methods match")
	case CriterionFrequency:
		return pick("closer meeting rhythm", "further meeting rhythm")
	case CriterionTimeZone:
		return pick("better time zones", "worse time zones")
	case CriterionStage:
		return pick("better stage gap", "worse stage gap")
	case CriterionRequest:
		return pick("requested by the mentee", "not the mentor requested")
	}
	return string(c)
}

// WhyNoMentor says why mentees[mentee] can be paired with no mentor at all, by
// counting the reasons the pairs are forbidden, most common first: "no mentor
// fits: 3 have no free place, 1 is on an avoid list". It returns "" when some
// mentor is allowed (then an unmatched mentee's allowed mentors are all taken).
func (x *Matrix) WhyNoMentor(mentee int) string {
	if x.Allowed(mentee) > 0 {
		return ""
	}
	if x.m == 0 {
		return "no mentor has signed up"
	}
	count := map[string]int{}
	var order []string
	for j := range x.m {
		why := x.Score(mentee, j).Text()
		if count[why] == 0 {
			order = append(order, why)
		}
		count[why]++
	}
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(count[b], count[a]) })
	var parts []string
	for _, why := range order {
		parts = append(parts, forbiddenCount(why, count[why]))
	}
	return "no mentor fits: " + strings.Join(parts, ", ")
}

// forbiddenCount says that n mentors are forbidden for the reason why.
func forbiddenCount(why string, n int) string {
	one := n == 1
	verb := func(singular, plural string) string {
		if one {
			return strconv.Itoa(n) + " " + singular
		}
		return strconv.Itoa(n) + " " + plural
	}
	switch {
	case why == whyFull:
		return verb("has no free place", "have no free place")
	case why == whyAvoid:
		return verb("is on an avoid list", "are on an avoid list")
	case why == whyPrevious:
		return verb("was the partner last cycle", "were partners last cycle")
	case why == whySame:
		return verb("is the mentee", "are the mentee")
	case strings.HasPrefix(why, "must-have not met: "):
		return verb("breaks", "break") + " the must-have " + strings.TrimPrefix(why, "must-have not met: ")
	}
	return verb(why, why)
}
