package matching

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Pair is one proposed duo.
type Pair struct {
	MenteeID, MentorID string
	Score              Score
	// Pinned pairs were given (Options.Pins), not chosen by the solver.
	Pinned bool
	// ForCount is set, when Options.MarkForCount asked for it, on a pair whose
	// mentee an assignment of the highest total points alone would leave
	// unmatched: the pair costs points and is kept only to match one more mentee.
	ForCount bool
}

// Result is an optimal assignment.
type Result struct {
	Pairs     []Pair   // sorted by mentee ID, pinned pairs included
	Unmatched []string // IDs of mentees without a mentor, sorted
	Total     int      // sum of the pairs' points (pinned pairs included unless forbidden)
}

// Pin is a pair decided beforehand (the committee approved it or chose the mentor):
// the mentee is not assigned again and takes one of the mentor's places.
type Pin struct{ MenteeID, MentorID string }

// Options change what Matrix.SolveWith optimises.
type Options struct {
	// Pins are kept as given; the rest is optimised around them. A pinned mentor
	// keeps Capacity minus its pins places (none when pinned more often than its
	// capacity: the pins still stand). A pin may be a forbidden pair: it is the
	// committee's decision.
	Pins []Pin
	// PointsOnly drops rule 2 of Solve: the result has the highest total points,
	// and leaves a mentee unmatched rather than lose points to match them.
	PointsOnly bool
	// MarkForCount also solves with PointsOnly (same pins) and marks the pairs
	// whose mentee that solution leaves unmatched (Pair.ForCount). It doubles the
	// work.
	MarkForCount bool
}

// Solve scores every pair of mentees and mentors under w and returns an optimal
// assignment; it is NewMatrix(mentees, mentors, w).Solve().
func Solve(mentees, mentors []Person, w Weights) Result {
	return NewMatrix(mentees, mentors, w).Solve()
}

// Solve returns an assignment of mentees to mentors that
//
//  1. never uses a forbidden pair, gives each mentee at most one mentor and each
//     mentor at most Capacity mentees;
//  2. matches as many mentees as possible;
//  3. among those, has the highest total points.
//
// It is exact, not greedy. The problem is solved as a rectangular assignment whose
// rows are the scarcer side — mentors' places when there are fewer places than
// mentees, else mentees — with a private "stay empty" column for every row place:
// a real pair costs -(B + points), an empty place 0, where the bonus
// B = 2·K·P + 1 (K = most pairs possible, P = largest |points|) makes one more pair
// worth more than any difference in points. Row places are added one at a time,
// each by a shortest augmenting path (Dijkstra with dual potentials, as in
// Jonker–Volgenant and Crouse's rectangular variant). When rows are mentors, a
// mentor's places share one node and one potential, so a search step scans a
// mentor once, not once per place. A step costs one pass over the columns not yet
// reached, and the search stops at the first free column or empty place it
// settles. Worst case O(R·r·c) for R row places, r rows and c columns; in practice
// a few passes per place, since most augmenting paths are short (2,000 mentees ×
// 700 mentors: about 2.5 passes a place). Memory beyond the Matrix is O(n + m +
// places). Numbers are int64; they cannot overflow below about 100,000 people.
//
// Ties: rows are processed in ID order and, among equally good columns, the
// search prefers a free one, then the first it met. The result is a deterministic
// function of the people and weights; it does not depend on input order when IDs
// are unique. Pairs come sorted by mentee ID, unmatched mentees too.
func (x *Matrix) Solve() Result {
	res, _ := x.SolveWith(Options{})
	return res
}

// SolveWith is Solve with pins, or maximising points alone; see Options. Pinned
// pairs are in the result, marked Pinned. It fails only when a pin names an ID
// that is not in the matrix or pins a mentee twice; the result is then empty.
// It reuses the matrix: re-solving after the committee pins a pair costs an
// assignment, not a scoring.
func (x *Matrix) SolveWith(o Options) (Result, error) {
	pinned, pinsOf, err := x.pinsAt(o.Pins)
	if err != nil {
		return Result{}, err
	}
	res := x.assign(pinned, pinsOf, o.PointsOnly)
	if o.MarkForCount && !o.PointsOnly {
		alone := x.assign(pinned, pinsOf, true)
		matched := make(map[string]bool, len(alone.Pairs))
		for _, p := range alone.Pairs {
			matched[p.MenteeID] = true
		}
		for k := range res.Pairs {
			res.Pairs[k].ForCount = !res.Pairs[k].Pinned && !matched[res.Pairs[k].MenteeID]
		}
	}
	return res, nil
}

