package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image"
	_ "image/png"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
	"github.com/mentorbot/mentorbot/internal/report"
)

var t0 = time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)

func at(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

func person(id string, role mentor.Role, status mentor.Status) mentor.Participant {
	return mentor.Participant{UserID: id, CycleID: "c", Name: "Name " + id, Role: role, Status: status,
		Stage: mentor.StageMid, Areas: []string{"grants"}, Methods: []string{"email", "video"}, Frequency: "monthly",
		HoursPerMonth: 2, Capacity: 2, CreatedAt: t0}
}

// cycleData is a small cycle: mentors R1 (two duos, one dissolved) and R2 (one duo,
// quiet), R3 (none, left); mentees E1..E4 (E4 never matched). Duo A: first contact
// and a signed agreement; duo B: dissolved after first contact; duo C: opened, quiet.
func cycleData() report.Data {
	c := mentor.DefaultCycle(t0)
	c.ID, c.Name = "c", "2026–27"
	open := mentor.DuoSetup{ChannelCreated: true, Invited: true, WelcomePosted: true, MentorTold: true, MenteeTold: true, CommitteeTold: true, CompletedAt: at(1)}
	a := mentor.Duo{ID: "A", CycleID: "c", MentorID: "R1", MenteeID: "E1", CreatedAt: t0, Setup: open,
		Activity:  mentor.DuoActivity{MenteeFirst: at(2), MentorFirst: at(3)},
		Agreement: mentor.AgreementStatus{Version: 1, DraftedAt: at(4), SignedAt: at(5)}}
	b := mentor.Duo{ID: "B", CycleID: "c", MentorID: "R1", MenteeID: "E2", CreatedAt: at(1), Setup: open,
		Activity: mentor.DuoActivity{MentorFirst: at(6)}, EndedAt: at(7), EndedBy: "UK"}
	cc := mentor.Duo{ID: "C", CycleID: "c", MentorID: "R2", MenteeID: "E3", CreatedAt: at(2), Setup: open}
	return report.Data{
		Cycle: c,
		Participants: []mentor.Participant{
			person("R1", mentor.RoleMentor, mentor.StatusMatched), person("R2", mentor.RoleMentor, mentor.StatusMatched),
			person("R3", mentor.RoleMentor, mentor.StatusWithdrawn),
			person("E1", mentor.RoleMentee, mentor.StatusMatched), person("E2", mentor.RoleMentee, mentor.StatusPending),
			person("E3", mentor.RoleMentee, mentor.StatusMatched), person("E4", mentor.RoleMentee, mentor.StatusPending),
		},
		Duos:      []mentor.Duo{a, b, cc},
		Evaluated: map[string]time.Time{"E1": at(100), "R1": at(101), "E2": at(102)},
	}
}

func TestFunnelCountsEachPersonOnceAStepDissolvedDuosIncluded(t *testing.T) {
	f := report.FunnelOf(cycleData())
	got := map[report.Step][2]int{}
	var order []report.Step
	for _, s := range f.Stages {
		got[s.Step] = [2]int{s.Mentors, s.Mentees}
		order = append(order, s.Step)
	}
	want := map[report.Step][2]int{
		report.StepSignedUp:        {3, 4}, // R3 left, still signed up
		report.StepMatched:         {2, 3}, // R1 once for two duos; E2 in a dissolved duo
		report.StepFirstContact:    {1, 2}, // duos A and B (B's mentor wrote): R1, E1, E2
		report.StepAgreementSigned: {1, 1},
		report.StepEvaluated:       {1, 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("funnel [mentors mentees]\n got %v\nwant %v", got, want)
	}
	if fmt.Sprint(order) != "[signed_up matched first_contact agreement_signed evaluated]" {
		t.Errorf("steps in order %v", order)
	}
}

func TestSummaryCountsStagesAndMissingEvaluations(t *testing.T) {
	s := report.SummaryOf(cycleData())
	if s.Duos != 3 || s.Ended != 1 || s.EvaluationsIn != 3 || s.EvaluationsMissing != 2 {
		t.Errorf("summary %+v; want 3 duos, 1 ended, 3 evaluations in, 2 missing (R2, E3)", s)
	}
	if fmt.Sprint(s.Stages) != "[{channel_open 1} {evaluated 1} {ended 1}]" {
		t.Errorf("stages %v", s.Stages)
	}
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v\n%s", err, b)
	}
	return rows
}

func TestDuosCSVHasAFixedHeaderAndTheDatesOfEachStep(t *testing.T) {
	d := cycleData()
	b, err := report.CSV(report.KindDuos, d)
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, b)
	if got := strings.Join(rows[0], ","); got != "duo_id,mentee_id,mentee_name,mentor_id,mentor_name,status,stage,approved,channel_opened,first_contact,agreement_signed,mentee_evaluation_in,mentor_evaluation_in,ended" {
		t.Errorf("header %s", got)
	}
	want := [][]string{ // duo A: both evaluated
		{"A", "E1", "Name E1", "R1", "Name R1", "open", "Evaluated", "2026-10-05T12:00:00Z", "2026-10-05T13:00:00Z", "2026-10-05T14:00:00Z", "2026-10-05T17:00:00Z", "2026-10-09T16:00:00Z", "2026-10-09T17:00:00Z", ""},
		{"B", "E2", "Name E2", "R1", "Name R1", "ended", "Ended", "2026-10-05T13:00:00Z", "2026-10-05T13:00:00Z", "2026-10-05T18:00:00Z", "", "2026-10-09T18:00:00Z", "2026-10-09T17:00:00Z", "2026-10-05T19:00:00Z"},
		{"C", "E3", "Name E3", "R2", "Name R2", "open", "Channel open", "2026-10-05T14:00:00Z", "2026-10-05T13:00:00Z", "", "", "", "", ""},
	}
	if !reflect.DeepEqual(rows[1:], want) {
		t.Errorf("rows\n got %q\nwant %q", rows[1:], want)
	}
}

