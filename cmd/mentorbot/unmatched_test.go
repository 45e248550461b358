package main

import (
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// unmatchedDMs returns the DMs telling user a round left them without a partner
// (by what they say, so a copy without the bot's metadata counts too).
func (h *harness) unmatchedDMs(user string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range h.slack.DM(user) {
		if strings.Contains(allText(m), "finished a round of pairing") {
			out = append(out, m)
		}
	}
	return out
}

// When the committee finishes a pairing round, each mentee left without a mentor and
// each mentor left without a mentee gets one kind DM, however often "Finish round"
// is clicked; people in a duo, and people who signed up after the round, get none.
func TestFinishingARoundTellsThoseLeftWithoutAPartnerOnce(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	h.signUpFive()
	v := h.openPairing(alice)
	h.onProposal(alice, v.ID, 0, "pair_approve")
	h.settle()
	const grace = "U08GRACE08"
	h.slack.AddUser(slackfake.User{ID: grace, Name: "grace", RealName: "Grace Latecomer", TZ: "Europe/Paris", TZOffset: 3600})
	h.clock.Set(h.clock.Now().Add(time.Minute))
	if res := h.join(grace, mentor.RoleMentee, menteeForm("Joined after the round was proposed, so it never considered me")); len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	for range 2 {
		if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_finish"); err != nil {
			t.Fatal(err)
		}
	}
	h.settle()
	h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "Round finished by") })
	h.settle()

	c := mustActive(t, h)
	if r := h.latestRound(c.ID); r.FinishedBy != alice || !r.FinishedAt.Equal(h.clock.Now().UTC()) {
		t.Errorf("round finished by %q at %s; want once, by alice, now", r.FinishedBy, r.FinishedAt)
	}
	told := 0
	for _, u := range []string{bob, carol, dave, erin, frank} {
		p, err := h.store().Participant(h.ctx, c.ID, u)
		if err != nil {
			t.Fatal(err)
		}
		dms := h.unmatchedDMs(u)
		if len(p.Duos) > 0 {
			if len(dms) != 0 {
				t.Errorf("%s is in a duo and was told they have no partner", u)
			}
			continue
		}
		if len(dms) != 1 {
			t.Fatalf("%s (%s without a partner) got %d DMs, want 1", u, p.Role, len(dms))
		}
		told++
		text := allText(dms[0])
		want := map[mentor.Role][]string{
			mentor.RoleMentee: {"no suitable mentor was free", "You stay in the pool", "/mentorship status"},
			mentor.RoleMentor: {"no mentee was paired with you", "Your place stays open", "/mentorship status"},
		}[p.Role]
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("the DM to %s (%s) does not say %q:\n%s", u, p.Role, w, text)
			}
		}
	}
	if told < 3 {
		t.Fatalf("only %d people told; approving one of the proposals leaves at least two mentees and a mentor without a partner", told)
	}
	if n := len(h.unmatchedDMs(grace)); n != 0 {
		t.Errorf("someone who signed up after the round was told %d times", n)
	}
}
