package matching

// Session is a solved assignment that the committee's pins re-solve incrementally:
// it keeps the solver's assignment and dual values, and Pin repairs them around the
// new pin instead of solving again from nothing. Every result is the same optimum
// Matrix.SolveWith would give with the same pins (same number of pairs, same total;
// among equal optima it may pick another). A Session is not safe for concurrent
// use. It does not mark Pair.ForCount.
type Session struct {
	x              *Matrix
	s              *solver
	pinned, pinsOf []int
}

// NewSession solves x (cardinality first, as Solve) and keeps the solution for Pin.
func (x *Matrix) NewSession() *Session {
	ss, _ := x.newSession(nil, false, nil) // no pins: nothing can fail
	return ss
}

// transpose keeps a column-major copy of the matrix for fixColumn, whose search
// reads whole columns: strided over rows, each read of a 10,000-person matrix was
// a cache miss. It doubles the matrix's memory for as long as the Session lives.
func (s *solver) transpose() {
	rows := len(s.rowCap)
	s.byCol = make([]int32, len(s.pts))
	const block = 64 // rows and columns per tile, for cache-friendly copying
	for r0 := 0; r0 < rows; r0 += block {
		for c0 := 0; c0 < s.rowLen; c0 += block {
			for r := r0; r < min(r0+block, rows); r++ {
				row := s.pts[r*s.rowLen : (r+1)*s.rowLen]
				for c := c0; c < min(c0+block, s.rowLen); c++ {
					s.byCol[c*rows+r] = row[c]
				}
			}
		}
	}
}

// NewSessionWith is NewSession with pins given from the start: its first result
// is exactly SolveWith's with the same pins (same pairs, not only the same total).
func (x *Matrix) NewSessionWith(pins []Pin) (*Session, error) {
	return x.newSession(pins, false, nil)
}

// NewPointsSession is a Session that maximises points alone (Options.PointsOnly),
// started with pins: what Options.MarkForCount compares with. It shares the
// column-major copy of like, a Session of the same matrix, when like is not nil.
func (x *Matrix) NewPointsSession(pins []Pin, like *Session) (*Session, error) {
	return x.newSession(pins, true, like)
}

func (x *Matrix) newSession(pins []Pin, pointsOnly bool, like *Session) (*Session, error) {
	pinned, pinsOf, err := x.pinsAt(pins)
	if err != nil {
		return nil, err
	}
	ss := &Session{x: x, pinned: pinned, pinsOf: pinsOf}
	ss.s = newSolver(x, pinned, pinsOf, pointsOnly)
	ss.s.solve()
	if like != nil && like.x == x {
		ss.s.byCol = like.s.byCol
	} else {
		ss.s.transpose()
	}
	return ss, nil
}

// PinnedTo returns the mentor menteeID is pinned to, if any.
func (ss *Session) PinnedTo(menteeID string) (string, bool) {
	i, ok := position(ss.x.pe, menteeID)
	if !ok || ss.pinned[i] == 0 {
		return "", false
	}
	return ss.x.pr[ss.pinned[i]-1].id, true
}

// MentorOf returns the mentor of each mentee the current assignment pairs (pins
// included): Result without the scores, which cost more than the assignment.
func (ss *Session) MentorOf() map[string]string {
	out := map[string]string{}
	for i, j := range ss.x.mentorOf(ss.s, ss.pinned) {
		if j >= 0 {
			out[ss.x.pe[i].id] = ss.x.pr[j].id
		}
	}
	return out
}

// Result returns the current assignment, pins included.
func (ss *Session) Result() Result { return ss.x.result(ss.s, ss.pinned) }

// Pin pins the mentee to the mentor (see Options.Pins) and re-optimises the rest
// around it, reusing the dual values of the previous solution: the pinned mentee
// leaves the problem, the mentor loses a place, and at most two short repairs
// restore optimality. It fails, changing nothing, when an ID is unknown or the
// mentee is pinned already.
func (ss *Session) Pin(menteeID, mentorID string) (Result, error) {
	if err := ss.Add(menteeID, mentorID); err != nil {
		return Result{}, err
	}
	return ss.Result(), nil
}

// Add is Pin without reading the result out (Result explains every pair, which
// costs more than the repair when the pair was in the optimum already).
func (ss *Session) Add(menteeID, mentorID string) error {
	x, s := ss.x, ss.s
	i, j, err := x.pinAt(Pin{MenteeID: menteeID, MentorID: mentorID}, ss.pinned)
	if err != nil {
		return err
	}
	ss.pinned[i] = j + 1
	ss.pinsOf[j]++
	if s.pending == nil {
		s.pending = make([]bool, len(s.rowCap))
	}
	if s.skip == nil {
		s.skip = make([]bool, s.nc)
	}
	if s.slotOf == nil {
		s.pinRowsAreMentors(x, i, j, max(min(x.pr[j].capacity-ss.pinsOf[j], x.n), 0))
	} else {
		s.pinRowsAreMentees(i, j)
	}
	return nil
}

