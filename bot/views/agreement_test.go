package views_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// signedAt are the days the members of openedDuo signed.
var (
	menteeSigned = time.Date(2026, time.December, 3, 15, 0, 0, 0, time.UTC)
	mentorSigned = time.Date(2026, time.December, 5, 9, 30, 0, 0, time.UTC)
)

// agreement is version 2 of openedDuo's agreement, every field filled, unsigned.
func agreement() mentor.Agreement {
	return mentor.Agreement{
		CycleID: "c2026", DuoID: "d1", Version: 2,
		Methods: []string{"email", "video"}, Frequency: "biweekly",
		Goal:       "Submit a first grant application by March.",
		Activities: []string{"grants", "career"}, OtherActivities: "Visit each other's libraries",
		MentorHours: 6, MenteeHours: 4,
		From: mentor.Date(2026, 12, 1), Until: mentor.Date(2027, 5, 31),
		AnnualMeeting: mentor.AnswerMaybe, ShareExperience: mentor.AnswerYes,
		Author: "U0ADA", CreatedAt: mentor.Date(2026, 12, 2), Signatures: map[string]time.Time{},
	}
}

func agreementMeta(t *testing.T, m *slack.ModalViewRequest) views.AgreementMeta {
	t.Helper()
	var meta views.AgreementMeta
	if err := json.Unmarshal([]byte(m.PrivateMetadata), &meta); err != nil {
		t.Fatalf("private_metadata %q: %v", m.PrivateMetadata, err)
	}
	return meta
}

// inputIDs lists the block ids of a modal's input blocks, in order.
func inputIDs(d doc) []string {
	var ids []string
	for _, b := range d.blocks {
		if b["type"] == "input" {
			ids = append(ids, b["block_id"].(string))
		}
	}
	return ids
}

