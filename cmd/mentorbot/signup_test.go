package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// store opens the bot's Redis for assertions and seeding.
func (h *harness) store() *redisstore.Store {
	h.t.Helper()
	return h.redis.Store()
}

// menteeForm and mentorForm are complete sign-ups, as typed into the modal.
func menteeForm(needs string) slackfake.Values {
	return slackfake.Values{
		"stage":       {"stage": slackfake.Option("student")},
		"areas":       {"areas": slackfake.OptionValues("career", "grants")},
		"other_areas": {"other_areas": slackfake.Text("digital humanities")},
		"needs":       {"needs": slackfake.Text(needs)},
		"cv_url":      {"cv_url": slackfake.Text("https://example.org/bob-cv.pdf")},
		"methods":     {"methods": slackfake.OptionValues("email", "video")},
		"hours":       {"hours": slackfake.Number("4")},
	}
}

func mentorForm(offer, capacity string) slackfake.Values {
	return slackfake.Values{
		"stage":    {"stage": slackfake.Option("senior")},
		"areas":    {"areas": slackfake.OptionValues("career", "grants", "research")},
		"offer":    {"offer": slackfake.Text(offer)},
		"capacity": {"capacity": slackfake.Option(capacity)},
		"methods":  {"methods": slackfake.OptionValues("email", "video")},
		"hours":    {"hours": slackfake.Number("3")},
	}
}

// join has user sign up through the modal as role with the given form.
func (h *harness) join(user string, role mentor.Role, form slackfake.Values) *slackfake.ViewResult {
	h.t.Helper()
	v := h.openJoinAs(user, role)
	res, err := h.slack.SubmitView(h.ctx, user, v.ID, form)
	if err != nil {
		h.t.Fatalf("submit join of %s: %v", user, err)
	}
	return res
}

// openJoinAs opens the join modal and picks the role; the modal redraws itself with
// the role's fields.
func (h *harness) openJoinAs(user string, role mentor.Role) slackfake.View {
	h.t.Helper()
	h.command(user, "join")
	v := h.view(user, "join", nil)
	roleField := map[mentor.Role]string{mentor.RoleMentee: "needs", mentor.RoleMentor: "offer"}[role]
	if !hasBlock(v, roleField) {
		if _, err := h.slack.SelectOption(h.ctx, user, slackfake.InView(v.ID), "join_role", string(role)); err != nil {
			h.t.Fatalf("choose role: %v", err)
		}
		v = h.view(user, "join", func(v slackfake.View) bool { return hasBlock(v, roleField) })
	}
	return v
}

