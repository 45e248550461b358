package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// proposalOf returns menteeID's proposal in the latest round, and its index.
func (h *harness) proposalOf(menteeID string) (mentor.Proposal, int) {
	h.t.Helper()
	r := h.latestRound(mustActive(h.t.(*testing.T), h).ID)
	for i, p := range r.Proposals {
		if p.MenteeID == menteeID {
			return p, i
		}
	}
	h.t.Fatalf("no proposal for %s in %+v", menteeID, r.Proposals)
	return mentor.Proposal{}, -1
}

// rematch runs /mentorship match again as user and waits for the new proposals,
// in a modal other than old (the old one may still be on screen for a moment).
func (h *harness) rematch(user string, old slackfake.View) slackfake.View {
	h.t.Helper()
	h.clock.Advance(time.Second) // rounds are told apart by their time (latestRound)
	h.command(user, "match")
	return h.view(user, "pairing", func(v slackfake.View) bool {
		return v.ID != old.ID && strings.Contains(viewText(v), "proposed pairs")
	})
}

// pairLine is how the pairing modal writes a proposed pair.
func pairLine(mentee, mentorID string) string {
	return fmt.Sprintf("<@%s>* → *<@%s>* · score", mentee, mentorID)
}

func TestCommitteeChangesTheSettingsAndTheNextProposalsFollow(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	h.signUpFive()

	// With the defaults all three mentees get a mentor: Dave (Shanghai) and Frank
	// (London) are far from Carol (Los Angeles) and Erin (Toronto), but matching
	// everyone comes first.
	v := h.openPairing(alice)
	if text := viewText(v); !strings.Contains(text, "3 proposed pairs") || strings.Contains(text, "no mentor proposed") {
		t.Fatalf("default proposals:\n%s", text)
	}

	// Alice opens the matching settings from the proposals: time zones count
	// double, and at most 3 hours apart is a must-have.
	if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_settings"); err != nil {
		t.Fatal(err)
	}
	sv := h.view(alice, "match_settings", nil)
	res, err := h.slack.SubmitView(h.ctx, alice, sv.ID, slackfake.Values{
		"level_timezone":  {"level_timezone": slackfake.Option("high")},
		"max_hours_apart": {"max_hours_apart": slackfake.Option("3")},
	})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("settings refused: %v %v", res, err)
	}
	h.view(alice, "match_settings", func(v slackfake.View) bool { return strings.Contains(viewText(v), "saved") })
	set, rev, err := h.store().MatchSettings(h.ctx, mustActive(t, h).ID)
	if err != nil || rev != 1 || set.MaxHoursApart != 3 || set.Level("timezone") != "high" {
		t.Fatalf("stored settings %+v rev %d, %v", set, rev, err)
	}

	// She runs match again: Dave and Frank have nobody within 3 hours, and the
	// modal says so and why; Bob still gets a mentor.
	v = h.rematch(alice, v)
	text := viewText(v)
	for _, want := range []string{
		"Matching settings: time zones high · must-haves: at most 3 h apart",
		fmt.Sprintf("*<@%s>* · no mentor proposed", dave), fmt.Sprintf("*<@%s>* · no mentor proposed", frank),
		"no mentor fits: 2 break the must-have at most 3 h apart",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("proposals under the settings lack %q:\n%s", want, text)
		}
	}
	if p, _ := h.proposalOf(bob); p.MentorID == "" {
		t.Errorf("Bob lost his mentor: %+v", p)
	}

	// Only the committee may open the settings.
	h.forgeClick(bob, general, "pair_settings", mustActive(t, h).ID)
	h.ephemeral(bob, "is for the mentorship committee")
	for _, v := range h.slack.OpenViews(bob) {
		if v.CallbackID == "match_settings" {
			t.Fatal("Bob got the matching settings")
		}
	}
}