// pinsAt returns, for pins, the mentor position + 1 of each pinned mentee (0: not
// pinned) and the number of pins of each mentor, both by position in ID order.
func (x *Matrix) pinsAt(pins []Pin) (pinned, pinsOf []int, err error) {
	pinned, pinsOf = make([]int, x.n), make([]int, x.m)
	for _, p := range pins {
		i, j, err := x.pinAt(p, pinned)
		if err != nil {
			return nil, nil, err
		}
		pinned[i] = j + 1
		pinsOf[j]++
	}
	return pinned, pinsOf, nil
}

// pinAt returns the positions (in ID order) of pin p's mentee and mentor, or why
// p cannot be pinned given what pinned holds already.
func (x *Matrix) pinAt(p Pin, pinned []int) (i, j int, err error) {
	i, iok := position(x.pe, p.MenteeID)
	j, jok := position(x.pr, p.MentorID)
	switch {
	case !iok:
		return 0, 0, fmt.Errorf("pin %s-%s: no mentee %q", p.MenteeID, p.MentorID, p.MenteeID)
	case !jok:
		return 0, 0, fmt.Errorf("pin %s-%s: no mentor %q", p.MenteeID, p.MentorID, p.MentorID)
	case pinned[i] != 0:
		return 0, 0, fmt.Errorf("mentee %q pinned twice", p.MenteeID)
	}
	return i, j, nil
}

// position is the place of id among people in ID order.
func position(people []profile, id string) (int, bool) {
	return slices.BinarySearchFunc(people, id, func(p profile, id string) int { return strings.Compare(p.id, id) })
}

// assign runs the solver with pinned mentees (pinned[i] = mentor position + 1)
// left out and their mentors' places reduced.
func (x *Matrix) assign(pinned, pinsOf []int, pointsOnly bool) Result {
	s := newSolver(x, pinned, pinsOf, pointsOnly)
	s.solve()
	return x.result(s, pinned)
}

// solve fills every row's places, in row order.
func (s *solver) solve() {
	for R := range s.rowCap {
		for range s.rowCap[R] {
			if !s.augment(R) {
				break // this row cannot take more; further places would stay empty too
			}
		}
	}
}

// mentorOf reads the assignment out of a solved s: the mentor position of each
// mentee position (ID order), -1 for none. Pinned mentees have their pin.
func (x *Matrix) mentorOf(s *solver, pinned []int) []int {
	out := make([]int, x.n)
	for i := range out {
		out[i] = pinned[i] - 1
	}
	for c, R := range s.row4col {
		switch {
		case R < 0:
		case s.slotOf == nil:
			out[c] = int(R)
		default:
			out[R] = int(s.slotOf[c])
		}
	}
	return out
}

// result reads the assignment out of a solved s, each pair explained. A pinned
// pair that breaks a must-have is in it, forbidden, and adds nothing to the total.
func (x *Matrix) result(s *solver, pinned []int) Result {
	var res Result
	for i, j := range x.mentorOf(s, pinned) { // mentees in ID order
		if j < 0 {
			res.Unmatched = append(res.Unmatched, x.pe[i].id)
			continue
		}
		sc := x.scoreAt(i, j)
		if !sc.Forbidden {
			res.Total += sc.Points
		}
		res.Pairs = append(res.Pairs, Pair{MenteeID: x.pe[i].id, MentorID: x.pr[j].id, Score: sc, Pinned: pinned[i] > 0})
	}
	return res
}

const inf = math.MaxInt64 / 4

