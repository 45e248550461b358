package matching

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"testing"
)

// benchSizes are the mentee counts of the benchmarks; mentors are about a third as
// many, with capacities 1–3, so places (about 2 per mentor) are fewer than mentees.
var benchSizes = []int{100, 1000, 2000, 5000}

// BenchmarkSolve times scoring and solving together, from people to pairs. Besides
// ns/op, B/op and allocs/op it reports matrix-MB (the score matrix) and peak-MB: the
// heap one Solve grows with the garbage collector off, an upper bound of its peak
// memory.
func BenchmarkSolve(b *testing.B) {
	for _, n := range benchSizes {
		mentees, mentors := genProblem(2026, n, (n+2)/3)
		b.Run(fmt.Sprintf("mentees=%d", n), func(b *testing.B) {
			w := DefaultWeights()
			peak := peakMB(func() { Solve(mentees, mentors, w) })
			b.ReportAllocs()
			for b.Loop() {
				Solve(mentees, mentors, w)
			}
			b.ReportMetric(peak, "peak-MB")
			b.ReportMetric(float64(4*len(mentees)*len(mentors))/1e6, "matrix-MB")
		})
	}
}

// BenchmarkSolveShapes times harder shapes at 2,000 mentees: as many places as
// mentees (a balanced assignment, the hardest for augmenting paths), more places
// than mentees, and identical profiles (all ties).
func BenchmarkSolveShapes(b *testing.B) {
	balanced, cap3 := genProblem(7, 2000, 700)
	for j := range cap3 {
		cap3[j].Capacity = 3 // 2,100 places
	}
	more, mentors := genProblem(8, 2000, 2000)
	same, sameMentors := genProblem(9, 2000, 700)
	for _, ps := range [][]Person{same, sameMentors} {
		for i := range ps {
			ps[i].Areas, ps[i].Text, ps[i].Methods, ps[i].Frequency, ps[i].UTCOffset = []string{"grant opportunities"}, "grant writing", []string{"email"}, "monthly", 0
		}
	}
	for _, c := range []struct {
		name             string
		mentees, mentors []Person
	}{
		{"balanced", balanced, cap3},
		{"more-places", more, mentors},
		{"all-ties", same, sameMentors},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Solve(c.mentees, c.mentors, DefaultWeights())
			}
		})
	}
}

// BenchmarkAssign times the assignment alone, on a scored Matrix.
func BenchmarkAssign(b *testing.B) {
	for _, n := range benchSizes {
		mentees, mentors := genProblem(2026, n, (n+2)/3)
		x := NewMatrix(mentees, mentors, DefaultWeights())
		b.Run(fmt.Sprintf("mentees=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x.Solve()
			}
		})
	}
}

// BenchmarkScoreMatrix times scoring alone.
func BenchmarkScoreMatrix(b *testing.B) {
	for _, n := range benchSizes {
		mentees, mentors := genProblem(2026, n, (n+2)/3)
		b.Run(fmt.Sprintf("mentees=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				NewMatrix(mentees, mentors, DefaultWeights())
			}
		})
	}
}

// peakMB runs f once with the garbage collector off and returns how many MB the
// heap grew: everything f allocated, so at least its peak live heap.
func peakMB(f func()) float64 {
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return float64(after.HeapAlloc-before.HeapAlloc) / 1e6
}

// BenchmarkSolveLarge times scoring and solving at the sizes of the issue: 2,000
// mentees × 700 mentors and 10,000 × 3,300.
func BenchmarkSolveLarge(b *testing.B) {
	for _, sz := range [][2]int{{2000, 700}, {10000, 3300}} {
		mentees, mentors := genProblem(2026, sz[0], sz[1])
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			for b.Loop() {
				Solve(mentees, mentors, DefaultWeights())
			}
		})
	}
}

// BenchmarkResolveAfterPin times what a committee's choice costs at 2,000 × 700:
// the first proposal's mentee is pinned to their second-best mentor and the rest
// re-optimised on the scored matrix (the round's scores do not change with a pin):
// "from-scratch" solves again with the pin, "session" repairs the previous
// solution reusing its dual values (Session.Pin).
func BenchmarkResolveAfterPin(b *testing.B) {
	mentees, mentors := genProblem(2026, 2000, 700)
	x := NewMatrix(mentees, mentors, DefaultWeights())
	ss := x.NewSession()
	p := ss.Result().Pairs[0]
	ranked := Rank(mentees[indexOf(mentees, p.MenteeID)], mentors, DefaultWeights())
	pin := Pin{MenteeID: p.MenteeID, MentorID: ranked[1].MentorID}
	if pin.MentorID == p.MentorID {
		pin.MentorID = ranked[0].MentorID
	}
	b.Run("from-scratch", func(b *testing.B) {
		for b.Loop() {
			if _, err := x.SolveWith(Options{Pins: []Pin{pin}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("session", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			c := ss.clone()
			b.StartTimer()
			if _, err := c.Pin(pin.MenteeID, pin.MentorID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