// everyActionID lists the action id of every interactive element anywhere in d.
func everyActionID(d doc) []string {
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch v := x.(type) {
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			if id, ok := v["action_id"].(string); ok {
				out = append(out, id)
			}
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(d.root)
	return out
}

// mustHaveErrorsOnInputs fails unless err is FieldErrors whose keys are exactly want,
// each an input block of the modal (Slack rejects errors for other blocks).
func mustHaveErrorsOnInputs(t *testing.T, d doc, err error, want ...string) mentor.FieldErrors {
	t.Helper()
	fe := mustFieldErrors(t, err)
	var got []string
	for k := range fe {
		got = append(got, k)
		found := false
		for _, id := range inputIDs(d) {
			found = found || id == k
		}
		if !found {
			t.Errorf("field error %q (%s) names no input block of the view %v", k, fe[k], inputIDs(d))
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("field errors %v, want errors on %v", fe, want)
	}
	return fe
}

func TestAgreementModalFirstDraftHasAnInputForEveryRule(t *testing.T) {
	c := cycle()
	mentee, mentr := menteeSignup(), mentorSignup()
	a := mentor.DefaultAgreement(c, openedDuo(), &mentee, &mentr)
	m := views.AgreementModal(c, a, views.AgreementMeta{DuoID: "d1", Channel: "C0DUO"}, nil)
	d := mustValidView(t, m)
	if m.CallbackID != views.CallbackAgreement || len([]rune(m.Title.Text)) > 24 || m.Submit.Text != "Submit for signing" {
		t.Errorf("callback %q title %q submit %q", m.CallbackID, m.Title.Text, m.Submit.Text)
	}
	if meta := agreementMeta(t, m); meta != (views.AgreementMeta{CycleID: "c2026", DuoID: "d1", Channel: "C0DUO"}) {
		t.Errorf("meta = %+v", meta)
	}
	// Every problem Validate can report lands on an input of the modal.
	fe := mustFieldErrors(t, mentor.Agreement{Goal: "x", OtherActivities: strings.Repeat("x", 400)}.Validate(c))
	for _, k := range []string{"methods", "frequency", "goal", "other_activities", "mentor_hours", "mentee_hours", "from", "annual_meeting", "share_experience"} {
		if _, ok := fe[k]; !ok {
			t.Fatalf("Validate no longer reports %q (%v): fix this test", k, fe)
		}
	}
	for _, k := range []string{"activities", "until"} {
		fe[k] = "also reported"
	}
	want := []string{"methods", "frequency", "goal", "activities", "other_activities", "mentor_hours", "mentee_hours", "from", "until", "annual_meeting", "share_experience"}
	if got := inputIDs(d); !reflect.DeepEqual(got, want) {
		t.Fatalf("inputs %v, want %v", got, want)
	}
	for k := range fe {
		if b := d.block(t, k); b["type"] != "input" {
			t.Errorf("block %q is a %v, not an input", k, b["type"])
		}
	}
	if d.has(views.BlockDuo) {
		t.Error("the duo is known, yet the form asks for it")
	}
	mustContain(t, textOf(d.block(t, views.BlockIntro), "text"), "*2026–2027*")

	// Pre-filled from the sign-ups: the methods both share, the default frequency
	// (they differ), each one's hours, the mentee's areas, the cycle's dates.
	for id, want := range map[string]string{
		"methods":      `[{"text":{"emoji":false,"text":"Video call","type":"plain_text"},"value":"video"}]`,
		"frequency":    `{"text":{"emoji":false,"text":"Monthly","type":"plain_text"},"value":"monthly"}`,
		"mentor_hours": `"6"`,
		"mentee_hours": `"4"`,
		"from":         `"2026-10-01"`,
		"until":        `"2027-05-31"`,
	} {
		got, _ := json.Marshal(initialValue(t, d, id))
		if string(got) != want {
			t.Errorf("%s starts as %s, want %s", id, got, want)
		}
	}
	acts, _ := json.Marshal(initialValue(t, d, "activities"))
	mustContain(t, string(acts), `"value":"grants"`)
	mustContain(t, string(acts), `"value":"career"`)
	for _, id := range []string{"goal", "other_activities", "annual_meeting", "share_experience"} {
		if v := initialValue(t, d, id); v != nil && v != "" {
			t.Errorf("%s starts as %v in a first draft", id, v)
		}
	}
}

func TestAgreementModalRoundTrip(t *testing.T) {
	c := cycle()
	m := views.AgreementModal(c, mentor.Agreement{}, views.AgreementMeta{DuoID: "d1"}, nil)
	v := submit(t, m, submitted{
		"methods": []string{"email", "phone"}, "frequency": "weekly",
		"goal": "  Prepare for academic library interviews.  ", "activities": []string{"career", "resume"},
		"other_activities": "Mock interviews", "mentor_hours": "5", "mentee_hours": "3",
		"from": "2026-12-01", "until": "2027-04-30", "annual_meeting": "yes", "share_experience": "no",
	})
	a, meta, err := views.ParseAgreement(v)
	if err != nil {
		t.Fatal(err)
	}
	want := mentor.Agreement{
		CycleID: "c2026", DuoID: "d1", Version: 1,
		Methods: []string{"email", "phone"}, Frequency: "weekly", Goal: "Prepare for academic library interviews.",
		Activities: []string{"career", "resume"}, OtherActivities: "Mock interviews", MentorHours: 5, MenteeHours: 3,
		From: mentor.Date(2026, 12, 1), Until: mentor.Date(2027, 4, 30), AnnualMeeting: mentor.AnswerYes, ShareExperience: mentor.AnswerNo,
	}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("parsed\n%+v\nwant\n%+v", a, want)
	}
	if meta.CycleID != "c2026" || meta.DuoID != "d1" || meta.Version != 0 {
		t.Errorf("meta = %+v", meta)
	}
	if err := a.Validate(c); err != nil {
		t.Errorf("a complete form does not validate: %v", err)
	}
}

func TestAgreementModalEditShowsTheCurrentVersion(t *testing.T) {
	c := cycle()
	cur := agreement()
	m := views.AgreementModal(c, cur, views.AgreementMeta{DuoID: "d1", Version: 2}, nil)
	d := mustValidView(t, m)
	mustContain(t, textOf(d.block(t, views.BlockIntro), "text"), "editing version 2")
	mustContain(t, textOf(d.block(t, views.BlockIntro), "text"), "Saving makes version 3")

	// Submitted untouched, the form gives back the current version's fields.
	a, meta, err := views.ParseAgreement(submit(t, m, nil))
	if err != nil {
		t.Fatal(err)
	}
	if meta.Version != 2 || a.Version != 3 {
		t.Errorf("edits version %d into version %d, want 2 into 3", meta.Version, a.Version)
	}
	want := cur
	want.Version, want.Author, want.CreatedAt, want.Signatures = 3, "", time.Time{}, nil
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("parsed\n%+v\nwant\n%+v", a, want)
	}
}

