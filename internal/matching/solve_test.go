package matching

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteForce tries every assignment and returns the best (pairs, total),
// cardinality first.
func bruteForce(x *Matrix) (card, total int) {
	n, m := len(x.mentees), len(x.mentors)
	left := make([]int, m)
	for j := range m {
		left[j] = x.mentors[j].Capacity
	}
	card, total = -1, 0
	var rec func(i, c, t int)
	rec = func(i, c, t int) {
		if i == n {
			if c > card || (c == card && t > total) {
				card, total = c, t
			}
			return
		}
		rec(i+1, c, t)
		for j := range m {
			if p, ok := x.Points(i, j); ok && left[j] > 0 {
				left[j]--
				rec(i+1, c+1, t+p)
				left[j]++
			}
		}
	}
	rec(0, 0, 0)
	return card, total
}

// hungarian is an independent O(r²c) Hungarian method (the classic potentials
// formulation) on the expanded problem: one row per mentor place, one column per
// mentee plus one "empty" column per place. A real pair costs -(bonus+points), an
// empty place 0, a forbidden pair more than any assignment can gain.
func hungarian(x *Matrix) (card, total int) {
	n, m := len(x.mentees), len(x.mentors)
	var rows []int // mentor of each place
	for j := range m {
		for range max(x.mentors[j].Capacity, 0) {
			rows = append(rows, j)
		}
	}
	R := len(rows)
	C := n + R
	if R == 0 {
		return 0, 0
	}
	maxAbs := int64(0)
	for i := range n {
		for j := range m {
			if p, ok := x.Points(i, j); ok {
				maxAbs = max(maxAbs, int64(p), -int64(p))
			}
		}
	}
	bonus := 2*int64(R+n)*maxAbs + 1
	huge := int64(R+1) * (bonus + maxAbs + 1)
	cost := func(r, c int) int64 { // 1-based
		if c > n {
			return 0
		}
		p, ok := x.Points(c-1, rows[r-1])
		if !ok {
			return huge
		}
		return -(bonus + int64(p))
	}
	const INF = int64(1) << 62
	u := make([]int64, R+1)
	v := make([]int64, C+1)
	p := make([]int, C+1)
	way := make([]int, C+1)
	for i := 1; i <= R; i++ {
		p[0] = i
		j0 := 0
		minv := make([]int64, C+1)
		used := make([]bool, C+1)
		for j := range minv {
			minv[j] = INF
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], INF, 0
			for j := 1; j <= C; j++ {
				if !used[j] {
					cur := cost(i0, j) - u[i0] - v[j]
					if cur < minv[j] {
						minv[j], way[j] = cur, j0
					}
					if minv[j] < delta {
						delta, j1 = minv[j], j
					}
				}
			}
			for j := 0; j <= C; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	for c := 1; c <= n; c++ {
		if p[c] != 0 {
			pt, ok := x.Points(c-1, rows[p[c]-1])
			if !ok {
				continue // only if nothing else was possible; never with empty columns
			}
			card++
			total += pt
		}
	}
	return card, total
}

func resultCard(r Result) int { return len(r.Pairs) }

func TestSolveMatchesBruteForceOnRandomPoints(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	layouts := map[bool]int{}
	for k := range 600 {
		n, m := 1+r.IntN(6), 1+r.IntN(4)
		lo, hi := -20, 20
		if k%3 == 0 {
			lo, hi = -1, 1 // many ties
		}
		pts, caps := randomPoints(r, n, m, lo, hi, 0.25)
		x := matrixFromPoints(pts, caps)
		layouts[x.byMentee]++
		res := x.Solve()
		checkValid(t, x, res)
		card, total := bruteForce(x)
		if resultCard(res) != card || res.Total != total {
			t.Fatalf("instance %d (%d×%d caps %v): solver %d pairs total %d, brute force %d pairs total %d",
				k, n, m, caps, resultCard(res), res.Total, card, total)
		}
	}
	if layouts[true] < 100 || layouts[false] < 100 {
		t.Fatalf("instances by layout %v: both solver orientations need testing", layouts)
	}
}

func TestSolveMatchesBruteForceOnRandomProfiles(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 7))
		mentees, mentors := genProblem(seed, 1+r.IntN(6), 1+r.IntN(4))
		// Extra avoid lists in both directions, and a mentor without capacity.
		if r.IntN(2) == 0 {
			mentees[0].Avoid = append(mentees[0].Avoid, mentors[r.IntN(len(mentors))].ID)
		}
		if r.IntN(2) == 0 {
			mentors[0].Avoid = append(mentors[0].Avoid, mentees[r.IntN(len(mentees))].ID)
		}
		if r.IntN(5) == 0 {
			mentors[len(mentors)-1].Capacity = 0
		}
		x := NewMatrix(mentees, mentors, DefaultWeights())
		res := x.Solve()
		checkValid(t, x, res)
		card, total := bruteForce(x)
		if resultCard(res) != card || res.Total != total {
			t.Fatalf("seed %d: solver %d pairs total %d, brute force %d pairs total %d",
				seed, resultCard(res), res.Total, card, total)
		}
	}
}

