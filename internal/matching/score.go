package matching

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Score is the verdict on one mentee × mentor pair.
type Score struct {
	// Points is the pair's score (see Weights); 0 when Forbidden.
	Points int
	// Forbidden pairs are never proposed: same person, an avoid list, or a mentor
	// without capacity.
	Forbidden bool
	// Reasons explain Points (or why the pair is forbidden) in a committee's words,
	// one short phrase each, e.g. "shared: grant writing", "both prefer video",
	// "2 h apart", "mentor is two stages more senior".
	Reasons []string
	// Parts are Points by criterion (zero when Forbidden); they add up to Points
	// unless the sum was clamped to ±MaxPoints.
	Parts Parts
}

// Parts is a pair's points by criterion.
type Parts struct {
	Areas, Words, Methods, Frequency, TimeZone, Stage, Request int
}

// Of returns the points of one criterion.
func (p Parts) Of(c Criterion) int {
	switch c {
	case CriterionAreas:
		return p.Areas
	case CriterionWords:
		return p.Words
	case CriterionMethods:
		return p.Methods
	case CriterionFrequency:
		return p.Frequency
	case CriterionTimeZone:
		return p.TimeZone
	case CriterionStage:
		return p.Stage
	case CriterionRequest:
		return p.Request
	}
	return 0
}

// MaxReasonsLen bounds the characters (runes) of a Score's Text.
const MaxReasonsLen = 300

// Text returns the reasons joined by "; ", at most MaxReasonsLen runes.
func (s Score) Text() string { return strings.Join(s.Reasons, "; ") }

// reasonLimits are the ways reasons name shared areas and words, most generous
// first; explain takes the first whose text fits in MaxReasonsLen. The last always
// fits.
var reasonLimits = []struct{ areas, areaLen, words, wordLen int }{
	{3, 40, 4, 20},
	{3, 24, 3, 16},
	{2, 16, 2, 12},
	{1, 12, 1, 10},
}

// profile is a Person prepared for fast scoring: areas and word stems as sorted
// small ints (merged by countShared, or tested against a bit set by NewMatrix),
// methods as bits, and the display forms reasons use.
type profile struct {
	id        string
	stage     Stage
	areas     []int32 // sorted, unique ids of normalised areas
	words     []int32 // sorted, unique ids of word stems of Text
	wordShown []string
	methods   uint8
	freq      int8 // index in Frequencies, -1 for none
	offset    int  // minutes east of UTC, modulo 24 h
	capacity  int
	request   string // mentee: the mentor asked for
}

// vocab numbers strings (normalised areas, word stems) and remembers their display
// forms. Ids only need to be consistent within one vocab.
type vocab struct {
	areas map[string]int32
	words map[string]int32
	area  []string // display form of an area id: its normalised name
}

func newVocab() *vocab {
	return &vocab{areas: map[string]int32{}, words: map[string]int32{}}
}

func (v *vocab) prepare(p *Person) profile {
	pr := profile{
		id:       p.ID,
		stage:    p.Stage,
		methods:  methodBits(p.Methods),
		freq:     frequencyIndex(p.Frequency),
		offset:   (p.UTCOffset%(24*60) + 24*60) % (24 * 60), // in [0, 24 h): distances stay the same
		capacity: p.Capacity,
		request:  p.Request,
	}
	if pr.stage < StageUnknown || pr.stage > Senior {
		pr.stage = StageUnknown
	}
	for _, a := range p.Areas {
		a = normalizeArea(a)
		if a == "" {
			continue
		}
		id, ok := v.areas[a]
		if !ok {
			id = int32(len(v.area))
			v.areas[a] = id
			v.area = append(v.area, a)
		}
		pr.areas = append(pr.areas, id)
	}
	slices.Sort(pr.areas)
	pr.areas = slices.Compact(pr.areas)

	stems, shown := tokens(p.Text)
	type ws struct {
		id   int32
		word string
	}
	list := make([]ws, len(stems))
	for i, st := range stems {
		id, ok := v.words[st]
		if !ok {
			id = int32(len(v.words))
			v.words[st] = id
		}
		list[i] = ws{id, shown[i]}
	}
	// Sort by id, keeping the first occurrence of each stem (stable), then drop
	// repeats.
	slices.SortStableFunc(list, func(a, b ws) int { return int(a.id) - int(b.id) })
	list = slices.CompactFunc(list, func(a, b ws) bool { return a.id == b.id })
	pr.words = make([]int32, len(list))
	pr.wordShown = make([]string, len(list))
	for i, x := range list {
		pr.words[i], pr.wordShown[i] = x.id, x.word
	}
	return pr
}

// ScorePair scores mentee with mentor under w with the default Settings.
func ScorePair(mentee, mentor Person, w Weights) Score {
	return ScorePairWith(mentee, mentor, w, Settings{})
}

