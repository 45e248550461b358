package views_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// sentEvaluation is Ada's evaluation, every field filled, sent on 20 April 2027.
func sentEvaluation() mentor.Evaluation {
	at := time.Date(2027, 4, 20, 9, 0, 0, 0, time.UTC)
	return mentor.Evaluation{CycleID: "c2026", UserID: "U0ADA", Role: mentor.RoleMentee,
		Achieved: "A first grant application, sent in March.", Value: "Yes: I learnt how proposals are judged.",
		Liked: "The monthly calls.", Suggestions: "A kick-off meeting for all duos.",
		Again: mentor.AnswerYes, Recommend: mentor.AnswerMaybe, Overall: 4, NeedsMet: 5, Communication: 3,
		Activities: []string{"grants", "career"}, OtherActivities: "Visited each other's libraries",
		SubmittedAt: at, UpdatedAt: at}
}

func evaluationMeta(t *testing.T, m *slack.ModalViewRequest) views.EvaluationMeta {
	t.Helper()
	var meta views.EvaluationMeta
	if err := json.Unmarshal([]byte(m.PrivateMetadata), &meta); err != nil {
		t.Fatalf("private_metadata %q: %v", m.PrivateMetadata, err)
	}
	return meta
}

// labelOf returns the label text of input block id.
func labelOf(t *testing.T, d doc, id string) string {
	t.Helper()
	return textOf(d.block(t, id), "label")
}

func TestEvaluationModalAsksTheProgramsQuestionsForTheRole(t *testing.T) {
	c := cycle()
	for _, tt := range []struct {
		role                             mentor.Role
		partner, notPartner, again, comm string
	}{
		{mentor.RoleMentee, "your mentor", "your mentee", "Would you take part in the program again?", "How was communication with your mentor?"},
		{mentor.RoleMentor, "your mentee", "your mentor", "Would you mentor again?", "How was communication with your mentee?"},
	} {
		t.Run(string(tt.role), func(t *testing.T) {
			m := views.EvaluationModal(c, mentor.DefaultEvaluation(c, mentor.Participant{Role: tt.role}, nil), tt.role, views.EvaluationMeta{})
			d := mustValidView(t, m)
			if m.CallbackID != views.CallbackEvaluation || m.Submit == nil || m.Submit.Text != "Send to the committee" || len([]rune(m.Title.Text)) > 24 {
				t.Errorf("callback %q title %q submit %v", m.CallbackID, m.Title.Text, m.Submit)
			}
			if meta := evaluationMeta(t, m); meta.CycleID != "c2026" {
				t.Errorf("meta = %+v", meta)
			}
			mustContain(t, labelOf(t, d, views.BlockEvaluationAchieved), "what you and "+tt.partner+" achieved")
			mustContain(t, labelOf(t, d, views.BlockEvaluationValue), "Was the program of value to you? Why or why not?")
			mustContain(t, labelOf(t, d, views.BlockEvaluationLiked), "What did you like about the program?")
			mustContain(t, labelOf(t, d, views.BlockEvaluationSuggestions), "Suggestions for improvement")
			mustContain(t, labelOf(t, d, views.BlockEvaluationAgain), tt.again)
			mustContain(t, labelOf(t, d, views.BlockEvaluationRecommend), "recommend the program")
			mustContain(t, labelOf(t, d, views.BlockEvaluationCommunication), tt.comm)
			if strings.Contains(d.text(), tt.notPartner) {
				t.Errorf("the %s's form speaks of %q", tt.role, tt.notPartner)
			}
			// Plainly confidential, at the top and at the bottom.
			intro := textOf(d.block(t, views.BlockIntro), "text")
			mustContain(t, intro, "Only the mentorship committee reads your evaluation")
			mustContain(t, intro, strings.TrimPrefix(tt.partner, "your ")+" never sees it")
			mustContain(t, d.text(), "never to "+tt.partner)
			mustContain(t, intro, "Sat 1 May 2027")
		})
	}
}

