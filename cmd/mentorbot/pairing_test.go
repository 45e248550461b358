package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// signUpFive signs up three mentees and two mentors (capacities 1 and 2) through the
// modal.
func (h *harness) signUpFive() {
	h.t.Helper()
	for _, m := range []struct{ user, needs string }{
		{bob, "Preparing for academic library interviews and my first grant proposal"},
		{dave, "Developing a research topic on digital preservation in academic libraries"},
		{frank, "Building a personal web page and a resume for public library jobs"},
	} {
		if res := h.join(m.user, mentor.RoleMentee, menteeForm(m.needs)); len(res.Errors) > 0 {
			h.t.Fatalf("sign-up of %s refused: %v", m.user, res.Errors)
		}
	}
	if res := h.join(carol, mentor.RoleMentor, mentorForm("Grant writing and interviews for academic library positions", "1")); len(res.Errors) > 0 {
		h.t.Fatalf("sign-up of carol refused: %v", res.Errors)
	}
	if res := h.join(erin, mentor.RoleMentor, mentorForm("Research topics, digital preservation, resumes and personal web pages", "2")); len(res.Errors) > 0 {
		h.t.Fatalf("sign-up of erin refused: %v", res.Errors)
	}
}

// openPairing runs /mentorship match as user and waits for the proposals.
func (h *harness) openPairing(user string) slackfake.View {
	h.t.Helper()
	h.command(user, "match")
	return h.view(user, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "proposed pairs") })
}

// onProposal presses a button (approve, skip) on proposal i of user's pairing modal.
func (h *harness) onProposal(user, viewID string, i int, action string) *slackfake.Ack {
	h.t.Helper()
	target := slackfake.InView(viewID)
	target.BlockID = fmt.Sprintf("a%d", i)
	ack, err := h.slack.ClickButton(h.ctx, user, target, action)
	if err != nil {
		h.t.Fatalf("%s on proposal %d: %v", action, i, err)
	}
	return ack
}

// duoChannels returns the private channels whose names start with "duo-".
func (h *harness) duoChannels() []slackfake.Channel {
	var out []slackfake.Channel
	for _, c := range h.slack.Channels() {
		if strings.HasPrefix(c.Name, "duo-") {
			out = append(out, c)
		}
	}
	return out
}

