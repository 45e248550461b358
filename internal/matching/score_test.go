package matching

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestScorePair(t *testing.T) {
	w := DefaultWeights()
	mentee := Person{
		ID: "e1", Stage: Student,
		Areas:   []string{"Grant Writing", "research topic", "resume"},
		Text:    "I need help writing grant proposals and choosing a research topic for publishing.",
		Methods: []string{"video", "email"}, Frequency: "monthly", UTCOffset: -300,
	}
	mentor := Person{
		ID: "m1", Stage: Mid,
		Areas:   []string{"grant writing", "Research-Topic"},
		Text:    "I have written many grants and published research articles.",
		Methods: []string{"video"}, Frequency: "biweekly", UTCOffset: -420, Capacity: 2,
	}
	with := func(p Person, f func(*Person)) Person {
		p.Areas, p.Methods, p.Avoid = slices.Clone(p.Areas), slices.Clone(p.Methods), slices.Clone(p.Avoid)
		f(&p)
		return p
	}
	tests := []struct {
		name           string
		mentee, mentor Person
		points         int
		forbidden      bool
		text           string
	}{
		{
			name: "handcrafted", mentee: mentee, mentor: mentor,
			// 2 areas 20 + 3 words 9 + video 5 + adjacent 1 + 2 h 4 + two stages 10
			points: 49,
			text:   "shared: grant writing, research topic; common words: grant, publishing, research; both prefer video; monthly vs biweekly meetings; 2 h apart; mentor is two stages more senior",
		},
		{
			name:   "nothing in common",
			mentee: with(mentee, func(p *Person) { p.Areas = []string{"cataloguing"}; p.Text = "MARC records"; p.Frequency = "weekly" }),
			mentor: with(mentor, func(p *Person) {
				p.Methods = []string{"phone"}
				p.Frequency = "monthly"
				p.UTCOffset = 480 // 13 h east of the mentee: 11 h apart
				p.Stage = Student
			}),
			// -10 methods -4 frequency (6-11) -10 same stage
			points: -29,
			text:   "no shared topics; no communication method in common; weekly vs monthly meetings; 11 h apart; same career stage",
		},
		{
			name:   "missing data scores nothing",
			mentee: with(mentee, func(p *Person) { p.Areas = nil; p.Text = ""; p.Methods = nil; p.Frequency = ""; p.Stage = StageUnknown }),
			mentor: mentor,
			points: 4,
			text:   "2 h apart",
		},
		{
			name:   "junior mentor, same frequency, half hours",
			mentee: with(mentee, func(p *Person) { p.Stage = Senior; p.Frequency = "biweekly"; p.UTCOffset = 330 }),
			mentor: with(mentor, func(p *Person) { p.Stage = New; p.UTCOffset = 0 }),
			// 20 + 9 + 5 + 4 + (6-5) - 40
			points: -1,
			text:   "shared: grant writing, research topic; common words: grant, publishing, research; both prefer video; both want biweekly meetings; 5.5 h apart; mentor is two stages junior to the mentee",
		},
		{
			name:   "senior for a student, in person",
			mentee: with(mentee, func(p *Person) { p.Methods = []string{"In Person", "phone", "email", "slack"} }),
			mentor: with(mentor, func(p *Person) {
				p.Stage = Senior
				p.Methods = []string{"in-person", "phone", "email", "slack"}
				p.UTCOffset = -300
			}),
			points: 20 + 9 + 5 + 1 + 6 + 5,
			text:   "shared: grant writing, research topic; common words: grant, publishing, research; both prefer slack, email, phone, in-person; monthly vs biweekly meetings; same time zone; mentor is three stages more senior",
		},
		{
			name: "mentee avoids mentor", forbidden: true, text: "on an avoid list",
			mentee: with(mentee, func(p *Person) { p.Avoid = []string{"m1"} }), mentor: mentor,
		},
		{
			name: "mentor avoids mentee", forbidden: true, text: "on an avoid list",
			mentee: mentee, mentor: with(mentor, func(p *Person) { p.Avoid = []string{"x", "e1"} }),
		},
		{
			name: "no capacity", forbidden: true, text: "mentor has no capacity",
			mentee: mentee, mentor: with(mentor, func(p *Person) { p.Capacity = 0 }),
		},
		{
			name: "same person", forbidden: true, text: "same person",
			mentee: mentee, mentor: with(mentor, func(p *Person) { p.ID = "e1" }),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ScorePair(tc.mentee, tc.mentor, w)
			if s.Points != tc.points || s.Forbidden != tc.forbidden || s.Text() != tc.text {
				t.Errorf("got %d %v %q\nwant %d %v %q", s.Points, s.Forbidden, s.Text(), tc.points, tc.forbidden, tc.text)
			}
		})
	}
}