func TestAgreementModalAsksWhichDuoOnlyWhenItMust(t *testing.T) {
	c := cycle()
	choices := []views.DuoChoice{{DuoID: "d1", Label: "Mentee: Ada Lovelace"}, {DuoID: "d2", Label: "Mentee: Ben " + strings.Repeat("x", 100)}}

	m := views.AgreementModal(c, mentor.Agreement{}, views.AgreementMeta{}, choices)
	d := mustValidView(t, m)
	if ids := inputIDs(d); ids[0] != views.BlockDuo {
		t.Fatalf("inputs %v: the duo select must come first", ids)
	}
	if initialValue(t, d, views.BlockDuo) != nil {
		t.Error("a duo is chosen for the person")
	}
	_, _, err := views.ParseAgreement(submit(t, m, nil))
	fe := mustFieldErrors(t, err)
	if fe[views.BlockDuo] == "" {
		t.Fatalf("no duo chosen: errors %v", fe)
	}
	a, _, err := views.ParseAgreement(submit(t, m, submitted{views.BlockDuo: "d2"}))
	if err != nil && mustFieldErrors(t, err)[views.BlockDuo] != "" {
		t.Fatalf("duo chosen, still %v", err)
	}
	if a.DuoID != "d2" {
		t.Errorf("duo %q, want d2", a.DuoID)
	}

	// One duo: nothing to choose, it travels in the metadata.
	one := views.AgreementModal(c, mentor.Agreement{}, views.AgreementMeta{}, choices[:1])
	if mustValidView(t, one).has(views.BlockDuo) || agreementMeta(t, one).DuoID != "d1" {
		t.Errorf("one duo: blocks %v, meta %+v", mustValidView(t, one).blockIDs(), agreementMeta(t, one))
	}
	// Run in a duo channel: the duo is known even with several.
	known := views.AgreementModal(c, mentor.Agreement{}, views.AgreementMeta{DuoID: "d2"}, choices)
	if mustValidView(t, known).has(views.BlockDuo) {
		t.Error("the duo is known, yet the form asks for it")
	}
	// No duo at all and no select: not a field error (Slack would reject an error
	// on a block that isn't there) but an out-of-date form.
	none := views.AgreementModal(c, mentor.Agreement{}, views.AgreementMeta{}, nil)
	_, _, err = views.ParseAgreement(submit(t, none, nil))
	var me *mentor.Error
	if !errors.As(err, &me) || me.Code != mentor.EINVALID {
		t.Fatalf("got %v, want an EINVALID error", err)
	}
}

func TestParseAgreementReportsOnlyWhatItCannotRead(t *testing.T) {
	c := cycle()
	m := views.AgreementModal(c, agreement(), views.AgreementMeta{DuoID: "d1", Version: 2}, nil)
	d := mustValidView(t, m)
	_, _, err := views.ParseAgreement(submit(t, m, submitted{"mentor_hours": "5.5", "mentee_hours": "four", "from": "2026-13-45", "until": "soon"}))
	mustHaveErrorsOnInputs(t, d, err, "mentor_hours", "mentee_hours", "from", "until")

	// Empty is for Validate to judge, not a reading error.
	a, _, err := views.ParseAgreement(submit(t, m, submitted{"mentor_hours": "", "goal": "", "methods": []string{}}))
	if err != nil {
		t.Fatalf("empty fields: %v", err)
	}
	if a.MentorHours != 0 || a.Goal != "" || len(a.Methods) != 0 {
		t.Errorf("parsed %+v", a)
	}
	mustHaveErrorsOnInputs(t, d, a.Validate(c), "mentor_hours", "goal", "methods")
}

