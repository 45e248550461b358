package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/scheduler"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// settle waits until the bot's scheduler has nothing due at the test clock's time and
// performs nothing: every job due so far is done or postponed past now. A job still
// claimed after a while belongs to a replica that died (or could not record its
// outcome): time moves on to the end of its lease, as it would for real.
func (h *harness) settle() {
	h.t.Helper()
	rdb := h.redis.Client()
	due := h.redis.Prefix + "{sched}:due"
	quiet, stuck := 0, 0
	h.eventually("the scheduler settles", func() bool {
		now := strconv.FormatInt(h.clock.Now().UnixMilli(), 10)
		n, err := rdb.ZCount(h.ctx, due, "-inf", now).Result()
		held := h.jobsHeld(rdb)
		switch {
		case err != nil:
			return false
		case n > 0:
			quiet, stuck = 0, 0
			if h.settleAll {
				h.sweepAll()
			} else {
				h.sweep()
			}
			return false
		case len(held) > 0:
			quiet = 0
			if stuck++; stuck > 200 { // a second with a claim held and nothing due
				h.clock.Set(slices.MinFunc(held, func(a, b time.Time) int { return a.Compare(b) }))
				stuck = 0
			}
			return false
		}
		quiet++
		return quiet >= 3 // three polls in a row: no kicked job is on its way either
	})
}

// jobsHeld returns when the claims of the jobs claimed right now run out.
func (h *harness) jobsHeld(rdb *redis.Client) []time.Time {
	prefix := h.redis.Prefix + "{sched}:job:"
	keys, _ := rdb.Keys(h.ctx, prefix+"*").Result()
	var out []time.Time
	for _, k := range keys {
		if rdb.HExists(h.ctx, k, "token").Val() {
			score, err := rdb.ZScore(h.ctx, h.redis.Prefix+"{sched}:due", strings.TrimPrefix(k, prefix)).Result()
			if err == nil {
				out = append(out, time.UnixMilli(int64(score)).UTC())
			}
		}
	}
	return out
}

// nextDue returns the earliest due time among the scheduled jobs, or false.
func (h *harness) nextDue() (time.Time, bool) {
	zs, err := h.redis.Client().ZRangeWithScores(h.ctx, h.redis.Prefix+"{sched}:due", 0, 0).Result()
	if err != nil || len(zs) == 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(zs[0].Score)).UTC(), true
}

// runUntil moves the test clock from job to job (each to its due time), letting the
// bot perform each, until the clock reaches end.
func (h *harness) runUntil(end time.Time) {
	h.t.Helper()
	for steps := 0; steps < 5000; steps++ {
		h.settle()
		next, ok := h.nextDue()
		if !ok || next.After(end) {
			h.clock.Set(end)
			h.settle()
			return
		}
		if next.After(h.clock.Now()) {
			h.clock.Set(next)
		}
	}
	h.t.Fatal("runUntil: too many steps")
}

// nudgesTo returns the nudges DMed to user, by kind.
func (h *harness) nudgesTo(user string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range h.slack.DM(user) {
		if m.Metadata != nil && m.Metadata.EventType == mentor.NudgeMetadataType {
			out = append(out, m)
		}
	}
	return out
}

func nudgeKind(m slackfake.Message) string { return fmt.Sprint(m.Metadata.EventPayload["kind"]) }

// tsTime is when a message was posted, from its ts (the test server's clock).
func tsTime(t *testing.T, ts string) time.Time {
	t.Helper()
	sec, _, _ := strings.Cut(ts, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		t.Fatalf("ts %q: %v", ts, err)
	}
	return time.Unix(n, 0).UTC()
}

