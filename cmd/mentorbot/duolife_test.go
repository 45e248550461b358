package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// openDuos signs up five people and approves the first n proposals, and returns the
// duos once fully open (channel, invitations, welcome, DMs, committee record).
func (h *harness) openDuos(n int) []mentor.Duo {
	h.t.Helper()
	h.openCycle(alice)
	h.signUpFive()
	v := h.openPairing(alice)
	for i := 0; i < n; i++ {
		h.onProposal(alice, v.ID, i, "pair_approve")
	}
	c := mustActive(h.t.(*testing.T), h)
	var duos []mentor.Duo
	h.eventually(fmt.Sprintf("%d duos open", n), func() bool {
		ids, _ := h.store().DuoIDs(h.ctx, c.ID)
		duos, _ = h.store().Duos(h.ctx, c.ID, ids)
		open := 0
		for _, d := range duos {
			if d.Setup.Done() {
				open++
			}
		}
		return len(duos) == n && open == n
	})
	return duos
}

// duo re-reads a duo from Redis.
func (h *harness) duo(d mentor.Duo) mentor.Duo {
	h.t.Helper()
	ds, err := h.store().Duos(h.ctx, d.CycleID, []string{d.ID})
	if err != nil || len(ds) != 1 {
		h.t.Fatalf("read duo %s: %v", d.ID, err)
	}
	return ds[0]
}

// say posts text as user in channel and checks the event was acked.
func (h *harness) say(user, channel, text string) *slackfake.Ack {
	h.t.Helper()
	ack, err := h.slack.UserMessage(h.ctx, user, channel, text)
	if err != nil {
		h.t.Fatalf("%s says %q in %s: %v", user, text, channel, err)
	}
	return ack
}

// welcomeOf returns the duo's welcome message as Slack has it now.
func (h *harness) welcomeOf(d mentor.Duo) slackfake.Message {
	h.t.Helper()
	for _, m := range h.slack.Messages(d.ChannelID) {
		if m.TS == d.Setup.WelcomeTS {
			return m
		}
	}
	h.t.Fatalf("no welcome in %s", d.ChannelID)
	return slackfake.Message{}
}

