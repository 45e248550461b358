package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// secrets are words only an evaluation holds: wherever one shows up, the evaluation
// leaked. Each answer gets its own, with a tag so two evaluations differ.
func secrets(tag string) map[string]string {
	return map[string]string{
		"achieved":         "Qx" + tag + "achieved: a first grant proposal, sent in March",
		"value":            "Qx" + tag + "value: yes, I learnt how proposals are judged",
		"liked":            "Qx" + tag + "liked: the monthly calls",
		"suggestions":      "Qx" + tag + "suggestions: a kick-off for all duos",
		"other_activities": "Qx" + tag + "other: library visits",
	}
}

// evaluationForm is a complete evaluation as typed into the modal, its texts from
// secrets(tag); the activities are left as the form offers them.
func evaluationForm(tag string) slackfake.Values {
	v := slackfake.Values{
		"again":         {"again": slackfake.Option("yes")},
		"recommend":     {"recommend": slackfake.Option("maybe")},
		"overall":       {"overall": slackfake.Option("4")},
		"needs_met":     {"needs_met": slackfake.Option("5")},
		"communication": {"communication": slackfake.Option("3")},
	}
	for id, text := range secrets(tag) {
		v[id] = map[string]slackfake.Value{id: slackfake.Text(text)}
	}
	return v
}

// evaluationModal waits until user's evaluation form is open (not the loading one).
func (h *harness) evaluationModal(user string) slackfake.View {
	h.t.Helper()
	return h.view(user, "evaluation", func(v slackfake.View) bool { return hasBlock(v, "achieved") })
}

// evaluate has user open the evaluation with /mentorship evaluate and send form.
func (h *harness) evaluate(user string, form slackfake.Values) *slackfake.ViewResult {
	h.t.Helper()
	h.command(user, "evaluate")
	v := h.evaluationModal(user)
	res, err := h.slack.SubmitView(h.ctx, user, v.ID, form)
	if err != nil {
		h.t.Fatalf("%s sends the evaluation: %v", user, err)
	}
	return res
}

// answered returns the text of the modal the submission left on top (the answer).
func answered(t *testing.T, res *slackfake.ViewResult) string {
	t.Helper()
	if len(res.Errors) > 0 || res.View == nil {
		t.Fatalf("evaluation refused: errors %v, view %v", res.Errors, res.View)
	}
	return viewText(*res.View)
}

// leaksOf lists every place outside the evaluator's own modals where Slack or the
// logs hold text: every Web API call the bot made (messages, DMs, ephemerals, chat
// updates, Home, views: all but a views.update of a modal of the evaluator's, which
// is their own form, pre-filled to change it), what Slack shows in every channel and
// DM, every ephemeral, every Home and every other person's open modals, and the
// bot's logs, and files shared anywhere but the committee channel.
func (h *harness) leaksOf(evaluator, text string) []string {
	h.t.Helper()
	var out []string
	for _, c := range h.slack.AllCalls() {
		if !bytes.Contains(c.Body, []byte(text)) && !strings.Contains(fmt.Sprint(c.Params), text) {
			continue
		}
		if c.Method == "views.update" {
			id, _ := c.Params["view_id"].(string)
			if v, ok := h.slack.View(id); ok && v.User == evaluator && v.Type == "modal" {
				continue
			}
		}
		out = append(out, "Web API call "+c.Method)
	}
	for _, ch := range h.slack.Channels() {
		for _, m := range h.slack.Messages(ch.ID) {
			if strings.Contains(allText(m), text) {
				out = append(out, "message in "+ch.Name+" "+ch.ID)
			}
		}
	}
	for _, u := range h.slack.Users() {
		for _, m := range append(h.slack.DM(u.ID), h.slack.Ephemerals(u.ID)...) {
			if strings.Contains(allText(m), text) {
				out = append(out, "DM or ephemeral to "+u.ID)
			}
		}
		if v, ok := h.slack.HomeView(u.ID); ok && strings.Contains(viewText(v), text) {
			out = append(out, "Home of "+u.ID)
		}
		if u.ID == evaluator {
			continue
		}
		for _, v := range h.slack.OpenViews(u.ID) {
			if strings.Contains(viewText(v), text) {
				out = append(out, "modal of "+u.ID)
			}
		}
	}
	// The committee's report files are the one place evaluations go: a file
	// holding one anywhere else leaked it.
	for _, f := range h.slack.Files() {
		if bytes.Contains(f.Content, []byte(text)) && f.Channel != committeeChannel {
			out = append(out, "file "+f.Name+" shared in "+f.Channel)
		}
	}
	if strings.Contains(h.logs.String(), text) {
		out = append(out, "the bot's logs")
	}
	return out
}