func TestScoreBounds(t *testing.T) {
	// The Weights doc claims -60 to +67 with the defaults.
	w := DefaultWeights()
	best := ScorePair(
		Person{ID: "e", Stage: Student, Areas: []string{"a", "b", "c", "d"}, Text: "alpha beta gamma delta epsilon", Methods: []string{"email"}, Frequency: "weekly"},
		Person{ID: "m", Stage: New, Areas: []string{"a", "b", "c", "d"}, Text: "alpha beta gamma delta epsilon", Methods: []string{"email"}, Frequency: "weekly", Capacity: 1},
		w)
	worst := ScorePair(
		Person{ID: "e", Stage: Senior, Methods: []string{"email"}, Frequency: "weekly"},
		Person{ID: "m", Stage: Student, Methods: []string{"phone"}, Frequency: "monthly", UTCOffset: 720, Capacity: 1},
		w)
	if best.Points != 67 || worst.Points != -60 {
		t.Fatalf("best %d, worst %d; the Weights doc says 67 and -60", best.Points, worst.Points)
	}
}

func TestReasonsStayShort(t *testing.T) {
	long := strings.Repeat("extraordinarily-long-topic-name ", 3)
	var areas []string
	var text string
	for _, c := range "abcdefghij" {
		areas = append(areas, string(c)+long)
		text += " incomprehensibilities" + string(c) + strings.Repeat("z", 30)
	}
	all := Methods()
	e := Person{ID: "e", Stage: Student, Areas: areas, Text: text, Methods: all, Frequency: "weekly", UTCOffset: 345}
	m := Person{ID: "m", Stage: Senior, Areas: areas, Text: text, Methods: all, Frequency: "monthly", UTCOffset: -690, Capacity: 1}
	s := ScorePair(e, m, DefaultWeights())
	if n := utf8.RuneCountInString(s.Text()); n > MaxReasonsLen {
		t.Fatalf("reasons are %d runes, more than %d: %s", n, MaxReasonsLen, s.Text())
	}
	if !strings.Contains(s.Text(), "and 8 more") || !strings.Contains(s.Text(), "mentor is three stages more senior") {
		t.Fatalf("long lists should be cut: %s", s.Text())
	}
}