func TestFirstContactFromMessagesTicksTheChecklistOnce(t *testing.T) {
	h := startBot(t)
	d := h.openDuos(1)[0]
	updates := func() int { return len(h.slack.Calls("chat.update")) }

	// The invitations (channel_join) and the bot's own welcome did not count.
	if got := h.duo(d); got.Checklist["mentee.contact"] || got.Checklist["mentor.welcome"] || !got.Activity.FirstContact().IsZero() {
		t.Fatalf("joins or bot posts counted as contact: %+v %+v", got.Checklist, got.Activity)
	}

	// A message in the committee channel is not a duo's.
	before := updates()
	h.say(alice, committeeChannel, "Let's review the new duos on Friday")

	// The mentee writes first: initial contact, the welcome is updated in place.
	first := h.say(d.MenteeID, d.ChannelID, "Hello! I'm Bob, here is my CV: https://example.org/cv")
	h.eventually("the mentee's message ticks initial contact", func() bool { return h.duo(d).Checklist["mentee.contact"] })
	if err := h.slack.Wait(h.ctx, func() bool {
		return strings.Contains(allText(h.welcomeOf(d)), ":white_check_mark: Make initial contact")
	}); err != nil {
		t.Fatalf("welcome not updated in place:\n%s", allText(h.welcomeOf(d)))
	}
	// The message can show the update a moment before the call is on record.
	h.slack.Wait(h.ctx, func() bool { return updates()-before >= 1 })
	if n := updates() - before; n != 1 {
		t.Fatalf("%d chat.update calls for one tick, want 1 (the committee message cost one?)", n)
	}
	got := h.duo(d)
	if got.Checklist["mentor.welcome"] || got.Activity.MenteeFirst.IsZero() || !got.Activity.MentorFirst.IsZero() {
		t.Fatalf("after the mentee's message: %+v %+v", got.Checklist, got.Activity)
	}

	// A redelivered event, a second message and an edit change nothing.
	if _, err := h.slack.Redeliver(h.ctx, first.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	h.say(d.MenteeID, d.ChannelID, "Also: I'd love to talk about grant writing.")
	msgs := h.slack.Messages(d.ChannelID)
	last := msgs[len(msgs)-1]
	if _, err := h.slack.UserEdit(h.ctx, d.MenteeID, d.ChannelID, last.TS, "Also: grants!"); err != nil {
		t.Fatal(err)
	}
	// The mentor's edit of nothing and a bot post: neither is the mentor writing.
	api := slack.New(h.env["SLACK_BOT_TOKEN"], slack.OptionAPIURL(h.slack.APIURL()))
	if _, _, err := api.PostMessageContext(h.ctx, d.ChannelID, slack.MsgOptionText("A bot message", false)); err != nil {
		t.Fatal(err)
	}
	if got := h.duo(d); got.Checklist["mentor.welcome"] {
		t.Fatal("a bot message ticked the mentor's welcome")
	}
	if n := updates() - before; n != 1 {
		t.Fatalf("%d chat.update calls after a redelivery, a second message and an edit, want still 1", n)
	}

	// The mentor writes: welcome sent.
	h.say(d.MentorID, d.ChannelID, "Welcome Bob! Happy to help with grants.")
	h.eventually("the mentor's message ticks the welcome", func() bool { return h.duo(d).Checklist["mentor.welcome"] })
	got = h.duo(d)
	if got.Activity.MentorFirst.IsZero() || got.Activity.Last().IsZero() {
		t.Fatalf("activity after both wrote: %+v", got.Activity)
	}
	if err := h.slack.Wait(h.ctx, func() bool {
		return strings.Contains(allText(h.welcomeOf(d)), ":white_check_mark: Send a welcome message")
	}); err != nil {
		t.Fatalf("welcome not ticked for the mentor:\n%s", allText(h.welcomeOf(d)))
	}

	// Nothing anyone wrote is stored.
	for _, text := range []string{"here is my CV", "grant writing", "Happy to help"} {
		if k := h.keyHolding(text); k != "" {
			t.Errorf("message text %q stored in Redis key %s", text, k)
		}
	}

	// Status shows the stage with its date.
	h.command(d.MenteeID, "status")
	if m := h.ephemeral(d.MenteeID, "Your duo"); !strings.Contains(allText(m), "First contact") {
		t.Errorf("status lacks the first-contact stage:\n%s", allText(m))
	}
}

// ephemeralOrReplaced waits until the message ts in channel (a DM) says want.
func (h *harness) ephemeralOrReplaced(user, channel, ts, want string) {
	h.t.Helper()
	if _, err := h.slack.WaitForMessage(h.ctx, channel, func(m slackfake.Message) bool {
		return m.TS == ts && strings.Contains(allText(m), want)
	}); err != nil {
		h.t.Fatalf("%s's message %s never said %q", user, ts, want)
	}
}

// keyHolding returns a key of the test's Redis whose value contains text, or "".
func (h *harness) keyHolding(text string) string {
	h.t.Helper()
	rdb := h.redis.Client()
	keys, err := rdb.Keys(h.ctx, h.redis.Prefix+"*").Result()
	if err != nil {
		h.t.Fatal(err)
	}
	for _, k := range keys {
		var vals []string
		switch rdb.Type(h.ctx, k).Val() {
		case "string":
			vals = []string{rdb.Get(h.ctx, k).Val()}
		case "hash":
			for f, v := range rdb.HGetAll(h.ctx, k).Val() {
				vals = append(vals, f, v)
			}
		case "zset", "set", "list":
			vals = append(vals, rdb.ZRange(h.ctx, k, 0, -1).Val()...)
			vals = append(vals, rdb.SMembers(h.ctx, k).Val()...)
		}
		for _, v := range vals {
			if strings.Contains(v, text) {
				return k
			}
		}
	}
	return ""
}

// agreementForm is a complete duo agreement, as typed into the modal.
func agreementForm(goal string) slackfake.Values {
	return slackfake.Values{
		"methods":          {"methods": slackfake.OptionValues("email", "video")},
		"frequency":        {"frequency": slackfake.Option("biweekly")},
		"goal":             {"goal": slackfake.Text(goal)},
		"activities":       {"activities": slackfake.OptionValues("grants", "resume")},
		"mentor_hours":     {"mentor_hours": slackfake.Number("3")},
		"mentee_hours":     {"mentee_hours": slackfake.Number("4")},
		"annual_meeting":   {"annual_meeting": slackfake.Option("maybe")},
		"share_experience": {"share_experience": slackfake.Option("yes")},
	}
}

// submitAgreement has user open the agreement form in the duo's channel and submit it.
func (h *harness) submitAgreement(user string, d mentor.Duo, goal string) {
	h.t.Helper()
	if _, err := h.slack.SlashCommand(h.ctx, user, d.ChannelID, "agreement"); err != nil {
		h.t.Fatal(err)
	}
	v := h.view(user, "agreement", nil)
	res, err := h.slack.SubmitView(h.ctx, user, v.ID, agreementForm(goal))
	if err != nil {
		h.t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		h.t.Fatalf("agreement refused: %v", res.Errors)
	}
}

// agreementPost waits for the post of version v in the duo channel.
func (h *harness) agreementPost(d mentor.Duo, v int) slackfake.Message {
	h.t.Helper()
	m, err := h.slack.WaitForMessage(h.ctx, d.ChannelID, func(m slackfake.Message) bool {
		return m.Metadata != nil && m.Metadata.EventPayload["key"] == fmt.Sprintf("agreement:%s:v%d", d.ID, v)
	})
	if err != nil {
		h.t.Fatalf("version %d of the agreement not posted: %s", v, texts(h.slack.Messages(d.ChannelID)))
	}
	return m
}

// sign clicks user's Sign button on the agreement post (the mentor's for anyone who
// is not the mentee: a third person, or the mentee pressing it a second time).
func (h *harness) sign(user string, d mentor.Duo, post slackfake.Message) *slackfake.Ack {
	h.t.Helper()
	target := slackfake.InMessage(d.ChannelID, post.TS)
	target.BlockID = map[bool]string{true: "sign_mentee", false: "sign_mentor"}[user == d.MenteeID]
	if user == d.MenteeID && h.duoAgreementSignedBy(d, user) {
		target.BlockID = "sign_mentor"
	}
	ack, err := h.slack.ClickButton(h.ctx, user, target, "agreement_sign")
	if err != nil {
		h.t.Fatalf("%s signs: %v", user, err)
	}
	return ack
}

// duoAgreementSignedBy reports whether user signed the current version.
func (h *harness) duoAgreementSignedBy(d mentor.Duo, user string) bool {
	a, err := h.store().Agreement(h.ctx, d.CycleID, d.ID, 0)
	return err == nil && a.SignedBy(user)
}

// committeeRecords counts the signed agreements posted to the committee for duo d.
func (h *harness) committeeRecords(d mentor.Duo) int {
	n := 0
	for _, m := range h.slack.Messages(committeeChannel) {
		if m.Metadata != nil && strings.HasPrefix(fmt.Sprint(m.Metadata.EventPayload["key"]), "agreement-record:"+d.ID) {
			n++
		}
	}
	return n
}

func TestAgreementSignedByBothReachesTheCommitteeOnce(t *testing.T) {
	h := startBot(t)
	duos := h.openDuos(2)
	d, other := duos[0], duos[1]

	h.submitAgreement(d.MenteeID, d, "Submit a first grant proposal together by March <!channel>")
	v1 := h.agreementPost(d, 1)
	if !strings.Contains(allText(v1), "&lt;!channel&gt;") || strings.Contains(v1.Text+string(v1.Blocks), "<!channel>") {
		t.Errorf("the typed goal is not escaped in the post:\n%s", string(v1.Blocks))
	}
	if got := h.duo(d); got.Agreement.Version != 1 || got.Agreement.Signed() {
		t.Fatalf("after the draft: %+v", got.Agreement)
	}

	// One signature: nothing reaches the committee.
	h.sign(d.MenteeID, d, v1)
	h.eventually("the mentee's signature is stored", func() bool {
		a, err := h.store().Agreement(h.ctx, d.CycleID, d.ID, 1)
		return err == nil && a.SignedBy(d.MenteeID)
	})
	// The post shows the signature in place of the mentee's button; pressing the
	// other Sign button (or a double click) signs as the clicker again: nothing changes.
	if err := h.slack.Wait(h.ctx, func() bool {
		return strings.Contains(allText(h.agreementPost(d, 1)), "(mentee) signed on")
	}); err != nil {
		t.Fatalf("the post does not show the mentee's signature:\n%s", allText(h.agreementPost(d, 1)))
	}
	v1 = h.agreementPost(d, 1)
	if _, err := h.slack.ClickButton(h.ctx, d.MenteeID, slackfake.Target{Channel: d.ChannelID, TS: v1.TS, BlockID: "sign_mentee"}, "agreement_sign"); err == nil {
		t.Error("the mentee's Sign button is still there after signing")
	}
	h.sign(d.MenteeID, d, slackfake.Message{TS: v1.TS}) // presses the mentor's button
	h.ephemeral(d.MenteeID, "You had already signed version 1")
	if a, _ := h.store().Agreement(h.ctx, d.CycleID, d.ID, 1); a.SignedBy(d.MentorID) {
		t.Fatal("the mentee's click on the mentor's button signed for the mentor")
	}
	// A third person in the channel and a forged button with another duo's value
	// are refused.
	if err := h.slack.SetMembers(d.ChannelID, append(h.slack.Members(d.ChannelID), alice)...); err != nil {
		t.Fatal(err)
	}
	h.sign(alice, d, v1)
	h.ephemeral(alice, "Only the duo's mentor and mentee")
	h.forgeSign(d.MenteeID, d, other)
	h.ephemeral(d.MenteeID, "Only the duo's mentor and mentee")
	if h.committeeRecords(d) != 0 || h.committeeRecords(other) != 0 || h.duo(other).Agreement.Version != 0 {
		t.Fatal("an agreement reached the committee with one signature, or a forged click touched another duo")
	}

	// The second signature: one committee post.
	h.sign(d.MentorID, d, v1)
	if err := h.slack.Wait(h.ctx, func() bool { return h.committeeRecords(d) == 1 }); err != nil {
		t.Fatalf("signed agreement not sent to the committee: %s", texts(h.slack.Messages(committeeChannel)))
	}
	if got := h.duo(d); !got.Agreement.Signed() || got.Agreement.Frequency != "biweekly" {
		t.Fatalf("after both signed: %+v", got.Agreement)
	}
	if err := h.slack.Wait(h.ctx, func() bool { return strings.Contains(allText(h.agreementPost(d, 1)), "Signed by both") }); err != nil {
		t.Fatalf("the post does not show both signatures:\n%s", allText(h.agreementPost(d, 1)))
	}
	h.command(d.MentorID, "status")
	if m := h.ephemeral(d.MentorID, "Your duo"); !strings.Contains(allText(m), "Agreement signed") {
		t.Errorf("status does not show the signed agreement:\n%s", allText(m))
	}

	// Editing makes version 2 and voids both signatures visibly.
	h.submitAgreement(d.MentorID, d, "Submit a grant proposal by April and refresh the resume")
	v2 := h.agreementPost(d, 2)
	if err := h.slack.Wait(h.ctx, func() bool { return strings.Contains(allText(h.agreementPost(d, 1)), "replaced by version 2") }); err != nil {
		t.Fatalf("the old post does not say it was replaced:\n%s", allText(h.agreementPost(d, 1)))
	}
	if got := h.duo(d); got.Agreement.Version != 2 || got.Agreement.Signed() {
		t.Fatalf("after the edit: %+v", got.Agreement)
	}
	h.sign(d.MentorID, d, v2)
	h.sign(d.MenteeID, d, v2)
	if err := h.slack.Wait(h.ctx, func() bool { return h.committeeRecords(d) == 2 }); err != nil {
		t.Fatalf("version 2 not sent to the committee: %d records", h.committeeRecords(d))
	}
	// Settle: no third record appears.
	time.Sleep(200 * time.Millisecond)
	if n := h.committeeRecords(d); n != 2 {
		t.Fatalf("%d committee records for two signed versions", n)
	}
}

// forgeSign plays a crafted payload: user clicks a Sign button, in their own duo's
// channel, whose value names another duo.
func (h *harness) forgeSign(user string, own, other mentor.Duo) {
	h.t.Helper()
	h.forgeClick(user, own.ChannelID, "agreement_sign", other.CycleID+"|"+other.ID+"|1")
}

// forgeClick plays a block_actions payload the bot never offered this person: a
// button with actionID and value in channel, clicked by user (the bot posts nothing
// like it; anyone can craft a payload's value).
func (h *harness) forgeClick(user, channel, actionID, value string) {
	h.t.Helper()
	api := slack.New(h.env["SLACK_BOT_TOKEN"], slack.OptionAPIURL(h.slack.APIURL()))
	btn := slack.NewButtonBlockElement(actionID, value, slack.NewTextBlockObject(slack.PlainTextType, "Click", false, false))
	_, ts, err := api.PostMessageContext(h.ctx, channel, slack.MsgOptionText("forged", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("forged", btn)))
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.slack.ClickButton(h.ctx, user, slackfake.InMessage(channel, ts), actionID); err != nil {
		h.t.Fatal(err)
	}
}

// buttonValue returns the value of the button actionID in m.
func buttonValue(t *testing.T, m slackfake.Message, actionID string) string {
	t.Helper()
	var blocks []map[string]any
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		els, _ := b["elements"].([]any)
		if acc, ok := b["accessory"]; ok {
			els = append(els, acc)
		}
		for _, e := range els {
			el, _ := e.(map[string]any)
			if el["action_id"] == actionID {
				v, _ := el["value"].(string)
				return v
			}
		}
	}
	t.Fatalf("no %s button in %s", actionID, string(m.Blocks))
	return ""
}