func TestPairingEndToEnd(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	h.signUpFive()

	// Someone outside the committee cannot propose pairs.
	h.command(bob, "match")
	h.ephemeral(bob, "is for the mentorship committee")

	v := h.openPairing(alice)
	text := viewText(v)
	if !strings.Contains(text, "3 proposed pairs: 0 approved, 3 to decide") {
		t.Fatalf("pairing modal:\n%s", text)
	}
	// Carol (grant writing, interviews) is the better mentor for Bob.
	if !strings.Contains(text, fmt.Sprintf("<@%s>* → *<@%s>*", bob, carol)) {
		t.Errorf("Bob not proposed to Carol:\n%s", text)
	}
	if !strings.Contains(text, "shared:") {
		t.Errorf("no reasons shown:\n%s", text)
	}

	if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_approve_all"); err != nil {
		t.Fatal(err)
	}
	h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "3 approved, 0 to decide") })

	// Each duo gets its private channel with both invited, a welcome with the
	// checklist, a DM to each, and a line in the committee channel.
	if err := h.slack.Wait(h.ctx, func() bool {
		n := 0
		for _, m := range h.slack.Messages(committeeChannel) {
			if strings.Contains(m.Text, "New duo") {
				n++
			}
		}
		return n == 3
	}); err != nil {
		t.Fatalf("committee channel: %s", texts(h.slack.Messages(committeeChannel)))
	}
	chans := h.duoChannels()
	if len(chans) != 3 {
		t.Fatalf("%d duo channels, want 3", len(chans))
	}
	c := mustActive(t, h)
	st := h.store()
	var duos []mentor.Duo
	h.eventually("3 duos fully set up", func() bool {
		ids, _ := st.DuoIDs(h.ctx, c.ID)
		duos, _ = st.Duos(h.ctx, c.ID, ids)
		done := 0
		for _, d := range duos {
			if d.Setup.Done() {
				done++
			}
		}
		return len(duos) == 3 && done == 3
	})
	for _, d := range duos {
		ch, ok := h.slack.Channel(d.ChannelID)
		if !ok || !ch.Private || !strings.HasPrefix(ch.Name, "duo-2026-2027-") {
			t.Errorf("duo channel %+v", ch)
		}
		members := strings.Join(h.slack.Members(d.ChannelID), ",")
		if !strings.Contains(members, d.MenteeID) || !strings.Contains(members, d.MentorID) {
			t.Errorf("channel %s members %s, want %s and %s", ch.Name, members, d.MenteeID, d.MentorID)
		}
		welcome := ""
		for _, m := range h.slack.Messages(d.ChannelID) {
			if m.BotID != "" {
				welcome = allText(m)
			}
		}
		for _, want := range []string{"Make initial contact", "Send a welcome message", "duo agreement", "Done"} {
			if !strings.Contains(welcome, want) {
				t.Errorf("welcome in %s lacks %q", ch.Name, want)
			}
		}
		for _, u := range []string{d.MenteeID, d.MentorID} {
			if _, err := h.slack.WaitForDM(h.ctx, u, func(m slackfake.Message) bool { return strings.Contains(m.Text, d.ChannelID) }); err != nil {
				t.Errorf("%s not told about channel %s", u, ch.Name)
			}
		}
	}
	counts, _ := st.Counts(h.ctx, c.ID)
	if counts.MatchedMentees != 3 || counts.PendingMentees != 0 || counts.FreeMentorCapacity != 0 || counts.MatchedMentors != 2 {
		t.Fatalf("counts after pairing = %+v", counts)
	}

	// Bob ticks his first item; Carol may not tick Bob's items.
	var bobs mentor.Duo
	for _, d := range duos {
		if d.MenteeID == bob {
			bobs = d
		}
	}
	target := slackfake.InMessage(bobs.ChannelID, bobs.Setup.WelcomeTS)
	target.BlockID = "item_mentee.contact"
	if _, err := h.slack.ClickButton(h.ctx, bob, target, "duo_tick"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.slack.WaitForMessage(h.ctx, bobs.ChannelID, func(m slackfake.Message) bool {
		return m.TS == bobs.Setup.WelcomeTS && strings.Contains(allText(m), ":white_check_mark: Make initial contact")
	}); err != nil {
		t.Fatal("welcome checklist not ticked")
	}
	target.BlockID = "item_mentee.introduce"
	if _, err := h.slack.ClickButton(h.ctx, bobs.MentorID, target, "duo_tick"); err != nil {
		t.Fatal(err)
	}
	h.ephemeral(bobs.MentorID, "for the mentee to tick")

	// Status shows the duo and the next step.
	h.command(bob, "status")
	m := h.ephemeral(bob, "Your duo")
	if !strings.Contains(allText(m), "<#"+bobs.ChannelID+">") || !strings.Contains(allText(m), "program evaluation") {
		t.Fatalf("status after pairing:\n%s", allText(m))
	}
	// Home follows: Bob's tab now shows his duo.
	h.home(bob, "Your duo")

	// Matched people cannot edit their sign-up any more.
	h.command(bob, "join")
	h.ephemeral(bob, "already in a duo")
}