func TestTimeZoneDistance(t *testing.T) {
	tests := []struct{ a, b, want int }{
		{0, 0, 0},
		{12 * 60, -11 * 60, 60}, // UTC+12 and UTC-11
		{-11 * 60, 12 * 60, 60},
		{14 * 60, -12 * 60, 120},
		{330, -300, 630},
		{-300, 480, 660}, // Toronto (EST) and Shanghai: 13 h one way, 11 h the other
		{12 * 60, -12 * 60, 0},
		{5 * 1440, 0, 0},
		{-5 * 60, 2 * 1440, 300},
	}
	for _, tc := range tests {
		if got := TimeZoneDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("TimeZoneDistance(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestParseStage(t *testing.T) {
	for in, want := range map[string]Stage{"student": Student, " New ": New, "MID": Mid, "senior": Senior} {
		if got, err := ParseStage(in); err != nil || got != want {
			t.Errorf("ParseStage(%q) = %v, %v", in, got, err)
		}
		if want.String() != strings.ToLower(strings.TrimSpace(in)) {
			t.Errorf("%v.String() = %q", want, want.String())
		}
	}
	for _, in := range []string{"", "expert", "junior", "unknown"} {
		if _, err := ParseStage(in); err == nil || err.Error() != "must be one of student, new, mid, senior" {
			t.Errorf("ParseStage(%q) error = %v", in, err)
		}
	}
	if !(Student < New && New < Mid && Mid < Senior) {
		t.Error("stages are not ordered")
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"The Cataloguing of catalogues, cataloging & catalogs", []string{"catalog"}},
		{"Grants, grant-writing; GRANT proposals!", []string{"grant", "writ", "proposal"}},
		{"libraries' organisations and organizations", []string{"organization"}},
		{"I would like to learn about MARC21 in 2024, a b c", []string{"marc21"}},
		{"Résumés and résumé writing", []string{"résumé", "writ"}},
		{"studies, meeting, published, publishing, classes", []string{"study", "meet", "publish", "class"}},
		{"", nil},
	}
	for _, tc := range tests {
		if got := Normalize(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAreasMatchLoosely(t *testing.T) {
	for _, pair := range [][2]string{
		{"Self-Assessment", "self assessment"},
		{"  personal   web_page ", "Personal Web Page."},
	} {
		if a, b := normalizeArea(pair[0]), normalizeArea(pair[1]); a != b {
			t.Errorf("%q → %q, %q → %q: should match", pair[0], a, pair[1], b)
		}
	}
}

func TestRank(t *testing.T) {
	w := DefaultWeights()
	e := Person{ID: "e1", Stage: Student, Areas: []string{"resume"}, Methods: []string{"email"}, Avoid: []string{"m4"}}
	mentors := []Person{
		{ID: "m3", Stage: Mid, Areas: []string{"resume"}, Methods: []string{"email"}, Capacity: 1},
		{ID: "m2", Stage: Mid, Areas: []string{"resume"}, Methods: []string{"email"}, Capacity: 1}, // ties m3
		{ID: "m1", Stage: Mid, Capacity: 1},
		{ID: "m4", Stage: Mid, Areas: []string{"resume"}, Capacity: 1},       // avoided
		{ID: "m5", Stage: Senior, Areas: []string{"resume"}, Capacity: 0},    // full
		{ID: "m6", Stage: Student, Avoid: []string{"e1", "e2"}, Capacity: 2}, // avoids e1
		{ID: "m7", Stage: Student, Methods: []string{"phone"}, Capacity: 3},  // poor
		{ID: "e1", Stage: Senior, Areas: []string{"resume"}, Capacity: 3},    // self
		{ID: "m8", Stage: New, Areas: []string{"RESUME"}, Methods: []string{"email", "phone"}, Capacity: 1},
	}
	var got []string
	for _, c := range Rank(e, mentors, w) {
		got = append(got, c.MentorID)
		if want := ScorePair(e, mentorByID(mentors, c.MentorID), w); c.Score.Points != want.Points || c.Score.Text() != want.Text() {
			t.Errorf("%s: Rank score %+v, ScorePair %+v", c.MentorID, c.Score, want)
		}
	}
	want := []string{"m2", "m3", "m8", "m1", "m7"}
	if !slices.Equal(got, want) {
		t.Fatalf("Rank = %v, want %v", got, want)
	}
}

func mentorByID(ps []Person, id string) Person {
	for _, p := range ps {
		if p.ID == id {
			return p
		}
	}
	panic(id)
}

// RankTop is the head of Rank, in the same order, with the same scores.
func TestRankTopIsTheHeadOfRank(t *testing.T) {
	mentees, mentors := genProblem(11, 20, 60)
	x := NewMatrix(mentees, mentors, DefaultWeights())
	for i := range mentees {
		all := x.Rank(i)
		for _, k := range []int{0, 1, 5, len(all), len(all) + 3} {
			top := x.RankTop(i, k)
			if want := all[:min(k, len(all))]; !reflect.DeepEqual(top, want) && (len(top) > 0 || len(want) > 0) {
				t.Fatalf("mentee %d, top %d: %+v, want %+v", i, k, top, want)
			}
		}
	}
}
