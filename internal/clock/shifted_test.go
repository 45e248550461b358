package clock

import (
	"testing"
	"time"
)

func TestShiftedRunsFromWhereItWasMoved(t *testing.T) {
	wall := time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)
	c := NewShifted(0)
	c.wall = func() time.Time { return wall }

	if got := c.Now(); !got.Equal(wall) {
		t.Fatalf("Now = %v, want the wall clock %v", got, wall)
	}
	if got := c.Advance(7 * 24 * time.Hour); !got.Equal(wall.AddDate(0, 0, 7)) {
		t.Fatalf("Advance(1 week) = %v, want %v", got, wall.AddDate(0, 0, 7))
	}
	wall = wall.Add(90 * time.Second) // real time passes
	if got, want := c.Now(), time.Date(2026, 10, 12, 9, 1, 30, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("after 90 s of wall time Now = %v, want %v (the clock keeps running)", got, want)
	}
	target := time.Date(2027, 5, 1, 12, 0, 0, 0, time.UTC)
	c.Set(target)
	if got := c.Now(); !got.Equal(target) {
		t.Fatalf("after Set, Now = %v, want %v", got, target)
	}
	wall = wall.Add(time.Minute)
	if got := c.Now(); !got.Equal(target.Add(time.Minute)) {
		t.Fatalf("a minute after Set, Now = %v, want %v", got, target.Add(time.Minute))
	}
}