func TestConcurrentApprovalsMakeOneDuo(t *testing.T) {
	h := startBot(t)
	h.slack.AddUser(slackfake.User{ID: "U07GRACE07", Name: "grace", RealName: "Grace Committee"})
	if err := h.slack.SetMembers(committeeChannel, alice, "U07GRACE07", h.slack.Options().BotUserID); err != nil {
		t.Fatal(err)
	}
	h.openCycle(alice)
	h.signUpFive()

	// Two committee members open the proposals and approve the same pair at once,
	// and the envelope is delivered once more for good measure.
	va := h.openPairing(alice)
	vg := h.openPairing("U07GRACE07")
	var wg sync.WaitGroup
	acks := make([]*slackfake.Ack, 2)
	for i, who := range []struct{ user, view string }{{alice, va.ID}, {"U07GRACE07", vg.ID}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target := slackfake.InView(who.view)
			target.BlockID = "a0"
			ack, err := h.slack.ClickButton(h.ctx, who.user, target, "pair_approve")
			if err != nil {
				t.Error(err)
			}
			acks[i] = ack
		}()
	}
	wg.Wait()
	if _, err := h.slack.Redeliver(h.ctx, acks[0].EnvelopeID); err != nil {
		t.Fatal(err)
	}
	if err := h.slack.Wait(h.ctx, func() bool { return len(h.duoChannels()) == 1 }); err != nil {
		t.Fatal(err)
	}
	c := mustActive(t, h)
	ids, _ := h.store().DuoIDs(h.ctx, c.ID)
	if len(ids) != 1 {
		t.Fatalf("%d duos from one pair approved twice at once", len(ids))
	}
	// Both windows end up saying it is approved (the second approver sees who did it).
	for _, u := range []string{alice, "U07GRACE07"} {
		h.view(u, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "Approved by") })
	}
	if got := len(h.duoChannels()); got != 1 {
		t.Fatalf("%d channels", got)
	}
}

func TestConflictingApprovalIsExplained(t *testing.T) {
	h := startBot(t)
	grace := "U07GRACE07"
	h.slack.AddUser(slackfake.User{ID: grace, Name: "grace", RealName: "Grace Committee"})
	if err := h.slack.SetMembers(committeeChannel, alice, grace, h.slack.Options().BotUserID); err != nil {
		t.Fatal(err)
	}
	h.openCycle(alice)
	h.signUpFive()
	// Alice's proposals give Carol (one place) to Bob. In her own window Grace
	// chooses Carol for Dave; her round re-optimises around that choice.
	va := h.openPairing(alice)
	c := mustActive(t, h)
	ra := h.latestRound(c.ID)
	vg := h.openPairing(grace)
	rg := h.latestRound(c.ID)
	bobA, daveG := -1, -1
	for i, p := range ra.Proposals {
		if p.MenteeID == bob {
			bobA = i
		}
	}
	for i, p := range rg.Proposals {
		if p.MenteeID == dave {
			daveG = i
		}
	}
	if ra.Proposals[bobA].MentorID != carol {
		t.Fatalf("Alice's round does not give Carol to Bob: %+v", ra.Proposals)
	}
	target := slackfake.InView(vg.ID)
	target.BlockID = fmt.Sprintf("a%d", daveG)
	if _, err := h.slack.SelectOption(h.ctx, grace, target, "pair_change", carol); err != nil {
		t.Fatal(err)
	}
	h.view(grace, "pairing", func(v slackfake.View) bool {
		return strings.Contains(viewText(v), fmt.Sprintf("<@%s>* → *<@%s>* · score", dave, carol)) && strings.Contains(viewText(v), "the committee's choice")
	})
	// Alice approves Bob with Carol first; Grace's approval of Dave with Carol is
	// then refused, and her window says why.
	h.onProposal(alice, va.ID, bobA, "pair_approve")
	h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "Approved by") })
	h.onProposal(grace, vg.ID, daveG, "pair_approve")
	got := viewText(h.view(grace, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "Not approved") }))
	if !strings.Contains(got, "has no free mentee place left") {
		t.Fatalf("the refused approval is not explained:\n%s", got)
	}
}