func TestCycleOpenedAndEditedByTheCommitteeOnly(t *testing.T) {
	h := startBot(t)
	st := h.store()

	// No cycle yet: people are told so.
	h.command(bob, "join")
	h.ephemeral(bob, "no open cycle")

	h.openCycle(alice)
	c, rev, err := st.ActiveCycle(h.ctx)
	if err != nil || c.Name != "2026–2027" || c.Start != mentor.Date(2026, 10, 1) || c.EvaluationDue != mentor.Date(2027, 5, 1) || rev != 1 {
		t.Fatalf("active cycle = %+v rev %d, %v", c, rev, err)
	}
	if _, err := h.slack.WaitForMessage(h.ctx, committeeChannel, func(m slackfake.Message) bool { return strings.Contains(m.Text, "opened the") }); err != nil {
		t.Fatal("committee channel not told of the new cycle")
	}

	// Editing: every bad field comes back inline, and nothing is stored.
	h.command(alice, "program")
	v := h.view(alice, "program", func(v slackfake.View) bool { return strings.Contains(v.Title(), "Edit") })
	res, err := h.slack.SubmitView(h.ctx, alice, v.ID, slackfake.Values{
		"name":           {"name": slackfake.Text("CALA <!channel> 2026")},
		"start":          {"start": slackfake.Date("2026-10-01")},
		"end":            {"end": slackfake.Date("2026-09-01")},
		"evaluation_due": {"evaluation_due": slackfake.Date("2028-01-01")},
		"welcome_days":   {"welcome_days": slackfake.Number("-3")},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"end", "welcome_days"} {
		if res.Errors[field] == "" {
			t.Errorf("no inline error on %s: %v", field, res.Errors)
		}
	}
	res, err = h.slack.SubmitView(h.ctx, alice, v.ID, slackfake.Values{
		"end":            {"end": slackfake.Date("2027-05-31")},
		"evaluation_due": {"evaluation_due": slackfake.Date("2027-07-01")},
		"welcome_days":   {"welcome_days": slackfake.Number("3")},
	})
	if err != nil || res.Errors["evaluation_due"] == "" {
		t.Fatalf("due date outside the cycle accepted: %v %v", res.Errors, err)
	}
	if c2, _, _ := st.ActiveCycle(h.ctx); c2.Name != c.Name {
		t.Fatalf("a refused edit changed the cycle: %q", c2.Name)
	}
	res, err = h.slack.SubmitView(h.ctx, alice, v.ID, slackfake.Values{
		"evaluation_due": {"evaluation_due": slackfake.Date("2027-05-01")},
		"annual_meeting": {"annual_meeting": slackfake.Date("2027-06-25")},
	})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("valid edit refused: %v %v", res.Errors, err)
	}
	c, _, _ = st.ActiveCycle(h.ctx)
	if c.Name != "CALA <!channel> 2026" || c.AnnualMeeting != mentor.Date(2027, 6, 25) || c.Reminders.WelcomeDays != 3 {
		t.Fatalf("edit not stored: %+v", c)
	}
	// The committee notice echoes the typed name escaped.
	m, err := h.slack.WaitForMessage(h.ctx, committeeChannel, func(m slackfake.Message) bool { return strings.Contains(m.Text, "updated the") })
	if err != nil || strings.Contains(allText(m), "<!channel>") || !strings.Contains(m.Text, "&lt;!channel&gt;") {
		t.Fatalf("committee notice not escaped: %q %v", m.Text, err)
	}

	// Someone outside the committee is refused, and nothing changes.
	h.command(bob, "program")
	h.ephemeral(bob, "is for the mentorship committee")
	if c2, rev2, _ := st.ActiveCycle(h.ctx); c2.Name != c.Name || rev2 != 2 {
		t.Fatalf("refused command changed the cycle: %+v rev %d", c2, rev2)
	}

	// "program new" starts a new cycle; the old one stays readable.
	h.command(alice, "program new")
	v = h.view(alice, "program", func(v slackfake.View) bool { return strings.Contains(v.Title(), "Open") })
	if res, err := h.slack.SubmitView(h.ctx, alice, v.ID, slackfake.Values{"name": {"name": slackfake.Text("Next year")}}); err != nil || len(res.Errors) > 0 {
		t.Fatalf("new cycle refused: %v %v", res, err)
	}
	all, _ := st.Cycles(h.ctx)
	if active, _, _ := st.ActiveCycle(h.ctx); len(all) != 2 || active.Name != "Next year" {
		t.Fatalf("cycles = %d, active %q", len(all), active.Name)
	}
}

