package main

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// BenchmarkHelpAck sends 200 concurrent "/mentorship help" commands per iteration
// through the Slack-compatible test server to the real bot, and reports the ack
// latency the server measured (envelope written → ack read) at p50 and p99, plus
// the time until all 200 ephemeral answers arrived.
func BenchmarkHelpAck(b *testing.B) {
	const concurrent = 200
	h := startBot(b)
	users := make([]string, concurrent)
	for i := range users {
		users[i] = fmt.Sprintf("U5%08d", i)
		h.slack.AddUser(slackfake.User{ID: users[i], Name: users[i]})
	}
	if err := h.slack.SetMembers(general, append(users, h.slack.Options().BotUserID)...); err != nil {
		b.Fatal(err)
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		answered  []time.Duration
	)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		var wg sync.WaitGroup
		for _, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ack, err := h.slack.SlashCommand(h.ctx, u, general, "help")
				if err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				latencies = append(latencies, ack.Latency)
				mu.Unlock()
			}()
		}
		wg.Wait()
		want := (i + 1) * concurrent
		if err := h.slack.Wait(h.ctx, func() bool {
			n := 0
			for _, u := range users {
				n += len(h.slack.Ephemerals(u))
			}
			return n >= want
		}); err != nil {
			b.Fatalf("answers missing: %v", err)
		}
		answered = append(answered, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(latencies)
	slices.Sort(answered)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "ack-p50-ms")
	b.ReportMetric(pct(0.99), "ack-p99-ms")
	b.ReportMetric(float64(latencies[len(latencies)-1].Microseconds())/1000, "ack-max-ms")
	b.ReportMetric(float64(answered[len(answered)/2].Milliseconds()), "all-answered-ms")
}