func TestParseAgreementOfAViewWithoutSomeBlocks(t *testing.T) {
	// A view whose state lacks inputs (an older form, a block Slack left out) reads
	// as empty values, never as errors on blocks that are not there.
	v := slack.View{PrivateMetadata: `{"cycle":"c2026","duo":"d1"}`, State: &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
		"goal": {"goal": {Value: "A goal we share, clearly."}},
	}}}
	a, meta, err := views.ParseAgreement(v)
	if err != nil {
		t.Fatalf("got %v", err)
	}
	if a.Goal != "A goal we share, clearly." || a.DuoID != "d1" || meta.CycleID != "c2026" || a.MentorHours != 0 || !a.From.IsZero() {
		t.Errorf("parsed %+v", a)
	}
	if _, _, err := views.ParseAgreement(slack.View{PrivateMetadata: `{"cycle":"c2026"}`}); mentor.ErrorCode(err) != mentor.EINVALID {
		t.Errorf("no duo, no select: got %v, want EINVALID", err)
	}
	for _, md := range []string{"", "{", `{"duo":"d1"}`} {
		if _, _, err := views.ParseAgreement(slack.View{PrivateMetadata: md}); mentor.ErrorCode(err) != mentor.EINVALID {
			t.Errorf("metadata %q: got %v, want EINVALID", md, err)
		}
	}
}

func TestAgreementModalShowsAtMostTenActivities(t *testing.T) {
	c := cycle()
	c.Topics = nil
	for i := range 12 {
		c.Topics = append(c.Topics, mentor.Option{Value: fmt.Sprintf("t%d", i), Label: fmt.Sprintf("Topic %d", i)})
	}
	d := mustValidView(t, views.AgreementModal(c, mentor.Agreement{Activities: []string{"t11"}}, views.AgreementMeta{DuoID: "d1"}, nil))
	if n := len(d.block(t, "activities")["element"].(map[string]any)["options"].([]any)); n != 10 {
		t.Fatalf("%d activities, a checkbox group takes 10", n)
	}
}

func TestAgreementPostAwaitingSignatures(t *testing.T) {
	c := cycle()
	d := openedDuo()
	a := agreement()
	msg := views.AgreementPost(c, d, a)
	doc := mustValidMessage(t, msg)
	if h := doc.blocks[0]; h["type"] != "header" || textOf(h, "text") != "Duo agreement · version 2" {
		t.Fatalf("first block %v, want the header", h)
	}
	for _, want := range []string{
		"<@U0ADA> (mentee) and <@U0GRACE> (mentor)", "<#C0DUO>", "written by <@U0ADA> on Wed 2 Dec 2026",
		"*How we communicate*\nEmail, Video call", "*How often*\nEvery two weeks",
		"*Mentor's hours a month*\n6", "*Mentee's hours a month*\n4",
		"*Time frame*\nTue 1 Dec 2026 – Mon 31 May 2027",
		"*Meet at the annual program*\nMaybe", "*Share our experience*\nYes",
		"*Our shared goal*\nSubmit a first grant application by March.",
		"• Introducing grant opportunities\n• Providing career advice\n• Other: Visit each other's libraries",
	} {
		mustContain(t, doc.text(), want)
	}
	for _, s := range []struct{ block, role string }{{views.BlockAgreementSignMentee, "mentee"}, {views.BlockAgreementSignMentor, "mentor"}} {
		b := doc.block(t, s.block)
		btn := element(t, b, views.ActionAgreementSign)
		if textOf(btn, "text") != "Sign as "+s.role || btn["value"] != "c2026|d1|2" {
			t.Errorf("%s: button %q value %v", s.block, textOf(btn, "text"), btn["value"])
		}
		mustContain(t, textOf(b, "text"), "hasn't signed yet")
	}
	edit := element(t, doc.block(t, views.BlockAgreementActions), views.ActionAgreementEdit)
	if edit["value"] != "c2026|d1" || textOf(edit, "text") != "Edit" {
		t.Errorf("edit button %v", edit)
	}
	if doc.has(views.BlockAgreementSigned) {
		t.Error("an unsigned agreement says it is signed")
	}
	mustContain(t, msg.Text, "please read and sign")
}

func TestAgreementPostAfterOneSignature(t *testing.T) {
	a := agreement()
	a.Signatures["U0ADA"] = menteeSigned
	doc := mustValidMessage(t, views.AgreementPost(cycle(), openedDuo(), a))
	mentee := doc.block(t, views.BlockAgreementSignMentee)
	if len(actionIDs(mentee)) != 0 {
		t.Errorf("the mentee signed, yet can sign again: %v", actionIDs(mentee))
	}
	mustContain(t, textOf(mentee, "text"), "<@U0ADA> (mentee) signed on Thu 3 Dec 2026")
	if btn := element(t, doc.block(t, views.BlockAgreementSignMentor), views.ActionAgreementSign); textOf(btn, "text") != "Sign as mentor" {
		t.Errorf("mentor's button %v", btn)
	}
	if doc.has(views.BlockAgreementSigned) {
		t.Error("half signed reads as signed")
	}
}