func TestRedeliveredProgramSubmissionCreatesOneCycle(t *testing.T) {
	h := startBot(t)
	h.command(alice, "program")
	v := h.view(alice, "program", nil)
	res, err := h.slack.SubmitView(h.ctx, alice, v.ID, slackfake.Values{})
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	if _, err := h.slack.Redeliver(h.ctx, res.Ack.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	if all, _ := h.store().Cycles(h.ctx); len(all) != 1 {
		t.Fatalf("a redelivered submission made %d cycles", len(all))
	}
}

func TestSignUpStatusEditAndHome(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	st := h.store()

	// Bob, a mentee: the modal asks for his role first, then his needs.
	v := h.openJoinAs(bob, mentor.RoleMentee)
	if hasBlock(v, "offer") || hasBlock(v, "capacity") {
		t.Fatal("mentee form shows mentor fields")
	}
	// Slack's client itself refuses empty required inputs; what reaches us is a
	// missing area (optional in Block Kit, required by the program), needs too
	// short to act on, and a link that is not a web link.
	bad := menteeForm("help")
	bad["cv_url"] = map[string]slackfake.Value{"cv_url": slackfake.Text("javascript:alert(1)")}
	bad["areas"] = map[string]slackfake.Value{"areas": slackfake.OptionValues()}
	bad["other_areas"] = map[string]slackfake.Value{"other_areas": slackfake.Text("")}
	res, err := h.slack.SubmitView(h.ctx, bob, v.ID, bad)
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors["needs"] == "" || res.Errors["areas"] == "" || !strings.Contains(res.Errors["cv_url"], "https://") || res.Closed {
		t.Fatalf("errors = %v, want needs, areas and cv_url inline and the form kept", res.Errors)
	}
	res, err = h.slack.SubmitView(h.ctx, bob, v.ID, menteeForm("Preparing for academic library interviews & writing a first grant"))
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("valid sign-up refused: %v %v", res.Errors, err)
	}
	if res.View == nil || !strings.Contains(viewText(*res.View), "signed up") {
		t.Fatalf("the form did not turn into a confirmation: %+v", res.View)
	}
	p, err := st.Participant(h.ctx, mustActive(t, h).ID, bob)
	if err != nil || p.Role != mentor.RoleMentee || p.Name != "Bob Mentee" || p.TZ != "America/Chicago" || p.HoursPerMonth != 4 || p.Status != mentor.StatusPending {
		t.Fatalf("stored sign-up = %+v, %v", p, err)
	}

	// Carol, a mentor: the role switch shows the offer and capacity.
	v = h.openJoinAs(carol, mentor.RoleMentor)
	if !hasBlock(v, "capacity") || hasBlock(v, "needs") {
		t.Fatal("mentor form lacks capacity or shows needs")
	}
	if res, err := h.slack.SubmitView(h.ctx, carol, v.ID, mentorForm("Twenty years of grant writing in academic libraries", "2")); err != nil || len(res.Errors) > 0 {
		t.Fatalf("mentor sign-up refused: %v %v", res, err)
	}

	// Status shows what each signed up as and the next step.
	h.command(bob, "status")
	m := h.ephemeral(bob, "signed up as a mentee")
	if !strings.Contains(allText(m), "waiting for a mentor") || !strings.Contains(allText(m), "&amp; writing") {
		t.Fatalf("status = %s", allText(m))
	}
	h.command(carol, "status")
	h.ephemeral(carol, "0 of 2 places taken")

	// Joining again edits, pre-filled.
	h.command(bob, "join")
	v = h.view(bob, "join", func(v slackfake.View) bool {
		return strings.Contains(v.Title(), "Join") && strings.Contains(viewText(v), "Preparing for academic")
	})
	if res, err := h.slack.SubmitView(h.ctx, bob, v.ID, slackfake.Values{"needs": {"needs": slackfake.Text("Mostly help with my resume and a personal web page")}}); err != nil || len(res.Errors) > 0 {
		t.Fatalf("edit refused: %v %v", res, err)
	}
	p, _ = st.Participant(h.ctx, mustActive(t, h).ID, bob)
	if p.Needs != "Mostly help with my resume and a personal web page" || p.CVURL != "https://example.org/bob-cv.pdf" {
		t.Fatalf("edit lost or kept the wrong fields: %+v", p)
	}
	counts, _ := st.Counts(h.ctx, p.CycleID)
	if counts.Mentees != 1 || counts.Mentors != 1 || counts.FreeMentorCapacity != 2 {
		t.Fatalf("counts after edit = %+v", counts)
	}

	// App Home: Bob sees his own standing; Alice also sees the committee's view.
	if _, err := h.slack.OpenHome(h.ctx, bob); err != nil {
		t.Fatal(err)
	}
	home := h.home(bob, "waiting for a mentor")
	if strings.Contains(viewText(home), "Committee") {
		t.Fatal("a participant's Home shows the committee section")
	}
	if _, err := h.slack.OpenHome(h.ctx, alice); err != nil {
		t.Fatal(err)
	}
	home = h.home(alice, "Pending sign-ups")
	for _, want := range []string{"*Mentees*\n1", "*Free mentor places*\n2", "<@" + bob + ">", "You haven't signed up"} {
		if !strings.Contains(viewText(home), want) {
			t.Errorf("committee Home lacks %s:\n%s", want, viewText(home))
		}
	}
}