// TestNudgesOfTheTableOnTimeAndOnce walks a duo through 60 days: a mentee in Shanghai,
// a mentor in Los Angeles. Each gets exactly the nudges of product.md's table, each on a
// weekday between 09:00 and 17:00 of their own clock, and none whose reason was gone
// before it fell due.
func TestNudgesOfTheTableOnTimeAndOnce(t *testing.T) {
	h := startBot(t)
	// The cycle: evaluations due 20 Nov, the annual meeting on 20 Nov too (both inside
	// the 60 days), the digest on Mondays at 09:00 UTC.
	h.daveAndCarol(slackfake.Values{
		"evaluation_due": {"evaluation_due": slackfake.Date("2026-11-20")},
		"annual_meeting": {"annual_meeting": slackfake.Date("2026-11-20")},
	})
	start := h.clock.Now() // Mon 5 Oct 2026, 15:00 UTC
	pv := h.openPairing(alice)
	h.onProposal(alice, pv.ID, 0, "pair_approve")
	c := mustActive(t, h)
	var d mentor.Duo
	h.eventually("the duo opens", func() bool {
		ids, _ := h.store().DuoIDs(h.ctx, c.ID)
		ds, _ := h.store().Duos(h.ctx, c.ID, ids)
		if len(ds) == 1 && ds[0].Setup.Done() {
			d = ds[0]
			return true
		}
		return false
	})
	day := func(n int) time.Time { return start.AddDate(0, 0, n) }

	// Day 2: the mentee makes contact (so the contact nudge, due day 7, never goes).
	h.runUntil(day(2))
	h.say(dave, d.ChannelID, "Hello Carol, I'm Dave!")
	// Day 12: the mentee drafts the agreement and signs it; the mentor does not.
	h.runUntil(day(12))
	h.submitAgreement(dave, d, "Choose a research topic and outline a paper by spring")
	h.sign(dave, d, h.agreementPost(d, 1))
	// Day 30: the mentor finally writes, and signs.
	h.runUntil(day(30))
	h.say(carol, d.ChannelID, "Sorry for the silence, Dave! Signing now.")
	h.sign(carol, d, h.agreementPost(d, 1))
	h.runUntil(day(60))

	tz := map[string]*time.Location{dave: mentor.Location("Asia/Shanghai", 0), carol: mentor.Location("America/Los_Angeles", 0)}
	got := map[string][]string{}
	for _, u := range []string{dave, carol} {
		for _, m := range h.nudgesTo(u) {
			at := tsTime(t, m.TS).In(tz[u])
			if wd := at.Weekday(); wd == time.Saturday || wd == time.Sunday || at.Hour() < 9 || at.Hour() >= 17 {
				t.Errorf("%s nudge to %s at %s local, outside weekday 09:00–17:00", nudgeKind(m), u, at.Format("Mon 2 Jan 15:04"))
			}
			got[u] = append(got[u], nudgeKind(m)+" "+at.Format("Jan 2"))
		}
	}
	// The table, worked out by hand for this walk:
	// - welcome (mentor): no message from the mentor 3 days after opening, Thu 8 Oct
	//   15:00 UTC is 08:00 in LA: sent at 09:00 there.
	// - contact (mentee): never, the mentee wrote on day 2.
	// - agreement (both): not signed by both on day 14, Mon 19 Oct 15:00 UTC: 23:00 in
	//   Shanghai (sent Tue 20 Oct 09:00 there), 08:00 in LA (sent 09:00).
	// - annual meeting (both): 30 days before 20 Nov, on 21 Oct of each one's calendar.
	// - evaluation (both, nobody evaluates): 14, 3 and 0 days before 20 Nov, each on
	//   that day of their own calendar.
	// - keep in touch: quiet from day 2; monthly (30 days + 50 %) while unsigned. On
	//   day 30 the mentor writes and both sign (every two weeks: 14 days + 50 %), so the
	//   first falls on day 51, Wed 25 Nov 15:00 UTC: 07:00 in LA (sent 09:00), 23:00 in
	//   Shanghai (Thu 26 Nov 09:00). The next would be 21 days later, after day 60.
	want := map[string][]string{
		dave: {"agreement Oct 20", "annual_meeting Oct 21", "evaluation Nov 6", "evaluation Nov 17",
			"evaluation Nov 20", "keep_in_touch Nov 26"},
		carol: {"welcome Oct 8", "agreement Oct 19", "annual_meeting Oct 21", "evaluation Nov 6",
			"evaluation Nov 17", "evaluation Nov 20", "keep_in_touch Nov 25"},
	}
	for _, u := range []string{dave, carol} {
		if strings.Join(got[u], ", ") != strings.Join(want[u], ", ") {
			t.Errorf("nudges to %s:\n got %v\nwant %v", u, got[u], want[u])
		}
	}
	// The committee: told of the unsigned agreement at day 28, and a digest every Monday.
	var committee []string
	for _, m := range h.slack.Messages(committeeChannel) {
		if m.Metadata != nil && m.Metadata.EventType == mentor.NudgeMetadataType {
			committee = append(committee, nudgeKind(m)+" "+tsTime(t, m.TS).Format("Jan 2"))
		}
	}
	wantCommittee := []string{"digest Oct 12", "digest Oct 19", "digest Oct 26", "digest Nov 2", "agreement_overdue Nov 2",
		"digest Nov 9", "digest Nov 16", "digest Nov 23", "digest Nov 30"}
	if strings.Join(committee, ", ") != strings.Join(wantCommittee, ", ") {
		t.Errorf("committee nudges:\n got %v\nwant %v", committee, wantCommittee)
	}
}