func TestDuoOpeningResumesAfterSlackFailsHalfWay(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	h.signUpFive()
	v := h.openPairing(alice)

	// The channel gets made, then inviting fails.
	h.slack.FailNext("conversations.invite", "fatal_error")
	h.onProposal(alice, v.ID, 0, "pair_approve")
	failed, err := h.slack.WaitForMessage(h.ctx, committeeChannel, func(m slackfake.Message) bool { return strings.Contains(m.Text, "stopped at") })
	if err != nil {
		t.Fatalf("committee not told of the failure: %s", texts(h.slack.Messages(committeeChannel)))
	}
	if !strings.Contains(failed.Text, "invite both") {
		t.Errorf("failure does not say where it stopped: %q", failed.Text)
	}
	c := mustActive(t, h)
	ids, _ := h.store().DuoIDs(h.ctx, c.ID)
	duos, _ := h.store().Duos(h.ctx, c.ID, ids)
	if len(duos) != 1 || !duos[0].Setup.ChannelCreated || duos[0].Setup.Invited || duos[0].Setup.LastError == "" {
		t.Fatalf("duo progress = %+v", duos)
	}

	// Meanwhile the committee's Home shows the duo and the failing step.
	h.homeShows(alice, "Duos still being set up", "will be retried by themselves")

	// Someone outside the committee can't press Retry, even with a crafted button:
	// refused, and nothing is done.
	invites := h.slack.CallCount("conversations.invite")
	h.forgeClick(bob, general, "duo_retry", c.ID+"|"+duos[0].ID)
	h.ephemeral(bob, "for the mentorship committee")
	h.settle()
	if got := h.slack.CallCount("conversations.invite"); got != invites || h.duo(duos[0]).Setup.Invited {
		t.Fatalf("a non-member's Retry went on with the opening (%d invite calls, had %d)", got, invites)
	}

	// Retry finishes the job; nothing is created twice.
	creates := h.slack.CallCount("conversations.create")
	if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InMessage(committeeChannel, failed.TS), "duo_retry"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.slack.WaitForMessage(h.ctx, committeeChannel, func(m slackfake.Message) bool {
		return m.TS == failed.TS && strings.Contains(m.Text, "is open in")
	}); err != nil {
		t.Fatalf("the failure notice was not replaced by the outcome: %s", texts(h.slack.Messages(committeeChannel)))
	}
	if got := h.slack.CallCount("conversations.create"); got != creates {
		t.Fatalf("retry created another channel (%d calls, had %d)", got, creates)
	}
	if n := len(h.duoChannels()); n != 1 {
		t.Fatalf("%d duo channels", n)
	}
	d := duos[0]
	members := strings.Join(h.slack.Members(d.ChannelID), ",")
	if !strings.Contains(members, d.MenteeID) || !strings.Contains(members, d.MentorID) {
		t.Fatalf("members after retry: %s", members)
	}
	welcomes := 0
	for _, m := range h.slack.Messages(d.ChannelID) {
		if m.BotID != "" && strings.Contains(m.Text, "Welcome") {
			welcomes++
		}
	}
	if welcomes != 1 {
		t.Fatalf("%d welcomes posted", welcomes)
	}
}

func TestTakenChannelNameGetsASuffix(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	h.signUpFive()
	// Somebody already made the channel the first duo would get.
	v := h.openPairing(alice)
	r := h.latestRound(mustActive(t, h).ID)
	first := r.Proposals[0]
	menteeName := map[string]string{bob: "bob", dave: "dave", frank: "frank"}[first.MenteeID]
	mentorName := map[string]string{carol: "carol", erin: "erin"}[first.MentorID]
	taken := "duo-2026-2027-" + menteeName + "-" + mentorName
	slackfaketestChannel(t, h, taken)
	h.onProposal(alice, v.ID, 0, "pair_approve")
	if err := h.slack.Wait(h.ctx, func() bool { _, ok := h.slack.ChannelByName(taken + "-2"); return ok }); err != nil {
		t.Fatalf("no suffixed channel; channels: %+v", h.slack.Channels())
	}
}

func slackfaketestChannel(t *testing.T, h *harness, name string) {
	t.Helper()
	if _, err := h.slack.AddChannel(slackfake.Channel{Name: name, Private: true, Members: []string{alice}}); err != nil {
		t.Fatal(err)
	}
}