// ScorePairWith scores mentee with mentor under w and a cycle's settings s. It is
// the same score NewMatrixWith gives the pair, with its reasons.
func ScorePairWith(mentee, mentor Person, w Weights, s Settings) Score {
	if why := forbiddenReason(&mentee, &mentor); why != "" {
		return Score{Forbidden: true, Reasons: []string{why}}
	}
	v := newVocab()
	e, r := v.prepare(&mentee), v.prepare(&mentor)
	if why := mustHaveReason(&e, &r, &s); why != "" {
		return Score{Forbidden: true, Reasons: []string{why}}
	}
	return explain(&e, &r, v, newTable(&w, &s))
}

// Reasons a pair is forbidden that do not depend on Settings.
const (
	whySame     = "same person"
	whyAvoid    = "on an avoid list"
	whyPrevious = "paired last cycle"
	whyFull     = "mentor has no capacity"
)

// forbiddenReason says why the pair may never be proposed whatever the settings,
// or returns "".
func forbiddenReason(mentee, mentor *Person) string {
	switch {
	case mentee.ID == mentor.ID:
		return whySame
	case slices.Contains(mentee.Avoid, mentor.ID) || slices.Contains(mentor.Avoid, mentee.ID):
		return whyAvoid
	case slices.Contains(mentee.Previous, mentor.ID) || slices.Contains(mentor.Previous, mentee.ID):
		return whyPrevious
	case mentor.Capacity < 1:
		return whyFull
	}
	return ""
}

// parts is the breakdown of an allowed pair's score.
type parts struct {
	areas, words int // shared counts (uncapped)
	methods      uint8
	freqDiff     int // -1: unknown
	tzMinutes    int
	gap          int // mentor stage - mentee stage; meaningless if noGap
	noGap        bool
}

// countShared counts the elements two sorted slices have in common.
func countShared(a, b []int32) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// breakdown works out what explain says about an allowed pair.
func breakdown(e, r *profile) parts {
	p := parts{
		areas:     countShared(e.areas, r.areas),
		words:     countShared(e.words, r.words),
		methods:   e.methods & r.methods,
		freqDiff:  -1,
		tzMinutes: TimeZoneDistance(e.offset, r.offset),
		gap:       int(r.stage) - int(e.stage),
		noGap:     e.stage == StageUnknown || r.stage == StageUnknown,
	}
	if e.freq >= 0 && r.freq >= 0 {
		p.freqDiff = int(e.freq - r.freq)
		if p.freqDiff < 0 {
			p.freqDiff = -p.freqDiff
		}
	}
	if e.methods == 0 || r.methods == 0 {
		p.methods = 0xff // no preference on one side: neither reward nor penalty
	}
	return p
}

// table is Weights turned into lookups, so scoring a pair is a few additions
// without branches.
type table struct {
	area, word []int32        // points by shared count, up to the cap
	method     [32 * 32]int32 // by mentee methods << 5 | mentor methods
	freq       [4 * 4]int32   // by (mentee freq+1)*4 + mentor freq+1
	tz         [12*60 + 1]int32
	stage      [5 * 5]int32 // by mentee stage*5 + mentor stage
	request    int32        // the requested mentor's bonus
	settings   Settings
}

// newTable makes the lookups of w under the settings s: each component scaled by
// its criterion's level, and banned where a must-have fails.
func newTable(w *Weights, s *Settings) *table {
	t := &table{settings: *s}
	lv := func(c Criterion, p int) int32 { return clamp(s.Level(c).scale(p)) }
	for c := range max(w.AreaMax, 0) + 1 {
		t.area = append(t.area, lv(CriterionAreas, w.Area*c))
	}
	if s.MustShareArea {
		t.area[0] = banned
	}
	for c := range max(w.WordMax, 0) + 1 {
		t.word = append(t.word, lv(CriterionWords, w.Word*c))
	}
	for a := range 32 {
		for b := range 32 {
			switch {
			case s.MustShareMethod && a&b == 0:
				t.method[a<<5|b] = banned
			case a == 0 || b == 0:
			case a&b != 0:
				t.method[a<<5|b] = lv(CriterionMethods, w.MethodShared)
			default:
				t.method[a<<5|b] = lv(CriterionMethods, w.MethodNone)
			}
		}
	}
	for a := range 3 {
		for b := range 3 {
			t.freq[(a+1)*4+b+1] = lv(CriterionFrequency, []int{w.FrequencySame, w.FrequencyAdjacent, w.FrequencyFar}[abs(a-b)])
		}
	}
	for m := range t.tz {
		t.tz[m] = lv(CriterionTimeZone, w.TimeZoneNear-w.TimeZonePerHour*(m/60))
		if s.MaxHoursApart > 0 && m > s.MaxHoursApart*60 {
			t.tz[m] = banned
		}
	}
	for e := StageUnknown; e <= Senior; e++ {
		for r := StageUnknown; r <= Senior; r++ {
			var p int
			switch gap := r - e; {
			case e == StageUnknown || r == StageUnknown:
			case gap < 0:
				p = w.StageJunior
			case gap == 0:
				p = w.StageSame
			case gap == 1:
				p = w.StageOneAbove
			case gap == 2:
				p = w.StageTwoAbove
			default:
				p = w.StageThreeAbove
			}
			t.stage[e*5+r] = lv(CriterionStage, p)
			if s.MentorMoreSenior && (e == StageUnknown || r <= e) {
				t.stage[e*5+r] = banned
			}
		}
	}
	t.request = lv(CriterionRequest, w.Requested)
	return t
}