func TestChoosingAnotherMentorReoptimisesTheRestAndShowsWhatChanged(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	h.signUpFive()
	v := h.openPairing(alice)

	// Carol (one place) goes to Bob, Erin (two) to Dave and Frank. Alice gives
	// Bob Erin instead: Erin has room for one of the others only, and Carol is
	// free, so one of them moves to Carol.
	p, i := h.proposalOf(bob)
	if p.MentorID != carol {
		t.Fatalf("Bob's first proposal %+v, want Carol", p)
	}
	target := slackfake.InView(v.ID)
	target.BlockID = fmt.Sprintf("a%d", i)
	if _, err := h.slack.SelectOption(h.ctx, alice, target, "pair_change", erin); err != nil {
		t.Fatal(err)
	}
	text := viewText(h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "proposal changed") }))
	for _, want := range []string{
		pairLine(bob, erin), "the committee's choice",
		fmt.Sprintf("Re-optimised around your choice of <@%s> for <@%s>: 1 proposal changed", erin, bob),
		fmt.Sprintf(":arrows_counterclockwise: Changed: was <@%s>", erin),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("modal after the choice lacks %q:\n%s", want, text)
		}
	}
	r := h.latestRound(mustActive(t, h).ID)
	onCarol, onErin := 0, 0
	for _, p := range r.Proposals {
		switch p.MentorID {
		case carol:
			onCarol++
		case erin:
			onErin++
		}
	}
	if onCarol != 1 || onErin != 2 || r.Proposals[i].MentorID != erin || !r.Proposals[i].Pinned {
		t.Fatalf("round after the pin: %+v", r.Proposals)
	}

	// The alternatives say what Alice would gain or lose, in points and why.
	if !strings.Contains(text, "Carol Mentor · ") || !strings.Contains(text, "time zones") && !strings.Contains(text, "shared areas") && !strings.Contains(text, "common words") {
		t.Errorf("alternatives do not explain themselves:\n%s", text)
	}

	// Approving everything on the page opens three duos with these mentors.
	if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_approve_all"); err != nil {
		t.Fatal(err)
	}
	h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "3 approved, 0 to decide") })
	if err := h.slack.Wait(h.ctx, func() bool { return len(h.duoChannels()) == 3 }); err != nil {
		t.Fatalf("%d duo channels", len(h.duoChannels()))
	}
}

// nextCycle has alice open the next cycle ("program new").
func (h *harness) nextCycle(name string) mentor.Cycle {
	h.t.Helper()
	h.command(alice, "program new")
	v := h.view(alice, "program", func(v slackfake.View) bool { return strings.Contains(v.Title(), "Open") })
	if res, err := h.slack.SubmitView(h.ctx, alice, v.ID, slackfake.Values{"name": {"name": slackfake.Text(name)}}); err != nil || len(res.Errors) > 0 {
		h.t.Fatalf("new cycle refused: %v %v", res, err)
	}
	c := mustActive(h.t.(*testing.T), h)
	if c.Name != name {
		h.t.Fatalf("active cycle %q, want %q", c.Name, name)
	}
	return c
}

