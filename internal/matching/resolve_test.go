package matching

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// pinSequence pins up to k random mentees, one at a time, each to a random mentor.
func pinSequence(r *rand.Rand, x *Matrix, k int) []Pin {
	return randomPins(r, x, k)
}

func TestSessionPinsMatchBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	layouts := map[bool]int{}
	for k := range 1500 {
		n, m := 1+r.IntN(6), 1+r.IntN(4)
		lo, hi := -20, 20
		if k%3 == 0 {
			lo, hi = -1, 1 // ties
		}
		x := matrixFromPoints(randomPoints(r, n, m, lo, hi, 0.25))
		layouts[x.byMentee]++
		ss := x.NewSession()
		var pins []Pin
		for _, p := range pinSequence(r, x, 1+r.IntN(3)) {
			pins = append(pins, p)
			res, err := ss.Pin(p.MenteeID, p.MentorID)
			if err != nil {
				t.Fatal(err)
			}
			checkPins(t, res, pins)
			checkValidPinned(t, x, res, pins)
			card, total := bruteForceWith(x, pins, false)
			if len(res.Pairs) != card || res.Total != total {
				t.Fatalf("instance %d (%d×%d, byMentee %v) after pins %v: session %d pairs total %d, brute force %d pairs total %d",
					k, n, m, x.byMentee, pins, len(res.Pairs), res.Total, card, total)
			}
		}
	}
	if layouts[true] < 200 || layouts[false] < 200 {
		t.Fatalf("instances by layout %v: both solver orientations need testing", layouts)
	}
}

func TestSessionPinsMatchASolveFromScratch(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	layouts := map[bool]int{}
	for k := range 60 {
		n, m := 30+r.IntN(40), 10+r.IntN(15)
		if k%2 == 1 {
			n = m + r.IntN(m) // more places than mentees: rows are mentees
		}
		mentees, mentors := genProblem(uint64(200+k), n, m)
		x := NewMatrixWith(mentees, mentors, DefaultWeights(), randomSettings(r))
		layouts[x.byMentee]++
		ss := x.NewSession()
		var pins []Pin
		for _, p := range pinSequence(r, x, 1+r.IntN(8)) {
			pins = append(pins, p)
			res, err := ss.Pin(p.MenteeID, p.MentorID)
			if err != nil {
				t.Fatal(err)
			}
			checkValidPinned(t, x, res, pins)
			cold, _ := x.SolveWith(Options{Pins: pins})
			if len(res.Pairs) != len(cold.Pairs) || res.Total != cold.Total {
				t.Fatalf("instance %d (%d×%d, byMentee %v) after pins %v: session %d pairs total %d, from scratch %d pairs total %d",
					k, n, m, x.byMentee, pins, len(res.Pairs), res.Total, len(cold.Pairs), cold.Total)
			}
		}
	}
	if layouts[true] < 10 || layouts[false] < 10 {
		t.Fatalf("instances by layout %v", layouts)
	}
}

func TestSessionRefusesBadPinsAndChangesNothing(t *testing.T) {
	x := matrixFromPoints(randomPoints(rand.New(rand.NewPCG(1, 1)), 3, 2, 0, 5, 0))
	ss := x.NewSession()
	before := ss.Result()
	for _, p := range []Pin{{"nobody", "m000"}, {"e000", "nobody"}} {
		if _, err := ss.Pin(p.MenteeID, p.MentorID); err == nil {
			t.Errorf("pin %v accepted", p)
		}
	}
	if _, err := ss.Pin("e000", "m001"); err != nil {
		t.Fatal(err)
	}
	if _, err := ss.Pin("e000", "m000"); err == nil {
		t.Error("a mentee pinned twice")
	}
	if before.Total != x.Solve().Total {
		t.Fatal("session's first result is not the optimum")
	}
}