// seedPairs signs up n mentees and n mentors (capacity 1) straight into Redis, and
// adds them to the workspace.
func (h *harness) seedPairs(n int) {
	h.t.Helper()
	c := mustActive(h.t.(*testing.T), h)
	st := h.store()
	for i := 0; i < 2*n; i++ {
		id := fmt.Sprintf("U9%07d", i)
		name := fmt.Sprintf("person%d", i)
		h.slack.AddUser(slackfake.User{ID: id, Name: name, RealName: name, TZ: "Europe/Paris", TZOffset: 3600})
		p := mentor.Participant{UserID: id, CycleID: c.ID, Name: name, Role: mentor.RoleMentee, Stage: mentor.StageStudent,
			Areas: []string{"career"}, Needs: "career advice for academic libraries", Methods: []string{"email"},
			Frequency: "monthly", HoursPerMonth: 2, TZ: "Europe/Paris"}
		if i >= n {
			p.Role, p.Stage, p.Needs, p.Offer, p.Capacity = mentor.RoleMentor, mentor.StageSenior, "", "career advice for academic libraries", 1
		}
		if err := st.SaveSignup(h.ctx, p, h.clock.Now()); err != nil {
			h.t.Fatal(err)
		}
	}
}

// openCount returns how many of the cycle's duos are open, and how many there are.
func (h *harness) openCount() (open, all int) {
	c := mustActive(h.t.(*testing.T), h)
	ids, _ := h.store().DuoIDs(h.ctx, c.ID)
	ds, _ := h.store().Duos(h.ctx, c.ID, ids)
	for _, d := range ds {
		if d.Setup.Done() {
			open++
		}
	}
	return open, len(ds)
}

// mustOneOfEach checks every duo has exactly one channel, one welcome, one DM to each
// member and one committee record, and that no other duo channel exists (no orphan).
func (h *harness) mustOneOfEach() {
	h.t.Helper()
	c := mustActive(h.t.(*testing.T), h)
	ids, _ := h.store().DuoIDs(h.ctx, c.ID)
	ds, _ := h.store().Duos(h.ctx, c.ID, ids)
	channels := map[string]bool{}
	for _, d := range ds {
		channels[d.ChannelID] = true
		count := func(msgs []slackfake.Message, key string) int {
			n := 0
			for _, m := range msgs {
				if m.Metadata != nil && m.Metadata.EventPayload["key"] == key {
					n++
				}
			}
			return n
		}
		if n := count(h.slack.Messages(d.ChannelID), "welcome:"+d.ID); n != 1 {
			h.t.Errorf("duo %s: %d welcomes", d.ID, n)
		}
		for _, u := range []string{d.MenteeID, d.MentorID} {
			if n := count(h.slack.DM(u), "told:"+d.ID+":"+u); n != 1 {
				h.t.Errorf("duo %s: %s told %d times", d.ID, u, n)
			}
		}
		if n := count(h.slack.Messages(committeeChannel), "duo-record:"+d.ID); n != 1 {
			h.t.Errorf("duo %s: %d committee records", d.ID, n)
		}
	}
	for _, ch := range h.duoChannels() {
		if !channels[ch.ID] {
			h.t.Errorf("orphan channel %s (%s)", ch.Name, ch.ID)
		}
	}
	h.mustPostEachKeyOnce()
}

