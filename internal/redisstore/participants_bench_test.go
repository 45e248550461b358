package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

// Reading every sign-up of a cycle of 10,000 people, as the pairing modal does:
// the time it takes, and how long Redis is held by its longest single command
// (slow_ms: the longest entry in SLOWLOG, which records commands over 1 ms; 0 when
// none took that long), since a long script blocks every replica meanwhile.
func BenchmarkParticipants10k(b *testing.B) {
	r := redistest.New(b)
	if r.Kind == redistest.KindMiniredis {
		b.Skip("needs a real redis-server")
	}
	s := r.Store()
	ctx := context.Background()
	at := time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 10000; i++ {
		p := mentee("big", fmt.Sprintf("U%06d", i))
		if i%3 == 0 {
			p = mentorP("big", fmt.Sprintf("U%06d", i), 2)
		}
		p.Needs = "Preparing for academic library interviews, a first grant proposal and a research agenda in digital preservation"
		if err := s.SaveSignup(ctx, p, at); err != nil {
			b.Fatal(err)
		}
	}
	rdb := r.Client()
	rdb.ConfigSet(ctx, "slowlog-log-slower-than", "1000")
	rdb.Do(ctx, "SLOWLOG", "RESET")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ps, err := s.Participants(ctx, "big")
		if err != nil || len(ps) != 10000 {
			b.Fatalf("read %d, %v", len(ps), err)
		}
	}
	b.StopTimer()
	var slowest time.Duration
	if logs, err := rdb.SlowLogGet(ctx, 128).Result(); err == nil {
		for _, l := range logs {
			slowest = max(slowest, l.Duration)
		}
	}
	b.ReportMetric(float64(slowest.Microseconds())/1000, "slow_ms")
}

// Reading in pages gives exactly the asked range, in sign-up order, across page
// boundaries.
func TestParticipantsReadInPagesKeepsTheRange(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)
	const n = 1203
	for i := 0; i < n; i++ {
		if err := s.SaveSignup(ctx, mentee("c", fmt.Sprintf("U%05d", i)), at.Add(time.Duration(i)*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []struct{ start, stop, want int }{{0, -1, n}, {450, 1050, 601}, {499, 500, 2}, {1000, -1, 203}, {0, 499, 500}, {1300, -1, 0}} {
		ps, err := s.ParticipantsWith(ctx, "c", mentor.RoleMentee, mentor.StatusPending, r.start, r.stop)
		if err != nil || len(ps) != r.want {
			t.Fatalf("range %d..%d: %d people, %v; want %d", r.start, r.stop, len(ps), err, r.want)
		}
		for i, p := range ps {
			if want := fmt.Sprintf("U%05d", r.start+i); p.UserID != want {
				t.Fatalf("range %d..%d: person %d is %s, want %s", r.start, r.stop, i, p.UserID, want)
			}
		}
	}
}
