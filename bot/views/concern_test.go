package views_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// secret is a phrase only a concern holds: it must never reach the partner.
const secret = "he never answers my messages"

func concern() mentor.Concern {
	return mentor.Concern{
		ID: "k1", CycleID: "c2026", DuoID: "d1", From: "U0ADA", Kind: mentor.ConcernRaised,
		Text: "We haven't talked since October; " + secret + ".", NewMatch: true, State: mentor.ConcernOpen,
		CreatedAt: mentor.Date(2026, 12, 10),
	}
}

func TestConcernModal(t *testing.T) {
	m := views.ConcernModal(views.ConcernMeta{CycleID: "c2026", DuoID: "d1", ID: "k1"}, nil)
	d := mustValidView(t, m)
	if m.CallbackID != views.CallbackConcern || len([]rune(m.Title.Text)) > 24 || len([]rune(m.Submit.Text)) > 24 {
		t.Errorf("callback %q title %q submit %q", m.CallbackID, m.Title.Text, m.Submit.Text)
	}
	intro := textOf(d.block(t, views.BlockIntro), "text")
	mustContain(t, intro, "Only the mentorship committee reads this.")
	mustContain(t, intro, "partner hears nothing from the bot until the committee acts")
	if got := inputIDs(d); !reflect.DeepEqual(got, []string{views.BlockConcernText, views.BlockConcernNewMatch}) {
		t.Fatalf("inputs %v", got)
	}
	// Validate's keys land on inputs (duo: see the next test).
	fe := mustFieldErrors(t, mentor.Concern{DuoID: "d1"}.Validate())
	for k := range fe {
		if d.block(t, k)["type"] != "input" {
			t.Errorf("error key %q is not an input", k)
		}
	}
	var opts []string
	for _, o := range d.block(t, views.BlockConcernNewMatch)["element"].(map[string]any)["options"].([]any) {
		opts = append(opts, textOf(o.(map[string]any), "text"))
	}
	if strings.Join(opts, " / ") != "Yes, I'd like a new match / No" {
		t.Errorf("new match options %v", opts)
	}

	k, meta, err := views.ParseConcern(submit(t, m, submitted{"text": "  We haven't talked since October.  ", "new_match": "yes"}))
	if err != nil {
		t.Fatal(err)
	}
	want := mentor.Concern{ID: "k1", CycleID: "c2026", DuoID: "d1", Kind: mentor.ConcernRaised,
		Text: "We haven't talked since October.", NewMatch: true, State: mentor.ConcernOpen}
	if !reflect.DeepEqual(k, want) || meta != (views.ConcernMeta{CycleID: "c2026", DuoID: "d1", ID: "k1"}) {
		t.Fatalf("parsed %+v %+v", k, meta)
	}
	k, _, err = views.ParseConcern(submit(t, m, submitted{"text": "x", "new_match": "no"}))
	if err != nil || k.NewMatch {
		t.Errorf("'No': %+v, %v", k, err)
	}
	// An empty text is Validate's to judge.
	k, _, err = views.ParseConcern(submit(t, m, nil))
	if err != nil {
		t.Fatalf("empty: %v", err)
	}
	mustHaveErrorsOnInputs(t, d, k.Validate(), "text")
}

func TestConcernModalAsksWhichDuoOnlyWhenItMust(t *testing.T) {
	choices := []views.DuoChoice{{DuoID: "d1", Label: "Mentee: Ada"}, {DuoID: "d2", Label: "Mentee: Ben"}}
	m := views.ConcernModal(views.ConcernMeta{CycleID: "c2026", ID: "k1"}, choices)
	d := mustValidView(t, m)
	if ids := inputIDs(d); ids[0] != views.BlockDuo {
		t.Fatalf("inputs %v: the duo select must come first", ids)
	}
	_, _, err := views.ParseConcern(submit(t, m, submitted{"text": "x"}))
	mustHaveErrorsOnInputs(t, d, err, views.BlockDuo)
	k, _, err := views.ParseConcern(submit(t, m, submitted{views.BlockDuo: "d2", "text": "x"}))
	if err != nil || k.DuoID != "d2" {
		t.Fatalf("chose d2: %+v, %v", k, err)
	}

	one := views.ConcernModal(views.ConcernMeta{CycleID: "c2026", ID: "k1"}, choices[:1])
	if mustValidView(t, one).has(views.BlockDuo) {
		t.Error("one duo, yet a select")
	}
	if k, _, err := views.ParseConcern(submit(t, one, submitted{"text": "x"})); err != nil || k.DuoID != "d1" {
		t.Errorf("one duo: %+v, %v", k, err)
	}
	none := views.ConcernModal(views.ConcernMeta{CycleID: "c2026", ID: "k1"}, nil)
	if _, _, err := views.ParseConcern(submit(t, none, submitted{"text": "x"})); mentor.ErrorCode(err) != mentor.EINVALID {
		t.Errorf("no duo, no select: got %v, want EINVALID", err)
	}
	for _, md := range []string{"", `{"cycle":"c2026"}`, `{"id":"k1"}`} {
		if _, _, err := views.ParseConcern(slack.View{PrivateMetadata: md}); mentor.ErrorCode(err) != mentor.EINVALID {
			t.Errorf("metadata %q: got %v, want EINVALID", md, err)
		}
	}
	raw, _ := json.Marshal(views.ConcernMeta{CycleID: "c", ID: "k"})
	mustContain(t, string(raw), `"id":"k"`)
}

