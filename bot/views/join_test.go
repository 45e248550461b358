package views_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

func menteeSignup() mentor.Participant {
	return mentor.Participant{
		UserID: "U0ADA", CycleID: "c2026", Name: "Ada Lovelace", Role: mentor.RoleMentee, Stage: mentor.StageNew,
		Areas: []string{"grants", "career"}, OtherAreas: "digital humanities", // in the list's order, as Slack returns them
		Needs: "Preparing for academic library interviews.", CVURL: "https://example.org/ada.pdf",
		Methods: []string{"email", "video"}, Frequency: "biweekly", HoursPerMonth: 4, Avoid: []string{"U0BOSS"},
		Status: mentor.StatusPending,
	}
}

func mentorSignup() mentor.Participant {
	return mentor.Participant{
		UserID: "U0GRACE", CycleID: "c2026", Name: "Grace Hopper", Role: mentor.RoleMentor, Stage: mentor.StageSenior,
		Areas: []string{"research"}, Offer: "Twenty years in academic libraries.", Methods: []string{"video"},
		Frequency: "weekly", HoursPerMonth: 6, Capacity: 2, Status: mentor.StatusPending,
	}
}

// emptyListsAsNil makes an empty list and no list compare equal.
func emptyListsAsNil(p mentor.Participant) mentor.Participant {
	for _, l := range []*[]string{&p.Areas, &p.Methods, &p.Avoid, &p.Duos} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	return p
}

func joinMeta(t *testing.T, m *slack.ModalViewRequest) views.JoinMeta {
	t.Helper()
	var meta views.JoinMeta
	if err := json.Unmarshal([]byte(m.PrivateMetadata), &meta); err != nil {
		t.Fatalf("private_metadata %q: %v", m.PrivateMetadata, err)
	}
	return meta
}

func initialValue(t *testing.T, d doc, id string) any {
	t.Helper()
	el := d.block(t, id)["element"].(map[string]any)
	for _, k := range []string{"initial_value", "initial_option", "initial_options", "initial_users", "initial_date"} {
		if v, ok := el[k]; ok {
			return v
		}
	}
	return nil
}

func TestJoinModalWithoutARoleAsksForOne(t *testing.T) {
	m := views.JoinModal(cycle(), mentor.Participant{}, false)
	d := mustValidView(t, m)
	if m.CallbackID != views.CallbackJoin || m.Submit.Text != "Sign up" {
		t.Errorf("callback %q submit %q", m.CallbackID, m.Submit.Text)
	}
	if meta := joinMeta(t, m); meta.CycleID != "c2026" || meta.Editing {
		t.Errorf("meta = %+v", meta)
	}
	role := d.block(t, "role")
	if role["dispatch_action"] != true || actionIDs(role)[0] != views.ActionJoinRole {
		t.Errorf("role block = %v, want the role radio dispatching %q", role, views.ActionJoinRole)
	}
	if initialValue(t, d, "role") != nil {
		t.Error("a role is chosen before the person chose one")
	}
	if !d.has("role_hint") || d.has("needs") || d.has("offer") || d.has("capacity") {
		t.Fatalf("blocks = %v, want the role hint and no role-specific inputs", d.blockIDs())
	}
	if f := initialValue(t, d, "frequency").(map[string]any); f["value"] != "monthly" {
		t.Errorf("frequency starts at %v, want the program's default monthly", f["value"])
	}
	if initialValue(t, d, "hours") != nil {
		t.Error("hours pre-filled without a sign-up")
	}
	mustContain(t, textOf(d.block(t, "intro"), "text"), "*2026–2027*")
}