// mustNotLeak fails if any answer of secrets(tag) is anywhere but the evaluator's own
// modals.
func (h *harness) mustNotLeak(evaluator, tag string) {
	h.t.Helper()
	for id, text := range secrets(tag) {
		if where := h.leaksOf(evaluator, text); len(where) > 0 {
			h.t.Errorf("the evaluation's %s leaked to: %s", id, strings.Join(where, "; "))
		}
	}
}

func TestAMenteeEvaluatesForTheCommitteeOnly(t *testing.T) {
	h := startBot(t)
	d := h.openDuos(1)[0]
	c := mustActive(t, h)
	h.submitAgreement(d.MentorID, d, "Submit a first grant proposal together by March")
	h.agreementPost(d, 1)
	h.say(d.MenteeID, d.ChannelID, "Hello! Looking forward to this.")
	h.say(d.MentorID, d.ChannelID, "Welcome! Let's talk about grants.")
	// Both first messages are in: Home offers the evaluation. (Then a pause, so no
	// redraw of Home for those messages is still on its way.)
	h.home(d.MenteeID, "Evaluate the program")
	time.Sleep(100 * time.Millisecond)

	h.command(d.MenteeID, "evaluate")
	v := h.evaluationModal(d.MenteeID)
	text := viewText(v)
	for _, want := range []string{"Only the mentorship committee reads your evaluation", "Your mentor never sees it",
		"what you and your mentor achieved", "Would you take part in the program again?"} {
		if !strings.Contains(text, want) {
			t.Errorf("the mentee's form lacks %q", want)
		}
	}
	// The activities start from the agreement (grants and resume, in agreementForm).
	var view struct {
		Blocks []struct {
			BlockID string `json:"block_id"`
			Element struct {
				InitialOptions []struct{ Value string } `json:"initial_options"`
			} `json:"element"`
		} `json:"blocks"`
	}
	mustJSON(t, v.Raw, &view)
	var ticked []string
	for _, b := range view.Blocks {
		if b.BlockID == "activities" {
			for _, o := range b.Element.InitialOptions {
				ticked = append(ticked, o.Value)
			}
		}
	}
	if strings.Join(ticked, " ") != "grants resume" {
		t.Errorf("activities start as %v, want the agreement's grants and resume", ticked)
	}

	res, err := h.slack.SubmitView(h.ctx, d.MenteeID, v.ID, evaluationForm("a"))
	if err != nil {
		t.Fatal(err)
	}
	if got := answered(t, res); !strings.Contains(got, "Thank you!") || !strings.Contains(got, "your mentor never sees it") {
		t.Errorf("the answer in the modal:\n%s", got)
	}
	e, err := h.store().Evaluation(h.ctx, c.ID, d.MenteeID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Role != mentor.RoleMentee || e.Achieved != secrets("a")["achieved"] || e.Overall != 4 || e.NeedsMet != 5 || e.Communication != 3 ||
		e.Again != mentor.AnswerYes || e.Recommend != mentor.AnswerMaybe || strings.Join(e.Activities, " ") != "grants resume" || e.Late {
		t.Errorf("stored %+v", e)
	}

	// Home is redrawn in the background: the button now changes the evaluation.
	h.home(d.MenteeID, "Change my evaluation")
	// The partner looks everywhere they can: their status, their Home, the channel.
	h.command(d.MentorID, "status")
	if m := h.ephemeral(d.MentorID, "Your duo"); strings.Contains(allText(m), "Evaluated") {
		t.Errorf("one evaluation made the duo evaluated:\n%s", allText(m))
	}
	if _, err := h.slack.OpenHome(h.ctx, d.MentorID); err != nil {
		t.Fatal(err)
	}
	h.home(d.MentorID, "Evaluate the program")
	if _, err := h.slack.OpenHome(h.ctx, alice); err != nil {
		t.Fatal(err)
	}
	h.home(alice, "Committee")
	h.say(d.MentorID, d.ChannelID, "How did the evaluation go?")
	time.Sleep(100 * time.Millisecond) // let anything the bot might post arrive
	h.mustNotLeak(d.MenteeID, "a")
	if k := h.keyHolding(secrets("a")["achieved"]); k != h.redis.Prefix+"{c:"+c.ID+"}:evaluation:"+d.MenteeID {
		t.Errorf("the evaluation is stored in %q", k)
	}
}

func TestEvaluatingAgainReplacesItThenLateIsMarked(t *testing.T) {
	h := startBot(t)
	d := h.openDuos(1)[0]
	c := mustActive(t, h)
	first := h.clock.Now()
	answered(t, h.evaluate(d.MenteeID, evaluationForm("a")))

	// Opened again, the form shows what was sent, and says sending replaces it.
	h.clock.Set(first.AddDate(0, 1, 0))
	h.command(d.MenteeID, "evaluate")
	v := h.evaluationModal(d.MenteeID)
	if text := viewText(v); !strings.Contains(text, secrets("a")["achieved"]) || !strings.Contains(text, "what you send now replaces it") {
		t.Fatalf("the form to change the evaluation:\n%s", text)
	}
	res, err := h.slack.SubmitView(h.ctx, d.MenteeID, v.ID, evaluationForm("b"))
	if err != nil {
		t.Fatal(err)
	}
	if got := answered(t, res); !strings.Contains(got, "It replaces the evaluation you first sent on "+mentor.FormatDate(first)) || strings.Contains(got, "late") {
		t.Errorf("the answer to a replacement:\n%s", got)
	}
	all, _ := h.store().EvaluatedAll(h.ctx, c.ID)
	e, err := h.store().Evaluation(h.ctx, c.ID, d.MenteeID)
	if err != nil || len(all) != 1 || e.Achieved != secrets("b")["achieved"] || !e.SubmittedAt.Equal(first) || e.Late {
		t.Fatalf("after the replacement: %d evaluations, %+v, %v", len(all), e, err)
	}

	// After the due date: still accepted, marked late.
	h.clock.Set(c.EvaluationDue.AddDate(0, 0, 2).Add(15 * time.Hour))
	if got := answered(t, h.evaluate(d.MenteeID, evaluationForm("c"))); !strings.Contains(got, "marked late") {
		t.Errorf("the answer after the due date:\n%s", got)
	}
	e, err = h.store().Evaluation(h.ctx, c.ID, d.MenteeID)
	if err != nil || !e.Late || e.Achieved != secrets("c")["achieved"] || !e.SubmittedAt.Equal(first) {
		t.Fatalf("after the due date: %+v, %v", e, err)
	}
	if all, _ := h.store().EvaluatedAll(h.ctx, c.ID); len(all) != 1 {
		t.Fatalf("%d evaluations for one person", len(all))
	}
	for _, tag := range []string{"a", "b", "c"} {
		h.mustNotLeak(d.MenteeID, tag)
	}
}

// openDuosDue opens a cycle whose evaluations are due on due (YYYY-MM-DD), signs up
// five people and approves the first n proposals; it returns the duos once open.
func (h *harness) openDuosDue(n int, due string) []mentor.Duo {
	h.t.Helper()
	h.command(alice, "program")
	v := h.view(alice, "program", nil)
	if res, err := h.slack.SubmitView(h.ctx, alice, v.ID, slackfake.Values{
		"evaluation_due": {"evaluation_due": slackfake.Date(due)},
	}); err != nil || len(res.Errors) > 0 {
		h.t.Fatalf("program: %v %v", err, res)
	}
	h.signUpFive()
	pv := h.openPairing(alice)
	for i := range n {
		h.onProposal(alice, pv.ID, i, "pair_approve")
	}
	var duos []mentor.Duo
	h.eventually(fmt.Sprintf("%d duos open", n), func() bool {
		open, all := h.openCount()
		if open != n || all != n {
			return false
		}
		c := mustActive(h.t.(*testing.T), h)
		ids, _ := h.store().DuoIDs(h.ctx, c.ID)
		duos, _ = h.store().Duos(h.ctx, c.ID, ids)
		return true
	})
	return duos
}

// evaluationNudges counts the evaluation reminders DMed to user.
func (h *harness) evaluationNudges(user string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range h.nudgesTo(user) {
		if nudgeKind(m) == string(mentor.NudgeEvaluation) {
			out = append(out, m)
		}
	}
	return out
}

// TestEvaluationRemindersStopForWhoEvaluated walks a duo through the reminders of an
// evaluation due Fri 20 Nov 2026 (14, 3 and 0 days before): the mentee evaluates from
// the first reminder's button and hears no more; the mentor, who doesn't, gets all
// three.
func TestEvaluationRemindersStopForWhoEvaluated(t *testing.T) {
	h := startBot(t)
	start := h.clock.Now() // Mon 5 Oct 2026
	d := h.openDuosDue(1, "2026-11-20")[0]
	c := mustActive(t, h)

	h.runUntil(time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC))
	reminders := h.evaluationNudges(d.MenteeID)
	if len(reminders) != 1 || len(h.evaluationNudges(d.MentorID)) != 1 {
		t.Fatalf("by 10 Nov: %d reminders to the mentee, %d to the mentor; want the 6 Nov one each",
			len(reminders), len(h.evaluationNudges(d.MentorID)))
	}
	// The reminder's button opens the form.
	dm, err := h.slack.DMChannel(d.MenteeID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.slack.ClickButton(h.ctx, d.MenteeID, slackfake.InMessage(dm, reminders[0].TS), "nudge_evaluate"); err != nil {
		t.Fatal(err)
	}
	v := h.evaluationModal(d.MenteeID)
	res, err := h.slack.SubmitView(h.ctx, d.MenteeID, v.ID, evaluationForm("n"))
	if err != nil {
		t.Fatal(err)
	}
	answered(t, res)
	// The mentee's remaining reminders are cancelled at once, the mentor's stay.
	for _, u := range []string{d.MenteeID, d.MentorID} {
		for _, days := range []int{3, 0} {
			_, scheduled, err := h.store().Job(h.ctx, fmt.Sprintf("nudge:evaluation:%s:%s:%d", c.ID, u, days))
			if err != nil || scheduled != (u == d.MentorID) {
				t.Errorf("reminder %d days before to %s scheduled: %v (%v)", days, u, scheduled, err)
			}
		}
	}

	h.runUntil(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	got := map[string][]string{}
	for _, u := range []string{d.MenteeID, d.MentorID} {
		for _, m := range h.evaluationNudges(u) {
			got[u] = append(got[u], tsTime(t, m.TS).Format("Jan 2"))
		}
	}
	want := map[string][]string{d.MenteeID: {"Nov 6"}, d.MentorID: {"Nov 6", "Nov 17", "Nov 20"}}
	for _, u := range []string{d.MenteeID, d.MentorID} {
		if strings.Join(got[u], ", ") != strings.Join(want[u], ", ") {
			t.Errorf("evaluation reminders to %s since %s:\n got %v\nwant %v", u, start.Format("Jan 2"), got[u], want[u])
		}
	}
	h.mustNotLeak(d.MenteeID, "n")
}

func TestHomeButtonOpensTheEvaluationAndBothMakeTheDuoEvaluated(t *testing.T) {
	h := startBot(t)
	d := h.openDuos(1)[0]
	h.say(d.MenteeID, d.ChannelID, "Hello!")
	h.say(d.MentorID, d.ChannelID, "Welcome!")
	for _, u := range []string{d.MenteeID, d.MentorID} {
		if _, err := h.slack.OpenHome(h.ctx, u); err != nil {
			t.Fatal(err)
		}
		home := h.home(u, "Evaluate the program")
		if _, err := h.slack.ClickButton(h.ctx, u, slackfake.InView(home.ID), "home_evaluate"); err != nil {
			t.Fatal(err)
		}
		v := h.evaluationModal(u)
		if u == d.MentorID && !strings.Contains(viewText(v), "Would you mentor again?") {
			t.Errorf("the mentor's form:\n%s", viewText(v))
		}
		res, err := h.slack.SubmitView(h.ctx, u, v.ID, evaluationForm(u))
		if err != nil {
			t.Fatal(err)
		}
		answered(t, res)
		h.home(u, "Change my evaluation")
	}
	h.command(d.MenteeID, "status")
	if m := h.ephemeral(d.MenteeID, "Your duo"); !strings.Contains(allText(m), "Stage: *Evaluated*") {
		t.Errorf("status after both evaluated:\n%s", allText(m))
	}
	if _, err := h.slack.OpenHome(h.ctx, alice); err != nil {
		t.Fatal(err)
	}
	h.home(alice, "*Evaluated*")
	h.mustNotLeak(d.MenteeID, d.MenteeID)
	h.mustNotLeak(d.MentorID, d.MentorID)
}

func TestOnlyParticipantsWhoWereInADuoEvaluate(t *testing.T) {
	h := startBot(t)
	d := h.openDuos(1)[0]
	c := mustActive(t, h)
	unpaired := bob
	for _, u := range []string{bob, dave, frank} {
		if u != d.MenteeID {
			unpaired = u
		}
	}
	for _, tt := range []struct{ user, want string }{
		{alice, "you're not signed up for it"},    // the committee chair, not a participant
		{unpaired, "you haven't been in one yet"}, // signed up, never paired
	} {
		h.command(tt.user, "evaluate")
		v := h.view(tt.user, "", func(v slackfake.View) bool { return strings.Contains(viewText(v), tt.want) })
		if hasBlock(v, "achieved") {
			t.Errorf("%s was offered the form", tt.user)
		}
	}
	if all, _ := h.store().EvaluatedAll(h.ctx, c.ID); len(all) != 0 {
		t.Fatalf("evaluations stored: %v", all)
	}
	// A crafted nudge button for a cycle that does not exist opens nothing.
	h.forgeClick(d.MenteeID, general, "nudge_evaluate", "no-such-cycle")
	h.ephemeral(d.MenteeID, "That program cycle does not exist.")
	if v, ok := h.slack.TopView(d.MenteeID); ok && v.CallbackID == "evaluation" {
		t.Error("a forged button opened the form")
	}
}

func TestBadAnswersComeBackUnderTheirInputs(t *testing.T) {
	h := startBot(t)
	d := h.openDuos(1)[0]
	c := mustActive(t, h)
	form := evaluationForm("x")
	form["achieved"] = map[string]slackfake.Value{"achieved": slackfake.Text("ok")}
	form["value"] = map[string]slackfake.Value{"value": slackfake.Text("yes")}
	res := h.evaluate(d.MentorID, form)
	if len(res.Errors) != 2 || !strings.Contains(res.Errors["achieved"], "at least 10 characters") || !strings.Contains(res.Errors["value"], "at least 10 characters") {
		t.Fatalf("errors %v, want the two short answers under their inputs", res.Errors)
	}
	if res.Closed || res.View == nil || res.View.CallbackID != "evaluation" {
		t.Fatalf("the form did not stay open for correction: %+v", res)
	}
	if ok, _ := h.store().Evaluated(h.ctx, c.ID, d.MentorID); ok {
		t.Fatal("a refused evaluation was stored")
	}
	// Corrected in the same modal, it goes through.
	fixed := evaluationForm("x")
	if got := answered(t, mustSubmit(t, h, d.MentorID, res.View.ID, fixed)); !strings.Contains(got, "Thank you!") {
		t.Errorf("the answer after correcting:\n%s", got)
	}
	h.mustNotLeak(d.MentorID, "x")
}

func mustSubmit(t *testing.T, h *harness, user, viewID string, form slackfake.Values) *slackfake.ViewResult {
	t.Helper()
	res, err := h.slack.SubmitView(h.ctx, user, viewID, form)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestHelpListsEvaluate(t *testing.T) {
	h := startBot(t)
	h.command(bob, "help")
	m := h.ephemeral(bob, "Commands")
	text := allText(m)
	i, j := strings.Index(text, "/mentorship concern"), strings.Index(text, "/mentorship evaluate")
	if j < 0 || i < 0 || j < i {
		t.Errorf("help lists evaluate after concern? concern at %d, evaluate at %d:\n%s", i, j, text)
	}
}