func TestEvaluationModalHasAnInputForEveryRule(t *testing.T) {
	c := cycle()
	d := mustValidView(t, views.EvaluationModal(c, mentor.Evaluation{}, mentor.RoleMentee, views.EvaluationMeta{}))
	// Every problem Validate can report lands on an input of the modal.
	bad := mentor.Evaluation{Achieved: "x", Liked: strings.Repeat("x", 1501), Suggestions: strings.Repeat("x", 1501),
		Overall: 9, Activities: []string{"nope"}, OtherActivities: strings.Repeat("x", 301)}
	fe := mustFieldErrors(t, bad.Validate(c))
	want := []string{"achieved", "value", "liked", "suggestions", "again", "recommend", "overall", "needs_met", "communication", "activities", "other_activities"}
	for _, k := range want {
		if _, ok := fe[k]; !ok {
			t.Fatalf("Validate no longer reports %q (%v): fix this test", k, fe)
		}
	}
	if got := inputIDs(d); !reflect.DeepEqual(got, want) {
		t.Fatalf("inputs %v, want %v", got, want)
	}
	mustHaveErrorsOnInputs(t, d, fe, want...)
	// Required in Slack's client exactly where Validate requires an answer.
	for _, b := range d.blocks {
		if b["type"] != "input" {
			continue
		}
		optional, _ := b["optional"].(bool)
		id := b["block_id"].(string)
		wantOptional := id == "liked" || id == "suggestions" || id == "activities" || id == "other_activities"
		if optional != wantOptional {
			t.Errorf("input %s optional=%v, want %v", id, optional, wantOptional)
		}
	}
	// Texts are limited where Validate limits them.
	for id, max := range map[string]float64{"achieved": 1500, "value": 1500, "liked": 1500, "suggestions": 1500, "other_activities": 300} {
		if got := d.block(t, id)["element"].(map[string]any)["max_length"]; got != max {
			t.Errorf("%s max_length %v, want %v", id, got, max)
		}
	}
}

func TestEvaluationRatingsAreWordsNotBareNumbers(t *testing.T) {
	e := sentEvaluation()
	d := mustValidView(t, views.EvaluationModal(cycle(), e, mentor.RoleMentee, views.EvaluationMeta{}))
	for id, want := range map[string][]string{
		"overall":       {"1 · Poor", "2 · Fair", "3 · Good", "4 · Very good", "5 · Excellent"},
		"needs_met":     {"1 · Not at all", "2 · A little", "3 · Partly", "4 · Mostly", "5 · Completely"},
		"communication": {"1 · Poor", "2 · Fair", "3 · Good", "4 · Very good", "5 · Excellent"},
	} {
		el := d.block(t, id)["element"].(map[string]any)
		if el["type"] != "radio_buttons" {
			t.Errorf("%s is a %v", id, el["type"])
		}
		var got []string
		for i, o := range el["options"].([]any) {
			opt := o.(map[string]any)
			got = append(got, textOf(opt, "text"))
			if opt["value"] != fmt.Sprint(i+1) {
				t.Errorf("%s option %d has value %v", id, i, opt["value"])
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s options %v, want %v", id, got, want)
		}
	}
	for id, want := range map[string]string{"overall": "4 · Very good", "needs_met": "5 · Completely", "communication": "3 · Good"} {
		if got := textOf(initialValue(t, d, id).(map[string]any), "text"); got != want {
			t.Errorf("%s starts at %q, want %q", id, got, want)
		}
	}
}

func TestEvaluationModalStartsFromTheAgreementsActivities(t *testing.T) {
	c := cycle()
	p := mentorSignup()
	e := mentor.DefaultEvaluation(c, p, []mentor.Agreement{agreement(), {Activities: []string{"resume"}}})
	d := mustValidView(t, views.EvaluationModal(c, e, mentor.RoleMentor, views.EvaluationMeta{}))
	var ticked []string
	for _, o := range initialValue(t, d, "activities").([]any) {
		ticked = append(ticked, o.(map[string]any)["value"].(string))
	}
	if !reflect.DeepEqual(ticked, []string{"grants", "career", "resume"}) {
		t.Fatalf("activities ticked %v", ticked)
	}
	if got := initialValue(t, d, "other_activities"); got != "Visit each other's libraries" {
		t.Errorf("other activities start as %v", got)
	}
	for _, id := range []string{"achieved", "value", "again", "overall"} {
		if v := initialValue(t, d, id); v != nil && v != "" {
			t.Errorf("%s starts as %v in a new evaluation", id, v)
		}
	}
	if strings.Contains(textOf(d.block(t, views.BlockIntro), "text"), "replaces") {
		t.Error("a new evaluation says it replaces one")
	}
}

func TestEvaluationModalShowsAtMostTenActivities(t *testing.T) {
	c := cycle()
	c.Topics = nil
	for i := range 12 {
		c.Topics = append(c.Topics, mentor.Option{Value: fmt.Sprintf("t%d", i), Label: fmt.Sprintf("Topic %d", i)})
	}
	d := mustValidView(t, views.EvaluationModal(c, mentor.Evaluation{Activities: []string{"t11", "t1"}}, mentor.RoleMentee, views.EvaluationMeta{}))
	if n := len(d.block(t, "activities")["element"].(map[string]any)["options"].([]any)); n != 10 {
		t.Fatalf("%d activities, a checkbox group takes 10", n)
	}
}

func TestEvaluationModalRoundTrip(t *testing.T) {
	c := cycle()
	m := views.EvaluationModal(c, mentor.Evaluation{}, mentor.RoleMentee, views.EvaluationMeta{})
	v := submit(t, m, submitted{
		"achieved": "  A first grant application.  ", "value": "Yes, very much so.", "liked": "", "suggestions": "More duos",
		"again": "maybe", "recommend": "yes", "overall": "5", "needs_met": "2", "communication": "4",
		"activities": []string{"career", "grants"}, "other_activities": "Mock interviews",
	})
	e, meta, err := views.ParseEvaluation(v)
	if err != nil {
		t.Fatal(err)
	}
	want := mentor.Evaluation{CycleID: "c2026", Achieved: "A first grant application.", Value: "Yes, very much so.",
		Suggestions: "More duos", Again: mentor.AnswerMaybe, Recommend: mentor.AnswerYes, Overall: 5, NeedsMet: 2, Communication: 4,
		Activities: []string{"career", "grants"}, OtherActivities: "Mock interviews"}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("parsed\n%+v\nwant\n%+v", e, want)
	}
	if meta.CycleID != "c2026" {
		t.Errorf("meta = %+v", meta)
	}
	if err := e.Validate(c); err != nil {
		t.Errorf("a complete form does not validate: %v", err)
	}
}

