package matching

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Random but realistic profiles of a librarians' mentorship program, from a fixed
// seed, for property tests and benchmarks.

var genTopics = []string{
	"sharing professional experience", "grant opportunities", "career advice",
	"research topic", "resume", "professional development", "self-assessment",
	"personal web page", "professional organizations", "cataloguing", "metadata",
	"academic libraries", "public libraries", "digital humanities", "archives",
	"instruction", "user experience", "data services", "leadership", "publishing",
}

var genWords = strings.Fields(`cataloguing metadata MARC RDA grant grants proposal
funding writing research article publishing peer review tenure academic public
school special archives digital humanities instruction teaching information
literacy reference outreach assessment survey data management repository
collection development acquisitions licensing e-resources systems web page
website HTML accessibility user experience usability leadership management budget
supervision interview resume cover letter job search networking conference
presentation ALA CALA chapter committee listserv organization volunteering
children youth services community languages Chinese Spanish bilingual
preservation rare books special collections open access scholarly communication
copyright negotiation promotion portfolio statistics coding Python SQL
visualization GIS maps music art law medical health science engineering`)

var genZones = []int{-600, -480, -420, -360, -300, -240, -210, 0, 60, 330, 480, 540, 600, 720, -660}

func genPerson(r *rand.Rand, id string, mentor bool) Person {
	p := Person{ID: id, Name: "Person " + id}
	if mentor {
		p.Stage = []Stage{Mid, Mid, Senior, Senior, Senior, New}[r.IntN(6)]
		p.Capacity = 1 + r.IntN(3)
	} else {
		p.Stage = []Stage{Student, Student, New, New, Mid}[r.IntN(5)]
	}
	for range 1 + r.IntN(4) {
		p.Areas = append(p.Areas, genTopics[r.IntN(len(genTopics))])
	}
	var words []string
	for range 6 + r.IntN(20) {
		words = append(words, genWords[r.IntN(len(genWords))])
		if r.IntN(3) == 0 {
			words = append(words, []string{"the", "and", "to", "with", "I", "my", "in"}[r.IntN(7)])
		}
	}
	p.Text = strings.Join(words, " ") + "."
	for _, m := range methodNames {
		if r.IntN(2) == 0 {
			p.Methods = append(p.Methods, m)
		}
	}
	p.Frequency = frequencyNames[r.IntN(3)]
	p.UTCOffset = genZones[r.IntN(len(genZones))]
	return p
}

// genProblem makes n mentees and m mentors; about one person in forty avoids
// someone.
func genProblem(seed uint64, n, m int) (mentees, mentors []Person) {
	r := rand.New(rand.NewPCG(seed, 42))
	for i := range n {
		mentees = append(mentees, genPerson(r, fmt.Sprintf("e%05d", i), false))
	}
	for j := range m {
		mentors = append(mentors, genPerson(r, fmt.Sprintf("m%05d", j), true))
	}
	for i := range mentees {
		if r.IntN(40) == 0 && m > 0 {
			mentees[i].Avoid = append(mentees[i].Avoid, mentors[r.IntN(m)].ID)
		}
	}
	for j := range mentors {
		if r.IntN(40) == 0 && n > 0 {
			mentors[j].Avoid = append(mentors[j].Avoid, mentees[r.IntN(n)].ID)
		}
	}
	return mentees, mentors
}

// matrixFromPoints builds a Matrix straight from points (nil: forbidden) and
// capacities, to test the solver on arbitrary numbers: ties, negatives, zeros.
func matrixFromPoints(pts [][]*int, caps []int) *Matrix {
	n, m := len(pts), len(caps)
	var mentees, mentors []Person
	for i := range n {
		mentees = append(mentees, Person{ID: fmt.Sprintf("e%03d", i)})
	}
	for j := range m {
		mentors = append(mentors, Person{ID: fmt.Sprintf("m%03d", j), Capacity: caps[j]})
	}
	x := NewMatrix(mentees, mentors, Weights{})
	for i := range n {
		for j := range m {
			switch {
			case caps[j] < 1 || pts[i][j] == nil:
				x.pts[x.index(i, j)] = noPair
			default:
				x.pts[x.index(i, j)] = int32(*pts[i][j])
			}
		}
	}
	return x
}

// randomPoints makes an n×m table of points in [lo, hi], each pair forbidden with
// probability pForbid, and capacities 0–3 (0 with probability 1/10).
func randomPoints(r *rand.Rand, n, m, lo, hi int, pForbid float64) ([][]*int, []int) {
	pts := make([][]*int, n)
	for i := range pts {
		pts[i] = make([]*int, m)
		for j := range m {
			if r.Float64() >= pForbid {
				v := lo + r.IntN(hi-lo+1)
				pts[i][j] = &v
			}
		}
	}
	caps := make([]int, m)
	for j := range caps {
		if r.IntN(10) > 0 {
			caps[j] = 1 + r.IntN(3)
		}
	}
	return pts, caps
}

// checkValid fails t unless res respects the matrix: allowed pairs only, each
// mentee at most once, capacities, Total the sum of points, Unmatched exactly the
// mentees without a pair, both sorted.
func checkValid(t *testing.T, x *Matrix, res Result) {
	t.Helper()
	eIdx, rIdx := map[string]int{}, map[string]int{}
	for i, p := range x.mentees {
		eIdx[p.ID] = i
	}
	for j, p := range x.mentors {
		rIdx[p.ID] = j
	}
	used := map[string]int{}
	seen := map[string]bool{}
	total := 0
	for k, pr := range res.Pairs {
		if k > 0 && res.Pairs[k-1].MenteeID >= pr.MenteeID {
			t.Fatalf("pairs not sorted by mentee id: %v", res.Pairs)
		}
		i, j := eIdx[pr.MenteeID], rIdx[pr.MentorID]
		p, ok := x.Points(i, j)
		if !ok {
			t.Fatalf("forbidden pair %s-%s used", pr.MenteeID, pr.MentorID)
		}
		if p != pr.Score.Points {
			t.Fatalf("pair %s-%s: score %d, matrix %d", pr.MenteeID, pr.MentorID, pr.Score.Points, p)
		}
		total += p
		seen[pr.MenteeID] = true
		used[pr.MentorID]++
		if used[pr.MentorID] > x.mentors[j].Capacity {
			t.Fatalf("mentor %s over capacity %d", pr.MentorID, x.mentors[j].Capacity)
		}
	}
	if total != res.Total {
		t.Fatalf("Total %d, pairs sum to %d", res.Total, total)
	}
	var want []string
	for _, i := range x.eOrder {
		if !seen[x.mentees[i].ID] {
			want = append(want, x.mentees[i].ID)
		}
	}
	if fmt.Sprint(want) != fmt.Sprint(res.Unmatched) {
		t.Fatalf("Unmatched %v, want %v", res.Unmatched, want)
	}
}