func TestJoinModalForAMentee(t *testing.T) {
	p := menteeSignup()
	d := mustValidView(t, views.JoinModal(cycle(), p, false))
	if !d.has("needs") || d.has("offer") || d.has("capacity") || d.has("role_hint") {
		t.Fatalf("blocks = %v, want needs and no mentor inputs", d.blockIDs())
	}
	if v := initialValue(t, d, "needs"); v != p.Needs {
		t.Errorf("needs = %v", v)
	}
	if v := initialValue(t, d, "role").(map[string]any); v["value"] != "mentee" {
		t.Errorf("role = %v", v)
	}
	if v := initialValue(t, d, "stage").(map[string]any); v["value"] != "new" {
		t.Errorf("stage = %v", v)
	}
	if v := initialValue(t, d, "areas").([]any); len(v) != 2 {
		t.Errorf("areas = %v", v)
	}
	if v := initialValue(t, d, "hours"); v != "4" {
		t.Errorf("hours = %v", v)
	}
	if v := initialValue(t, d, "avoid").([]any); len(v) != 1 || v[0] != "U0BOSS" {
		t.Errorf("avoid = %v", v)
	}
}

func TestJoinModalForAMentorBeingEdited(t *testing.T) {
	p := mentorSignup()
	m := views.JoinModal(cycle(), p, true)
	d := mustValidView(t, m)
	if !d.has("offer") || !d.has("capacity") || d.has("needs") {
		t.Fatalf("blocks = %v, want offer and capacity", d.blockIDs())
	}
	if v := initialValue(t, d, "capacity").(map[string]any); v["value"] != "2" {
		t.Errorf("capacity = %v", v)
	}
	if v := initialValue(t, d, "offer"); v != p.Offer {
		t.Errorf("offer = %v", v)
	}
	if m.Submit.Text != "Save" || !joinMeta(t, m).Editing {
		t.Errorf("submit %q, meta %+v; want an edit", m.Submit.Text, joinMeta(t, m))
	}
	mustContain(t, textOf(d.block(t, "intro"), "text"), "You're signed up")
}

func TestJoinModalWithValuesAtTheirLimits(t *testing.T) {
	c := cycle()
	c.Name = strings.Repeat("&<>", 26) + "xy" // 80 characters, each escaped to several
	for _, base := range []mentor.Participant{menteeSignup(), mentorSignup()} {
		p := base
		p.Needs = strings.Repeat("需", mentor.MaxNeedsLen)
		p.Offer = strings.Repeat("ü", mentor.MaxNeedsLen)
		p.OtherAreas = strings.Repeat("図", mentor.MaxOtherAreasLen)
		p.CVURL = "https://example.org/" + strings.Repeat("a", mentor.MaxURLLen-len("https://example.org/"))
		p.Areas = []string{"experience", "grants", "career", "research", "resume", "development", "self-assessment", "web-page", "organizations", "other"}
		p.Methods = []string{"email", "slack", "video", "phone", "in-person"}
		p.HoursPerMonth = mentor.MaxHoursPerMonth
		p.Capacity = mentor.MaxCapacity
		for i := range 50 {
			p.Avoid = append(p.Avoid, "U0AVOID"+strings.Repeat("X", i%5)+string(rune('A'+i%26)))
		}
		for _, editing := range []bool{false, true} {
			d := mustValidView(t, views.JoinModal(c, p, editing))
			intro := textOf(d.block(t, "intro"), "text")
			if strings.ContainsAny(strings.ReplaceAll(strings.ReplaceAll(intro, "&amp;", ""), "&lt;", ""), "<>") {
				t.Errorf("intro shows the cycle name unescaped: %q", intro)
			}
		}
	}
}

// Submitting the form unchanged gives back the sign-up it was filled from.
func TestParseJoinRoundTrip(t *testing.T) {
	for name, p := range map[string]mentor.Participant{"mentee": menteeSignup(), "mentor": mentorSignup()} {
		t.Run(name, func(t *testing.T) {
			m := views.JoinModal(cycle(), p, true)
			got, meta, err := views.ParseJoin(submit(t, m, nil))
			if err != nil {
				t.Fatalf("ParseJoin: %v", err)
			}
			if meta.CycleID != "c2026" || !meta.Editing {
				t.Errorf("meta = %+v", meta)
			}
			want := mentor.Participant{CycleID: p.CycleID, Role: p.Role, Stage: p.Stage, Areas: p.Areas, OtherAreas: p.OtherAreas,
				Needs: p.Needs, Offer: p.Offer, CVURL: p.CVURL, Methods: p.Methods, Frequency: p.Frequency,
				HoursPerMonth: p.HoursPerMonth, Capacity: p.Capacity, Avoid: p.Avoid}
			if !reflect.DeepEqual(emptyListsAsNil(got), emptyListsAsNil(want)) {
				t.Fatalf("parsed\n %+v\nwant\n %+v", got, want)
			}
			got.UserID = p.UserID
			if err := got.Validate(); err != nil {
				t.Errorf("the parsed sign-up is invalid: %v", err)
			}
		})
	}
}