// A session started with pins gives exactly SolveWith's pairs with those pins, and
// pins added afterwards keep it optimal (brute force), whichever side the solver's
// rows are: for the cardinality-first session and the points-only one.
func TestSessionStartedWithPinsStaysOptimal(t *testing.T) {
	for _, pointsOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("points only %v", pointsOnly), func(t *testing.T) {
			r := rand.New(rand.NewPCG(35, 36))
			layouts := map[bool]int{}
			for k := range 1500 {
				n, m := 1+r.IntN(6), 1+r.IntN(4)
				lo, hi := -20, 20
				if k%3 == 0 {
					lo, hi = -1, 1 // ties
				}
				x := matrixFromPoints(randomPoints(r, n, m, lo, hi, 0.25))
				layouts[x.byMentee]++
				seq := pinSequence(r, x, 1+r.IntN(4))
				split := r.IntN(len(seq) + 1)
				pins := seq[:split]
				ss, err := x.NewSessionWith(pins)
				if pointsOnly {
					ss, err = x.NewPointsSession(pins, nil)
				}
				if err != nil {
					t.Fatal(err)
				}
				cold, _ := x.SolveWith(Options{Pins: pins, PointsOnly: pointsOnly})
				if got := ss.Result(); !samePairs(got, cold) {
					t.Fatalf("instance %d: session started with pins %v gives %+v, SolveWith %+v", k, pins, got.Pairs, cold.Pairs)
				}
				for _, p := range seq[split:] {
					pins = append(pins, p)
					res, err := ss.Pin(p.MenteeID, p.MentorID)
					if err != nil {
						t.Fatal(err)
					}
					checkPins(t, res, pins)
					checkValidPinned(t, x, res, pins)
					card, total := bruteForceWith(x, pins, pointsOnly)
					if res.Total != total || (!pointsOnly && len(res.Pairs) != card) {
						t.Fatalf("instance %d (%d×%d, byMentee %v) after pins %v: session %d pairs total %d, brute force %d pairs total %d",
							k, n, m, x.byMentee, pins, len(res.Pairs), res.Total, card, total)
					}
					if to, ok := ss.PinnedTo(p.MenteeID); !ok || to != p.MentorID {
						t.Fatalf("PinnedTo(%s) = %s, %v; want %s", p.MenteeID, to, ok, p.MentorID)
					}
					mentorOf := ss.MentorOf()
					if len(mentorOf) != len(res.Pairs) {
						t.Fatalf("instance %d: MentorOf %v, Result %+v", k, mentorOf, res.Pairs)
					}
					for _, pr := range res.Pairs {
						if mentorOf[pr.MenteeID] != pr.MentorID {
							t.Fatalf("instance %d: MentorOf %v, Result %+v", k, mentorOf, res.Pairs)
						}
					}
				}
			}
			if layouts[true] < 200 || layouts[false] < 200 {
				t.Fatalf("instances by layout %v: both solver orientations need testing", layouts)
			}
		})
	}
}

func samePairs(a, b Result) bool {
	if len(a.Pairs) != len(b.Pairs) || a.Total != b.Total {
		return false
	}
	for i := range a.Pairs {
		if a.Pairs[i].MenteeID != b.Pairs[i].MenteeID || a.Pairs[i].MentorID != b.Pairs[i].MentorID {
			return false
		}
	}
	return true
}

// On realistic problems too, a points-only session repaired pin by pin keeps the
// total of a points-only solve from scratch.
func TestPointsSessionPinsMatchASolveFromScratch(t *testing.T) {
	r := rand.New(rand.NewPCG(39, 40))
	for k := range 40 {
		n, m := 30+r.IntN(40), 10+r.IntN(15)
		if k%2 == 1 {
			n = m + r.IntN(m)
		}
		mentees, mentors := genProblem(uint64(300+k), n, m)
		x := NewMatrixWith(mentees, mentors, DefaultWeights(), randomSettings(r))
		ss, err := x.NewPointsSession(nil, x.NewSession())
		if err != nil {
			t.Fatal(err)
		}
		var pins []Pin
		for _, p := range pinSequence(r, x, 1+r.IntN(8)) {
			pins = append(pins, p)
			res, err := ss.Pin(p.MenteeID, p.MentorID)
			if err != nil {
				t.Fatal(err)
			}
			cold, _ := x.SolveWith(Options{Pins: pins, PointsOnly: true})
			if res.Total != cold.Total {
				t.Fatalf("instance %d after pins %v: points session total %d, from scratch %d", k, pins, res.Total, cold.Total)
			}
		}
	}
}

// clone copies the session, for benchmarks that pin the same solution again.
func (ss *Session) clone() *Session {
	s := *ss.s
	s.rowCap = slices.Clone(s.rowCap)
	s.u, s.v, s.row4col = slices.Clone(s.u), slices.Clone(s.v), slices.Clone(s.row4col)
	s.skip, s.pending = slices.Clone(s.skip), slices.Clone(s.pending)
	s.live = make([][]int32, len(ss.s.live))
	for R, l := range ss.s.live {
		s.live[R] = slices.Clone(l)
	}
	s.spc, s.path = slices.Clone(s.spc), slices.Clone(s.path)
	s.remaining, s.pos = slices.Clone(s.remaining), slices.Clone(s.pos)
	s.dRow, s.via = slices.Clone(s.dRow), slices.Clone(s.via)
	s.buf = slices.Clone(s.buf)
	s.settled, s.reached = nil, nil
	return &Session{x: ss.x, s: &s, pinned: slices.Clone(ss.pinned), pinsOf: slices.Clone(ss.pinsOf)}
}
