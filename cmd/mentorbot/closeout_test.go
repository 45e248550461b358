package main

import (
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// endCycleOn has the committee move the active cycle's end (and its evaluation due
// date) to end, through the program form.
func (h *harness) endCycleOn(end string) mentor.Cycle {
	h.t.Helper()
	h.command(alice, "program")
	v := h.view(alice, "program", func(v slackfake.View) bool { return strings.Contains(viewText(v), "Edit the cycle") })
	res, err := h.slack.SubmitView(h.ctx, alice, v.ID, slackfake.Values{
		"end":            {"end": slackfake.Date(end)},
		"evaluation_due": {"evaluation_due": slackfake.Date(end)},
	})
	if err != nil || len(res.Errors) > 0 {
		h.t.Fatalf("move the end: %v %v", err, res)
	}
	var c mentor.Cycle
	h.eventually("the cycle ends on "+end, func() bool {
		c, _, _ = h.store().ActiveCycle(h.ctx)
		return c.End.Format(mentor.DateLayout) == end
	})
	return c
}

// closeoutOf returns the close-out messages of duo d in its channel (by what they
// say, so a copy without the bot's metadata counts too).
func (h *harness) closeoutOf(d mentor.Duo) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range h.slack.Messages(d.ChannelID) {
		if strings.Contains(allText(m), "the cycle is complete") {
			out = append(out, m)
		}
	}
	return out
}