func TestEvaluationsCSVHoldsEveryAnswer(t *testing.T) {
	d := cycleData()
	d.Evaluations = []mentor.Evaluation{{CycleID: "c", UserID: "E1", Role: mentor.RoleMentee,
		Achieved: "A grant, sent\nin March", Value: `Yes, "very"`, Liked: "Calls", Suggestions: "More calls",
		Again: mentor.AnswerYes, Recommend: mentor.AnswerMaybe, Overall: 4, NeedsMet: 5, Communication: 3,
		Activities: []string{"grants", "resume"}, OtherActivities: "Visits", SubmittedAt: at(100), UpdatedAt: at(110), Late: true}}
	rows := readCSV(t, mustCSV(t, report.KindEvaluations, d))
	if len(rows) != 2 || len(rows[0]) != len(report.EvaluationColumns) {
		t.Fatalf("rows %q", rows)
	}
	got := map[string]string{}
	for i, col := range rows[0] {
		got[col] = rows[1][i]
	}
	want := map[string]string{"user_id": "E1", "name": "Name E1", "role": "mentee", "duo_ids": "A",
		"submitted": "2026-10-09T16:00:00Z", "updated": "2026-10-10T02:00:00Z", "late": "yes",
		"overall": "4", "needs_met": "5", "communication": "3", "again": "yes", "recommend": "maybe",
		"activities":       mentor.LabelOf(d.Cycle.TopicOptions(), "grants") + "; " + mentor.LabelOf(d.Cycle.TopicOptions(), "resume"),
		"other_activities": "Visits", "achieved": "A grant, sent\nin March", "value": `Yes, "very"`, "liked": "Calls", "suggestions": "More calls"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("evaluation row\n got %q\nwant %q", got, want)
	}
}

func TestParticipantsCSVListsEveryDuoEverHad(t *testing.T) {
	rows := readCSV(t, mustCSV(t, report.KindParticipants, cycleData()))
	if len(rows) != 8 || strings.Join(rows[0], ",") != strings.Join(report.ParticipantColumns, ",") {
		t.Fatalf("rows %q", rows)
	}
	r1 := rows[1]
	if r1[0] != "R1" || r1[15] != "A; B" || r1[3] != "matched" || r1[13] != "2" || r1[10] != "Email; Video call" {
		t.Errorf("R1's row %q", r1)
	}
	if e4 := rows[7]; e4[0] != "E4" || e4[15] != "" || e4[13] != "" {
		t.Errorf("E4 (mentee, never matched) %q", e4)
	}
}