func TestSolveMatchesHungarian(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	layouts := map[bool]int{}
	for k := range 40 {
		n, m := 30+r.IntN(30), 10+r.IntN(15)
		var x *Matrix
		switch k % 3 {
		case 0:
			mentees, mentors := genProblem(uint64(k), n, m)
			x = NewMatrix(mentees, mentors, DefaultWeights())
		case 1:
			x = matrixFromPoints(randomPoints(r, n, m, -50, 50, 0.3))
		default:
			x = matrixFromPoints(randomPoints(r, n, m, 0, 2, 0.6)) // ties, sparse
		}
		if k%2 == 1 { // more places than mentees: rows are mentees
			n = len(x.mentors) + r.IntN(len(x.mentors))
			x = matrixFromPoints(randomPoints(r, n, m, -50, 50, 0.3))
		}
		layouts[x.byMentee]++
		res := x.Solve()
		checkValid(t, x, res)
		card, total := hungarian(x)
		if resultCard(res) != card || res.Total != total {
			t.Fatalf("instance %d (%d×%d): solver %d pairs total %d, Hungarian %d pairs total %d",
				k, n, m, resultCard(res), res.Total, card, total)
		}
	}
	if layouts[true] < 10 || layouts[false] < 10 {
		t.Fatalf("instances by layout %v: both solver orientations need testing", layouts)
	}
}

func TestSolveCardinalityBeforeScore(t *testing.T) {
	// Mentor A is great for both mentees, B is poor for e1 and forbidden for e0.
	// Greedy would give e0 or e1 to A by score; only e0–A, e1–B matches both.
	ip := func(v int) *int { return &v }
	x := matrixFromPoints([][]*int{
		{ip(50), nil},
		{ip(60), ip(-30)},
	}, []int{1, 1})
	res := x.Solve()
	if len(res.Pairs) != 2 || res.Total != 20 {
		t.Fatalf("got %+v, want both matched with total 20", res)
	}
}

func TestSolveDeterministicAndOrderIndependent(t *testing.T) {
	mentees, mentors := genProblem(99, 120, 40)
	w := DefaultWeights()
	want := Solve(mentees, mentors, w)
	again := Solve(mentees, mentors, w)
	if fmt.Sprint(want) != fmt.Sprint(again) {
		t.Fatal("same input, different result")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 5 {
		e, m := slices.Clone(mentees), slices.Clone(mentors)
		r.Shuffle(len(e), func(a, b int) { e[a], e[b] = e[b], e[a] })
		r.Shuffle(len(m), func(a, b int) { m[a], m[b] = m[b], m[a] })
		if got := Solve(e, m, w); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("shuffled input changed the result:\n got %v\nwant %v", got.Pairs[:3], want.Pairs[:3])
		}
	}
}