// mustPostEachKeyOnce checks that no post the bot makes once (it carries a key in its
// metadata) appears twice anywhere: channels and DMs.
func (h *harness) mustPostEachKeyOnce() {
	h.t.Helper()
	seen := map[string]int{}
	var all []slackfake.Message
	for _, ch := range h.slack.Channels() {
		all = append(all, h.slack.Messages(ch.ID)...)
	}
	for _, u := range h.slack.Users() {
		all = append(all, h.slack.DM(u.ID)...)
	}
	counted := map[string]bool{}
	for _, m := range all {
		if counted[m.Channel+"/"+m.TS] {
			continue // a DM listed as a channel too
		}
		counted[m.Channel+"/"+m.TS] = true
		if m.Metadata != nil {
			if k, _ := m.Metadata.EventPayload["key"].(string); k != "" {
				seen[k]++
			}
		}
	}
	if len(seen) == 0 {
		h.t.Error("no post carried a key: nothing was checked")
	}
	for k, n := range seen {
		if n > 1 {
			h.t.Errorf("post %s appears %d times", k, n)
		}
	}
}

func TestApproveAllOf50PairsOpensEveryDuoUnderSlacksLimits(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	h.seedPairs(50)
	// Slack's Tier 2: about 20 conversations.create a minute, on the test clock.
	h.slack.SetRateLimit("conversations.create", 20, time.Minute)
	v := h.openPairing(alice)
	for page := 0; page < 5; page++ {
		if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_approve_all"); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("%d approved", 10*(page+1))
		v = h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), want) })
		if page < 4 {
			if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_next"); err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("Page %d of 5", page+2)
			v = h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), want) })
		}
	}
	if !strings.Contains(viewText(v), "Duo channels open") {
		t.Fatalf("the modal does not show the progress:\n%s", viewText(v))
	}
	// Time passes; nobody presses anything.
	start := h.clock.Now()
	for open, _ := h.openCount(); open < 50; open, _ = h.openCount() {
		if h.clock.Now().Sub(start) > 20*time.Minute {
			t.Fatalf("only %d of 50 duos open after 20 minutes", open)
		}
		h.clock.Advance(5 * time.Second)
		h.settle()
	}
	if took := h.clock.Now().Sub(start); took < 2*time.Minute {
		t.Errorf("50 channels opened in %v: faster than Slack's 20 a minute allows", took)
	}
	h.mustOneOfEach()
	if n := h.slack.CallCount("conversations.create"); n > 60 {
		t.Errorf("%d conversations.create calls for 50 channels: pacing should keep 429s rare", n)
	}
	// The modal shows it.
	if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_refresh"); err != nil {
		t.Fatal(err)
	}
	h.view(alice, "pairing", func(v slackfake.View) bool { return strings.Contains(viewText(v), "Duo channels open: *50 of 50*") })
}