// pinRowsAreMentors pins column (mentee) i to row (mentor) j, whose places become
// newCap.
func (s *solver) pinRowsAreMentors(x *Matrix, i, j, newCap int) {
	s.skip[i] = true
	r0 := int(s.row4col[i])
	if r0 >= 0 {
		s.unassign(r0, int32(i))
		s.row4col[i] = -1
	}
	kicked := int32(-1)
	if newCap < s.rowCap[j] {
		switch {
		case r0 == j: // the place i leaves is the one j loses
			r0 = -1
		case len(s.live[j]) < s.rowCap[j]: // j loses an empty place
		default: // j gives up the mentee whose potential is highest (cheapest to free)
			l := s.live[j]
			kicked = l[0]
			for _, k := range l[1:] {
				if s.v[k] > s.v[kicked] {
					kicked = k
				}
			}
			s.unassign(j, kicked)
			s.row4col[kicked] = -1
		}
		s.rowCap[j] = newCap
	}
	if r0 >= 0 {
		s.pending[r0] = true // its freed place is filled below
	}
	if kicked >= 0 {
		s.fixColumn(kicked)
	}
	if r0 >= 0 {
		s.pending[r0] = false
		s.augment(r0)
	}
}

// pinRowsAreMentees pins row (mentee) i to mentor j, one of whose place columns
// is dropped.
func (s *solver) pinRowsAreMentees(i, j int) {
	s.rowCap[i] = 0
	freed := int32(-1)
	if l := s.live[i]; len(l) > 0 {
		freed = l[0]
		s.unassign(i, freed)
		s.row4col[freed] = -1
	}
	// Drop one place of j: the one i leaves, else a free one, else the one whose
	// mentee is cheapest to move (that mentee is then placed again).
	drop, moved := int32(-1), -1
	if freed >= 0 && int(s.slotOf[freed]) == j {
		drop, freed = freed, -1
	} else {
		for c, m := range s.slotOf {
			if int(m) != j || s.skip[c] {
				continue
			}
			switch {
			case s.row4col[c] < 0:
				drop = int32(c)
			case drop < 0 || (s.row4col[drop] >= 0 && s.v[c] > s.v[drop]):
				drop = int32(c)
			}
			if s.row4col[drop] < 0 {
				break
			}
		}
		if drop >= 0 && s.row4col[drop] >= 0 {
			moved = int(s.row4col[drop])
			s.unassign(moved, drop)
			s.row4col[drop] = -1
		}
	}
	if drop >= 0 {
		s.skip[drop] = true
	}
	if moved >= 0 {
		s.pending[moved] = true
	}
	if freed >= 0 {
		s.fixColumn(freed)
	}
	if moved >= 0 {
		s.pending[moved] = false
		s.augment(moved)
	}
}

// cost is the cost of row R taking column c: -(bonus + points), or false when the
// pair is forbidden.
func (s *solver) cost(R int, c int32) (int64, bool) {
	var p int32
	if s.slotOf == nil {
		p = s.pts[R*s.nc+int(c)]
	} else {
		p = s.pts[R*s.rowLen+int(s.slotOf[c])]
	}
	if p == noPair {
		return 0, false
	}
	return -s.bonus - int64(p), true
}

// fixColumn restores optimality after column k was freed while its potential
// v[k] may be below 0 (complementary slackness wants v = 0 on a free column): a
// Dijkstra search from k over alternating paths (k → a row that takes it → a
// column that row gives up → …) on reduced costs finds the cheapest of leaving
// some reached column free (cost: distance − its potential) or ending at a row
// with an empty place (cost: distance; such rows have potential 0), and applies
// it, updating the potentials of what it settled so that every reduced cost stays
// non-negative and the chosen path is tight. Rows with a pending place are not
// ends: their place is filled by augment afterwards.
func (s *solver) fixColumn(k int32) {
	nr := len(s.rowCap)
	if len(s.dRow) < nr {
		s.dRow = make([]int64, nr)
	}
	dRow, via := s.dRow, s.via // via: the column a row would take
	done := make([]bool, nr)
	for R := range nr {
		dRow[R] = inf
	}
	colDist := map[int32]int64{k: 0}
	var settledRows []int
	best, endRow, endCol := -s.v[k], -1, k
	relax := func(c int32, dc int64) {
		j := int(c) // the matrix column of c
		if s.slotOf != nil {
			j = int(s.slotOf[c])
		}
		col, base := s.byCol[j*nr:(j+1)*nr], dc-s.v[c]-s.bonus
		for R, p := range col {
			if p == noPair || done[R] || s.rowCap[R] == 0 {
				continue
			}
			if d := base - int64(p) - s.u[R]; d < dRow[R] {
				dRow[R], via[R] = d, c
			}
		}
	}
	relax(k, 0)
	for {
		R, dR := -1, int64(inf)
		for r := range nr {
			if !done[r] && dRow[r] < dR {
				R, dR = r, dRow[r]
			}
		}
		if R < 0 || dR >= best {
			break
		}
		done[R] = true
		settledRows = append(settledRows, R)
		if !s.pending[R] && len(s.live[R]) < s.rowCap[R] {
			best, endRow, endCol = dR, R, -1 // an empty place takes the column
			break
		}
		for _, c := range s.live[R] {
			if _, seen := colDist[c]; seen {
				continue
			}
			colDist[c] = dR
			if t := dR - s.v[c]; t < best {
				best, endRow, endCol = t, -1, c
			}
			relax(c, dR)
		}
	}
	for _, R := range settledRows {
		s.u[R] -= best - dRow[R]
	}
	for c, d := range colDist {
		s.v[c] += best - d
	}
	// Apply the path, from its end back to k.
	cur := endRow
	if endCol >= 0 {
		if endCol == k {
			return // k stays free, now at potential 0
		}
		cur = int(s.row4col[endCol])
		s.unassign(cur, endCol)
		s.row4col[endCol] = -1
	}
	for {
		c := via[cur]
		prev := s.row4col[c]
		s.row4col[c] = int32(cur)
		s.live[cur] = append(s.live[cur], c)
		if prev < 0 {
			return // c is k
		}
		s.unassign(int(prev), c)
		cur = int(prev)
	}
}