func TestEvaluationModalToChangeShowsWhatWasSent(t *testing.T) {
	c := cycle()
	sent := sentEvaluation()
	m := views.EvaluationModal(c, sent, mentor.RoleMentee, views.EvaluationMeta{})
	d := mustValidView(t, m)
	mustContain(t, textOf(d.block(t, views.BlockIntro), "text"), "You sent your evaluation on Tue 20 Apr 2027; what you send now replaces it.")
	// Submitted untouched, the form gives back the answers sent.
	e, _, err := views.ParseEvaluation(submit(t, m, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := sent
	want.UserID, want.Role, want.SubmittedAt, want.UpdatedAt = "", "", time.Time{}, time.Time{}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("parsed\n%+v\nwant\n%+v", e, want)
	}
}

// Texts over the limits (a limit lowered since they were sent) open truncated: Slack
// refuses an initial value longer than max_length.
func TestEvaluationModalOpensWithTextsOverTheLimit(t *testing.T) {
	e := sentEvaluation()
	e.Achieved, e.OtherActivities = strings.Repeat("a", 2000), strings.Repeat("o", 400)
	d := mustValidView(t, views.EvaluationModal(cycle(), e, mentor.RoleMentee, views.EvaluationMeta{}))
	if n := len([]rune(initialValue(t, d, "achieved").(string))); n != 1500 {
		t.Errorf("achieved opens with %d characters", n)
	}
	if n := len([]rune(initialValue(t, d, "other_activities").(string))); n != 300 {
		t.Errorf("other activities open with %d characters", n)
	}
}

func TestParseEvaluationReportsOnlyWhatItCannotRead(t *testing.T) {
	c := cycle()
	m := views.EvaluationModal(c, sentEvaluation(), mentor.RoleMentee, views.EvaluationMeta{})
	d := mustValidView(t, m)
	// A crafted payload: ratings that are not numbers.
	v := submit(t, m, nil)
	for _, id := range []string{"overall", "communication"} {
		a := v.State.Values[id][id]
		a.SelectedOption.Value = "excellent"
		v.State.Values[id][id] = a
	}
	_, _, err := views.ParseEvaluation(v)
	mustHaveErrorsOnInputs(t, d, err, "overall", "communication")

	// Out of range or empty is for Validate to judge, not a reading error.
	v = submit(t, m, submitted{"achieved": "", "value": "ok"})
	a := v.State.Values["needs_met"]["needs_met"]
	a.SelectedOption.Value = "7"
	v.State.Values["needs_met"]["needs_met"] = a
	e, _, err := views.ParseEvaluation(v)
	if err != nil {
		t.Fatalf("readable fields: %v", err)
	}
	mustHaveErrorsOnInputs(t, d, e.Validate(c), "achieved", "value", "needs_met")
}

func TestParseEvaluationOfAViewWithoutSomeBlocks(t *testing.T) {
	// A view whose state lacks inputs (an older form) reads as empty values, never as
	// errors on blocks that are not there.
	v := slack.View{PrivateMetadata: `{"cycle":"c2026"}`, State: &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
		"achieved": {"achieved": {Value: "A first grant application."}},
	}}}
	e, meta, err := views.ParseEvaluation(v)
	if err != nil {
		t.Fatalf("got %v", err)
	}
	if e.Achieved != "A first grant application." || meta.CycleID != "c2026" || e.Overall != 0 || e.Again != "" {
		t.Errorf("parsed %+v", e)
	}
	for _, md := range []string{"", "{", `{"duo":"d1"}`} {
		if _, _, err := views.ParseEvaluation(slack.View{PrivateMetadata: md}); mentor.ErrorCode(err) != mentor.EINVALID {
			t.Errorf("metadata %q: got %v, want EINVALID", md, err)
		}
	}
}

