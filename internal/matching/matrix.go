package matching

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"
)

// noPair marks a forbidden pair in Matrix.pts.
const noPair = math.MinInt32

// Matrix holds the points of every mentee × mentor pair of one problem, computed
// once, for Solve and for tools that show every score. Build it with NewMatrix. A
// Matrix is immutable and safe for concurrent use; it keeps the slices it was built
// from, which the caller must not change afterwards.
//
// Memory: 4 bytes a pair plus a few KB a person (NewMatrix allocates about 14 MB
// in all for 2,000 mentees × 700 mentors, of which 5.6 MB is the matrix).
type Matrix struct {
	tab              *table
	mentees, mentors []Person // as given
	// Internally people are in ID order, so the result does not depend on input
	// order. eOrder[k] is the input index of the k-th mentee in ID order; eAt is the
	// inverse. Likewise rOrder/rAt for mentors.
	eOrder, eAt, rOrder, rAt []int
	pe, pr                   []profile // in ID order
	voc                      *vocab
	// pts holds the points of mentee i with mentor j (positions in ID order), or
	// noPair: at pts[j*n+i] (a row per mentor), or at pts[i*m+j] when byMentee (a
	// row per mentee). Solve's rows are the scarcer side: mentor places when they
	// are fewer than mentees, else mentees; each is laid out as a row.
	pts      []int32
	n, m     int
	places   int // mentor places usable: Σ min(capacity, n) over mentors with capacity
	byMentee bool
}

// NewMatrix is NewMatrixWith under the default Settings.
func NewMatrix(mentees, mentors []Person, w Weights) *Matrix {
	return NewMatrixWith(mentees, mentors, w, Settings{})
}

// NewMatrixWith prepares every mentee and mentor and scores every pair under w and
// the cycle's settings s, using all CPUs (GOMAXPROCS). It never fails: forbidden
// pairs (see ScorePairWith) are recorded as such. IDs should be unique within
// mentees and within mentors; with duplicates, pairs stay correct but which
// duplicate Solve prefers follows input order.
func NewMatrixWith(mentees, mentors []Person, w Weights, s Settings) *Matrix {
	x := &Matrix{tab: newTable(&w, &s), mentees: mentees, mentors: mentors, n: len(mentees), m: len(mentors), voc: newVocab()}
	x.eOrder, x.eAt = idOrder(mentees)
	x.rOrder, x.rAt = idOrder(mentors)
	x.pe = make([]profile, x.n)
	for k, idx := range x.eOrder {
		x.pe[k] = x.voc.prepare(&mentees[idx])
	}
	x.pr = make([]profile, x.m)
	for k, idx := range x.rOrder {
		x.pr[k] = x.voc.prepare(&mentors[idx])
		if c := x.pr[k].capacity; c > 0 {
			x.places += min(c, x.n)
		}
	}
	x.byMentee = x.places > x.n
	x.pts = make([]int32, x.n*x.m)
	x.score()
	x.forbid()
	x.request()
	return x
}

// index is the position of the pair (mentee i, mentor j) in pts.
func (x *Matrix) index(i, j int) int {
	if x.byMentee {
		return i*x.m + j
	}
	return j*x.n + i
}

// idOrder returns the indexes of ps sorted by ID (stable), and its inverse.
func idOrder(ps []Person) (order, at []int) {
	order = make([]int, len(ps))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(ps[a].ID, ps[b].ID) })
	at = make([]int, len(ps))
	for k, i := range order {
		at[i] = k
	}
	return order, at
}

// side is the people along a row of pts, flattened for a fast scan: their words
// and areas in one array each, their other attributes in small dense arrays.
type side struct {
	wOff, aOff   []int32 // person k's words are words[wOff[k]:wOff[k+1]], areas likewise
	words, areas []int32
	methods      []uint8
	freq, stage  []int8
	offset       []int32
}

