package views_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

func programMeta(t *testing.T, m *slack.ModalViewRequest) views.ProgramMeta {
	t.Helper()
	var meta views.ProgramMeta
	if err := json.Unmarshal([]byte(m.PrivateMetadata), &meta); err != nil {
		t.Fatalf("private_metadata %q: %v", m.PrivateMetadata, err)
	}
	return meta
}

func TestProgramModalForANewCycle(t *testing.T) {
	m := views.ProgramModal(cycle(), 0)
	d := mustValidView(t, m)
	if m.CallbackID != views.CallbackProgram || m.Title.Text != "Open a cycle" || m.Submit.Text != "Open cycle" {
		t.Errorf("callback %q title %q submit %q", m.CallbackID, m.Title.Text, m.Submit.Text)
	}
	if meta := programMeta(t, m); meta.CycleID != "c2026" || meta.Rev != 0 {
		t.Errorf("meta = %+v", meta)
	}
	for id, want := range map[string]any{
		"name": "2026–2027", "start": "2026-10-01", "end": "2027-05-31", "evaluation_due": "2027-05-01",
		"welcome_days": "3", "contact_days": "7", "agreement_days": "14", "agreement_committee_days": "28",
		"evaluation_days": "14, 3, 0", "annual_meeting_days": "30",
	} {
		if got := initialValue(t, d, id); got != want {
			t.Errorf("%s starts at %v, want %v", id, got, want)
		}
	}
	if got := initialValue(t, d, "annual_meeting"); got != nil {
		t.Errorf("annual meeting starts at %v, want empty", got)
	}
	if d.block(t, "evaluation_due")["optional"] != true || d.block(t, "annual_meeting")["optional"] != true {
		t.Error("evaluation due and annual meeting should be optional")
	}
}

func TestProgramModalForAnEdit(t *testing.T) {
	c := cycle()
	c.Name = "Spring <!channel> & co"
	c.AnnualMeeting = mentor.Date(2027, time.March, 20)
	m := views.ProgramModal(c, 3)
	d := mustValidView(t, m)
	if m.Title.Text != "Edit the cycle" || m.Submit.Text != "Save" {
		t.Errorf("title %q submit %q", m.Title.Text, m.Submit.Text)
	}
	if meta := programMeta(t, m); meta.CycleID != "c2026" || meta.Rev != 3 {
		t.Errorf("meta = %+v", meta)
	}
	mustContain(t, textOf(d.block(t, "intro"), "text"), "Editing *Spring &lt;!channel&gt; &amp; co*")
	if got := initialValue(t, d, "annual_meeting"); got != "2027-03-20" {
		t.Errorf("annual meeting = %v", got)
	}
}