func TestLastYearsPairIsProposedAgainOnlyWhenBothAsk(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	// Last cycle: Bob and Carol were a duo.
	if res := h.join(bob, mentor.RoleMentee, menteeForm("Preparing for academic library interviews and my first grant proposal")); len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	if res := h.join(carol, mentor.RoleMentor, mentorForm("Grant writing and interviews for academic library positions", "1")); len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	v := h.openPairing(alice)
	if !strings.Contains(viewText(v), pairLine(bob, carol)) {
		t.Fatalf("first cycle:\n%s", viewText(v))
	}
	h.onProposal(alice, v.ID, 0, "pair_approve")
	h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "Approved by") })

	// This cycle both sign up again, with Erin as another mentor. Carol asks to
	// continue with Bob; Bob does not tick it.
	h.nextCycle("2027–2028")
	bv := h.openJoinAs(bob, mentor.RoleMentee)
	if !strings.Contains(viewText(bv), fmt.Sprintf("Continue with <@%s>", carol)) {
		t.Fatalf("Bob is not asked whether to continue with Carol:\n%s", viewText(bv))
	}
	if res, err := h.slack.SubmitView(h.ctx, bob, bv.ID, menteeForm("Preparing for academic library interviews and my first grant proposal")); err != nil || len(res.Errors) > 0 {
		t.Fatalf("Bob's sign-up: %v %v", res, err)
	}
	cv := h.openJoinAs(carol, mentor.RoleMentor)
	form := mentorForm("Grant writing and interviews for academic library positions", "1")
	form["continue_with"] = map[string]slackfake.Value{"continue_with": slackfake.OptionValues(bob)}
	if res, err := h.slack.SubmitView(h.ctx, carol, cv.ID, form); err != nil || len(res.Errors) > 0 {
		t.Fatalf("Carol's sign-up: %v %v", res, err)
	}
	if res := h.join(erin, mentor.RoleMentor, mentorForm("Research topics, digital preservation, resumes and personal web pages", "1")); len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	// Carol is still Bob's best fit by points, but only one of them asked.
	v = h.rematch(alice, v)
	if text := viewText(v); strings.Contains(text, pairLine(bob, carol)) || !strings.Contains(text, pairLine(bob, erin)) {
		t.Fatalf("last cycle's pair proposed though only one asked:\n%s", text)
	}

	// Bob edits his sign-up and ticks it too: now they are proposed first.
	bv = h.openJoinAs(bob, mentor.RoleMentee)
	if res, err := h.slack.SubmitView(h.ctx, bob, bv.ID, slackfake.Values{"continue_with": {"continue_with": slackfake.OptionValues(carol)}}); err != nil || len(res.Errors) > 0 {
		t.Fatalf("Bob's edit: %v %v", res, err)
	}
	v = h.rematch(alice, v)
	text := viewText(v)
	if !strings.Contains(text, pairLine(bob, carol)) || !strings.Contains(text, "both asked to continue") {
		bp, _ := h.store().Participant(h.ctx, mustActive(t, h).ID, bob)
		cp, _ := h.store().Participant(h.ctx, mustActive(t, h).ID, carol)
		t.Fatalf("both asked (%v, %v), yet the pair is not proposed: %+v", bp.ContinueWith, cp.ContinueWith, h.latestRound(mustActive(t, h).ID).Proposals)
	}
	if p, i := h.proposalOf(bob); i != 0 || !p.Continue || !strings.HasPrefix(p.Reasons, "both asked to continue") {
		t.Fatalf("continuing pair not first: %+v at %d", p, i)
	}
}

func TestApproveAllLeavesWarnedProposalsForADeliberateClick(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	if res := h.join(bob, mentor.RoleMentee, menteeForm("Preparing for academic library interviews and my first grant proposal")); len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	if res := h.join(carol, mentor.RoleMentor, mentorForm("Grant writing and interviews for academic library positions", "1")); len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	// Dave, a senior professional, can only have Erin, a student: a poor pair
	// with a negative score.
	c := mustActive(t, h)
	for _, p := range []mentor.Participant{
		{UserID: dave, CycleID: c.ID, Name: "Dave Mentee", Role: mentor.RoleMentee, Stage: mentor.StageSenior, Areas: []string{"research"},
			Needs: "A sounding board for a research leave", Methods: []string{"phone"}, Frequency: "weekly", HoursPerMonth: 2, Avoid: []string{carol}},
		{UserID: erin, CycleID: c.ID, Name: "Erin Mentor", Role: mentor.RoleMentor, Stage: mentor.StageStudent, Areas: []string{"resume"},
			Offer: "Resumes for student jobs", Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 2, Capacity: 1},
	} {
		if err := h.store().SaveSignup(h.ctx, p, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	v := h.openPairing(alice)
	if text := viewText(v); !strings.Contains(text, pairLine(dave, erin)) || !strings.Contains(text, ":warning: negative score: a poor fit") {
		t.Fatalf("the poor pair is not flagged:\n%s", text)
	}
	if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_approve_all"); err != nil {
		t.Fatal(err)
	}
	h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "1 approved, 1 to decide") })
	if p, _ := h.proposalOf(dave); p.State != mentor.ProposalOpen {
		t.Fatalf("the warned proposal was approved with the others: %+v", p)
	}
	// A deliberate click approves it.
	_, i := h.proposalOf(dave)
	h.onProposal(alice, v.ID, i, "pair_approve")
	h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "2 approved, 0 to decide") })
}
