package redisstore_test

import (
	"context"
	"testing"
)

// The latest click wins, whatever order the clicks are handled in.
func TestLatestChoiceIsTheLatestClick(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	for _, step := range []struct{ ts, value, want string }{
		{"1700000000.000200", "mentor", "mentor"},
		{"1700000000.000100", "mentee", "mentor"}, // an older click handled late
		{"1700000001.000000", "mentee", "mentee"},
		{"", "mentor", "mentee"}, // no ts: never newer than a recorded click
	} {
		got, err := s.LatestChoice(ctx, "V1", "role", step.ts, step.value)
		if err != nil || got != step.want {
			t.Fatalf("click %s %s: latest = %q, %v; want %q", step.ts, step.value, got, err, step.want)
		}
	}
	if got, _ := s.LatestChoice(ctx, "V2", "role", "1700000000.000100", "mentee"); got != "mentee" {
		t.Fatalf("another view's choice = %q, want its own", got)
	}
}