func TestPairingModalWith500PendingMenteesStaysValid(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	c := mustActive(t, h)
	st := h.store()
	topics := []string{"experience", "grants", "career", "research", "resume", "development", "self-assessment", "web-page", "organizations"}
	for i := 0; i < 670; i++ {
		p := mentor.Participant{UserID: fmt.Sprintf("U8%07d", i), CycleID: c.ID, Name: fmt.Sprintf("Person%d Lastname", i),
			Role: mentor.RoleMentee, Stage: mentor.StageStudent, Areas: []string{topics[i%9], topics[(i*7)%9]},
			Needs: fmt.Sprintf("help with %s and %s please", topics[i%9], topics[(i*5)%9]), Methods: []string{"email", "video"},
			Frequency: "monthly", HoursPerMonth: 2, TZ: "America/New_York"}
		if i >= 500 {
			p.Role, p.Stage, p.Needs, p.Offer, p.Capacity = mentor.RoleMentor, mentor.StageSenior, "", "years of "+topics[i%9]+" and "+topics[(i*3)%9], 1+i%3
		}
		if err := st.SaveSignup(h.ctx, p, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	v := h.openPairing(alice)
	if !strings.Contains(viewText(v), "500 pending mentees, 170 mentors") {
		t.Fatalf("summary:\n%s", viewText(v))
	}
	pages := 0
	for {
		pages++
		if n := len(v.Blocks()); n > 100 {
			t.Fatalf("page %d has %d blocks", pages, n)
		}
		if !hasAction(v, "pair_next") {
			break
		}
		want := fmt.Sprintf("Page %d of", pages+1)
		if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_next"); err != nil {
			t.Fatal(err)
		}
		v = h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), want) })
	}
	if pages != 50 {
		t.Fatalf("walked %d pages, want 50", pages)
	}
	// Every view was checked against Slack's limits by the test server; a
	// violation fails the test at cleanup.
}

func hasAction(v slackfake.View, actionID string) bool {
	return strings.Contains(string(v.Raw), `"action_id":"`+actionID+`"`)
}

func TestApproveAllLeavesSkippedProposalsAlone(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	h.signUpFive()
	v := h.openPairing(alice)
	h.onProposal(alice, v.ID, 0, "pair_skip")
	h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "Skipped") })
	if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_approve_all"); err != nil {
		t.Fatal(err)
	}
	h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "2 approved, 0 to decide") })
	r := h.latestRound(mustActive(t, h).ID)
	if r.Proposals[0].State != mentor.ProposalSkipped {
		t.Fatalf("the skipped proposal became %s", r.Proposals[0].State)
	}
	if err := h.slack.Wait(h.ctx, func() bool { return len(h.duoChannels()) == 2 }); err != nil {
		t.Fatalf("%d duo channels, want 2", len(h.duoChannels()))
	}
}

// storeHalfOpenDuo stores the duo of the latest round's first proposal, "half-open",
// as a replica killed between storing a duo and storing its opening job leaves it.
func (h *harness) storeHalfOpenDuo(c mentor.Cycle) {
	h.t.Helper()
	p := h.latestRound(c.ID).Proposals[0]
	if _, created, err := h.store().CreateDuo(h.ctx, mentor.Duo{ID: "half-open", CycleID: c.ID, MentorID: p.MentorID, MenteeID: p.MenteeID,
		ApprovedBy: alice, CreatedAt: h.clock.Now()}); err != nil || !created {
		h.t.Fatalf("store the half-open duo: %v %v", created, err)
	}
}

func TestApprovingAgainFinishesADuoLeftHalfOpen(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	h.signUpFive()
	v := h.openPairing(alice)
	c := mustActive(t, h)
	// A replica is killed between storing the duo and storing the job that opens it:
	// the duo is in Redis, nothing is in Slack, and no job will ever open it.
	h.storeHalfOpenDuo(c)
	h.settle()
	if n := len(h.duoChannels()); n != 0 {
		t.Fatalf("%d duo channels before anyone approved again", n)
	}
	// Approving the same pair again (a double click delivered late, a second
	// committee window) finishes it: the existing duo, not a new one.
	h.onProposal(alice, v.ID, 0, "pair_approve")
	if err := h.slack.Wait(h.ctx, func() bool { return len(h.duoChannels()) == 1 }); err != nil {
		t.Fatalf("the half-open duo was not finished: %d channels", len(h.duoChannels()))
	}
	h.eventually("the half-open duo is open", func() bool {
		ds, _ := h.store().Duos(h.ctx, c.ID, []string{"half-open"})
		return len(ds) == 1 && ds[0].Setup.Done()
	})
	if ids, _ := h.store().DuoIDs(h.ctx, c.ID); len(ids) != 1 {
		t.Fatalf("%d duos, want the half-open one only", len(ids))
	}
}

