package scheduler_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
	"github.com/mentorbot/mentorbot/internal/scheduler"
)

// BenchmarkSweep measures one sweep that finds 100 due jobs among n scheduled for
// later, performing each with a no-op. Its cost must not grow with n. It reports the
// round trips to Redis per sweep (the lock, a claim each time workers are free, one
// finish per job, the unlock)
// and the commands Redis ran, those inside scripts included.
//
//	go test -run '^$' -bench Sweep -benchtime 50x ./internal/scheduler/
func BenchmarkSweep(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("due=100/scheduled=%d", n), func(b *testing.B) {
			r := redistest.New(b)
			var trips atomic.Int64
			store, err := redisstore.Open(r.URL, r.Prefix, redisstore.Options{RoundTrip: func() { trips.Add(1) }})
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			ctx := context.Background()
			clk := clock.NewSettable(t0)
			s := scheduler.New(store, clk, slog.New(slog.NewTextHandler(io.Discard, nil)), scheduler.Options{Workers: 8})
			s.Handle("noop", func(context.Context, mentor.Job) error { return nil })
			rdb := r.Client()
			// n jobs due far in the future, written in pipelines of 1,000.
			later := t0.AddDate(1, 0, 0).UnixMilli()
			for i := 0; i < n; i += 1000 {
				pipe := rdb.Pipeline()
				for k := i; k < min(i+1000, n); k++ {
					key := "later:" + strconv.Itoa(k)
					pipe.HSet(ctx, r.Prefix+"{sched}:job:"+key, "kind", "noop", "data", "{}", "created", t0.UnixMilli(), "gen", 1)
					pipe.ZAdd(ctx, r.Prefix+"{sched}:due", redisZ(float64(later), key))
				}
				if _, err := pipe.Exec(ctx); err != nil {
					b.Fatal(err)
				}
			}
			var commands, roundTrips int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for k := range 100 {
					if _, err := s.Schedule(ctx, mentor.Job{Key: fmt.Sprintf("due:%d:%d", i, k), Kind: "noop", Due: clk.Now()}, mentor.ScheduleReplace); err != nil {
						b.Fatal(err)
					}
				}
				before := commandsProcessed(b, rdb.Info(ctx, "stats").Val())
				tripsBefore := trips.Load()
				b.StartTimer()
				st, err := s.Sweep(ctx)
				b.StopTimer()
				roundTrips += trips.Load() - tripsBefore
				commands += commandsProcessed(b, rdb.Info(ctx, "stats").Val()) - before - 1 // the INFO itself
				if err != nil || st.Claimed != 100 {
					b.Fatalf("sweep = %+v, %v; want 100 claimed", st, err)
				}
				clk.Advance(time.Millisecond)
				b.StartTimer()
			}
			b.ReportMetric(float64(commands)/float64(b.N), "redis-cmds/sweep")
			b.ReportMetric(float64(roundTrips)/float64(b.N), "round-trips/sweep")
		})
	}
}

func commandsProcessed(b *testing.B, info string) int64 {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_commands_processed:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no total_commands_processed in INFO")
	return 0
}

func redisZ(score float64, member string) redis.Z { return redis.Z{Score: score, Member: member} }