// solver is the state of the shortest-augmenting-path assignment. Rows are the
// scarcer side: mentors (all their places in one row node, rowCap[R] = places)
// when places are fewer than mentees, columns are then mentees; otherwise rows are
// mentees (rowCap 1) and columns are mentor places (slotOf maps a column to its
// mentor). Costs are c(R,C) = -(bonus + points); dual potentials u (rows) and v
// (columns) keep c(R,C) - u[R] - v[C] >= 0 for every allowed pair of a row with
// live places, with equality on assigned pairs, and u[R] <= 0 (the empty-place
// columns, whose potential is always 0).
type solver struct {
	nc     int     // columns
	rowCap []int   // places of each row
	pts    []int32 // the matrix, a row per row node (per mentee when slotOf != nil)
	slotOf []int32 // mentor of each column when columns are mentor places, else nil
	skip   []bool  // columns left out (pinned mentees, dropped places), or nil
	// pending marks rows with a place freed by a Session's pin and not yet
	// filled again (nil until a Session's first pin).
	pending []bool
	buf     []int32 // the current row expanded over places, when slotOf != nil
	rowLen  int     // length of a row of pts
	bonus   int64
	// byCol is pts transposed (a run of rows per matrix column), which a
	// Session's repairs read a column at a time; nil outside a Session.
	byCol []int32

	u       []int64   // per row
	live    [][]int32 // per row: its assigned columns
	row4col []int32   // per column: its row, or -1
	v       []int64   // per column

	// Per augment scratch.
	spc       []int64 // shortest reduced path cost to each column
	path      []int32 // row that relaxed each column last
	remaining []int32 // backing array of rem: columns not yet settled
	rem       []int32 // remaining[:how many are left]
	pos       []int32 // index of each column in rem
	dRow      []int64 // distance at which each row was reached
	via       []int32 // column through which each row was reached
	settled   []int32 // columns settled in this augment
	reached   []int32 // rows reached in this augment
	bestDummy int64   // cheapest empty place seen
	dummyRow  int     // its row
}

func newSolver(x *Matrix, pinned, pinsOf []int, pointsOnly bool) *solver {
	s := &solver{pts: x.pts, rowLen: x.n}
	if x.byMentee {
		s.rowLen = x.m
		s.rowCap = make([]int, x.n)
		for i := range s.rowCap {
			if pinned[i] == 0 {
				s.rowCap[i] = 1
			}
		}
		for j := range x.pr {
			for range max(min(x.pr[j].capacity-pinsOf[j], x.n), 0) {
				s.slotOf = append(s.slotOf, int32(j))
			}
		}
		s.nc = len(s.slotOf)
		s.buf = make([]int32, s.nc)
	} else {
		s.rowCap = make([]int, x.m)
		for j := range s.rowCap {
			s.rowCap[j] = max(min(x.pr[j].capacity-pinsOf[j], x.n), 0)
		}
		s.nc = x.n
		for i := range pinned {
			if pinned[i] != 0 {
				if s.skip == nil {
					s.skip = make([]bool, x.n)
				}
				s.skip[i] = true
			}
		}
	}
	nr, nc := len(s.rowCap), s.nc
	s.u, s.live, s.dRow, s.via = make([]int64, nr), make([][]int32, nr), make([]int64, nr), make([]int32, nr)
	s.row4col, s.v, s.spc, s.path = make([]int32, nc), make([]int64, nc), make([]int64, nc), make([]int32, nc)
	s.remaining, s.pos = make([]int32, nc), make([]int32, nc)
	for c := range s.row4col {
		s.row4col[c] = -1
	}
	maxAbs := int64(0)
	for _, p := range x.pts {
		if p != noPair {
			maxAbs = max(maxAbs, int64(p), -int64(p))
		}
	}
	s.bonus = 2*int64(min(x.places, x.n))*maxAbs + 1
	if pointsOnly {
		s.bonus = 0
	}
	return s
}

// row returns row R's points over the columns.
func (s *solver) row(R int) []int32 {
	if s.slotOf == nil {
		return s.pts[R*s.nc : (R+1)*s.nc]
	}
	src := s.pts[R*s.rowLen : (R+1)*s.rowLen]
	for c, j := range s.slotOf {
		s.buf[c] = src[j]
	}
	return s.buf
}