func (h *harness) home(user, want string) slackfake.View {
	h.t.Helper()
	var got slackfake.View
	err := h.slack.Wait(h.ctx, func() bool {
		v, ok := h.slack.HomeView(user)
		got = v
		return ok && strings.Contains(viewText(v), want)
	})
	if err != nil {
		h.t.Fatalf("Home of %s never showed %q; it shows:\n%s", user, want, viewText(got))
	}
	return got
}

func mustActive(t *testing.T, h *harness) mentor.Cycle {
	t.Helper()
	c, _, err := h.store().ActiveCycle(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTypedTextIsEscapedWhereverEchoed(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	evil := "<!channel> please <@U123> & <https://evil.example|the official form>"
	form := menteeForm(evil)
	form["other_areas"] = map[string]slackfake.Value{"other_areas": slackfake.Text("<!here> & more")}
	if res := h.join(bob, mentor.RoleMentee, form); len(res.Errors) > 0 {
		t.Fatalf("refused: %v", res.Errors)
	}
	h.command(bob, "status")
	m := h.ephemeral(bob, "signed up as a mentee")
	h.slack.OpenHome(h.ctx, bob)
	home := h.home(bob, "signed up as a mentee")
	h.slack.OpenHome(h.ctx, alice)
	committee := h.home(alice, "Pending sign-ups")
	for name, text := range map[string]string{"status": allText(m), "home": viewText(home), "committee home": viewText(committee)} {
		for _, raw := range []string{"<!channel>", "<@U123>", "<!here>", "<https://evil"} {
			if strings.Contains(text, raw) {
				t.Errorf("%s echoes %s unescaped", name, raw)
			}
		}
	}
	if !strings.Contains(allText(m), "&lt;!channel&gt; please &lt;@U123&gt; &amp; &lt;https://evil.example|the official form&gt;") {
		t.Errorf("status does not show the needs escaped:\n%s", allText(m))
	}
}

func TestLeaveWithdrawsAndTellsTheCommittee(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	h.join(bob, mentor.RoleMentee, menteeForm("Help preparing for my first cataloguing job"))

	h.command(bob, "leave")
	m := h.ephemeral(bob, "Leave the mentorship program")
	click, err := h.slack.ClickButton(h.ctx, bob, slackfake.InEphemeral(m.TS), "leave_confirm")
	if err != nil {
		t.Fatal(err)
	}
	h.ephemeral(bob, "You've left")
	notice, err := h.slack.WaitForMessage(h.ctx, committeeChannel, func(m slackfake.Message) bool { return strings.Contains(m.Text, "left the program") })
	if err != nil || !strings.Contains(notice.Text, "<@"+bob+"> (mentee)") || !strings.Contains(notice.Text, "No duo is affected") {
		t.Fatalf("committee notice = %q, %v", notice.Text, err)
	}
	c := mustActive(t, h)
	p, _ := h.store().Participant(h.ctx, c.ID, bob)
	if p.Status != mentor.StatusWithdrawn {
		t.Fatalf("status after leave = %s", p.Status)
	}
	// A second confirmation (a double click, delivered again) tells nobody again.
	if _, err := h.slack.Redeliver(h.ctx, click.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	h.ephemeral(bob, "You had already left")
	h.command(bob, "status")
	h.ephemeral(bob, "left the program on")
	left := 0
	for _, m := range h.slack.Messages(committeeChannel) {
		if strings.Contains(m.Text, "left the program") {
			left++
		}
	}
	if left != 1 {
		t.Fatalf("committee told %d times", left)
	}

	// Coming back is allowed while the cycle is open.
	if res := h.join(bob, mentor.RoleMentee, menteeForm("Back again: help with my resume please")); len(res.Errors) > 0 {
		t.Fatalf("re-join refused: %v", res.Errors)
	}
	p, _ = h.store().Participant(h.ctx, c.ID, bob)
	if p.Status != mentor.StatusPending {
		t.Fatalf("status after re-join = %s", p.Status)
	}
}

func TestCommitteeHomeWith500SignUpsStaysValid(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	c := mustActive(t, h)
	st := h.store()
	for i := 0; i < 500; i++ {
		p := mentor.Participant{UserID: fmt.Sprintf("U9%07d", i), CycleID: c.ID, Name: fmt.Sprintf("Person %d", i),
			Role: mentor.RoleMentee, Stage: mentor.StageStudent, Areas: []string{"career", "grants", "research", "resume"},
			OtherAreas: strings.Repeat("long free text area ", 9), Needs: "Needs of person " + fmt.Sprint(i),
			Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 2, CreatedAt: h.clock.Now()}
		if i%4 == 0 {
			p.Role, p.Needs, p.Offer, p.Capacity = mentor.RoleMentor, "", "Offer of person "+fmt.Sprint(i), 1+i%3
		}
		if err := st.SaveSignup(context.Background(), p, h.clock.Now().Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	h.slack.OpenHome(h.ctx, alice)
	home := h.home(alice, "Pending sign-ups* (1–20 of 500)")
	if n := len(home.Blocks()); n > 100 {
		t.Fatalf("Home has %d blocks", n)
	}
	if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(home.ID), "home_next"); err != nil {
		t.Fatal(err)
	}
	h.home(alice, "(21–40 of 500)")
	// Block Kit violations, if any, fail the test at cleanup (slackfaketest).
}

// Someone switches the role and sends before the form redraws: the form on screen
// is the other role's. The bot answers with the right role's form (what was typed
// kept), never with errors for inputs that are not there, and that form sends.
func TestSendingJustAfterSwitchingTheRoleShowsTheRightForm(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	v := h.openJoinAs(bob, mentor.RoleMentee)
	form := menteeForm("Typed while the mentee form was on screen")
	form["role"] = map[string]slackfake.Value{"join_role": slackfake.Option(string(mentor.RoleMentor))}
	res, err := h.slack.SubmitView(h.ctx, bob, v.ID, form)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("errors %v for a form whose inputs are the other role's", res.Errors)
	}
	if res.View == nil || !hasBlock(*res.View, "offer") || !hasBlock(*res.View, "capacity") {
		t.Fatal("the mentor's form was not shown")
	}
	if !strings.Contains(viewText(*res.View), "digital humanities") {
		t.Error("what was typed was not kept")
	}
	out, err := h.slack.SubmitView(h.ctx, bob, res.View.ID, mentorForm("Twenty years of reference work and grant writing", "2"))
	if err != nil || len(out.Errors) > 0 {
		t.Fatalf("the mentor's form does not send: %v %v", err, out)
	}
	c := mustActive(t, h)
	h.eventually("bob signed up as a mentor", func() bool {
		p, err := h.store().Participant(h.ctx, c.ID, bob)
		return err == nil && p.Role == mentor.RoleMentor
	})
}

// A role redraw that finds another redraw already on screen (hash_conflict, as when
// the role is switched twice quickly) draws the latest role over it instead of
// leaving the form on the role the person switched away from. (Which click is the
// latest, by action_ts, is TestLatestChoiceIsTheLatestClick's.)
func TestARoleRedrawMeetingAHashConflictDrawsTheLatestRole(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	v := h.openJoinAs(bob, mentor.RoleMentor)
	h.slack.FailNext("views.update", "hash_conflict")
	if _, err := h.slack.SelectOption(h.ctx, bob, slackfake.InView(v.ID), "join_role", string(mentor.RoleMentee)); err != nil {
		t.Fatal(err)
	}
	h.view(bob, "join", func(v slackfake.View) bool { return hasBlock(v, "needs") && !hasBlock(v, "offer") })
}