func TestDuoOpeningSurvivesEverySlackFailure(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	h.signUpFive()
	// conversations.create: a 500 that did nothing, a 500 after the channel was made,
	// a timeout after the channel was made, a 429.
	h.slack.FailNextHTTP("conversations.create", 500)
	h.slack.FailNextAfterEffect("conversations.create", 500)
	h.slack.TimeoutNext("conversations.create", true)
	h.slack.RateLimitNext("conversations.create", 30*time.Second)
	// conversations.invite and chat.postMessage: a 500, a timeout, a 429.
	for _, m := range []string{"conversations.invite", "chat.postMessage"} {
		h.slack.FailNextHTTP(m, 500)
		h.slack.TimeoutNext(m, true)
		h.slack.RateLimitNext(m, 10*time.Second)
	}
	h.slack.FailNextAfterEffect("chat.postMessage", 503)
	// And the Redis write after a successful create fails: Redis stops accepting
	// writes for a moment, right after Slack made the channel.
	rdb := h.redis.Client()
	var paused bool
	remove := h.slack.OnCall("conversations.create", func(c slackfake.Call) {
		if c.OK && !paused {
			paused = true
			rdb.Do(h.ctx, "CLIENT", "PAUSE", "1500", "WRITE")
		}
	})
	defer remove()

	v := h.openPairing(alice)
	if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_approve_all"); err != nil {
		t.Fatal(err)
	}
	// While they fail, the committee's Home shows the duos still being set up and
	// the steps waiting to be retried.
	h.settle()
	h.homeShows(alice, "Duos still being set up")
	if v, _ := h.slack.HomeView(alice); strings.Contains(viewText(v), "http") {
		t.Errorf("Home shows an internal address to the committee:\n%s", viewText(v))
	}
	start := h.clock.Now()
	for open, all := h.openCount(); all < 3 || open < 3; open, all = h.openCount() {
		if h.clock.Now().Sub(start) > 2*time.Hour {
			t.Fatalf("%d of %d duos open after two hours of retries", open, all)
		}
		h.clock.Advance(30 * time.Second)
		h.settle()
	}
	h.mustOneOfEach()
	if n := len(h.duoChannels()); n != 3 {
		t.Fatalf("%d duo channels for 3 duos", n)
	}
	// Once all are open, Home no longer lists them.
	if _, err := h.slack.OpenHome(h.ctx, alice); err != nil {
		t.Fatal(err)
	}
	h.slack.Wait(h.ctx, func() bool {
		v, _ := h.slack.HomeView(alice)
		return !strings.Contains(viewText(v), "Duos still being set up")
	})
	if v, _ := h.slack.HomeView(alice); strings.Contains(viewText(v), "Duos still being set up") {
		t.Errorf("Home still lists duos being set up after all opened:\n%s", viewText(v))
	}
	// Every member is in their channel.
	c := mustActive(t, h)
	ids, _ := h.store().DuoIDs(h.ctx, c.ID)
	ds, _ := h.store().Duos(h.ctx, c.ID, ids)
	for _, d := range ds {
		members := strings.Join(h.slack.Members(d.ChannelID), ",")
		if !strings.Contains(members, d.MenteeID) || !strings.Contains(members, d.MentorID) {
			t.Errorf("channel %s members %s", d.ChannelName, members)
		}
	}
}

// startReplica starts another bot process (the real run()) on the same Redis and
// Slack, with its own HTTP address: Slack spreads envelopes over the connections.
func (h *harness) startReplica() {
	h.t.Helper()
	env := maps.Clone(h.env)
	env["MENTORBOT_HTTP_ADDR"] = "127.0.0.1:" + freePort(h.t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	deps := runDeps{clock: h.clock, slackTimeout: 2 * time.Second, scheduler: func(s *scheduler.Scheduler) {
		h.mu.Lock()
		h.scheds = append(h.scheds, s)
		h.mu.Unlock()
	}}
	n := h.slack.Connections()
	go func() {
		done <- runWith(ctx, deps, []string{"run"}, func(k string) string { return env[k] }, io.Discard, h.logs)
	}()
	h.t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			h.t.Errorf("replica did not stop")
		}
	})
	if err := h.slack.WaitConnected(h.ctx, n+1); err != nil {
		h.t.Fatalf("replica did not connect: %v", err)
	}
}

// sweepAll runs a sweep on every replica at once.
func (h *harness) sweepAll() {
	h.mu.Lock()
	scheds := slices.Clone(h.scheds)
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range scheds {
		wg.Add(1)
		go func() { defer wg.Done(); s.Sweep(h.ctx) }()
	}
	wg.Wait()
}