func flatten(ps []profile) *side {
	s := &side{
		wOff: make([]int32, 1, len(ps)+1), aOff: make([]int32, 1, len(ps)+1),
		methods: make([]uint8, len(ps)), freq: make([]int8, len(ps)), stage: make([]int8, len(ps)),
		offset: make([]int32, len(ps)),
	}
	for k := range ps {
		p := &ps[k]
		s.words = append(s.words, p.words...)
		s.areas = append(s.areas, p.areas...)
		s.wOff = append(s.wOff, int32(len(s.words)))
		s.aOff = append(s.aOff, int32(len(s.areas)))
		s.methods[k], s.freq[k], s.stage[k] = p.methods, p.freq, int8(p.stage)
		s.offset[k] = int32(p.offset)
	}
	return s
}

// score fills pts, rows split among GOMAXPROCS workers.
func (x *Matrix) score() {
	rows, outer, inner := x.m, x.pr, x.pe
	if x.byMentee {
		rows, outer, inner = x.n, x.pe, x.pr
	}
	flat := flatten(inner)
	workers := min(runtime.GOMAXPROCS(0), rows)
	if x.n*x.m < 20000 {
		workers = 1
	}
	var wg sync.WaitGroup
	next := make(chan int, rows)
	for k := range rows {
		next <- k
	}
	close(next)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Bit sets of the row's person's words and areas: a pair's shared count is
			// then one bit test per word of the other person, without branches.
			wbits := make([]uint64, (len(x.voc.words)+63)/64)
			abits := make([]uint64, (len(x.voc.area)+63)/64)
			for k := range next {
				x.scoreRow(&outer[k], flat, x.pts[k*len(inner):(k+1)*len(inner)], wbits, abits)
			}
		}()
	}
	wg.Wait()
}

// scoreRow fills row with the points of o with each person of others, the sum of
// table.parts (Parts.sum); wbits and abits are zero on entry and on return.
func (x *Matrix) scoreRow(o *profile, others *side, row []int32, wbits, abits []uint64) {
	for _, id := range o.words {
		wbits[id>>6] |= 1 << (id & 63)
	}
	for _, id := range o.areas {
		abits[id>>6] |= 1 << (id & 63)
	}
	// The parts of the table that depend on the other person only, for o.
	t := x.tab
	var method [32]int32
	var freq [4]int32
	var stage [5]int32
	for v := range method {
		if x.byMentee {
			method[v] = t.method[int(o.methods)<<5|v]
		} else {
			method[v] = t.method[v<<5|int(o.methods)]
		}
	}
	for f := range freq {
		if x.byMentee {
			freq[f] = t.freq[int(o.freq+1)*4+f]
		} else {
			freq[f] = t.freq[f*4+int(o.freq+1)]
		}
	}
	for st := range stage {
		if x.byMentee {
			stage[st] = t.stage[int(o.stage)*5+st]
		} else {
			stage[st] = t.stage[st*5+int(o.stage)]
		}
	}
	amax, wmax := len(t.area)-1, len(t.word)-1
	off := int32(o.offset)
	for k := range row {
		words := 0
		for _, id := range others.words[others.wOff[k]:others.wOff[k+1]] {
			words += int(wbits[id>>6] >> (id & 63) & 1)
		}
		areas := 0
		for _, id := range others.areas[others.aOff[k]:others.aOff[k+1]] {
			areas += int(abits[id>>6] >> (id & 63) & 1)
		}
		d := others.offset[k] - off // offsets are in [0, 24 h): see prepare
		if d < 0 {
			d = -d
		}
		if d > 12*60 {
			d = 24*60 - d
		}
		p := t.area[min(areas, amax)] + t.word[min(words, wmax)] + method[others.methods[k]] +
			freq[others.freq[k]+1] + stage[others.stage[k]] + t.tz[d]
		if p < bannedBelow {
			row[k] = noPair // a must-have failed
			continue
		}
		row[k] = max(-MaxPoints, min(MaxPoints, p))
	}
	for _, id := range o.words {
		wbits[id>>6] = 0
	}
	for _, id := range o.areas {
		abits[id>>6] = 0
	}
}

