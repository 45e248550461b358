package main

import (
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// connectionsOf returns the connection numbers that took the envelopes of type typ
// ("" for all) sent since envelope number from (an index into Envelopes).
func (h *harness) connectionsOf(from int, typ string) []int {
	var out []int
	for _, e := range h.slack.Envelopes()[from:] {
		if n := len(e.Deliveries); n > 0 && (typ == "" || e.Type == typ) {
			out = append(out, e.Deliveries[n-1].Connection)
		}
	}
	return out
}

func distinct(xs []int) int {
	seen := map[int]bool{}
	for _, x := range xs {
		seen[x] = true
	}
	return len(seen)
}

func TestThreeReplicasRunTheProgramAndARemovedCommitteeMemberIsRefusedOnEachAtOnce(t *testing.T) {
	const gina = "U07GINA007" // a second committee member
	h := startBot(t)
	h.slack.AddUser(slackfake.User{ID: gina, Name: "gina", RealName: "Gina Committee", TZ: "America/New_York", TZOffset: -18000})
	if err := h.slack.SetMembers(committeeChannel, alice, gina, h.slack.Options().BotUserID); err != nil {
		t.Fatal(err)
	}
	h.startReplica()
	h.startReplica()
	h.settleAll = true

	// Sign-up, matching and approval, with Slack spreading the envelopes over the
	// three connections.
	h.openCycle(alice)
	h.signUpFive()
	v := h.openPairing(gina)
	if _, err := h.slack.ClickButton(h.ctx, gina, slackfake.InView(v.ID), "pair_approve_all"); err != nil {
		t.Fatal(err)
	}
	h.eventually("3 duos open", func() bool { open, all := h.openCount(); return open == 3 && all == 3 })
	h.settle()
	h.mustOneOfEach()
	if conns := h.connectionsOf(0, ""); distinct(conns) != 3 {
		t.Fatalf("envelopes went to connections %v; want all three replicas to take some", conns)
	}

	// Gina is on the committee on every replica: each serves her the program form.
	from := len(h.slack.Envelopes())
	for range 3 {
		h.command(gina, "program")
		h.view(gina, "program", nil)
		if _, err := h.slack.CloseView(h.ctx, gina, h.view(gina, "program", nil).ID); err != nil {
			t.Fatal(err)
		}
	}
	// She leaves the committee channel. One replica gets the event…
	if _, err := h.slack.MemberLeft(h.ctx, gina, committeeChannel); err != nil {
		t.Fatal(err)
	}
	rdb := h.redis.Client()
	h.eventually("the membership change is recorded", func() bool {
		return rdb.Get(h.ctx, h.redis.Prefix+"{committee}:gen").Val() == "1"
	})
	// …and every replica refuses her at its very next request, well within the
	// minute the member list is otherwise trusted.
	before := len(h.slack.Ephemerals(gina))
	for range 3 {
		h.command(gina, "program")
	}
	h.eventually("three refusals", func() bool { return len(h.slack.Ephemerals(gina)) >= before+3 })
	for _, m := range h.slack.Ephemerals(gina)[before:] {
		if !strings.Contains(allText(m), "is for the mentorship committee") {
			t.Errorf("after leaving the committee gina was answered %q", m.Text)
		}
	}
	conns := h.connectionsOf(from, "slash_commands")
	if distinct(conns[len(conns)-3:]) != 3 {
		t.Fatalf("gina's three commands went to connections %v; want one per replica", conns[len(conns)-3:])
	}
	if distinct(conns[:len(conns)-3]) != 3 {
		t.Fatalf("before: connections %v; want every replica to have served her as committee", conns)
	}
	// Alice, still on the committee, is still served.
	h.command(alice, "program")
	h.view(alice, "program", nil)

	// Gina is invited back: member_joined_channel reaches one replica, and every
	// replica serves her again at her next request.
	if err := h.slack.SetMembers(committeeChannel, alice, gina, h.slack.Options().BotUserID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.slack.SendEvent(h.ctx, map[string]any{"type": "member_joined_channel", "user": gina,
		"channel": committeeChannel, "channel_type": "G", "team": h.slack.Options().TeamID}); err != nil {
		t.Fatal(err)
	}
	h.eventually("the second membership change is recorded", func() bool {
		return rdb.Get(h.ctx, h.redis.Prefix+"{committee}:gen").Val() == "2"
	})
	from = len(h.slack.Envelopes())
	for range 3 {
		h.command(gina, "program")
		v := h.view(gina, "program", nil)
		if _, err := h.slack.CloseView(h.ctx, gina, v.ID); err != nil {
			t.Fatal(err)
		}
	}
	if conns := h.connectionsOf(from, "slash_commands"); distinct(conns) != 3 {
		t.Fatalf("gina's commands after rejoining went to connections %v; want one per replica", conns)
	}
}
