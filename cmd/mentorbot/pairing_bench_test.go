package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// BenchmarkPairingClicks10k measures the pairing modal of a cycle of 10,000
// sign-ups (6,667 mentees, 3,333 mentors with two places each) as a committee
// member uses it: after /mentorship match has proposed the round (propose-ms: from
// the command to the proposals in the modal, not in ns/op), 30
// clicks, each timed from the click to the modal's views.update reaching Slack:
// 10 approvals, a page turn, 5 choices of another mentor (re-optimising the
// round), 5 skips, then approving the skipped. It reports the median, the p99 (of
// 30 clicks: the slowest but one) and the slowest, and the longest single Redis
// command meanwhile (from SLOWLOG, which records commands over 1 ms), and the heap
// in use at the end (the whole test process: bot, Slack server and harness).
func BenchmarkPairingClicks10k(b *testing.B) {
	h := startBot(b)
	h.openCycle(alice)
	c, _, err := h.store().ActiveCycle(h.ctx)
	if err != nil {
		b.Fatal(err)
	}
	seedSignups(b, h, c, 10000)
	proposing := time.Now()
	h.command(alice, "match")
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Minute)
	defer cancel()
	v, err := h.slack.WaitForView(ctx, alice, func(v slackfake.View) bool {
		return v.CallbackID == "pairing" && strings.Contains(viewText(v), "proposed pairs")
	})
	if err != nil {
		b.Fatalf("the round was not proposed: %v", err)
	}
	proposed := time.Since(proposing)
	rdb := h.redis.Client()
	rdb.ConfigSet(h.ctx, "slowlog-log-slower-than", "1000")
	rdb.Do(h.ctx, "SLOWLOG", "RESET")

	var took []time.Duration
	click := func(do func() error) {
		updated := make(chan struct{}, 1)
		remove := h.slack.OnCall("views.update", func(call slackfake.Call) {
			if call.Params["view_id"] == v.ID {
				select {
				case updated <- struct{}{}:
				default:
				}
			}
		})
		defer remove()
		start := time.Now()
		if err := do(); err != nil {
			b.Fatal(err)
		}
		select {
		case <-updated:
			took = append(took, time.Since(start))
		case <-time.After(2 * time.Minute):
			b.Fatal("no views.update within 2 minutes of the click")
		}
	}
	on := func(i int, action string) func() error {
		return func() error {
			target := slackfake.InView(v.ID)
			target.BlockID = fmt.Sprintf("a%d", i)
			_, err := h.slack.ClickButton(h.ctx, alice, target, action)
			return err
		}
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		took = took[:0]
		page := n * 2 * 10 // each iteration works on two fresh pages
		for i := page; i < page+10; i++ {
			click(on(i, "pair_approve"))
		}
		click(func() error {
			_, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(v.ID), "pair_next")
			return err
		})
		for i := page + 10; i < page+15; i++ {
			latest, _ := h.slack.View(v.ID)
			alt := alternativeIn(b, latest, i)
			click(func() error {
				target := slackfake.InView(v.ID)
				target.BlockID = fmt.Sprintf("a%d", i)
				_, err := h.slack.SelectOption(h.ctx, alice, target, "pair_change", alt)
				return err
			})
		}
		for i := page + 15; i < page+20; i++ {
			click(on(i, "pair_skip"))
		}
		for i := page + 15; i < page+20; i++ {
			click(on(i, "pair_approve"))
		}
	}
	b.StopTimer()
	slices.Sort(took)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
	b.ReportMetric(ms(took[int(0.99*float64(len(took)-1))]), "p99-ms")
	b.ReportMetric(ms(took[len(took)-1]), "max-ms")
	var slowest time.Duration
	if logs, err := rdb.SlowLogGet(h.ctx, 128).Result(); err == nil {
		for _, l := range logs {
			slowest = max(slowest, l.Duration)
		}
	}
	b.ReportMetric(ms(slowest), "redis-slowest-ms")
	b.ReportMetric(ms(proposed), "propose-ms")
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	b.ReportMetric(float64(mem.HeapInuse)/1e6, "heap-MB")
}

// seedSignups stores n sign-ups in cycle c, a third of them mentors with two
// places, with areas, stages, methods and time zones varied as in a real program.
func seedSignups(b *testing.B, h *harness, c mentor.Cycle, n int) {
	topics := []string{"experience", "grants", "career", "research", "resume", "development", "self-assessment", "web-page", "organizations"}
	zones := []string{"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London"}
	stages := []mentor.Stage{mentor.StageStudent, mentor.StageNew, mentor.StageMid, mentor.StageSenior}
	methods := [][]string{{"email", "video"}, {"video"}, {"phone", "email"}, {"in-person", "video"}}
	st := h.store()
	for i := 0; i < n; i++ {
		p := mentor.Participant{UserID: fmt.Sprintf("U7%07d", i), CycleID: c.ID, Name: fmt.Sprintf("Person%d Lastname", i),
			Role: mentor.RoleMentee, Stage: stages[i%2], Areas: []string{topics[i%9], topics[(i*7+3)%9]},
			Needs:   fmt.Sprintf("help with %s and %s, and a plan for %s", topics[i%9], topics[(i*5)%9], topics[(i*11)%9]),
			Methods: methods[i%4], Frequency: "monthly", HoursPerMonth: 2, TZ: zones[i%5]}
		if i%3 == 0 {
			p.Role, p.Stage, p.Needs, p.Capacity = mentor.RoleMentor, stages[2+i%2], "", 2
			p.Offer = fmt.Sprintf("years of %s and %s in %s libraries", topics[i%9], topics[(i*3)%9], []string{"academic", "public", "school"}[i%3])
		}
		if err := st.SaveSignup(h.ctx, p, h.clock.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// alternativeIn returns a mentor the pairing modal offers proposal i instead of
// its own: the first option of the "another mentor" menu in block a<i>.
func alternativeIn(b *testing.B, v slackfake.View, i int) string {
	var view struct {
		Blocks []struct {
			BlockID  string `json:"block_id"`
			Elements []struct {
				ActionID string `json:"action_id"`
				Options  []struct {
					Value string `json:"value"`
				} `json:"options"`
			} `json:"elements"`
			Accessory *struct {
				ActionID string `json:"action_id"`
				Options  []struct {
					Value string `json:"value"`
				} `json:"options"`
			} `json:"accessory"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(v.Raw, &view); err != nil {
		b.Fatal(err)
	}
	for _, bl := range view.Blocks {
		if bl.BlockID != fmt.Sprintf("a%d", i) {
			continue
		}
		for _, e := range bl.Elements {
			if e.ActionID == "pair_change" && len(e.Options) > 0 {
				return e.Options[len(e.Options)-1].Value
			}
		}
		if bl.Accessory != nil && bl.Accessory.ActionID == "pair_change" && len(bl.Accessory.Options) > 0 {
			return bl.Accessory.Options[len(bl.Accessory.Options)-1].Value
		}
	}
	b.Fatalf("proposal %d offers no other mentor:\n%s", i, v.Raw)
	return ""
}