func clamp(p int) int32 { return int32(max(-MaxPoints, min(MaxPoints, p))) }

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}

// parts is the points of an allowed pair sharing areas topics and words words, by
// criterion: the components tabled on Weights, under the table's settings.
func (t *table) parts(e, r *profile, areas, words int) Parts {
	p := Parts{
		Areas:     int(t.area[min(areas, len(t.area)-1)]),
		Words:     int(t.word[min(words, len(t.word)-1)]),
		Methods:   int(t.method[int(e.methods)<<5|int(r.methods)]),
		Frequency: int(t.freq[int(e.freq+1)*4+int(r.freq+1)]),
		TimeZone:  int(t.tz[TimeZoneDistance(e.offset, r.offset)]),
		Stage:     int(t.stage[int(e.stage)*5+int(r.stage)]),
	}
	if e.request != "" && e.request == r.id {
		p.Request = int(t.request)
	}
	return p
}

// sum is the points of parts, clamped to ±MaxPoints (the request's bonus is added
// to the clamped rest, as NewMatrix does).
func (p Parts) sum() int {
	base := max(-MaxPoints, min(MaxPoints, p.Areas+p.Words+p.Methods+p.Frequency+p.TimeZone+p.Stage))
	return max(-MaxPoints, min(MaxPoints, base+p.Request))
}

// explain scores an allowed pair with its reasons; v is the vocab e and r were
// prepared with.
func explain(e, r *profile, v *vocab, t *table) Score {
	p := breakdown(e, r)
	var areas, words []string
	for _, id := range sharedIDs(e.areas, r.areas) {
		areas = append(areas, v.area[id])
	}
	slices.Sort(areas) // not in id order: ids depend on who else was prepared
	shared := sharedIDs(e.words, r.words)
	for i, id := range e.words {
		if _, ok := slices.BinarySearch(shared, id); ok {
			words = append(words, e.wordShown[i])
		}
	}
	slices.Sort(words)

	var rest []string // reasons after areas and words
	switch {
	case p.methods == 0xff:
	case p.methods == 0:
		rest = append(rest, "no communication method in common")
	default:
		var ms []string
		for i, n := range methodNames {
			if p.methods&(1<<i) != 0 {
				ms = append(ms, n)
			}
		}
		rest = append(rest, "both prefer "+strings.Join(ms, ", "))
	}
	switch p.freqDiff {
	case 0:
		rest = append(rest, "both want "+frequencyNames[e.freq]+" meetings")
	case 1, 2:
		rest = append(rest, frequencyNames[e.freq]+" vs "+frequencyNames[r.freq]+" meetings")
	}
	rest = append(rest, hoursApart(p.tzMinutes))
	if !p.noGap {
		rest = append(rest, stageGap(p.gap))
	}

	var rs []string
	requested := e.request != "" && e.request == r.id
	for _, lim := range reasonLimits {
		rs = rs[:0]
		if requested {
			rs = append(rs, "requested by the mentee")
		}
		switch {
		case len(areas) > 0:
			rs = append(rs, "shared: "+listMore(areas, lim.areas, lim.areaLen))
		case len(e.areas) > 0 && len(r.areas) > 0:
			rs = append(rs, "no shared topics")
		}
		if len(words) > 0 {
			rs = append(rs, "common words: "+listMore(words, lim.words, lim.wordLen))
		}
		rs = append(rs, rest...)
		if utf8.RuneCountInString(strings.Join(rs, "; ")) <= MaxReasonsLen {
			break
		}
	}
	parts := t.parts(e, r, p.areas, p.words)
	return Score{Points: parts.sum(), Reasons: rs, Parts: parts}
}

// sharedIDs returns the elements two sorted slices have in common.
func sharedIDs(a, b []int32) []int32 {
	var out []int32
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// listMore joins at most n items, each clipped to runes, then says how many more
// there are.
func listMore(items []string, n, runes int) string {
	var b strings.Builder
	for i, it := range items[:min(n, len(items))] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(clip(it, runes))
	}
	if len(items) > n {
		b.WriteString(" and " + strconv.Itoa(len(items)-n) + " more")
	}
	return b.String()
}

// clip cuts s to n runes, marking a cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func hoursApart(minutes int) string {
	switch {
	case minutes == 0:
		return "same time zone"
	case minutes%60 == 0:
		return fmt.Sprintf("%d h apart", minutes/60)
	default:
		return strconv.FormatFloat(float64(minutes)/60, 'f', -1, 64) + " h apart"
	}
}

var stageWords = [...]string{"", "one stage", "two stages", "three stages"}

func stageGap(gap int) string {
	switch {
	case gap == 0:
		return "same career stage"
	case gap > 0:
		return "mentor is " + stageWords[min(gap, 3)] + " more senior"
	default:
		return "mentor is " + stageWords[min(-gap, 3)] + " junior to the mentee"
	}
}