// forbid marks the forbidden pairs: mentors without capacity, the same person on
// both sides, and avoid lists and last cycle's partners in both directions.
func (x *Matrix) forbid() {
	eIdx := make(map[string][]int, x.n) // ID -> mentee positions (ID order)
	for k := range x.pe {
		eIdx[x.pe[k].id] = append(eIdx[x.pe[k].id], k)
	}
	rIdx := make(map[string][]int, x.m)
	for k := range x.pr {
		rIdx[x.pr[k].id] = append(rIdx[x.pr[k].id], k)
	}
	for j := range x.pr {
		if x.pr[j].capacity < 1 {
			for i := range x.n {
				x.pts[x.index(i, j)] = noPair
			}
		}
		for _, i := range eIdx[x.pr[j].id] {
			x.pts[x.index(i, j)] = noPair
		}
		r := &x.mentors[x.rOrder[j]]
		for _, ids := range [][]string{r.Avoid, r.Previous} {
			for _, id := range ids {
				for _, i := range eIdx[id] {
					x.pts[x.index(i, j)] = noPair
				}
			}
		}
	}
	for i := range x.pe {
		e := &x.mentees[x.eOrder[i]]
		for _, ids := range [][]string{e.Avoid, e.Previous} {
			for _, id := range ids {
				for _, j := range rIdx[id] {
					x.pts[x.index(i, j)] = noPair
				}
			}
		}
	}
}

// request adds the requested mentor's bonus to the allowed pairs of mentees who
// asked for a mentor.
func (x *Matrix) request() {
	if x.tab.request == 0 {
		return
	}
	var rIdx map[string][]int
	for i := range x.pe {
		if x.pe[i].request == "" {
			continue
		}
		if rIdx == nil {
			rIdx = make(map[string][]int, x.m)
			for k := range x.pr {
				rIdx[x.pr[k].id] = append(rIdx[x.pr[k].id], k)
			}
		}
		for _, j := range rIdx[x.pe[i].request] {
			if k := x.index(i, j); x.pts[k] != noPair {
				x.pts[k] = max(-MaxPoints, min(MaxPoints, x.pts[k]+x.tab.request))
			}
		}
	}
}

// Points returns the points of mentees[mentee] with mentors[mentor] (indexes into
// the slices given to NewMatrix), and false if the pair is forbidden.
func (x *Matrix) Points(mentee, mentor int) (int, bool) {
	p := x.pts[x.index(x.eAt[mentee], x.rAt[mentor])]
	return int(p), p != noPair
}

// Score returns the score of mentees[mentee] with mentors[mentor], with its
// reasons: the same as ScorePair, taken from the matrix.
func (x *Matrix) Score(mentee, mentor int) Score {
	return x.scoreAt(x.eAt[mentee], x.rAt[mentor])
}

// scoreAt is Score by positions in ID order.
func (x *Matrix) scoreAt(i, j int) Score {
	p := x.pts[x.index(i, j)]
	if p == noPair {
		why := forbiddenReason(&x.mentees[x.eOrder[i]], &x.mentors[x.rOrder[j]])
		if why == "" {
			why = mustHaveReason(&x.pe[i], &x.pr[j], &x.tab.settings)
		}
		return Score{Forbidden: true, Reasons: []string{why}}
	}
	sc := explain(&x.pe[i], &x.pr[j], x.voc, x.tab)
	sc.Points = int(p) // the same number, unless a test set the matrix
	return sc
}

// Allowed returns how many mentors mentees[mentee] may be paired with.
func (x *Matrix) Allowed(mentee int) int {
	i, c := x.eAt[mentee], 0
	for j := range x.m {
		if x.pts[x.index(i, j)] != noPair {
			c++
		}
	}
	return c
}
