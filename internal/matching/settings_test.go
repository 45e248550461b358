package matching

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSettingsSteerTheScore(t *testing.T) {
	w := DefaultWeights()
	mentee := Person{ID: "e1", Stage: Student, Areas: []string{"grants", "research"}, Text: "grant proposals",
		Methods: []string{"video"}, Frequency: "monthly", UTCOffset: 0}
	mentor := Person{ID: "m1", Stage: Mid, Areas: []string{"grants"}, Text: "I review grant proposals",
		Methods: []string{"email"}, Frequency: "monthly", UTCOffset: 5 * 60, Capacity: 1}
	// Normal: area 10 + words 6 (grant, proposal) + methods -10 + frequency 4 + 5 h apart 1 + two stages 10.
	base := ScorePairWith(mentee, mentor, w, Settings{})
	if base.Points != 21 || base.Parts != (Parts{Areas: 10, Words: 6, Methods: -10, Frequency: 4, TimeZone: 1, Stage: 10}) {
		t.Fatalf("defaults: %d %+v", base.Points, base.Parts)
	}
	tests := []struct {
		name   string
		s      Settings
		points int    // when allowed
		why    string // when forbidden
	}{
		{"areas off", Settings{Levels: map[Criterion]Level{CriterionAreas: LevelOff}}, 11, ""},
		{"areas high", Settings{Levels: map[Criterion]Level{CriterionAreas: LevelHigh}}, 31, ""},
		{"methods low halves the penalty", Settings{Levels: map[Criterion]Level{CriterionMethods: LevelLow}}, 26, ""},
		{"frequency low rounds half away from zero", Settings{Levels: map[Criterion]Level{CriterionFrequency: LevelLow, CriterionTimeZone: LevelLow}}, 19, ""},
		{"must share a method", Settings{MustShareMethod: true}, 0, "must-have not met: a communication method in common"},
		{"at most 4 h apart", Settings{MaxHoursApart: 4}, 0, "must-have not met: at most 4 h apart"},
		{"at most 5 h apart is met", Settings{MaxHoursApart: 5}, 21, ""},
		{"mentor more senior is met", Settings{MentorMoreSenior: true}, 21, ""},
		{"must share an area is met", Settings{MustShareArea: true}, 21, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ScorePairWith(mentee, mentor, w, tc.s)
			switch {
			case tc.why != "" && (!got.Forbidden || got.Text() != tc.why):
				t.Fatalf("got %+v, want forbidden: %s", got, tc.why)
			case tc.why == "" && (got.Forbidden || got.Points != tc.points):
				t.Fatalf("got %+v, want %d points", got, tc.points)
			}
		})
	}

	t.Run("mentor of the same stage breaks mentor more senior", func(t *testing.T) {
		peer := mentor
		peer.Stage = Student
		if got := ScorePairWith(mentee, peer, w, Settings{MentorMoreSenior: true}); got.Text() != "must-have not met: mentor more senior" {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("last cycle's partner is forbidden both ways", func(t *testing.T) {
		e, m := mentee, mentor
		e.Previous = []string{"m1"}
		if got := ScorePair(e, m, w); !got.Forbidden || got.Text() != "paired last cycle" {
			t.Fatalf("got %+v", got)
		}
		m.Previous = []string{"e1"}
		if got := ScorePair(mentee, m, w); !got.Forbidden || got.Text() != "paired last cycle" {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("the requested mentor gets a strong, explained bonus", func(t *testing.T) {
		e := mentee
		e.Request = "m1"
		got := ScorePair(e, mentor, w)
		if got.Points != base.Points+20 || got.Parts.Request != 20 || !strings.HasPrefix(got.Text(), "requested by the mentee; ") {
			t.Fatalf("got %+v", got)
		}
		other := mentor
		other.ID = "m2"
		if got := ScorePair(e, other, w); got.Points != base.Points || strings.Contains(got.Text(), "requested") {
			t.Fatalf("another mentor: %+v", got)
		}
	})
}

func TestMarkForCountFlagsPairsKeptOnlyToMatchOneMore(t *testing.T) {
	// e0 is great with m0 only; e1 is poor with m0 and bad with m1. Cardinality
	// first: e0–m0 and e1–m1 (−5). Points alone would leave e1 out.
	ip := func(v int) *int { return &v }
	x := matrixFromPoints([][]*int{
		{ip(30), nil},
		{ip(2), ip(-5)},
	}, []int{1, 1})
	res, err := x.SolveWith(Options{MarkForCount: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 2 || res.Pairs[0].ForCount || !res.Pairs[1].ForCount {
		t.Fatalf("got %+v", res.Pairs)
	}
}

func TestCompareNamesWhatChanged(t *testing.T) {
	w := DefaultWeights()
	mentee := Person{ID: "e1", Stage: Student, Areas: []string{"grants", "research"}, Methods: []string{"video"}, UTCOffset: 0, Request: "m2"}
	near := Person{ID: "m1", Stage: Mid, Areas: []string{"grants", "research"}, Methods: []string{"video"}, UTCOffset: 60, Capacity: 1}
	far := Person{ID: "m2", Stage: Mid, Areas: []string{"grants"}, Methods: []string{"video"}, UTCOffset: 8 * 60, Capacity: 1}
	d := Compare(ScorePair(mentee, near, w), ScorePair(mentee, far, w))
	// requested +20, one area fewer -10, 7 hours further -7.
	if d.Points != 3 || strings.Join(d.Reasons, ", ") != "requested by the mentee, fewer shared areas, worse time zones" {
		t.Fatalf("got %+v", d)
	}
}

func TestWhyNoMentorCountsTheReasons(t *testing.T) {
	e := Person{ID: "e1", Stage: Mid, Methods: []string{"video"}, Avoid: []string{"m3"}, Previous: []string{"m4"}}
	mentors := []Person{
		{ID: "m1", Stage: Senior, Methods: []string{"email"}, Capacity: 1},
		{ID: "m2", Stage: Senior, Methods: []string{"phone"}, Capacity: 2},
		{ID: "m3", Stage: Senior, Methods: []string{"video"}, Capacity: 1},
		{ID: "m4", Stage: Senior, Methods: []string{"video"}, Capacity: 1},
		{ID: "m5", Stage: Senior, Methods: []string{"video"}, Capacity: 0},
	}
	x := NewMatrixWith([]Person{e}, mentors, DefaultWeights(), Settings{MustShareMethod: true})
	want := "no mentor fits: 2 break the must-have a communication method in common, 1 is on an avoid list, 1 was the partner last cycle, 1 has no free place"
	if got := x.WhyNoMentor(0); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if got := NewMatrix([]Person{e}, mentors, DefaultWeights()).WhyNoMentor(0); got != "" {
		t.Fatalf("with allowed mentors: %q", got)
	}
}

func TestMatrixRankIsRankWith(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for seed := range uint64(20) {
		mentees, mentors := genProblem(seed, 5, 30)
		mentees[0].Request = mentors[3].ID
		s := randomSettings(r)
		x := NewMatrixWith(mentees, mentors, DefaultWeights(), s)
		for i := range mentees {
			if got, want := x.Rank(i), RankWith(mentees[i], mentors, DefaultWeights(), s); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("seed %d mentee %d:\n got %v\nwant %v", seed, i, got, want)
			}
		}
	}
}