// A duo stored without its opening job (a replica killed between the two) is opened
// by the check that runs daily (and at every start), with nobody clicking anything.
func TestADuoLeftHalfOpenIsOpenedByTheDailyCheck(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	h.signUpFive()
	h.openPairing(alice)
	c := mustActive(t, h)
	h.storeHalfOpenDuo(c)
	h.runUntil(h.clock.Now().Add(time.Hour))
	if n := len(h.duoChannels()); n != 0 {
		t.Fatalf("%d duo channels before the daily check", n)
	}
	h.runUntil(h.clock.Now().Add(24 * time.Hour))
	h.eventually("the half-open duo is open", func() bool {
		ds, _ := h.store().Duos(h.ctx, c.ID, []string{"half-open"})
		return len(ds) == 1 && ds[0].Setup.Done()
	})
	if n := len(h.duoChannels()); n != 1 {
		t.Fatalf("%d duo channels, want the half-open duo's", n)
	}
}

// Proposals live for days. A mentee who has since put the proposed mentor on their
// avoid list is not paired with them: the approval is refused, saying why, and the
// rest is re-optimised. Once the cycle has ended, nothing is approved at all, one
// pair or a whole page.
func TestStaleApprovalsAreRefused(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	h.signUpFive()
	v := h.openPairing(alice)
	c := mustActive(t, h)
	p := h.latestRound(c.ID).Proposals[0]

	form := menteeForm("I would rather not work with the mentor proposed to me")
	form["avoid"] = map[string]slackfake.Value{"avoid": slackfake.UserIDs(p.MentorID)}
	if res := h.join(p.MenteeID, mentor.RoleMentee, form); len(res.Errors) > 0 {
		t.Fatalf("edit refused: %v", res.Errors)
	}
	h.onProposal(alice, v.ID, 0, "pair_approve")
	h.view(alice, "pairing", func(v slackfake.View) bool {
		return strings.Contains(viewText(v), "Not approved") && strings.Contains(viewText(v), "has since asked never to be paired with")
	})
	if ids, _ := h.store().DuoIDs(h.ctx, c.ID); len(ids) != 0 {
		t.Fatalf("%d duos after approving a pair the mentee now avoids", len(ids))
	}

	// The cycle ends; the window is still open, and approving refuses.
	h.clock.Set(c.End.AddDate(0, 0, 2))
	h.onProposal(alice, v.ID, 1, "pair_approve")
	if _, err := h.slack.WaitForDM(h.ctx, alice, func(m slackfake.Message) bool { return strings.Contains(m.Text, "This cycle ended on") }); err != nil {
		t.Fatal("the approval after the end was not refused with a reason")
	}
	// Approve-all is refused the same way.
	if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_approve_all"); err != nil {
		t.Fatal(err)
	}
	ended := func() int {
		n := 0
		for _, m := range h.slack.DM(alice) {
			if strings.Contains(m.Text, "This cycle ended on") {
				n++
			}
		}
		return n
	}
	if err := h.slack.Wait(h.ctx, func() bool { return ended() == 2 }); err != nil {
		t.Fatalf("approve-all after the end: %d refusals, want 2", ended())
	}
	h.settle()
	if ids, _ := h.store().DuoIDs(h.ctx, c.ID); len(ids) != 0 {
		t.Fatalf("%d duos approved after the cycle ended", len(ids))
	}
	if n := len(h.duoChannels()); n != 0 {
		t.Fatalf("%d duo channels", n)
	}
}