// augment adds one place of row cur to the assignment along a shortest
// augmenting path. It reports whether the place was filled (false: it stays empty,
// and so would any further place of cur).
func (s *solver) augment(cur int) bool {
	n := s.nc
	s.settled, s.reached = s.settled[:0], s.reached[:0]
	if len(s.live[cur]) == 0 {
		s.u[cur] = 0 // any start works for a row without live places; 0 keeps numbers small
	}
	s.bestDummy, s.dummyRow = inf, -1
	spc, v, row4col, path, pos := s.spc, s.v, s.row4col, s.path, s.pos

	// The first pass, from cur, also sets up the scratch arrays: every column but
	// cur's own is unsettled, at the cost of its edge from cur.
	row := s.row(cur)
	base := -s.u[cur] - s.bonus
	rem := s.remaining[:0]
	lowest, idx, lowFree := int64(inf), -1, false
	for i := range int32(n) {
		if int(row4col[i]) == cur || (s.skip != nil && s.skip[i]) {
			continue // settled by reach below, or left out
		}
		pos[i] = int32(len(rem))
		rem = append(rem, i)
		d := int64(inf)
		if p := row[i]; p != noPair {
			d = base - int64(p) - v[i]
			path[i] = int32(cur)
		}
		spc[i] = d
		if d < lowest || (d == lowest && !lowFree && row4col[i] < 0) {
			lowest, idx, lowFree = d, len(rem)-1, row4col[i] < 0
		}
	}
	s.rem = rem
	s.reach(cur, 0, -1)

	var (
		minVal int64
		sink   = -1 // column ending the path, or -1 for an empty place of dummyRow
	)
	for {
		if idx < 0 || s.bestDummy < lowest || (s.bestDummy == lowest && !lowFree) {
			minVal = s.bestDummy
			break
		}
		minVal = lowest
		i := s.rem[idx]
		s.take(idx)
		s.settled = append(s.settled, i)
		if row4col[i] < 0 {
			sink = int(i)
			break
		}
		R, dR := int(row4col[i]), minVal
		s.reach(R, dR, i) // R is new: a reached row's columns leave rem when it is reached

		// Relax the columns from R, and find the next closest.
		row := s.row(R)
		base := dR - s.u[R] - s.bonus
		lowest, idx, lowFree = inf, -1, false
		for it, i := range s.rem {
			if p := row[i]; p != noPair {
				if r := base - int64(p) - v[i]; r < spc[i] {
					spc[i] = r
					path[i] = int32(R)
				}
			}
			if d := spc[i]; d < lowest || (d == lowest && !lowFree && row4col[i] < 0) {
				lowest, idx, lowFree = d, it, row4col[i] < 0
			}
		}
	}

	// Update the duals so every edge stays non-negative and the path becomes tight.
	for _, r := range s.reached {
		s.u[r] += minVal - s.dRow[r]
	}
	for _, k := range s.settled {
		s.v[k] -= minVal - s.spc[k]
	}

	// Augment.
	var j int32
	if sink >= 0 {
		j = int32(sink)
	} else {
		if s.dummyRow == cur {
			return false
		}
		// dummyRow leaves one place empty: the column it came through moves on.
		j = s.via[s.dummyRow]
		s.unassign(s.dummyRow, j)
	}
	for {
		r := s.path[j]
		s.row4col[j] = r
		if int(r) == cur {
			s.live[r] = append(s.live[r], j)
			return true
		}
		k := s.via[r]
		s.unassign(int(r), k)
		s.live[r] = append(s.live[r], j)
		j = k
	}
}

// reach marks row R reached at distance d through column via (-1 for the start
// row, whose columns were never put in rem): its other assigned columns are
// settled at the same distance (their edges are tight), and its empty place becomes
// a candidate end of the path.
func (s *solver) reach(R int, d int64, via int32) {
	s.dRow[R] = d
	s.via[R] = via
	s.reached = append(s.reached, int32(R))
	for _, k := range s.live[R] {
		if k == via {
			continue
		}
		if via >= 0 {
			s.take(int(s.pos[k]))
		}
		s.spc[k] = d
		s.settled = append(s.settled, k)
	}
	if c := d - s.u[R]; c < s.bestDummy {
		s.bestDummy, s.dummyRow = c, R
	}
}

// take removes rem[idx] from the mentees not yet settled.
func (s *solver) take(idx int) {
	last := s.rem[len(s.rem)-1]
	s.rem[idx] = last
	s.pos[last] = int32(idx)
	s.rem = s.rem[:len(s.rem)-1]
}

// unassign removes mentee k from mentor r's places.
func (s *solver) unassign(r int, k int32) {
	l := s.live[r]
	p := slices.Index(l, k)
	l[p] = l[len(l)-1]
	s.live[r] = l[:len(l)-1]
}
