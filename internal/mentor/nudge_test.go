package mentor_test

import (
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

func TestNudgeTimeKeepsToWorkingHoursInThePersonsZone(t *testing.T) {
	shanghai := mentor.Location("Asia/Shanghai", 0)
	chicago := mentor.Location("America/Chicago", 0)
	r := mentor.DefaultReminders() // 9 to 17, weekdays
	utc := func(d, h, m int) time.Time { return time.Date(2026, 10, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name string
		at   time.Time
		loc  *time.Location
		want time.Time
	}{
		// Mon 5 Oct 2026, 03:00 UTC is 11:00 in Shanghai: inside the window.
		{"inside the window", utc(5, 3, 0), shanghai, utc(5, 3, 0)},
		// 10:00 UTC is 18:00 in Shanghai: wait for Tuesday 09:00 there (01:00 UTC).
		{"after hours", utc(5, 10, 0), shanghai, utc(6, 1, 0)},
		// 10:00 UTC is 05:00 in Chicago (CDT): wait for 09:00 there (14:00 UTC).
		{"before hours", utc(5, 10, 0), chicago, utc(5, 14, 0)},
		// Sat 10 Oct 12:00 UTC is Saturday in Chicago: Monday 09:00 CDT.
		{"weekend", utc(10, 12, 0), chicago, utc(12, 14, 0)},
		// Fri 9 Oct 22:30 UTC is Saturday 06:30 in Shanghai: Monday 09:00 there.
		{"friday evening becomes saturday there", utc(9, 22, 30), shanghai, utc(12, 1, 0)},
		// The window's end is exclusive: 17:00 sharp waits for the next day.
		{"at the end of the window", utc(5, 22, 0), chicago, utc(6, 14, 0)},
		{"at the start of the window", utc(5, 14, 0), chicago, utc(5, 14, 0)},
		{"unknown zone counts as UTC", utc(5, 20, 0), mentor.Location("Mars/Olympus", 0), utc(6, 9, 0)},
		{"offset when the name is unknown", utc(5, 20, 0), mentor.Location("", 8*3600), utc(6, 1, 0)},
		// Fri 24 Apr 2026, Cairo moves its clocks from 00:00 to 01:00: 09:00 there is
		// still 09:00 (06:00 UTC, EEST), not 10:00.
		{"a weekday with a DST change", time.Date(2026, 4, 23, 23, 0, 0, 0, time.UTC), mentor.Location("Africa/Cairo", 0),
			time.Date(2026, 4, 24, 6, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mentor.NudgeTime(tt.at, tt.loc, r); !got.Equal(tt.want) {
				t.Errorf("NudgeTime(%v) = %v, want %v", tt.at, got.UTC(), tt.want)
			}
		})
	}
	off := r
	off.NudgeAnyTime = true
	if got := mentor.NudgeTime(utc(10, 3, 0), chicago, off); !got.Equal(utc(10, 3, 0)) {
		t.Errorf("with the rule off a nudge waited until %v", got)
	}
	wide := r
	wide.NudgeFromHour, wide.NudgeUntilHour = 7, 21
	if got := mentor.NudgeTime(utc(5, 12, 0), chicago, wide); !got.Equal(utc(5, 12, 0)) { // 07:00 CDT
		t.Errorf("a widened window held a nudge until %v", got)
	}
}

func TestNextDigest(t *testing.T) {
	c := goodCycle()
	c.TimeZone = "America/New_York"
	c.Reminders.DigestDay, c.Reminders.DigestHour = "wednesday", 10
	// Wed 7 Oct 2026 10:00 EDT is 14:00 UTC.
	got, ok := c.NextDigest(time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 10, 7, 14, 0, 0, 0, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("next digest = %v, want %v", got, want)
	}
	// At the digest time itself the next one is a week later.
	got, _ = c.NextDigest(time.Date(2026, 10, 7, 14, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 10, 14, 14, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("next digest after one = %v, want %v", got, want)
	}
	c.Reminders.DigestDay = "off"
	if _, ok := c.NextDigest(time.Now()); ok {
		t.Error("a digest that is off has a next time")
	}
}