// A new mentee fills the form in: role first (the modal then shows the needs), then
// everything else.
func TestParseJoinOfANewMentee(t *testing.T) {
	c := cycle()
	picked := views.JoinModal(c, mentor.Participant{Role: mentor.RoleMentee}, false)
	v := submit(t, picked, submitted{
		"role": "mentee", "needs": "  A first grant application.  ", "stage": "student",
		"areas": []string{"grants", "other"}, "other_areas": " digital humanities ", "cv_url": "",
		"methods": []string{"slack", "phone"}, "frequency": "weekly", "hours": " 3 ", "avoid": []string{"U0EX1", "U0EX2"},
	})
	got, meta, err := views.ParseJoin(v)
	if err != nil {
		t.Fatalf("ParseJoin: %v", err)
	}
	want := mentor.Participant{CycleID: "c2026", Role: mentor.RoleMentee, Stage: mentor.StageStudent,
		Areas: []string{"grants", "other"}, OtherAreas: "digital humanities", Needs: "A first grant application.",
		Methods: []string{"slack", "phone"}, Frequency: "weekly", HoursPerMonth: 3, Avoid: []string{"U0EX1", "U0EX2"}}
	if !reflect.DeepEqual(got, want) || meta.Editing {
		t.Fatalf("parsed\n %+v\nwant\n %+v (meta %+v)", got, want, meta)
	}
}

func TestParseJoinOfAMentorWithCapacity(t *testing.T) {
	m := views.JoinModal(cycle(), mentor.Participant{Role: mentor.RoleMentor}, false)
	got, _, err := views.ParseJoin(submit(t, m, submitted{
		"role": "mentor", "offer": "Cataloguing and metadata.", "capacity": "3", "stage": "mid",
		"areas": []string{"career"}, "methods": []string{"email"}, "hours": "12",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got.Role != mentor.RoleMentor || got.Capacity != 3 || got.Offer != "Cataloguing and metadata." || got.HoursPerMonth != 12 || got.Frequency != "monthly" {
		t.Fatalf("parsed %+v", got)
	}
}

func TestParseJoinFieldErrors(t *testing.T) {
	for _, hours := range []string{"four", "2.5", "1e3", "-"} {
		m := views.JoinModal(cycle(), menteeSignup(), false)
		_, _, err := views.ParseJoin(submit(t, m, submitted{"hours": hours}))
		fe := mustFieldErrors(t, err)
		if len(fe) != 1 || fe["hours"] == "" {
			t.Errorf("hours %q: field errors %v, want one under hours", hours, fe)
		}
	}
	// Empty hours are not a parse error: Validate asks for them.
	m := views.JoinModal(cycle(), menteeSignup(), false)
	p, _, err := views.ParseJoin(submit(t, m, submitted{"hours": ""}))
	if err != nil || p.HoursPerMonth != 0 {
		t.Fatalf("empty hours = %d, %v", p.HoursPerMonth, err)
	}
	p.UserID = "U0ADA"
	if fe := mustFieldErrors(t, p.Validate()); fe["hours"] == "" {
		t.Fatalf("validate = %v, want an hours error", fe)
	}
}

func TestParseJoinOfAnOutdatedForm(t *testing.T) {
	for _, meta := range []string{"", "not json", `{"cycle":""}`} {
		_, _, err := views.ParseJoin(slack.View{PrivateMetadata: meta})
		if mentor.ErrorCode(err) != mentor.EINVALID {
			t.Errorf("metadata %q: %v, want invalid", meta, err)
		}
	}
}