func TestConcernReceived(t *testing.T) {
	d := mustValidMessage(t, views.ConcernReceived(cycle()))
	mustContain(t, d.text(), "only the committee reads it")
	mustContain(t, d.text(), "Your duo partner hasn't been told anything")
	mustContain(t, d.text(), "get back to you privately")
}

func TestConcernForCommittee(t *testing.T) {
	c, d, k := cycle(), openedDuo(), concern()
	msg := views.ConcernForCommittee(c, d, k)
	doc := mustValidMessage(t, msg)
	head := textOf(doc.block(t, views.BlockConcernHead), "text")
	for _, want := range []string{"<@U0ADA> (mentee) raised a concern", "<@U0ADA> (mentee) and <@U0GRACE> (mentor)", "<#C0DUO>", "Thu 10 Dec 2026"} {
		mustContain(t, head, want)
	}
	mustContain(t, textOf(doc.block(t, views.BlockConcernBody), "text"), secret)
	mustContain(t, textOf(doc.block(t, views.BlockConcernMatch), "text"), "yes, they would like a new match")
	acts := doc.block(t, views.BlockConcernActions)
	if ids := actionIDs(acts); strings.Join(ids, " ") != views.ActionConcernDissolve+" "+views.ActionConcernHandled {
		t.Fatalf("actions %v", ids)
	}
	dissolve := element(t, acts, views.ActionConcernDissolve)
	if dissolve["value"] != "c2026|k1" || dissolve["style"] != "danger" || textOf(dissolve, "text") != "Dissolve duo" {
		t.Errorf("dissolve button %v", dissolve)
	}
	confirm, _ := dissolve["confirm"].(map[string]any)
	for _, want := range []string{"archived", "both members", "places are freed"} {
		mustContain(t, textOf(confirm, "text"), want)
	}
	if handled := element(t, acts, views.ActionConcernHandled); handled["value"] != "c2026|k1" || textOf(handled, "text") != "Mark handled" {
		t.Errorf("handled button %v", handled)
	}
	mustContain(t, contextText(t, doc, views.BlockConcernFooter), "<@U0GRACE> has not been told")
	if strings.Contains(msg.Text, secret) {
		t.Error("the notification text quotes the concern")
	}

	k.NewMatch = false
	k.Kind, k.From, k.Text = mentor.ConcernLeft, "U0GRACE", ""
	left := mustValidMessage(t, views.ConcernForCommittee(c, d, k))
	mustContain(t, textOf(left.block(t, views.BlockConcernHead), "text"), "<@U0GRACE> (mentor) left the program while in their duo")
	mustContain(t, textOf(left.block(t, views.BlockConcernMatch), "text"), "not asked for")
}

func TestConcernDecided(t *testing.T) {
	c, d := cycle(), openedDuo()
	for _, tt := range []struct {
		state mentor.ConcernState
		want  string
	}{
		{mentor.ConcernDissolved, "Duo dissolved by <@U0CHAIR> on Fri 11 Dec 2026"},
		{mentor.ConcernHandled, "Marked handled by <@U0CHAIR> on Fri 11 Dec 2026"},
	} {
		k := concern()
		k.State, k.DecidedBy, k.DecidedAt = tt.state, "U0CHAIR", time.Date(2026, 12, 11, 14, 0, 0, 0, time.UTC)
		doc := mustValidMessage(t, views.ConcernDecided(c, d, k))
		if ids := everyActionID(doc); len(ids) != 0 {
			t.Errorf("%s: buttons after the decision: %v", tt.state, ids)
		}
		mustContain(t, textOf(doc.block(t, views.BlockConcernDecision), "text"), tt.want)
		mustContain(t, doc.text(), secret) // the same post, now decided
	}
	// Still open: the buttons stay.
	open := mustValidMessage(t, views.ConcernDecided(c, d, concern()))
	open.block(t, views.BlockConcernActions)
}

