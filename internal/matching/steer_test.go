package matching

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteForceWith tries every assignment of the mentees not pinned, with pinned
// mentors' places reduced, and returns the best (pairs, total) counting the pins:
// cardinality first, or total alone when pointsOnly.
func bruteForceWith(x *Matrix, pins []Pin, pointsOnly bool) (card, total int) {
	n, m := len(x.mentees), len(x.mentors)
	left := make([]int, m)
	for j := range m {
		left[j] = x.mentors[j].Capacity
	}
	eAt, rAt := map[string]int{}, map[string]int{}
	for i, p := range x.mentees {
		eAt[p.ID] = i
	}
	for j, p := range x.mentors {
		rAt[p.ID] = j
	}
	pinned := make([]bool, n)
	card0, total0 := 0, 0
	for _, p := range pins {
		i, j := eAt[p.MenteeID], rAt[p.MentorID]
		pinned[i] = true
		left[j]--
		card0++
		if pt, ok := x.Points(i, j); ok {
			total0 += pt
		}
	}
	card, total = -1, 0
	var rec func(i, c, t int)
	rec = func(i, c, t int) {
		if i == n {
			better := c > card || (c == card && t > total)
			if pointsOnly {
				better = card < 0 || t > total
			}
			if better {
				card, total = c, t
			}
			return
		}
		rec(i+1, c, t)
		if pinned[i] {
			return
		}
		for j := range m {
			if p, ok := x.Points(i, j); ok && left[j] > 0 {
				left[j]--
				rec(i+1, c+1, t+p)
				left[j]++
			}
		}
	}
	rec(0, card0, total0)
	return card, total
}

// randomPins pins up to k random mentees to random mentors (any pair, even a
// forbidden one or a mentor without places: the committee decides).
func randomPins(r *rand.Rand, x *Matrix, k int) []Pin {
	var pins []Pin
	for _, i := range r.Perm(len(x.mentees))[:min(k, len(x.mentees))] {
		pins = append(pins, Pin{MenteeID: x.mentees[i].ID, MentorID: x.mentors[r.IntN(len(x.mentors))].ID})
	}
	return pins
}

// randomSettings draws levels and must-haves.
func randomSettings(r *rand.Rand) Settings {
	s := Settings{Levels: map[Criterion]Level{}}
	for _, c := range Criteria() {
		s.Levels[c] = Levels()[r.IntN(4)]
	}
	s.MustShareArea = r.IntN(6) == 0
	s.MustShareMethod = r.IntN(3) == 0
	if r.IntN(3) == 0 {
		s.MaxHoursApart = 1 + r.IntN(12)
	}
	s.MentorMoreSenior = r.IntN(3) == 0
	return s
}

// checkPins fails t unless every pin is in res as given, marked Pinned.
func checkPins(t *testing.T, res Result, pins []Pin) {
	t.Helper()
	for _, p := range pins {
		k := slices.IndexFunc(res.Pairs, func(q Pair) bool { return q.MenteeID == p.MenteeID })
		if k < 0 || res.Pairs[k].MentorID != p.MentorID || !res.Pairs[k].Pinned {
			t.Fatalf("pin %v not kept: %+v", p, res.Pairs)
		}
	}
	for _, q := range res.Pairs {
		if q.Pinned && !slices.ContainsFunc(pins, func(p Pin) bool { return p.MenteeID == q.MenteeID }) {
			t.Fatalf("pair %s-%s marked pinned", q.MenteeID, q.MentorID)
		}
	}
}

func TestSolveWithPinsMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	layouts := map[bool]int{}
	for k := range 600 {
		n, m := 1+r.IntN(6), 1+r.IntN(4)
		lo, hi := -20, 20
		if k%3 == 0 {
			lo, hi = -1, 1
		}
		x := matrixFromPoints(randomPoints(r, n, m, lo, hi, 0.25))
		layouts[x.byMentee]++
		pins := randomPins(r, x, r.IntN(3))
		res, err := x.SolveWith(Options{Pins: pins})
		if err != nil {
			t.Fatal(err)
		}
		checkPins(t, res, pins)
		checkValidPinned(t, x, res, pins)
		card, total := bruteForceWith(x, pins, false)
		if len(res.Pairs) != card || res.Total != total {
			t.Fatalf("instance %d pins %v: solver %d pairs total %d, brute force %d pairs total %d",
				k, pins, len(res.Pairs), res.Total, card, total)
		}
	}
	if layouts[true] < 100 || layouts[false] < 100 {
		t.Fatalf("instances by layout %v: both solver orientations need testing", layouts)
	}
}

func TestSolvePointsOnlyMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for k := range 600 {
		n, m := 1+r.IntN(6), 1+r.IntN(4)
		x := matrixFromPoints(randomPoints(r, n, m, -20, 20, 0.25))
		pins := randomPins(r, x, r.IntN(2))
		res, err := x.SolveWith(Options{Pins: pins, PointsOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		checkPins(t, res, pins)
		checkValidPinned(t, x, res, pins)
		_, total := bruteForceWith(x, pins, true)
		if res.Total != total {
			t.Fatalf("instance %d pins %v: points-only solver total %d, brute force %d", k, pins, res.Total, total)
		}
	}
}

func TestSolveUnderSettingsMatchesBruteForce(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 25))
		mentees, mentors := genProblem(seed, 1+r.IntN(6), 1+r.IntN(4))
		// Last cycle's partners and requested mentors, on either side.
		if r.IntN(2) == 0 {
			mentees[0].Previous = []string{mentors[r.IntN(len(mentors))].ID}
		}
		if r.IntN(2) == 0 {
			mentors[0].Previous = []string{mentees[r.IntN(len(mentees))].ID}
		}
		for i := range mentees {
			if r.IntN(2) == 0 {
				mentees[i].Request = mentors[r.IntN(len(mentors))].ID
			}
		}
		s := randomSettings(r)
		w := DefaultWeights()
		x := NewMatrixWith(mentees, mentors, w, s)
		// The matrix is the pairwise scorer's.
		for i := range mentees {
			for j := range mentors {
				want := ScorePairWith(mentees[i], mentors[j], w, s)
				p, ok := x.Points(i, j)
				if ok == want.Forbidden || (ok && p != want.Points) || fmt.Sprint(x.Score(i, j)) != fmt.Sprint(want) {
					t.Fatalf("seed %d %s-%s under %+v: matrix %d %v %+v, ScorePairWith %+v", seed, mentees[i].ID, mentors[j].ID, s, p, ok, x.Score(i, j), want)
				}
			}
		}
		pins := randomPins(r, x, r.IntN(2))
		res, err := x.SolveWith(Options{Pins: pins})
		if err != nil {
			t.Fatal(err)
		}
		checkValidPinned(t, x, res, pins)
		card, total := bruteForceWith(x, pins, false)
		if len(res.Pairs) != card || res.Total != total {
			t.Fatalf("seed %d settings %+v pins %v: solver %d pairs total %d, brute force %d pairs total %d",
				seed, s, pins, len(res.Pairs), res.Total, card, total)
		}
	}
}

