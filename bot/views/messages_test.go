package views_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

func openedDuo(ticked ...string) mentor.Duo {
	d := mentor.Duo{ID: "d1", CycleID: "c2026", MenteeID: "U0ADA", MentorID: "U0GRACE", Score: 42,
		ApprovedBy: "U0CHAIR", CreatedAt: now, ChannelID: "C0DUO", ChannelName: "duo-2026-2027-ada-grace", Checklist: map[string]bool{}}
	for _, id := range ticked {
		d.Checklist[id] = true
	}
	return d
}

func TestDuoWelcomeIsTheChecklist(t *testing.T) {
	c := cycle()
	d := openedDuo("mentee.contact", "both.agreement")
	msg := views.DuoWelcome(c, d)
	doc := mustValidMessage(t, msg)
	if len(msg.Blocks) > 50 {
		t.Fatalf("%d blocks, a message takes 50", len(msg.Blocks))
	}
	mustContain(t, msg.Text, "<@U0ADA> (mentee) and <@U0GRACE> (mentor)")
	for _, r := range mentor.Responsibilities() {
		b := doc.block(t, "item_"+r.ID)
		btn := element(t, b, views.ActionDuoTick)
		text := textOf(b, "text")
		mustContain(t, text, r.Label)
		wantButton, wantMark, wantValue := "Done", ":white_large_square:", "c2026|d1|"+r.ID+"|1"
		if d.Checklist[r.ID] {
			wantButton, wantMark, wantValue = "Undo", ":white_check_mark:", "c2026|d1|"+r.ID+"|0"
		}
		if textOf(btn, "text") != wantButton || btn["value"] != wantValue || !strings.HasPrefix(text, wantMark) {
			t.Errorf("%s: %q with button %q (%v), want %s and %q (%s)", r.ID, text, textOf(btn, "text"), btn["value"], wantMark, wantButton, wantValue)
		}
	}
	mustContain(t, textOf(doc.block(t, "item_both.evaluation"), "text"), mentor.FormatDate(c.EvaluationDue))
	for _, head := range []string{"head_mentee", "head_mentor", "head_both"} {
		doc.block(t, head)
	}
	mustContain(t, doc.text(), "*Mentee* <@U0ADA>")
	mustContain(t, doc.text(), "*Mentor* <@U0GRACE>")
}

func TestDuoTold(t *testing.T) {
	c := cycle()
	d := openedDuo()
	mentee := mustValidMessage(t, views.DuoTold(c, d, "U0ADA"))
	mustContain(t, mentee.text(), "You have a mentor for *2026–2027*: <@U0GRACE>")
	mustContain(t, mentee.text(), "<#C0DUO>")
	mustContain(t, mentee.text(), "within 7 days")

	mentorMsg := mustValidMessage(t, views.DuoTold(c, d, "U0GRACE"))
	mustContain(t, mentorMsg.text(), "You have a mentee for *2026–2027*: <@U0ADA>")
	mustContain(t, mentorMsg.text(), "within 3 days")
}

func TestDuoRecordAndSetupFailed(t *testing.T) {
	c := cycle()
	d := openedDuo()
	rec := mustValidMessage(t, views.DuoRecord(d))
	mustContain(t, rec.text(), "<@U0ADA> (mentee) with <@U0GRACE> (mentor) in <#C0DUO> · score 42 · approved by <@U0CHAIR>")

	d.Setup.LastError = "invite both: slack: <!channel> rate_limited & more " + strings.Repeat("x", 3000)
	msg := views.DuoSetupFailed(c, d)
	failed := mustValidMessage(t, msg)
	mustContain(t, failed.text(), "stopped at: invite both: slack: &lt;!channel&gt; rate_limited &amp; more")
	retry := element(t, failed.block(t, "retry"), views.ActionDuoRetry)
	if retry["value"] != "c2026|d1" {
		t.Errorf("retry carries %v", retry["value"])
	}
}