// The close of the cycle, with two bot processes: after the end date each duo is
// closed once and thanked, invited to present and publish, and offered to continue
// or close; both members end the cycle as completed; "continue" keeps the channel,
// "close" archives it after the cycle's grace period, and a change of mind within the
// grace period keeps it.
func TestCycleEndClosesEachDuoOnceAndHonoursItsChoice(t *testing.T) {
	h := startBot(t)
	h.startReplica()
	h.settleAll = true
	duos := h.openDuos(2)
	c := h.endCycleOn("2026-11-20")
	stays, closes := duos[0], duos[1]

	// Nothing is closed before the end.
	h.runUntil(c.CloseAt().Add(-time.Minute))
	if n := len(h.closeoutOf(stays)); n != 0 {
		t.Fatalf("%d close-out messages before the cycle ended", n)
	}
	h.runUntil(c.CloseAt().Add(time.Hour))
	for _, d := range duos {
		msgs := h.closeoutOf(d)
		if len(msgs) != 1 {
			t.Fatalf("duo %s got %d close-out messages, want 1", d.ID, len(msgs))
		}
		text := allText(msgs[0])
		for _, want := range []string{"<@" + d.MenteeID + ">", "<@" + d.MentorID + ">", "Thank you", "local chapter", "annual program", "newsletter", "Continue on our own", "Close the channel"} {
			if !strings.Contains(text, want) {
				t.Errorf("the close-out of %s does not say %q:\n%s", d.ID, want, text)
			}
		}
		got := h.duo(d)
		if !got.Closed() || got.Close.PostTS != msgs[0].TS {
			t.Errorf("duo %s after the close: %+v", d.ID, got.Close)
		}
		for _, u := range []string{d.MenteeID, d.MentorID} {
			if p, _ := h.store().Participant(h.ctx, c.ID, u); p.Status != mentor.StatusCompleted {
				t.Errorf("%s ends the cycle %s, want completed", u, p.Status)
			}
		}
	}

	// Someone outside the duo cannot choose for it.
	at := slackfake.InMessage(stays.ChannelID, h.closeoutOf(stays)[0].TS)
	h.forgeClick(alice, committeeChannel, "closeout_close", c.ID+"|"+stays.ID)
	h.ephemeral(alice, "Only the two people of this duo")
	if got := h.duo(stays); got.Close.Choice != mentor.CloseUndecided {
		t.Fatalf("a non-member's click chose %q for the duo", got.Close.Choice)
	}

	// One member closes, the other changes their mind within the grace period.
	if _, err := h.slack.ClickButton(h.ctx, stays.MenteeID, at, "closeout_close"); err != nil {
		t.Fatal(err)
	}
	h.settle()
	if _, err := h.slack.ClickButton(h.ctx, stays.MentorID, at, "closeout_continue"); err != nil {
		t.Fatal(err)
	}
	// The other duo closes, with a double click.
	other := slackfake.InMessage(closes.ChannelID, h.closeoutOf(closes)[0].TS)
	for range 2 {
		if _, err := h.slack.ClickButton(h.ctx, closes.MentorID, other, "closeout_close"); err != nil {
			t.Fatal(err)
		}
	}
	h.settle()
	if _, err := h.slack.WaitForMessage(h.ctx, closes.ChannelID, func(m slackfake.Message) bool {
		return m.TS == other.TS && strings.Contains(allText(m), "will be archived on")
	}); err != nil {
		t.Fatal("the close-out message does not show the choice to close")
	}
	if _, err := h.slack.WaitForMessage(h.ctx, stays.ChannelID, func(m slackfake.Message) bool {
		return m.TS == at.TS && strings.Contains(allText(m), "chose to continue")
	}); err != nil {
		t.Fatal("the close-out message does not show the choice to continue")
	}

	h.runUntil(h.clock.Now().AddDate(0, 0, c.Reminders.CloseGraceDays+1))
	if ch, _ := h.slack.Channel(stays.ChannelID); ch.Archived {
		t.Error("the duo that chose to continue lost its channel")
	}
	if ch, _ := h.slack.Channel(closes.ChannelID); !ch.Archived {
		t.Error("the duo that chose to close still has its channel after the grace period")
	}
	if n := h.slack.CallCount("conversations.archive"); n != 1 {
		t.Errorf("%d archive calls, want 1", n)
	}
	notes := 0
	for _, m := range h.slack.Messages(closes.ChannelID) {
		if m.Metadata != nil && m.Metadata.EventPayload["key"] == "closeout-archiving:"+closes.ID {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("%d notes before archiving, want 1", notes)
	}
	if got := h.duo(closes); got.Close.ArchivedAt.IsZero() {
		t.Error("the archiving was not recorded")
	}
	// Once archived, the choice is final.
	h.forgeClick(closes.MentorID, general, "closeout_continue", c.ID+"|"+closes.ID)
	h.ephemeral(closes.MentorID, "archived already")
	if got := h.duo(closes); got.Close.Choice != mentor.CloseArchive {
		t.Errorf("a choice after the archive changed it to %q", got.Close.Choice)
	}
	for _, d := range duos {
		if n := len(h.closeoutOf(d)); n != 1 {
			t.Errorf("duo %s has %d close-out messages at the end, want 1", d.ID, n)
		}
	}
	h.mustPostEachKeyOnce()
}

// People re-apply every year: in the next cycle, join opens with the person's last
// answers, and says where they come from.
func TestNextCyclesJoinStartsFromLastYearsSignUp(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	needs := "Cataloguing rare books & <special> collections for a small archive"
	if res := h.join(bob, mentor.RoleMentee, menteeForm(needs)); len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	h.command(alice, "program new")
	v := h.view(alice, "program", func(v slackfake.View) bool { return strings.Contains(v.Title(), "Open") })
	if res, err := h.slack.SubmitView(h.ctx, alice, v.ID, slackfake.Values{"name": {"name": slackfake.Text("Next year")}}); err != nil || len(res.Errors) > 0 {
		t.Fatalf("new cycle refused: %v %v", res, err)
	}
	h.eventually("the new cycle is active", func() bool { c, _, _ := h.store().ActiveCycle(h.ctx); return c.Name == "Next year" })

	h.command(bob, "join")
	form := h.view(bob, "join", func(v slackfake.View) bool { return strings.Contains(viewText(v), "Welcome back") })
	text := viewText(form)
	if !strings.Contains(text, needs) || !strings.Contains(text, "Next year") {
		t.Fatalf("the form does not hold last year's answers for the new cycle:\n%s", text)
	}
	// Sent as it is, it signs bob up for the new cycle with the same answers.
	if res, err := h.slack.SubmitView(h.ctx, bob, form.ID, slackfake.Values{}); err != nil || len(res.Errors) > 0 {
		t.Fatalf("last year's answers refused: %v %v", err, res)
	}
	c := mustActive(t, h)
	var p mentor.Participant
	h.eventually("bob signed up again", func() bool {
		var err error
		p, err = h.store().Participant(h.ctx, c.ID, bob)
		return err == nil
	})
	if p.Role != mentor.RoleMentee || p.Needs != needs || p.Status != mentor.StatusPending {
		t.Fatalf("bob's new sign-up: %+v", p)
	}

	// Someone new still gets an empty form.
	h.command(carol, "join")
	if fresh := viewText(h.view(carol, "join", nil)); strings.Contains(fresh, "Welcome back") {
		t.Fatal("a newcomer's form claims to hold last year's answers")
	}
}