func TestProgramModalWithManyEvaluationReminders(t *testing.T) {
	c := cycle()
	// Ten reminders, the most a cycle may have, typed tightly: shown again with
	// ", " between them they are longer than typed and must still fit the input.
	v := submit(t, views.ProgramModal(c, 0), submitted{"evaluation_days": "365,300,200,150,120,100,90,60,30,14"})
	saved, _, err := views.ParseProgram(v, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := saved.Validate(); err != nil {
		t.Fatal(err)
	}
	mustValidView(t, views.ProgramModal(saved, 1))
}

func TestParseProgramRoundTrip(t *testing.T) {
	c := cycle()
	c.AnnualMeeting = mentor.Date(2027, time.April, 10)
	got, meta, err := views.ParseProgram(submit(t, views.ProgramModal(c, 2), nil), c)
	if err != nil {
		t.Fatalf("ParseProgram: %v", err)
	}
	if meta.CycleID != c.ID || meta.Rev != 2 {
		t.Errorf("meta = %+v", meta)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("parsed\n %+v\nwant\n %+v", got, c)
	}
}

func TestParseProgram(t *testing.T) {
	base := mentor.DefaultCycle(now)
	base.ID = "ignored: the form's id wins"
	base.CreatedBy = "U0KEPT" // not on the form: kept
	m := views.ProgramModal(mentor.Cycle{ID: "c2027", Reminders: mentor.DefaultReminders()}, 0)
	got, meta, err := views.ParseProgram(submit(t, m, submitted{
		"name": "  2027–2028 ", "start": "2027-10-01", "end": "2028-05-31", "evaluation_due": "2028-04-15",
		"annual_meeting": "2028-03-01", "welcome_days": "2", "contact_days": " 5 ", "agreement_days": "10",
		"agreement_committee_days": "21", "evaluation_days": "14, 3, 0", "annual_meeting_days": "0",
		"keep_in_touch": "75", "nudge_from": "8", "nudge_until": "18", "digest_hour": "10", "time_zone": " Europe/Paris ",
		"topics": "Sharing professional experience\n\n  Grant writing & budgets  \nSharing professional experience",
	}), base)
	if err != nil {
		t.Fatalf("ParseProgram: %v", err)
	}
	want := base
	want.ID, want.Name = "c2027", "2027–2028"
	want.Start, want.End = mentor.Date(2027, time.October, 1), mentor.Date(2028, time.May, 31)
	want.EvaluationDue, want.AnnualMeeting = mentor.Date(2028, time.April, 15), mentor.Date(2028, time.March, 1)
	want.Reminders.WelcomeDays, want.Reminders.ContactDays, want.Reminders.AgreementDays = 2, 5, 10
	want.Reminders.AgreementCommitteeDays, want.Reminders.AnnualMeetingDays = 21, 0
	want.Reminders.EvaluationDays = []int{14, 3, 0}
	want.Reminders.KeepInTouchPercent, want.Reminders.NudgeFromHour, want.Reminders.NudgeUntilHour = 75, 8, 18
	want.Reminders.DigestHour, want.TimeZone = 10, "Europe/Paris"
	// A kept label keeps its value (sign-ups that chose it still match); a new one
	// gets a value of its own; a repeated line counts once.
	want.Topics = []mentor.Option{{Value: "experience", Label: "Sharing professional experience"}, {Value: "grant-writing-budgets", Label: "Grant writing & budgets"}}
	if !reflect.DeepEqual(got, want) || meta.CycleID != "c2027" {
		t.Fatalf("parsed\n %+v\nwant\n %+v", got, want)
	}
}

func TestParseProgramEvaluationDays(t *testing.T) {
	tests := []struct {
		typed string
		want  []int
		ok    bool
	}{
		{"14, 3, 0", []int{14, 3, 0}, true},
		{"14,3,0", []int{14, 3, 0}, true},
		{" 7 ; 1 ", []int{7, 1}, true},
		{"30,,7", []int{30, 7}, true},
		{"", nil, true},
		{"-1", []int{-1}, true}, // a number; Validate refuses it
		{"14, three", nil, false},
		{"2.5", nil, false},
		{"14 days", nil, false},
	}
	for _, tt := range tests {
		c := cycle()
		got, _, err := views.ParseProgram(submit(t, views.ProgramModal(c, 0), submitted{"evaluation_days": tt.typed}), c)
		if !tt.ok {
			if fe := mustFieldErrors(t, err); len(fe) != 1 || fe["evaluation_days"] == "" {
				t.Errorf("%q: field errors %v, want one under evaluation_days", tt.typed, fe)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got.Reminders.EvaluationDays, tt.want) {
			t.Errorf("%q = %v, %v; want %v", tt.typed, got.Reminders.EvaluationDays, err, tt.want)
		}
	}
}

func TestParseProgramFieldErrors(t *testing.T) {
	tests := []struct {
		name  string
		typed submitted
		keys  []string
	}{
		{"days not a number", submitted{"welcome_days": "three"}, []string{"welcome_days"}},
		{"days with a fraction", submitted{"contact_days": "2.5"}, []string{"contact_days"}},
		{"days left empty", submitted{"agreement_days": "", "annual_meeting_days": ""}, []string{"agreement_days", "annual_meeting_days"}},
		{"committee days not a number", submitted{"agreement_committee_days": "x"}, []string{"agreement_committee_days"}},
		{"not a date", submitted{"start": "2026-13-01", "end": "31/05/2027"}, []string{"start", "end"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cycle()
			_, _, err := views.ParseProgram(submit(t, views.ProgramModal(c, 0), tt.typed), c)
			fe := mustFieldErrors(t, err)
			if len(fe) != len(tt.keys) {
				t.Fatalf("field errors = %v, want %v", fe, tt.keys)
			}
			for _, k := range tt.keys {
				if fe[k] == "" {
					t.Errorf("no error under %q: %v", k, fe)
				}
			}
		})
	}
}

func TestParseProgramEmptyDatesAreZero(t *testing.T) {
	c := cycle()
	c.AnnualMeeting = mentor.Date(2027, time.March, 1)
	got, _, err := views.ParseProgram(submit(t, views.ProgramModal(c, 1), submitted{"evaluation_due": "", "annual_meeting": ""}), c)
	if err != nil {
		t.Fatal(err)
	}
	if !got.EvaluationDue.IsZero() || !got.AnnualMeeting.IsZero() {
		t.Fatalf("due %v, annual meeting %v; want both cleared (Save fills the due date)", got.EvaluationDue, got.AnnualMeeting)
	}
}

func TestParseProgramOfAnOutdatedForm(t *testing.T) {
	_, _, err := views.ParseProgram(slack.View{PrivateMetadata: `{"rev":1}`}, cycle())
	if mentor.ErrorCode(err) != mentor.EINVALID {
		t.Fatalf("ParseProgram without a cycle id = %v, want invalid", err)
	}
}