func TestDuoDissolvedDM(t *testing.T) {
	c, d, k := cycle(), openedDuo(), concern()
	for _, tt := range []struct {
		user         string
		inPool, ask  bool
		partner      string
		wantPool     bool
		wantButtons  bool
		wantNoPrompt bool
	}{
		{user: "U0ADA", inPool: true, partner: "U0GRACE", wantPool: true},
		{user: "U0GRACE", ask: true, partner: "U0ADA", wantButtons: true},
		{user: "U0GRACE", partner: "U0ADA", wantNoPrompt: true},
	} {
		msg := views.DuoDissolvedDM(c, d, tt.user, tt.inPool, tt.ask)
		doc := mustValidMessage(t, msg)
		text := doc.text() + "\n" + msg.Text
		mustContain(t, text, "Your mentorship duo with <@"+tt.partner+"> for *2026–2027* has ended.")
		mustContain(t, text, "nobody's fault")
		mustContain(t, text, "<#C0DUO> will be archived")
		for _, blame := range []string{secret, k.Text, "concern", "complain"} {
			if strings.Contains(strings.ToLower(text), strings.ToLower(blame)) {
				t.Errorf("%s's DM mentions %q", tt.user, blame)
			}
		}
		if doc.has(views.BlockDissolvedPool) != tt.wantPool {
			t.Errorf("%s: pool line %v, want %v", tt.user, doc.has(views.BlockDissolvedPool), tt.wantPool)
		}
		if tt.wantPool {
			mustContain(t, text, "You're back in the pool; the committee will pair you again.")
		}
		if !tt.wantButtons {
			if ids := everyActionID(doc); len(ids) != 0 {
				t.Errorf("%s: buttons %v", tt.user, ids)
			}
			continue
		}
		acts := doc.block(t, views.BlockRematchActions)
		yes, no := element(t, acts, views.ActionRematchYes), element(t, acts, views.ActionRematchNo)
		if textOf(yes, "text") != "Find me a new match" || yes["value"] != "c2026" || textOf(no, "text") != "No, thanks" || no["value"] != "c2026" {
			t.Errorf("rematch buttons %v / %v", yes, no)
		}
	}
}

func TestTypedTextCannotPingOrForgeInConcerns(t *testing.T) {
	c, d, k := cycle(), openedDuo(), concern()
	c.Name = payload
	k.Text = payload + " &amp;"
	decided := k
	decided.State, decided.DecidedBy, decided.DecidedAt = mentor.ConcernHandled, "U0CHAIR", now
	for name, msg := range map[string]views.Message{
		"committee": views.ConcernForCommittee(c, d, k),
		"decided":   views.ConcernDecided(c, d, decided),
	} {
		t.Run(name, func(t *testing.T) {
			doc := mustValidMessage(t, msg)
			mustNotForge(t, doc)
			mustEscapeOnce(t, doc)
		})
	}
	for name, msg := range map[string]views.Message{
		"received": views.ConcernReceived(c),
		"dm":       views.DuoDissolvedDM(c, d, "U0ADA", true, true),
	} {
		doc := mustValidMessage(t, msg)
		mustNotForge(t, doc) // the cycle name, escaped
		if strings.Contains(doc.text(), "&amp;amp;") {
			t.Errorf("%s: the concern's text reached it", name)
		}
	}
	m := views.ConcernModal(views.ConcernMeta{CycleID: "c2026", ID: "k1"}, []views.DuoChoice{{DuoID: "d1", Label: payload}, {DuoID: "d2", Label: payload}})
	for _, s := range mustValidView(t, m).mrkdwn() {
		for _, f := range forged {
			if strings.Contains(strings.ToLower(s), f) {
				t.Errorf("raw %q in mrkdwn %q", f, s)
			}
		}
	}
}

func TestConcernWithTheLongestTextFitsAndShowsAllOfIt(t *testing.T) {
	k := concern()
	k.Text = strings.Repeat("<&>\n", mentor.MaxConcernLen/4)
	doc := mustValidMessage(t, views.ConcernForCommittee(cycle(), openedDuo(), k))
	var body strings.Builder
	for _, b := range doc.blocks {
		if id, _ := b["block_id"].(string); strings.HasPrefix(id, views.BlockConcernBody) {
			body.WriteString(textOf(b, "text"))
		}
	}
	if n := strings.Count(body.String(), "&lt;&amp;&gt;"); n != mentor.MaxConcernLen/4 {
		t.Fatalf("the committee sees %d of %d lines", n, mentor.MaxConcernLen/4)
	}
}