func TestStatusMessage(t *testing.T) {
	c := cycle()
	mentee := menteeSignup()
	mentee.Status, mentee.Duos = mentor.StatusMatched, []string{"d1"}
	duos := []mentor.Duo{openedDuo()}
	st := views.Standing{Cycle: c, Participant: &mentee, Duos: duos, Step: mentor.NextStep(c, &mentee, duos, now)}
	d := mustValidMessage(t, views.StatusMessage(st))
	for _, want := range []string{
		"*2026–2027* · Thu 1 Oct 2026 – Mon 31 May 2027 · evaluations due Sat 1 May 2027",
		"*You signed up as a mentee* (matched)",
		"Career stage: New professional (under 3 years)",
		"Areas: Introducing grant opportunities, Providing career advice, digital humanities",
		"Needs: Preparing for academic library interviews.",
		"Meeting: Email, Video call, every two weeks, 4 h a month",
		"CV: https://example.org/ada.pdf",
		"Your mentor: <@U0GRACE>, in <#C0DUO>",
		"Make initial contact with your mentor in <#C0DUO> by *Fri 27 Nov 2026*",
	} {
		mustContain(t, d.text(), want)
	}

	m := mentorSignup()
	m.Duos = []string{"d1"}
	st = views.Standing{Cycle: c, Participant: &m, Duos: duos, Step: mentor.NextStep(c, &m, duos, now)}
	d = mustValidMessage(t, views.StatusMessage(st))
	mustContain(t, d.text(), "Offer: Twenty years in academic libraries.")
	mustContain(t, d.text(), "Mentees: 1 of 2 places taken")
	mustContain(t, d.text(), "Your mentee: <@U0ADA>")

	st = views.Standing{Cycle: c, Step: mentor.NextStep(c, nil, nil, now)}
	d = mustValidMessage(t, views.StatusMessage(st))
	mustContain(t, d.text(), "You haven't signed up for this cycle.")
	mustContain(t, d.text(), "/mentorship join")
}

func TestStatusMessageWithTheLongestSignup(t *testing.T) {
	c := cycle()
	c.Name = strings.Repeat("&", 80)
	p := menteeSignup()
	p.Needs = strings.Repeat("<&>", mentor.MaxNeedsLen/3)
	p.OtherAreas = strings.Repeat("<&>", mentor.MaxOtherAreasLen/3)
	p.CVURL = "https://example.org/?" + strings.Repeat("a&b", 160)
	p.Areas = []string{"experience", "grants", "career", "research", "resume", "development", "self-assessment", "web-page", "organizations", "other"}
	mustValidMessage(t, views.StatusMessage(views.Standing{Cycle: c, Participant: &p, Step: mentor.NextStep(c, &p, nil, now)}))
}

func TestLeaveConfirmAndModal(t *testing.T) {
	p := menteeSignup()
	d := mustValidMessage(t, views.LeaveConfirm(p))
	mustContain(t, d.text(), "The committee will be told.")
	acts := d.block(t, "leave_actions")
	if ids := actionIDs(acts); strings.Join(ids, " ") != views.ActionLeaveConfirm+" "+views.ActionLeaveCancel {
		t.Fatalf("actions = %v", ids)
	}
	confirm := element(t, acts, views.ActionLeaveConfirm)
	if confirm["value"] != "c2026" || confirm["style"] != "danger" {
		t.Errorf("confirm button = %v, want the cycle id, danger style", confirm)
	}

	p.Duos = []string{"d1"}
	mustContain(t, mustValidMessage(t, views.LeaveConfirm(p)).text(), "Your duo partner won't be told by the bot")

	m := views.LeaveModal(p)
	md := mustValidView(t, m)
	if m.CallbackID != views.CallbackLeave || m.PrivateMetadata != "c2026" || m.Submit.Text != "Leave" {
		t.Errorf("leave modal = callback %q metadata %q submit %q", m.CallbackID, m.PrivateMetadata, m.Submit.Text)
	}
	mustContain(t, md.text(), "Your duo partner won't be told")
}

func TestHelp(t *testing.T) {
	entries := []views.HelpEntry{
		{Usage: "/mentorship join", Summary: "sign up"},
		{Usage: "/mentorship status", Summary: "where you stand"},
		{Usage: "/mentorship match", Summary: "propose pairs", Committee: true},
	}
	d := mustValidMessage(t, views.Help(entries, ""))
	if !d.has("intro") || d.has("unknown") {
		t.Errorf("blocks = %v", d.blockIDs())
	}
	everyone := textOf(d.block(t, "everyone"), "text")
	mustContain(t, everyone, "`/mentorship join`  sign up")
	if strings.Contains(everyone, "match") {
		t.Error("a committee command is listed for everyone")
	}
	mustContain(t, textOf(d.block(t, "committee"), "text"), "`/mentorship match`  propose pairs")

	member := mustValidMessage(t, views.Help(entries[:2], "<!channel>"+strings.Repeat("x", 100)))
	if member.has("committee") || !member.has("unknown") {
		t.Errorf("blocks = %v", member.blockIDs())
	}
	unknown := textOf(member.block(t, "unknown"), "text")
	mustContain(t, unknown, "I don't know `&lt;!channel&gt;")
	if strings.Contains(unknown, strings.Repeat("x", 40)) {
		t.Errorf("the unknown subcommand is not shortened: %q", unknown)
	}
}