// raiseConcern has user send a concern about their duo.
func (h *harness) raiseConcern(user, text string, newMatch bool) {
	h.t.Helper()
	h.command(user, "concern")
	v := h.view(user, "concern", nil)
	match := map[bool]string{true: "yes", false: "no"}[newMatch]
	res, err := h.slack.SubmitView(h.ctx, user, v.ID, slackfake.Values{
		"text":      {"text": slackfake.Text(text)},
		"new_match": {"new_match": slackfake.Option(match)},
	})
	if err != nil || len(res.Errors) > 0 {
		h.t.Fatalf("concern refused: %v %v", err, res)
	}
}

// concernPost waits for the committee's post of a concern about duo d.
func (h *harness) concernPost(d mentor.Duo) slackfake.Message {
	h.t.Helper()
	m, err := h.slack.WaitForMessage(h.ctx, committeeChannel, func(m slackfake.Message) bool {
		return strings.Contains(allText(m), "Dissolve duo") && strings.Contains(allText(m), "<#"+d.ChannelID+">")
	})
	if err != nil {
		h.t.Fatalf("no concern post for %s: %s", d.ID, texts(h.slack.Messages(committeeChannel)))
	}
	return m
}

func TestConcernThenDissolveFreesThePlaceOnce(t *testing.T) {
	h := startBot(t)
	d := h.openDuos(1)[0]
	c := mustActive(t, h)
	partnerDMs := len(h.slack.DM(d.MentorID))

	secret := "We haven't managed to meet since October <@U04DAVE004>"
	h.raiseConcern(d.MenteeID, secret, true)
	post := h.concernPost(d)
	if !strings.Contains(allText(post), "&lt;@U04DAVE004&gt;") {
		t.Errorf("the concern is not shown escaped to the committee:\n%s", string(post.Blocks))
	}
	// The partner hears nothing until the committee acts; the text is nowhere but
	// the committee channel.
	if n := len(h.slack.DM(d.MentorID)); n != partnerDMs {
		t.Fatalf("the partner got %d DMs after a concern", n-partnerDMs)
	}
	for _, m := range h.slack.Messages(d.ChannelID) {
		if strings.Contains(allText(m), "since October") {
			t.Fatal("the concern reached the duo channel")
		}
	}

	// Someone outside the committee cannot dissolve, even with a crafted payload.
	concernID := strings.SplitN(buttonValue(t, post, "concern_dissolve"), "|", 2)[1]
	h.forgeClick(d.MentorID, d.ChannelID, "concern_dissolve", c.ID+"|"+concernID)
	h.ephemeral(d.MentorID, "for the mentorship committee")
	if h.duo(d).Ended() {
		t.Fatal("a non-member dissolved the duo")
	}

	// Two committee clicks at once: one dissolution.
	done := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := h.slack.ClickButton(h.ctx, alice, slackfake.InMessage(committeeChannel, post.TS), "concern_dissolve")
			done <- err
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if err := h.slack.Wait(h.ctx, func() bool {
		ch, _ := h.slack.Channel(d.ChannelID)
		return ch.Archived
	}); err != nil {
		t.Fatal("the duo channel was not archived")
	}
	for _, u := range []string{d.MenteeID, d.MentorID} {
		if _, err := h.slack.WaitForDM(h.ctx, u, func(m slackfake.Message) bool { return strings.Contains(m.Text, "has ended") }); err != nil {
			t.Fatalf("%s not told kindly", u)
		}
	}
	got := h.duo(d)
	if !got.Ended() {
		t.Fatal("the duo did not end")
	}
	mentee, _ := h.store().Participant(h.ctx, c.ID, d.MenteeID)
	mr, _ := h.store().Participant(h.ctx, c.ID, d.MentorID)
	if mentee.Status != mentor.StatusPending || len(mentee.Duos) != 0 {
		t.Errorf("the mentee who asked for a new match: %s with duos %v, want pending", mentee.Status, mentee.Duos)
	}
	if mr.Status != mentor.StatusPending || mr.FreeSlots() != mr.Capacity {
		t.Errorf("the mentor's place was not freed: %s, %d free of %d", mr.Status, mr.FreeSlots(), mr.Capacity)
	}
	// The partner is asked, and nothing of the concern reaches them.
	for _, m := range h.slack.DM(d.MentorID) {
		if strings.Contains(allText(m), "since October") {
			t.Fatal("the concern's text reached the partner")
		}
	}
	ask, err := h.slack.WaitForDM(h.ctx, d.MentorID, func(m slackfake.Message) bool { return strings.Contains(allText(m), "Find me a new match") })
	if err != nil {
		t.Fatal("the partner was not asked about a new match")
	}
	dm, _ := h.slack.DMChannel(d.MentorID)
	if _, err := h.slack.ClickButton(h.ctx, d.MentorID, slackfake.InMessage(dm, ask.TS), "rematch_yes"); err != nil {
		t.Fatal(err)
	}
	h.ephemeralOrReplaced(d.MentorID, dm, ask.TS, "already in the pool")

	// Nothing was done twice.
	time.Sleep(200 * time.Millisecond)
	if n := h.slack.CallCount("conversations.archive"); n != 1 {
		t.Errorf("%d archive calls, want 1", n)
	}
	for _, u := range []string{d.MenteeID, d.MentorID} {
		n := 0
		for _, m := range h.slack.DM(u) {
			if m.Metadata != nil && m.Metadata.EventPayload["key"] == "dissolved:"+d.ID+":"+u {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s told %d times", u, n)
		}
	}
	if m, _ := h.slack.WaitForMessage(h.ctx, committeeChannel, func(m slackfake.Message) bool { return m.TS == post.TS }); !strings.Contains(allText(m), "dissolved by") {
		t.Errorf("the concern post does not show the decision:\n%s", allText(m))
	}
}

func TestLeavingWhileInADuoAsksTheCommittee(t *testing.T) {
	h := startBot(t)
	d := h.openDuos(1)[0]
	h.command(d.MentorID, "leave")
	m := h.ephemeral(d.MentorID, "Leave the mentorship program")
	if _, err := h.slack.ClickButton(h.ctx, d.MentorID, slackfake.InEphemeral(m.TS), "leave_confirm"); err != nil {
		t.Fatal(err)
	}
	post := h.concernPost(d)
	if !strings.Contains(allText(post), "left the program") {
		t.Errorf("the committee post does not say the mentor left:\n%s", allText(post))
	}
	if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InMessage(committeeChannel, post.TS), "concern_dissolve"); err != nil {
		t.Fatal(err)
	}
	h.eventually("the duo ends", func() bool { return h.duo(d).Ended() })
	c := mustActive(t, h)
	mentee, _ := h.store().Participant(h.ctx, c.ID, d.MenteeID)
	if mentee.Status == mentor.StatusPending {
		t.Error("the mentee went back to the pool without being asked")
	}
	// The one who left can sign up again.
	h.command(d.MentorID, "join")
	h.view(d.MentorID, "join", nil)
}