func TestSolveWithPinsMatchesHungarian(t *testing.T) {
	r := rand.New(rand.NewPCG(26, 27))
	layouts := map[bool]int{}
	for k := range 30 {
		n, m := 30+r.IntN(30), 10+r.IntN(15)
		if k%2 == 1 {
			n = m + r.IntN(m) // more places than mentees: rows are mentees
		}
		mentees, mentors := genProblem(uint64(100+k), n, m)
		s := randomSettings(r)
		x := NewMatrixWith(mentees, mentors, DefaultWeights(), s)
		layouts[x.byMentee]++
		pins := randomPins(r, x, 1+r.IntN(4))
		res, err := x.SolveWith(Options{Pins: pins})
		if err != nil {
			t.Fatal(err)
		}
		checkValidPinned(t, x, res, pins)
		card, total := hungarian(reduced(x, pins))
		card += len(pins)
		for _, p := range pins {
			if pt, ok := x.Points(indexOf(x.mentees, p.MenteeID), indexOf(x.mentors, p.MentorID)); ok {
				total += pt
			}
		}
		if len(res.Pairs) != card || res.Total != total {
			t.Fatalf("instance %d (%d×%d) pins %v: solver %d pairs total %d, Hungarian %d pairs total %d",
				k, n, m, pins, len(res.Pairs), res.Total, card, total)
		}
	}
	if layouts[true] < 5 || layouts[false] < 5 {
		t.Fatalf("instances by layout %v: both solver orientations need testing", layouts)
	}
}

func indexOf(ps []Person, id string) int {
	return slices.IndexFunc(ps, func(p Person) bool { return p.ID == id })
}

// reduced is x without the pinned mentees and with pinned mentors' capacities
// lowered: the problem the pins leave, for the independent solver.
func reduced(x *Matrix, pins []Pin) *Matrix {
	pinned := map[string]bool{}
	taken := map[string]int{}
	for _, p := range pins {
		pinned[p.MenteeID] = true
		taken[p.MentorID]++
	}
	var es []int
	for i, p := range x.mentees {
		if !pinned[p.ID] {
			es = append(es, i)
		}
	}
	pts := make([][]*int, len(es))
	caps := make([]int, len(x.mentors))
	for j, p := range x.mentors {
		caps[j] = max(p.Capacity-taken[p.ID], 0)
	}
	for k, i := range es {
		pts[k] = make([]*int, len(x.mentors))
		for j := range x.mentors {
			if p, ok := x.Points(i, j); ok {
				pts[k][j] = &p
			}
		}
	}
	return matrixFromPoints(pts, caps)
}

// checkValidPinned is checkValid for a result with pins: pinned pairs may be
// forbidden and take a mentor beyond its capacity; everything else may not.
func checkValidPinned(t *testing.T, x *Matrix, res Result, pins []Pin) {
	t.Helper()
	if len(pins) == 0 {
		checkValid(t, x, res)
		return
	}
	taken := map[string]int{}
	for _, p := range pins {
		taken[p.MentorID]++
	}
	used := map[string]int{}
	total := 0
	for _, pr := range res.Pairs {
		i, j := indexOf(x.mentees, pr.MenteeID), indexOf(x.mentors, pr.MentorID)
		p, ok := x.Points(i, j)
		if ok {
			total += p
		}
		if pr.Pinned {
			continue
		}
		if !ok {
			t.Fatalf("forbidden pair %s-%s used", pr.MenteeID, pr.MentorID)
		}
		used[pr.MentorID]++
		if used[pr.MentorID] > x.mentors[j].Capacity-taken[pr.MentorID] {
			t.Fatalf("mentor %s over the places its pins leave", pr.MentorID)
		}
	}
	if total != res.Total {
		t.Fatalf("Total %d, pairs sum to %d", res.Total, total)
	}
	if len(res.Pairs)+len(res.Unmatched) != len(x.mentees) {
		t.Fatalf("%d pairs and %d unmatched for %d mentees", len(res.Pairs), len(res.Unmatched), len(x.mentees))
	}
}

func TestSolveWithRefusesUnknownPins(t *testing.T) {
	x := matrixFromPoints(randomPoints(rand.New(rand.NewPCG(1, 1)), 3, 2, 0, 5, 0))
	for _, pins := range [][]Pin{
		{{MenteeID: "nobody", MentorID: "m000"}},
		{{MenteeID: "e000", MentorID: "nobody"}},
		{{MenteeID: "e000", MentorID: "m000"}, {MenteeID: "e000", MentorID: "m001"}},
	} {
		if _, err := x.SolveWith(Options{Pins: pins}); err == nil {
			t.Errorf("pins %v accepted", pins)
		}
	}
}