func TestAgreementPostSignedByBoth(t *testing.T) {
	a := agreement()
	a.Signatures["U0ADA"], a.Signatures["U0GRACE"] = menteeSigned, mentorSigned
	doc := mustValidMessage(t, views.AgreementPost(cycle(), openedDuo(), a))
	mustContain(t, textOf(doc.block(t, views.BlockAgreementSigned), "text"), "Signed by both on Sat 5 Dec 2026; sent to the committee.")
	for _, id := range everyActionID(doc) {
		if id == views.ActionAgreementSign {
			t.Fatal("a signed agreement still has a sign button")
		}
	}
	mustContain(t, doc.text(), "<@U0GRACE> (mentor) signed on Sat 5 Dec 2026")
	element(t, doc.block(t, views.BlockAgreementActions), views.ActionAgreementEdit)
}

func TestAgreementReplaced(t *testing.T) {
	a := agreement()
	a.Signatures["U0ADA"] = menteeSigned
	msg := views.AgreementReplaced(cycle(), openedDuo(), a, 3)
	doc := mustValidMessage(t, msg)
	if ids := everyActionID(doc); len(ids) != 0 {
		t.Fatalf("a replaced version has buttons: %v", ids)
	}
	notice := textOf(doc.block(t, views.BlockAgreementReplaced), "text")
	mustContain(t, notice, "Version 2 of the duo agreement was replaced by version 3")
	mustContain(t, notice, "signatures no longer count")
	mustContain(t, doc.text(), "version 2 (replaced)")
	mustContain(t, doc.text(), "Submit a first grant application by March.")
	mustContain(t, msg.Text, "replaced by version 3")
}

func TestAgreementForCommittee(t *testing.T) {
	a := agreement()
	a.Signatures["U0ADA"], a.Signatures["U0GRACE"] = menteeSigned, mentorSigned
	msg := views.AgreementForCommittee(cycle(), openedDuo(), a)
	doc := mustValidMessage(t, msg)
	if ids := everyActionID(doc); len(ids) != 0 {
		t.Fatalf("the committee's record has buttons: %v", ids)
	}
	for _, want := range []string{
		"<@U0ADA> (mentee) and <@U0GRACE> (mentor)", "<#C0DUO>", "*2026–2027*",
		"Email, Video call", "Every two weeks", "*Mentor's hours a month*\n6", "*Mentee's hours a month*\n4",
		"Tue 1 Dec 2026 – Mon 31 May 2027", "Submit a first grant application by March.",
		"Introducing grant opportunities", "Other: Visit each other's libraries", "Maybe",
		"<@U0ADA> (mentee) on Thu 3 Dec 2026; <@U0GRACE> (mentor) on Sat 5 Dec 2026",
	} {
		mustContain(t, doc.text(), want)
	}
	mustContain(t, msg.Text, "Signed duo agreement")
}

func TestAgreementWithTheLongestTextFitsAndShowsAllOfIt(t *testing.T) {
	// 1,500 characters of "<&>" escape to 6,000: more than one section holds.
	a := agreement()
	a.Goal = strings.Repeat("<&>", mentor.MaxGoalLen/3)
	a.OtherActivities = strings.Repeat("<&>", mentor.MaxOtherActivitiesLen/3)
	for name, msg := range map[string]views.Message{
		"post":      views.AgreementPost(cycle(), openedDuo(), a),
		"replaced":  views.AgreementReplaced(cycle(), openedDuo(), a, 3),
		"committee": views.AgreementForCommittee(cycle(), openedDuo(), a),
	} {
		doc := mustValidMessage(t, msg)
		var goal strings.Builder
		for _, b := range doc.blocks {
			if id, _ := b["block_id"].(string); strings.HasPrefix(id, views.BlockAgreementGoalText) {
				goal.WriteString(textOf(b, "text"))
			}
		}
		if n := strings.Count(goal.String(), "&lt;&amp;&gt;"); n != mentor.MaxGoalLen/3 {
			t.Errorf("%s: the goal shows %d of its %d parts", name, n, mentor.MaxGoalLen/3)
		}
		if !wholeEntities(goal.String()) {
			t.Errorf("%s: the goal is cut inside an entity", name)
		}
	}
}