func TestEvaluationThanks(t *testing.T) {
	c := cycle()
	e := sentEvaluation()
	for _, tt := range []struct {
		name           string
		replaced, late bool
		want, notWant  []string
	}{
		{"first, on time", false, false, []string{"Only the committee reads it; your mentor never sees it.", "You can change it until the due date (Sat 1 May 2027)"},
			[]string{"It replaces", "late"}},
		{"replaced, on time", true, false, []string{"It replaces the evaluation you first sent on Tue 20 Apr 2027."}, []string{"late"}},
		{"first, late", false, true, []string{"after the due date (Sat 1 May 2027), so it is marked late"}, []string{"It replaces", "You can change it"}},
		{"replaced, late", true, true, []string{"It replaces the evaluation you first sent", "marked late"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.Late = tt.late
			msg := views.EvaluationThanks(c, e, tt.replaced)
			d := mustValidMessage(t, msg)
			mustValidView(t, views.DoneModal("Program evaluation", msg))
			text := textOf(d.block(t, views.BlockEvaluationThanks), "text")
			for _, w := range tt.want {
				mustContain(t, text, w)
			}
			for _, w := range tt.notWant {
				if strings.Contains(text, w) {
					t.Errorf("%q says %q", text, w)
				}
			}
			// It repeats nothing the person wrote.
			for _, typed := range []string{e.Achieved, e.Value, e.Liked, e.Suggestions, e.OtherActivities} {
				if strings.Contains(d.text()+msg.Text, typed) {
					t.Errorf("the answer repeats %q", typed)
				}
			}
		})
	}
	mentorE := e
	mentorE.Role = mentor.RoleMentor
	mustContain(t, views.EvaluationThanks(c, mentorE, false).Blocks[0].(*slack.SectionBlock).Text.Text, "your mentee never sees it")
}

func TestEvaluationLoading(t *testing.T) {
	c := cycle()
	c.Name = payload
	d := mustValidView(t, views.EvaluationLoading(c))
	mustNotForge(t, d)
	if m := views.EvaluationLoading(c); m.Submit != nil || m.CallbackID == views.CallbackEvaluation {
		t.Error("the loading modal can be submitted as an evaluation")
	}
}

// Whatever a person typed in an evaluation, and whatever the committee named the
// cycle, nothing reaches Slack as a ping, a mention or a disguised link: typed text
// is only ever a plain_text initial value, the cycle's name is escaped.
func TestTypedTextCannotPingOrForgeInTheEvaluation(t *testing.T) {
	c := cycle()
	c.Name = payload
	c.Topics = []mentor.Option{{Value: "evil", Label: payload}, {Value: "career", Label: "Career"}}
	e := sentEvaluation()
	e.Achieved, e.Value, e.Liked, e.Suggestions, e.OtherActivities = payload, payload, payload, payload, payload
	e.Activities = []string{"evil"}
	for _, role := range []mentor.Role{mentor.RoleMentee, mentor.RoleMentor} {
		d := mustValidView(t, views.EvaluationModal(c, e, role, views.EvaluationMeta{}))
		for _, s := range d.mrkdwn() {
			for _, f := range forged {
				if strings.Contains(strings.ToLower(s), f) {
					t.Errorf("%s: raw %q in mrkdwn %q", role, f, s)
				}
			}
		}
		mustContain(t, textOf(d.block(t, views.BlockIntro), "text"), "&lt;!channel&gt;")
		// The typed answers come back as they were typed: plain text, never parsed.
		if got := initialValue(t, d, "achieved"); got != payload {
			t.Errorf("achieved starts as %q", got)
		}
		e.Late = true
		msg := views.EvaluationThanks(c, e, true)
		mustNotForge(t, mustValidMessage(t, msg))
	}
}

