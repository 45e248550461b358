package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

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
	// An event id of this test alone, so a shared Redis (REDIS_URL) holding other
	// tests' keys does not confuse the check of where the key went.
	id := "Ev" + strings.ReplaceAll(uuid.NewString(), "-", "")
	first, err := s.MarkEventSeen(ctx, id)
	if err != nil || !first {
		t.Fatalf("first MarkEventSeen = %v, %v; want true, nil", first, err)
	}
	again, err := s.MarkEventSeen(ctx, id)
	if err != nil || again {
		t.Fatalf("second MarkEventSeen = %v, %v; want false, nil", again, err)
	}
	keys, err := r.Client().Keys(ctx, "*"+id+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || !strings.HasPrefix(keys[0], r.Prefix) {
		t.Fatalf("keys of the event = %q, want one under the prefix %q", keys, r.Prefix)
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