func TestReplicasDoEveryStepOnceAndADeadOneLosesNothing(t *testing.T) {
	for _, replicas := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d replicas", replicas), func(t *testing.T) {
			h := startBot(t)
			for i := 1; i < replicas; i++ {
				h.startReplica()
			}
			h.settleAll = true
			h.openCycle(alice)
			h.signUpFive()
			v := h.openPairing(alice)
			if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_approve_all"); err != nil {
				t.Fatal(err)
			}
			h.eventually("3 duos open", func() bool { open, all := h.openCount(); return open == 3 && all == 3 })

			// A replica dies right after Slack took its post: Redis stops taking
			// writes for a moment, so the outcome is never recorded and its claim
			// runs out. Another replica must find the post and not repeat it.
			rdb := h.redis.Client()
			var once sync.Once
			remove := h.slack.OnCall("chat.postMessage", func(c slackfake.Call) {
				if c.OK && strings.Contains(c.Param("metadata"), mentor.NudgeMetadataType) {
					once.Do(func() { rdb.Do(h.ctx, "CLIENT", "PAUSE", "3000", "WRITE") })
				}
			})
			defer remove()
			// Another replica dies having claimed the next due jobs, before doing
			// anything: its claims run out and the jobs are done by the others.
			h.runUntil(h.clock.Now().AddDate(0, 0, 3).Add(-time.Minute))
			due := h.clock.Now().Add(2 * time.Minute)
			claimed, err := h.store().ClaimJobs(h.ctx, due, 100, 2*time.Minute)
			if err != nil || len(claimed) == 0 {
				t.Fatalf("the dying replica claimed %d jobs (%v); want the welcome nudges", len(claimed), err)
			}
			h.clock.Set(due.Add(2 * time.Minute)) // its claims run out
			h.runUntil(h.clock.Now().AddDate(0, 0, 30))

			h.mustOneOfEach()
			// Every mentor got the welcome nudge (nobody wrote), each exactly once.
			for _, u := range []string{carol, erin} {
				n := 0
				for _, m := range h.nudgesTo(u) {
					if nudgeKind(m) == "welcome" {
						n++
					}
				}
				want := map[string]int{carol: 1, erin: 2}[u] // erin mentors two duos
				if n != want {
					t.Errorf("%s got %d welcome nudges, want %d", u, n, want)
				}
			}
		})
	}
}

func TestProgramSettingsMoveTheNudges(t *testing.T) {
	h := startBot(t)
	// Reminders at any hour; the digest off.
	h.daveAndCarol(slackfake.Values{
		"nudge_any_time": {"nudge_any_time": slackfake.OptionValues("any")},
		"digest_day":     {"digest_day": slackfake.Option("off")},
	})
	pv := h.openPairing(alice)
	h.onProposal(alice, pv.ID, 0, "pair_approve")
	h.eventually("the duo opens", func() bool { open, all := h.openCount(); return open == 1 && all == 1 })
	opened := h.clock.Now()

	// The committee moves the mentee's reminder from 7 days to 2: the scheduled
	// nudge moves with it.
	h.command(alice, "program")
	v := h.view(alice, "program", func(v slackfake.View) bool { return strings.Contains(viewText(v), "Edit the cycle") })
	if res, err := h.slack.SubmitView(h.ctx, alice, v.ID, slackfake.Values{"contact_days": {"contact_days": slackfake.Number("2")}}); err != nil || len(res.Errors) > 0 {
		t.Fatalf("edit: %v %v", err, res)
	}
	h.runUntil(opened.AddDate(0, 0, 8))
	var contact []time.Time
	for _, m := range h.nudgesTo(dave) {
		if nudgeKind(m) == "contact" {
			contact = append(contact, tsTime(t, m.TS))
		}
	}
	// Two days after opening, Wed 7 Oct 15:00 UTC, 23:00 in Shanghai: at once, since
	// the working-hours rule is off.
	if len(contact) != 1 || !contact[0].Equal(opened.AddDate(0, 0, 2)) {
		t.Fatalf("contact nudges at %v, want one at %v", contact, opened.AddDate(0, 0, 2))
	}
	for _, m := range h.slack.Messages(committeeChannel) {
		if m.Metadata != nil && nudgeKind(m) == "digest" {
			t.Fatal("a digest was posted although the committee switched it off")
		}
	}
	// Editing the cycle again re-plans every duo: a nudge already sent (the mentor's
	// welcome, the mentor still silent) is not sent again.
	h.command(alice, "program")
	v = h.view(alice, "program", func(v slackfake.View) bool { return strings.Contains(viewText(v), "Edit the cycle") })
	if res, err := h.slack.SubmitView(h.ctx, alice, v.ID, slackfake.Values{"welcome_days": {"welcome_days": slackfake.Number("1")}}); err != nil || len(res.Errors) > 0 {
		t.Fatalf("second edit: %v %v", err, res)
	}
	h.runUntil(opened.AddDate(0, 0, 12))
	welcomes := 0
	for _, m := range h.nudgesTo(carol) {
		if nudgeKind(m) == "welcome" {
			welcomes++
		}
	}
	if welcomes != 1 {
		t.Fatalf("the mentor got %d welcome nudges, want 1 (re-planning the cycle sent it again?)", welcomes)
	}
	// A bad setting is answered under its input.
	h.command(alice, "program")
	v = h.view(alice, "program", func(v slackfake.View) bool { return strings.Contains(viewText(v), "Edit the cycle") })
	res, err := h.slack.SubmitView(h.ctx, alice, v.ID, slackfake.Values{
		"nudge_any_time": {"nudge_any_time": slackfake.OptionValues()},
		"nudge_from":     {"nudge_from": slackfake.Number("18")},
		"time_zone":      {"time_zone": slackfake.Text("Mars/Olympus")},
	})
	if err != nil || res.Errors["nudge_from"] == "" || res.Errors["time_zone"] == "" {
		t.Fatalf("bad hours and zone: %v %+v", err, res)
	}
}