// The evaluation shows on Home and status as a button and a stage, never as what
// was written.
func TestHomeOffersTheEvaluationWhenItIsTheNextStep(t *testing.T) {
	c := cycle()
	p := menteeSignup()
	p.Status, p.Duos = mentor.StatusMatched, []string{"d1"}
	d := openedDuo("mentee.contact", "mentor.welcome")
	st := views.Standing{Cycle: c, Participant: &p, Duos: []mentor.Duo{d}, Step: mentor.NextStep(c, &p, []mentor.Duo{d}, now)}
	if st.Step.Kind != mentor.StepEvaluate {
		t.Fatalf("next step %s, want evaluate", st.Step.Kind)
	}
	home := mustValidView(t, views.Home(views.HomeInfo{Now: now, Standing: st}))
	acts := home.block(t, "my_actions")
	if got := actionIDs(acts); strings.Join(got, " ") != strings.Join([]string{views.ActionHomeEvaluate, views.ActionHomeLeave, views.ActionHomeStatus}, " ") {
		t.Fatalf("actions = %v", got)
	}
	btn := element(t, acts, views.ActionHomeEvaluate)
	if btn["value"] != c.ID || textOf(btn, "text") != "Evaluate the program" {
		t.Errorf("button %v", btn)
	}

	// Once the person has evaluated, the button changes it, and the step says so.
	st.Evaluated = map[string]bool{p.UserID: true}
	home = mustValidView(t, views.Home(views.HomeInfo{Now: now, Standing: st}))
	if got := textOf(element(t, home.block(t, "my_actions"), views.ActionHomeEvaluate), "text"); got != "Change my evaluation" {
		t.Errorf("after evaluating, the button says %q", got)
	}
	mustContain(t, home.text(), "Your program evaluation is with the committee")
	// The partner alone evaluating changes nothing of the duo's stage.
	mustContain(t, home.text(), "Stage: *Setting up*")

	// Other steps offer no evaluation.
	early := openedDuo()
	st = views.Standing{Cycle: c, Participant: &p, Duos: []mentor.Duo{early}, Step: mentor.NextStep(c, &p, []mentor.Duo{early}, now)}
	if ids := actionIDs(mustValidView(t, views.Home(views.HomeInfo{Now: now, Standing: st})).block(t, "my_actions")); strings.Contains(strings.Join(ids, " "), views.ActionHomeEvaluate) {
		t.Errorf("evaluation offered at step %s", st.Step.Kind)
	}
}

// A duo is "evaluated" once both members have evaluated: in status and on the
// committee's Home.
func TestDuoStageIsEvaluatedOnceBothHave(t *testing.T) {
	c := cycle()
	d := duoAt(mentor.StageAgreementSigned)
	p := menteeSignup()
	p.Status, p.Duos = mentor.StatusMatched, []string{d.ID}
	for _, tt := range []struct {
		evaluated map[string]bool
		stage     string
	}{
		{nil, "Agreement signed"},
		{map[string]bool{d.MenteeID: true}, "Agreement signed"},
		{map[string]bool{d.MentorID: true}, "Agreement signed"},
		{map[string]bool{d.MenteeID: true, d.MentorID: true}, "Evaluated"},
	} {
		st := views.Standing{Cycle: c, Participant: &p, Duos: []mentor.Duo{d}, Step: mentor.Step{Kind: mentor.StepEvaluate}, Evaluated: tt.evaluated}
		status := mustValidMessage(t, views.StatusMessage(st))
		mustContain(t, textOf(status.block(t, views.BlockStatusDuos), "text"), "Stage: *"+tt.stage+"*")

		home := mustValidView(t, views.Home(views.HomeInfo{Now: now, Standing: views.Standing{Cycle: c, Step: mentor.Step{Kind: mentor.StepJoin}},
			Committee: &views.CommitteeHome{Duos: []mentor.Duo{d}, DuoTotal: 1, Evaluated: tt.evaluated}}))
		line := contextText(t, home, views.BlockHomeDuo+"0")
		mustContain(t, line, "*"+tt.stage+"*")
		if tt.stage == "Evaluated" && strings.Contains(line, "since") {
			t.Errorf("the evaluated stage claims a date: %q", line)
		}
	}
}