func mustCSV(t *testing.T, k report.Kind, d report.Data) []byte {
	t.Helper()
	b, err := report.CSV(k, d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCellsThatASpreadsheetWouldRunStayText(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1 555":                   "'+1 555",
		"-2+3":                     "'-2+3",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\tcmd":                    "'\tcmd",
		"\rcmd":                    "'\rcmd",
		"Ann = Bob":                "Ann = Bob",
		"'quoted":                  "'quoted",
		"":                         "",
		"2026-10-05T12:00:00Z":     "2026-10-05T12:00:00Z",
	} {
		if got := report.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
	// Through the writer: a name and an answer typed as formulas come out as text.
	d := cycleData()
	d.Participants[3].Name = "=cmd|' /C calc'!A0"
	d.Evaluations = []mentor.Evaluation{{UserID: "E1", Role: mentor.RoleMentee, Achieved: "@SUM(1+1)", Value: "-1", SubmittedAt: at(1)}}
	for _, k := range report.Kinds() {
		for _, row := range readCSV(t, mustCSV(t, k, d)) {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s CSV: cell %q would run as a formula", k, cell)
				}
			}
		}
	}
}

func TestChartIsAPNGOfTheFunnel(t *testing.T) {
	for _, d := range []report.Data{cycleData(), {Cycle: mentor.Cycle{ID: "empty", Name: strings.Repeat("Long name ", 20)}}} {
		b, err := report.Chart(report.FunnelOf(d), d.Cycle.Name)
		if err != nil {
			t.Fatal(err)
		}
		img, format, err := image.Decode(bytes.NewReader(b))
		if err != nil || format != "png" {
			t.Fatalf("decode %q: %v (%s)", d.Cycle.ID, err, format)
		}
		if r := img.Bounds(); r.Dx() < 400 || r.Dy() < 200 {
			t.Errorf("chart of %q is %v", d.Cycle.ID, r)
		}
	}
}

func TestFilesAreTitledWithTheCycleAndTheReport(t *testing.T) {
	files, sum, err := report.FilesOf(cycleData(), "r1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Name+" | "+f.Title)
	}
	want := []string{"duos-2026-27.csv | Duos · 2026–27 · report r1", "evaluations-2026-27.csv | Evaluations (confidential) · 2026–27 · report r1", "funnel-2026-27.png | Funnel · 2026–27 · report r1"}
	if !reflect.DeepEqual(got, want) || sum.Duos != 3 {
		t.Errorf("files %q (summary %+v)", got, sum)
	}
}