// homeShows opens user's Home until it shows every one of want (each opening
// publishes it afresh; what it shows may still be on its way).
func (h *harness) homeShows(user string, want ...string) {
	h.t.Helper()
	var last string
	for try := 0; try < 20; try++ {
		if _, err := h.slack.OpenHome(h.ctx, user); err != nil {
			h.t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
		v, _ := h.slack.HomeView(user)
		last = viewText(v)
		all := true
		for _, w := range want {
			all = all && strings.Contains(last, w)
		}
		if all {
			return
		}
	}
	h.t.Fatalf("Home of %s never showed %q; it shows:\n%s", user, want, last)
}

// daveAndCarol opens the cycle with the program form's fields set as given, and signs
// up Dave (a mentee in Shanghai) and Carol (a mentor in Los Angeles).
func (h *harness) daveAndCarol(program slackfake.Values) {
	h.t.Helper()
	h.command(alice, "program")
	v := h.view(alice, "program", nil)
	if res, err := h.slack.SubmitView(h.ctx, alice, v.ID, program); err != nil || len(res.Errors) > 0 {
		h.t.Fatalf("program: %v %v", err, res)
	}
	if res := h.join(dave, mentor.RoleMentee, menteeForm("Developing a research topic on digital preservation")); len(res.Errors) > 0 {
		h.t.Fatal(res.Errors)
	}
	if res := h.join(carol, mentor.RoleMentor, mentorForm("Research topics and grant writing for academic libraries", "1")); len(res.Errors) > 0 {
		h.t.Fatal(res.Errors)
	}
}

// A nudge that is overdue when the bot gets to it (a replica down over a weekend,
// the clock moved on) still reaches its person within their working hours: at the
// next such time from now, not at once in the middle of their night.
func TestAnOverdueNudgeWaitsForTheWorkingDay(t *testing.T) {
	h := startBot(t)
	h.daveAndCarol(slackfake.Values{})
	pv := h.openPairing(alice)
	h.onProposal(alice, pv.ID, 0, "pair_approve")
	c := mustActive(t, h)
	h.eventually("the duo opens", func() bool {
		ids, _ := h.store().DuoIDs(h.ctx, c.ID)
		ds, _ := h.store().Duos(h.ctx, c.ID, ids)
		return len(ds) == 1 && ds[0].Setup.Done()
	})
	// Dave (Shanghai) should have made contact by day 7 (Monday 12 October, 23:00
	// his time: the nudge was for Tuesday 09:00). The bot next looks on Wednesday 14
	// October at 02:00 in Shanghai.
	shanghai := mentor.Location("Asia/Shanghai", 0)
	night := time.Date(2026, 10, 14, 2, 0, 0, 0, shanghai)
	h.clock.Set(night)
	h.settle()
	for _, m := range h.nudgesTo(dave) {
		t.Fatalf("%s nudge sent at %s in Shanghai, in the night", nudgeKind(m), tsTime(t, m.TS).In(shanghai).Format("Mon 15:04"))
	}
	h.runUntil(time.Date(2026, 10, 14, 12, 0, 0, 0, shanghai))
	sent := h.nudgesTo(dave)
	if len(sent) == 0 {
		t.Fatal("the overdue nudge never came")
	}
	for _, m := range sent {
		if at := tsTime(t, m.TS).In(shanghai); at.Hour() != 9 || at.Day() != 14 {
			t.Errorf("%s nudge at %s in Shanghai, want Wed 14 at 09:00", nudgeKind(m), at.Format("Mon 2 15:04"))
		}
	}
}