// hostileAgreement has the payload, and a literal "&amp;", in every typed field.
func hostileAgreement() (mentor.Cycle, mentor.Agreement) {
	c := cycle()
	c.Name = payload
	c.Topics = []mentor.Option{{Value: "t", Label: payload}}
	a := agreement()
	a.Goal, a.OtherActivities, a.Activities = payload+" &amp;", payload+" &amp;", []string{"t"}
	return c, a
}

// mustEscapeOnce checks the literal "&amp;" someone typed shows as "&amp;amp;" (escaped
// once), and the payload is never escaped twice.
func mustEscapeOnce(t *testing.T, d doc) {
	t.Helper()
	mustContain(t, d.text(), "&amp;amp;")
	for _, s := range d.strings() {
		if strings.Contains(s, "&amp;lt;") || strings.Contains(s, "&amp;amp;amp;") {
			t.Fatalf("escaped twice: %q", s)
		}
	}
}

func TestTypedTextCannotPingOrForgeInTheAgreement(t *testing.T) {
	c, a := hostileAgreement()
	a.Signatures["U0ADA"] = menteeSigned
	for name, msg := range map[string]views.Message{
		"post":      views.AgreementPost(c, openedDuo(), a),
		"replaced":  views.AgreementReplaced(c, openedDuo(), a, 3),
		"committee": views.AgreementForCommittee(c, openedDuo(), a),
	} {
		t.Run(name, func(t *testing.T) {
			d := mustValidMessage(t, msg)
			mustNotForge(t, d)
			mustEscapeOnce(t, d)
			for _, f := range forged {
				if strings.Contains(strings.ToLower(msg.Text), f) {
					t.Errorf("notification text %q carries %q", msg.Text, f)
				}
			}
		})
	}
	// In the modal, typed values are plain_text initial values (shown as typed,
	// never parsed); everything mrkdwn is escaped.
	choices := []views.DuoChoice{{DuoID: "d1", Label: payload}, {DuoID: "d2", Label: payload}}
	for _, m := range []*slack.ModalViewRequest{
		views.AgreementModal(c, a, views.AgreementMeta{Version: 2}, choices),
		views.AgreementModal(c, a, views.AgreementMeta{DuoID: "d1"}, nil),
	} {
		d := mustValidView(t, m)
		for _, s := range d.mrkdwn() {
			for _, f := range forged {
				if strings.Contains(strings.ToLower(s), f) {
					t.Errorf("raw %q in mrkdwn %q", f, s)
				}
			}
		}
		if v := initialValue(t, d, "goal"); v != a.Goal {
			t.Errorf("the goal starts as %q, want it as typed (plain text)", v)
		}
	}
}

func TestDuoWelcomeOffersToWriteTheAgreement(t *testing.T) {
	d := mustValidMessage(t, views.DuoWelcome(cycle(), openedDuo()))
	ids := d.blockIDs()
	if len(ids) < 3 || ids[1] != "intro" || ids[2] != views.BlockWelcomeAgreement {
		t.Fatalf("blocks %v: the agreement button belongs right after the intro", ids)
	}
	btn := element(t, d.block(t, views.BlockWelcomeAgreement), views.ActionAgreementOpen)
	if btn["value"] != "c2026|d1" || textOf(btn, "text") != "Write our agreement" {
		t.Errorf("button %v", btn)
	}
}

func TestAgreementModalOpensWithTextsOverTheLimit(t *testing.T) {
	// A stored text longer than the input allows would make Slack refuse the form.
	a := agreement()
	a.Goal, a.OtherActivities = strings.Repeat("g", mentor.MaxGoalLen+100), strings.Repeat("o", mentor.MaxOtherActivitiesLen+100)
	d := mustValidView(t, views.AgreementModal(cycle(), a, views.AgreementMeta{DuoID: "d1", Version: 2}, []views.DuoChoice{{DuoID: "d1"}, {DuoID: "d2", Label: " "}}))
	if n := len([]rune(initialValue(t, d, "goal").(string))); n != mentor.MaxGoalLen {
		t.Errorf("goal starts with %d characters", n)
	}
}