// seed stores a cycle of mentors and mentees (one duo per mentor) with evaluations
// from the first half of the mentees.
func seed(t testing.TB, s *redisstore.Store, mentors int) mentor.Cycle {
	t.Helper()
	ctx := context.Background()
	c := mentor.DefaultCycle(t0)
	c.ID, c.Name, c.CreatedAt = "c", "Test cycle", t0
	if _, err := s.CreateCycle(ctx, c); err != nil {
		t.Fatal(err)
	}
	for i := range mentors {
		r, e := fmt.Sprintf("R%03d", i), fmt.Sprintf("E%03d", i)
		for _, p := range []mentor.Participant{person(r, mentor.RoleMentor, ""), person(e, mentor.RoleMentee, "")} {
			p.Needs, p.Offer = "Needs of "+p.UserID, "Offer of "+p.UserID
			if err := s.SaveSignup(ctx, p, at(i)); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := s.CreateDuo(ctx, mentor.Duo{ID: "D" + e, CycleID: "c", MentorID: r, MenteeID: e, CreatedAt: at(i)}); err != nil {
			t.Fatal(err)
		}
		if i < mentors/2 {
			if _, _, err := s.SaveEvaluation(ctx, mentor.Evaluation{CycleID: "c", UserID: e, Role: mentor.RoleMentee,
				Achieved: "Achieved by " + e, Value: "Of value", Overall: 4, NeedsMet: 4, Communication: 4, SubmittedAt: at(100 + i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return c
}

func TestLoadReadsEveryPageAndTheFunnelIsCachedForAMinute(t *testing.T) {
	r := redistest.New(t)
	trips := &atomic.Int64{}
	s, err := redisstore.Open(r.URL, r.Prefix, redisstore.Options{RoundTrip: func() { trips.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := seed(t, s, 7)
	ctx := context.Background()
	svc := report.New(s, s, report.Options{ParticipantPage: 3, DuoPage: 2, EvaluationPage: 2})

	d, err := svc.Load(ctx, c, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Participants) != 14 || len(d.Duos) != 7 || len(d.Evaluated) != 3 || len(d.Evaluations) != 3 {
		t.Fatalf("loaded %d people, %d duos, %d evaluated, %d evaluations", len(d.Participants), len(d.Duos), len(d.Evaluated), len(d.Evaluations))
	}
	if d.Participants[0].UserID != "E000" || d.Duos[6].ID != "DE006" || d.Evaluations[2].Achieved != "Achieved by E002" {
		t.Errorf("order: %s, %s, %s", d.Participants[0].UserID, d.Duos[6].ID, d.Evaluations[2].Achieved)
	}
	if _, err := svc.Load(ctx, c, false); err != nil { // warm: scripts loaded
		t.Fatal(err)
	}
	trips.Store(0)
	if _, err := svc.Load(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	// 14 people in pages of 3 and 7 duos in pages of 2: 5 and 4 pages of 2 trips;
	// the times: 1.
	if n := trips.Load(); n != 10+8+1 {
		t.Errorf("Load without evaluations took %d round trips, want 19", n)
	}

	f, err := svc.Funnel(ctx, c)
	if err != nil || f.At(report.StepMatched).Mentees != 7 || f.At(report.StepEvaluated).Mentees != 3 {
		t.Fatalf("funnel %+v, %v", f, err)
	}
	if _, _, err := s.SaveEvaluation(ctx, mentor.Evaluation{CycleID: "c", UserID: "R000", Role: mentor.RoleMentor, Achieved: "x", SubmittedAt: at(300)}); err != nil {
		t.Fatal(err)
	}
	trips.Store(0)
	if again, err := svc.Funnel(ctx, c); err != nil || !reflect.DeepEqual(again, f) {
		t.Errorf("within the minute, the cached funnel: %+v, %v", again, err)
	}
	if n := trips.Load(); n != 1 {
		t.Errorf("a cached funnel took %d round trips", n)
	}
	if err := r.Client().Del(ctx, r.Prefix+"{c:c}:report_cache:funnel").Err(); err != nil { // as expiry would
		t.Fatal(err)
	}
	if fresh, err := svc.Funnel(ctx, c); err != nil || fresh.At(report.StepEvaluated).Mentors != 1 {
		t.Errorf("after the cache is gone: %+v, %v", fresh, err)
	}
}

func TestAClosedDuoIsClosedNotOpen(t *testing.T) {
	d := cycleData()
	d.Duos[0].Close.ClosedAt = at(200) // A: evaluated, then closed at the end of the cycle
	d.Duos[2].Close.ClosedAt = at(200) // C: quiet, then closed
	if s := report.SummaryOf(d); fmt.Sprint(s.Stages) != "[{closed 2} {ended 1}]" {
		t.Errorf("stages %v; want the closed duos before the ended one", s.Stages)
	}
	b, err := report.CSV(report.KindDuos, d)
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, b)
	for i, want := range [][2]string{{"closed", "Completed"}, {"ended", "Ended"}, {"closed", "Completed"}} {
		if got := [2]string{rows[i+1][5], rows[i+1][6]}; got != want {
			t.Errorf("duo %s: status and stage %q, want %q", rows[i+1][0], got, want)
		}
	}
}
