package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/slackfake"
	"github.com/mentorbot/mentorbot/internal/slackfake/slackfaketest"
)

// BenchmarkJoinModalVersusMinimalBot measures, in one process, how long 200 people
// running /mentorship join at once wait for their form: from the burst of commands
// to each views.open reaching Slack, for the real bot (which reads the cycle, the
// sign-up and last year's answers first) and, side by side on a Slack-compatible
// server of its own, a minimal slack-go bot that acks and opens a form without
// reading anything. It reports both p99s and their ratio (ours / minimal).
func BenchmarkJoinModalVersusMinimalBot(b *testing.B) {
	const people = 200
	h := startBot(b)
	h.openCycle(alice)
	minimal := slackfaketest.New(b)
	stop := startMinimalBot(b, minimal)
	defer stop()

	users := make([]string, people)
	for i := range users {
		users[i] = fmt.Sprintf("U6%08d", i)
		for _, s := range []*slackfake.Server{h.slack, minimal} {
			s.AddUser(slackfake.User{ID: users[i], Name: users[i], TZ: "UTC"})
		}
	}
	if err := h.slack.SetMembers(general, append(users, h.slack.Options().BotUserID)...); err != nil {
		b.Fatal(err)
	}
	minimalChannel := slackfaketest.MustChannel(b, minimal, slackfake.Channel{Name: "general", Members: append(slices.Clone(users), minimal.Options().BotUserID)})

	var ours, theirs []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ours = append(ours, burst(b, h.slack, general, users)...)
		theirs = append(theirs, burst(b, minimal, minimalChannel.ID, users)...)
	}
	b.StopTimer()
	p99 := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[int(0.99*float64(len(d)-1))].Microseconds()) / 1000
	}
	o, m := p99(ours), p99(theirs)
	b.ReportMetric(o, "mentorbot-p99-ms")
	b.ReportMetric(m, "minimal-p99-ms")
	b.ReportMetric(o/m, "ratio")
}

// burst sends /mentorship join as every user at once in channel and returns, for
// each views.open Slack received, how long after the burst began it came.
func burst(b *testing.B, s *slackfake.Server, channel string, users []string) []time.Duration {
	var mu sync.Mutex
	var took []time.Duration
	done := make(chan struct{})
	start := time.Now()
	remove := s.OnCall("views.open", func(c slackfake.Call) {
		mu.Lock()
		defer mu.Unlock()
		took = append(took, time.Since(start))
		if len(took) == len(users) {
			close(done)
		}
	})
	defer remove()
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.SlashCommand(context.Background(), u, channel, "join"); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		mu.Lock()
		b.Fatalf("only %d of %d forms opened", len(took), len(users))
	}
	// Each person closes their form, so the next round opens a fresh one.
	for _, v := range s.Views() {
		if v.Open && v.Type == "modal" {
			s.CloseView(context.Background(), v.User, v.ID)
		}
	}
	return took
}

// startMinimalBot runs the smallest slack-go Socket Mode bot that answers a slash
// command with the sign-up form: ack, then views.open, reading nothing.
func startMinimalBot(b *testing.B, s *slackfake.Server) (stop func()) {
	api := slack.New(s.Options().BotToken, slack.OptionAPIURL(s.APIURL()), slack.OptionAppLevelToken(s.Options().AppToken))
	sm := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	// The same form the real bot opens, built once: what differs is only the work
	// before views.open.
	c := mentor.DefaultCycle(time.Now())
	c.ID = "bench"
	modal := *views.JoinModal(c, mentor.Participant{}, false)
	go func() {
		for evt := range sm.Events {
			if evt.Type != socketmode.EventTypeSlashCommand {
				continue
			}
			cmd, _ := evt.Data.(slack.SlashCommand)
			sm.Ack(*evt.Request)
			go api.OpenViewContext(ctx, cmd.TriggerID, modal)
		}
	}()
	go sm.RunContext(ctx)
	if err := s.WaitConnected(ctx, 1); err != nil {
		b.Fatal(err)
	}
	return cancel
}
