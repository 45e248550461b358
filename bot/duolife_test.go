package bot

import (
	"testing"
	"time"
)

// A message counts at the time Slack gave it, not when its event arrived: a
// redelivery minutes later must not move first contact or "last in touch".
func TestMessageTimeIsTheMessagesSlackTimestamp(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for ts, want := range map[string]time.Time{
		"1764503400.000200": time.Unix(1764503400, 200_000).UTC(),
		"1764503400.5":      time.Unix(1764503400, 500_000_000).UTC(),
		"1764503400":        time.Unix(1764503400, 0).UTC(),
		"":                  now,
		"not a ts":          now,
		"-5.000000":         now,
	} {
		if got := messageTime(ts, now); !got.Equal(want) {
			t.Errorf("messageTime(%q) = %v, want %v", ts, got, want)
		}
	}
}