func TestHelpListsAgreementAndConcern(t *testing.T) {
	h := startBot(t)
	h.command(bob, "help")
	m := h.ephemeral(bob, "Commands")
	for _, want := range []string{"/mentorship agreement", "/mentorship concern"} {
		if !strings.Contains(allText(m), want) {
			t.Errorf("help lacks %s", want)
		}
	}
}

func TestMentorOfTwoDuosChoosesTheDuoOutsideItsChannel(t *testing.T) {
	h := startBot(t)
	duos := h.openDuos(3)
	var erins []mentor.Duo
	for _, d := range duos {
		if d.MentorID == erin {
			erins = append(erins, d)
		}
	}
	if len(erins) != 2 {
		t.Fatalf("erin mentors %d duos, want 2", len(erins))
	}
	h.command(erin, "agreement") // in #general
	v := h.view(erin, "agreement", func(v slackfake.View) bool { return hasBlock(v, "duo") })
	form := agreementForm("Plan a digital preservation workshop together")
	form["duo"] = map[string]slackfake.Value{"duo": slackfake.Option(erins[1].ID)}
	res, err := h.slack.SubmitView(h.ctx, erin, v.ID, form)
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("agreement: %v %+v", err, res)
	}
	h.agreementPost(erins[1], 1)
	if got := h.duo(erins[0]); got.Agreement.Version != 0 {
		t.Fatalf("the other duo got an agreement too: %+v", got.Agreement)
	}
	// In a duo's own channel no choice is asked.
	if _, err := h.slack.SlashCommand(h.ctx, erin, erins[0].ChannelID, "agreement"); err != nil {
		t.Fatal(err)
	}
	v = h.view(erin, "agreement", func(v slackfake.View) bool { return v.ID != "" && !hasBlock(v, "duo") })
	if !strings.Contains(v.PrivateMetadata, erins[0].ID) {
		t.Fatalf("the form run in %s is not for its duo: %s", erins[0].ChannelID, v.PrivateMetadata)
	}
}

