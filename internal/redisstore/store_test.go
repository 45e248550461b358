package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

func mustOpen(t *testing.T, r *redistest.Redis) *redisstore.Store {
	t.Helper()
	s, err := redisstore.Open(r.URL, r.Prefix, redisstore.Options{Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestEventSeenOnlyOnce(t *testing.T) {
	r := redistest.New(t)
	s := mustOpen(t, r)
	ctx := context.Background()
	first, err := s.MarkEventSeen(ctx, "Ev1")
	if err != nil || !first {
		t.Fatalf("first MarkEventSeen = %v, %v; want true, nil", first, err)
	}
	again, err := s.MarkEventSeen(ctx, "Ev1")
	if err != nil || again {
		t.Fatalf("second MarkEventSeen = %v, %v; want false, nil", again, err)
	}
	keys, err := r.Client().Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if len(k) < len(r.Prefix) || k[:len(r.Prefix)] != r.Prefix {
			t.Errorf("key %q is outside the prefix %q", k, r.Prefix)
		}
	}
}

func TestRedisOutageIsUnavailableThenRecovers(t *testing.T) {
	r := redistest.New(t)
	if !r.CanStop() {
		t.Skip("shared Redis from REDIS_URL cannot be stopped")
	}
	s := mustOpen(t, r)
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	r.Stop()
	err := s.Ping(ctx)
	if got := mentor.ErrorCode(err); got != mentor.EUNAVAILABLE {
		t.Fatalf("ping with Redis down: code %q (%v), want %q", got, err, mentor.EUNAVAILABLE)
	}
	if msg := mentor.ErrorMessage(err); msg == "" || msg == mentor.ErrorMessage(context.Canceled) {
		t.Fatalf("unavailable error has no specific message: %q", msg)
	}
	r.Restart()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping after restart: %v", err)
	}
}