func TestErrorAndDoneModals(t *testing.T) {
	e := views.ErrorModal("The <@U0ROSA> cycle ended. " + strings.Repeat("x", 4000))
	d := mustValidView(t, e)
	if e.Submit != nil || e.Close.Text != "Back" {
		t.Errorf("error modal submit %v close %q", e.Submit, e.Close.Text)
	}
	mustContain(t, textOf(d.block(t, "error"), "text"), ":warning: The <@U0ROSA> cycle ended.")

	msg := views.Notice("You're signed up.")
	done := views.DoneModal("Signed up for the 2026–2027 mentorship program", msg)
	dd := mustValidView(t, done)
	if n := utf8.RuneCountInString(done.Title.Text); n > 24 || !strings.HasSuffix(done.Title.Text, "…") {
		t.Errorf("title %q (%d characters), want it shortened to 24", done.Title.Text, n)
	}
	if done.Close.Text != "Done" || done.Submit != nil {
		t.Errorf("done modal close %q submit %v", done.Close.Text, done.Submit)
	}
	mustContain(t, dd.text(), "You're signed up.")
}

func TestShortMessages(t *testing.T) {
	c := cycle()
	p := menteeSignup()
	duos := []mentor.Duo{openedDuo()}
	for name, tt := range map[string]struct {
		msg  views.Message
		want string
	}{
		"error":            {views.ErrorMessage("Nothing was changed."), ":warning: Nothing was changed."},
		"notice":           {views.Notice("Saved."), "Saved."},
		"no cycle":         {views.NoCycleMessage(false), "no open cycle"},
		"no cycle, chair":  {views.NoCycleMessage(true), "/mentorship program"},
		"left":             {views.LeftMessage(c), "You've left the *2026–2027* mentorship program."},
		"committee, alone": {views.CommitteeLeftNotice(p, nil), ":wave: <@U0ADA> (mentee) left the program. No duo is affected."},
		"committee, duo":   {views.CommitteeLeftNotice(p, duos), "Affected duo: <@U0GRACE> in <#C0DUO>. Their partner has not been told."},
		"joined":           {views.Joined(c, p, false), "You're signed up for *2026–2027* as a mentee."},
		"edited":           {views.Joined(c, p, true), "Your sign-up for *2026–2027* is updated."},
	} {
		t.Run(name, func(t *testing.T) {
			d := mustValidMessage(t, tt.msg)
			mustContain(t, d.text(), tt.want)
		})
	}
}

func TestStepText(t *testing.T) {
	duo := openedDuo()
	noChannel := openedDuo()
	noChannel.ChannelID = ""
	due := mentor.Date(2026, 11, 27)
	tests := []struct {
		step mentor.Step
		want string
	}{
		{mentor.Step{Kind: mentor.StepJoin}, "Sign up with `/mentorship join`"},
		{mentor.Step{Kind: mentor.StepWaitForMatch}, "the committee is pairing"},
		{mentor.Step{Kind: mentor.StepContactMentor, Due: due, Duo: &duo}, "Make initial contact with your mentor in <#C0DUO> by *Fri 27 Nov 2026*"},
		{mentor.Step{Kind: mentor.StepContactMentor, Duo: &noChannel}, "in your duo channel:"},
		{mentor.Step{Kind: mentor.StepWelcomeMentee, Due: due, Duo: &duo}, "Send a welcome message to your mentee in <#C0DUO> by *Fri 27 Nov 2026*."},
		{mentor.Step{Kind: mentor.StepEvaluate, Due: mentor.Date(2027, 5, 1)}, "submit your program evaluation by *Sat 1 May 2027*."},
		{mentor.Step{Kind: mentor.StepRejoin}, "You left this cycle."},
		{mentor.Step{Kind: mentor.StepLeftDuo}, "The committee will follow up"},
		{mentor.Step{Kind: mentor.StepNothing}, "this cycle is over"},
	}
	for _, tt := range tests {
		mustContain(t, views.StepText(tt.step), tt.want)
	}
}