func TestSolveRules(t *testing.T) {
	w := DefaultWeights()
	base := func(id string, st Stage) Person {
		return Person{ID: id, Name: id, Stage: st, Areas: []string{"grants"}, Methods: []string{"email"}, Frequency: "monthly"}
	}
	t.Run("avoid list of the mentee", func(t *testing.T) {
		e := base("e1", Student)
		e.Avoid = []string{"m1"}
		m := base("m1", Senior)
		m.Capacity = 1
		res := Solve([]Person{e}, []Person{m}, w)
		if len(res.Pairs) != 0 || !slices.Equal(res.Unmatched, []string{"e1"}) {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("avoid list of the mentor", func(t *testing.T) {
		e := base("e1", Student)
		m := base("m1", Senior)
		m.Capacity = 1
		m.Avoid = []string{"e1"}
		res := Solve([]Person{e}, []Person{m}, w)
		if len(res.Pairs) != 0 {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("same person", func(t *testing.T) {
		e := base("U1", New)
		m := base("U1", Senior)
		m.Capacity = 3
		res := Solve([]Person{e}, []Person{m}, w)
		if len(res.Pairs) != 0 {
			t.Fatalf("got %+v", res)
		}
		if s := ScorePair(e, m, w); !s.Forbidden || s.Text() != "same person" {
			t.Fatalf("ScorePair = %+v", s)
		}
	})
	t.Run("zero capacity never used", func(t *testing.T) {
		e := base("e1", Student)
		m0, m1 := base("m0", Senior), base("m1", Student) // m1 is a poor but free mentor
		m1.Capacity = 1
		res := Solve([]Person{e}, []Person{m0, m1}, w)
		if len(res.Pairs) != 1 || res.Pairs[0].MentorID != "m1" {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("capacity respected, unmatched reported sorted", func(t *testing.T) {
		var es []Person
		for _, id := range []string{"e5", "e3", "e1", "e4", "e2"} {
			es = append(es, base(id, Student))
		}
		m := base("m1", Senior)
		m.Capacity = 2
		res := Solve(es, []Person{m}, w)
		if len(res.Pairs) != 2 || len(res.Unmatched) != 3 || !slices.IsSorted(res.Unmatched) {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("empty", func(t *testing.T) {
		if res := Solve(nil, nil, w); len(res.Pairs)+len(res.Unmatched)+res.Total != 0 {
			t.Fatalf("got %+v", res)
		}
		res := Solve([]Person{base("e1", New)}, nil, w)
		if !slices.Equal(res.Unmatched, []string{"e1"}) {
			t.Fatalf("got %+v", res)
		}
	})
}

func TestMatrixAgreesWithScorePair(t *testing.T) {
	// Both layouts: a row per mentor (fewer places than mentees) and a row per
	// mentee.
	for _, shape := range [][2]int{{60, 25}, {20, 25}} {
		mentees, mentors := genProblem(11, shape[0], shape[1])
		mentors[3].Capacity = 0
		mentees[0].UTCOffset, mentors[1].UTCOffset = 5000, -3001 // nonsense offsets count modulo 24 h
		mentees[1].Stage, mentors[2].Stage = StageUnknown, Stage(9)
		mentees[2].Methods, mentees[2].Frequency = nil, "fortnightly"
		w := DefaultWeights()
		x := NewMatrix(mentees, mentors, w)
		if x.byMentee != (shape[0] == 20) {
			t.Fatalf("%v: byMentee %v", shape, x.byMentee)
		}
		for i := range mentees {
			for j := range mentors {
				want := ScorePair(mentees[i], mentors[j], w)
				p, ok := x.Points(i, j)
				got := x.Score(i, j)
				if ok == want.Forbidden || (ok && p != want.Points) ||
					fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s-%s: matrix %d %v %+v, ScorePair %+v", mentees[i].ID, mentors[j].ID, p, ok, got, want)
				}
			}
		}
	}
}