func TestConcernDecisionsOnePerConcernAndNotByThePartner(t *testing.T) {
	h := startBot(t)
	d := h.openDuos(1)[0]
	// The mentor also sits on the committee.
	if err := h.slack.SetMembers(committeeChannel, alice, h.slack.Options().BotUserID, d.MentorID); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(2 * time.Minute) // past the bot's cached committee list
	h.raiseConcern(d.MenteeID, "We keep missing each other", false)
	post := h.concernPost(d)
	target := slackfake.InMessage(committeeChannel, post.TS)
	if _, err := h.slack.ClickButton(h.ctx, d.MentorID, target, "concern_dissolve"); err != nil {
		t.Fatal(err)
	}
	h.ephemeral(d.MentorID, "about your own duo")
	if h.duo(d).Ended() {
		t.Fatal("the partner dissolved the duo their partner raised a concern about")
	}
	// Marked handled: the duo stays, and a Dissolve click after it changes nothing.
	if _, err := h.slack.ClickButton(h.ctx, alice, target, "concern_handled"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.slack.WaitForMessage(h.ctx, committeeChannel, func(m slackfake.Message) bool {
		return m.TS == post.TS && strings.Contains(allText(m), "handled by")
	}); err != nil {
		t.Fatal("the concern post does not show it was handled")
	}
	concernID := strings.SplitN(buttonValue(t, post, "concern_dissolve"), "|", 2)[1]
	h.forgeClick(alice, committeeChannel, "concern_dissolve", d.CycleID+"|"+concernID)
	h.ephemeral(alice, "marked handled, so the duo stays")
	if h.duo(d).Ended() {
		t.Fatal("a handled concern's duo was dissolved")
	}
}
