package mentor_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// goodCycle is the 2026–2027 cycle the program usually runs, with an annual meeting.
func goodCycle() mentor.Cycle {
	c := mentor.DefaultCycle(time.Date(2026, time.September, 15, 12, 0, 0, 0, time.UTC))
	c.ID = "c2026"
	c.AnnualMeeting = mentor.Date(2027, time.March, 20)
	return c
}

// mustFieldErrors returns err as FieldErrors, failing the test if it is anything else.
func mustFieldErrors(t *testing.T, err error) mentor.FieldErrors {
	t.Helper()
	if err == nil {
		t.Fatal("got no error, want field errors")
	}
	var fe mentor.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("got %T (%v), want mentor.FieldErrors", err, err)
	}
	return fe
}

// mustOnlyField checks that err is FieldErrors with exactly one problem, under key.
func mustOnlyField(t *testing.T, err error, key string) {
	t.Helper()
	fe := mustFieldErrors(t, err)
	if _, ok := fe[key]; !ok || len(fe) != 1 {
		t.Fatalf("field errors = %v, want exactly one under %q", fe, key)
	}
	if strings.TrimSpace(fe[key]) == "" {
		t.Fatalf("field error %q has no message", key)
	}
}

func TestDefaultCycleIsValid(t *testing.T) {
	if err := goodCycle().Validate(); err != nil {
		t.Fatalf("the default cycle is invalid: %v", err)
	}
}

func TestCycleValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *mentor.Cycle)
		key    string
		also   string // a second field that is necessarily wrong too
	}{
		{"name empty", func(c *mentor.Cycle) { c.Name = "" }, "name", ""},
		{"name only spaces", func(c *mentor.Cycle) { c.Name = "   \t " }, "name", ""},
		{"name 81 characters", func(c *mentor.Cycle) { c.Name = strings.Repeat("é", 81) }, "name", ""},
		{"start missing", func(c *mentor.Cycle) { c.Start = time.Time{} }, "start", ""},
		{"end missing", func(c *mentor.Cycle) { c.End = time.Time{} }, "end", ""},
		// No due date can fall within a cycle that ends before it starts.
		{"end before start", func(c *mentor.Cycle) { c.End = c.Start.AddDate(0, 0, -1); c.EvaluationDue = c.End }, "end", "evaluation_due"},
		{"end equals start", func(c *mentor.Cycle) { c.End = c.Start; c.EvaluationDue = c.Start }, "end", ""},
		{"three years long", func(c *mentor.Cycle) { c.End = c.Start.AddDate(3, 0, 0) }, "end", ""},
		{"evaluation due before start", func(c *mentor.Cycle) { c.EvaluationDue = c.Start.AddDate(0, 0, -1) }, "evaluation_due", ""},
		{"evaluation due after end", func(c *mentor.Cycle) { c.EvaluationDue = c.End.AddDate(0, 0, 1) }, "evaluation_due", ""},
		{"evaluation due missing", func(c *mentor.Cycle) { c.EvaluationDue = time.Time{} }, "evaluation_due", ""},
		{"annual meeting before start", func(c *mentor.Cycle) { c.AnnualMeeting = c.Start.AddDate(0, 0, -1) }, "annual_meeting", ""},
		{"welcome negative", func(c *mentor.Cycle) { c.Reminders.WelcomeDays = -1 }, "welcome_days", ""},
		{"welcome over a year", func(c *mentor.Cycle) { c.Reminders.WelcomeDays = 366 }, "welcome_days", ""},
		{"contact negative", func(c *mentor.Cycle) { c.Reminders.ContactDays = -1 }, "contact_days", ""},
		{"contact over a year", func(c *mentor.Cycle) { c.Reminders.ContactDays = 366 }, "contact_days", ""},
		{"agreement negative", func(c *mentor.Cycle) { c.Reminders.AgreementDays = -1 }, "agreement_days", ""},
		{"agreement over a year", func(c *mentor.Cycle) { c.Reminders.AgreementDays = 366 }, "agreement_days", ""},
		{"committee agreement negative", func(c *mentor.Cycle) { c.Reminders.AgreementCommitteeDays = -1 }, "agreement_committee_days", ""},
		{"committee agreement over a year", func(c *mentor.Cycle) { c.Reminders.AgreementCommitteeDays = 366 }, "agreement_committee_days", ""},
		{"annual meeting reminder negative", func(c *mentor.Cycle) { c.Reminders.AnnualMeetingDays = -1 }, "annual_meeting_days", ""},
		{"annual meeting reminder over a year", func(c *mentor.Cycle) { c.Reminders.AnnualMeetingDays = 366 }, "annual_meeting_days", ""},
		{"committee told before the duo's reminder", func(c *mentor.Cycle) {
			c.Reminders.AgreementDays, c.Reminders.AgreementCommitteeDays = 14, 10
		}, "agreement_committee_days", ""},
		{"evaluation reminder negative", func(c *mentor.Cycle) { c.Reminders.EvaluationDays = []int{14, -3, 0} }, "evaluation_days", ""},
		{"evaluation reminder over a year", func(c *mentor.Cycle) { c.Reminders.EvaluationDays = []int{366} }, "evaluation_days", ""},
		{"keep in touch negative", func(c *mentor.Cycle) { c.Reminders.KeepInTouchPercent = -1 }, "keep_in_touch", ""},
		{"keep in touch over 1000 %", func(c *mentor.Cycle) { c.Reminders.KeepInTouchPercent = 1001 }, "keep_in_touch", ""},
		{"nudge window empty", func(c *mentor.Cycle) { c.Reminders.NudgeFromHour, c.Reminders.NudgeUntilHour = 17, 17 }, "nudge_hours", ""},
		{"nudge window backwards", func(c *mentor.Cycle) { c.Reminders.NudgeFromHour, c.Reminders.NudgeUntilHour = 17, 9 }, "nudge_hours", ""},
		{"nudge from negative", func(c *mentor.Cycle) { c.Reminders.NudgeFromHour = -1 }, "nudge_hours", ""},
		{"nudge until past midnight", func(c *mentor.Cycle) { c.Reminders.NudgeUntilHour = 25 }, "nudge_hours", ""},
		{"digest on a day that is not one", func(c *mentor.Cycle) { c.Reminders.DigestDay = "someday" }, "digest_day", ""},
		{"digest at hour 24", func(c *mentor.Cycle) { c.Reminders.DigestHour = 24 }, "digest_hour", ""},
		{"unknown time zone", func(c *mentor.Cycle) { c.TimeZone = "Mars/Olympus" }, "time_zone", ""},
		{"no topics", func(c *mentor.Cycle) { c.Topics = []mentor.Option{} }, "topics", ""},
		{"eleven topics", func(c *mentor.Cycle) { c.Topics = append(mentor.Topics(), mentor.Option{Value: "x", Label: "X"}) }, "topics", ""},
		{"a topic of 76 characters", func(c *mentor.Cycle) { c.Topics = []mentor.Option{{Value: "x", Label: strings.Repeat("x", 76)}} }, "topics", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := goodCycle()
			tt.change(&c)
			err := c.Validate()
			if tt.also != "" {
				fe := mustFieldErrors(t, err)
				if fe[tt.key] == "" || fe[tt.also] == "" || len(fe) != 2 {
					t.Fatalf("field errors = %v, want %q and %q", fe, tt.key, tt.also)
				}
				return
			}
			mustOnlyField(t, err, tt.key)
		})
	}
}

func TestCycleValidateAcceptsEdgeValues(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *mentor.Cycle)
	}{
		{"name of 80 characters", func(c *mentor.Cycle) { c.Name = strings.Repeat("é", 80) }},
		{"name with spaces around", func(c *mentor.Cycle) { c.Name = "  2026–2027  " }},
		{"exactly two years", func(c *mentor.Cycle) { c.End = c.Start.AddDate(2, 0, 0) }},
		{"evaluation due on the first day", func(c *mentor.Cycle) { c.EvaluationDue = c.Start }},
		{"evaluation due on the last day", func(c *mentor.Cycle) { c.EvaluationDue = c.End }},
		{"no annual meeting", func(c *mentor.Cycle) { c.AnnualMeeting = time.Time{} }},
		{"annual meeting on the first day", func(c *mentor.Cycle) { c.AnnualMeeting = c.Start }},
		{"annual meeting after the end", func(c *mentor.Cycle) { c.AnnualMeeting = c.End.AddDate(0, 1, 0) }},
		{"reminders at once", func(c *mentor.Cycle) {
			c.Reminders.WelcomeDays, c.Reminders.ContactDays, c.Reminders.AgreementDays = 0, 0, 0
			c.Reminders.AgreementCommitteeDays, c.Reminders.AnnualMeetingDays = 0, 0
			c.Reminders.EvaluationDays = []int{0}
		}},
		{"reminders a year out", func(c *mentor.Cycle) {
			c.Reminders.WelcomeDays, c.Reminders.ContactDays, c.Reminders.AgreementDays = 365, 365, 365
			c.Reminders.AgreementCommitteeDays, c.Reminders.AnnualMeetingDays = 365, 365
			c.Reminders.EvaluationDays = []int{365, 0}
		}},
		{"no evaluation reminders", func(c *mentor.Cycle) { c.Reminders.EvaluationDays = nil }},
		{"committee told with the duo", func(c *mentor.Cycle) { c.Reminders.AgreementCommitteeDays = c.Reminders.AgreementDays }},
		{"keep in touch 1000 %", func(c *mentor.Cycle) { c.Reminders.KeepInTouchPercent = 1000 }},
		{"nudges all day", func(c *mentor.Cycle) { c.Reminders.NudgeFromHour, c.Reminders.NudgeUntilHour = 0, 24 }},
		{"digest off", func(c *mentor.Cycle) { c.Reminders.DigestDay = "off" }},
		{"digest on Sunday at 23", func(c *mentor.Cycle) { c.Reminders.DigestDay, c.Reminders.DigestHour = "sunday", 23 }},
		{"committee in Paris", func(c *mentor.Cycle) { c.TimeZone = "Europe/Paris" }},
		{"nudges any time ignore the window", func(c *mentor.Cycle) {
			c.Reminders.NudgeAnyTime = true
			c.Reminders.NudgeFromHour, c.Reminders.NudgeUntilHour = 20, 3
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := goodCycle()
			tt.change(&c)
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate() = %v, want nil", err)
			}
		})
	}
}

func TestCycleValidateRefusesMoreThanTenEvaluationReminders(t *testing.T) {
	c := goodCycle()
	c.Reminders.EvaluationDays = []int{30, 20, 14, 10, 7, 5, 4, 3, 2, 1, 0}
	mustOnlyField(t, c.Validate(), "evaluation_days")
}

func TestCycleValidateRefusesJustOverTwoYears(t *testing.T) {
	c := goodCycle()
	c.Start, c.End, c.EvaluationDue, c.AnnualMeeting = mentor.Date(2029, time.January, 1), mentor.Date(2031, time.January, 3), mentor.Date(2030, time.May, 1), time.Time{}
	mustOnlyField(t, c.Validate(), "end")
}

func TestCycleValidateReportsEveryBrokenDateField(t *testing.T) {
	c := mentor.Cycle{}
	fe := mustFieldErrors(t, c.Validate())
	for _, key := range []string{"name", "start", "end", "evaluation_due"} {
		if fe[key] == "" {
			t.Errorf("no error for %q in %v", key, fe)
		}
	}
}

func TestDefaultCycle(t *testing.T) {
	tests := []struct {
		name      string
		now       time.Time
		wantName  string
		wantStart time.Time
		wantEnd   time.Time
		wantDue   time.Time
	}{
		{"November: the cycle that just began", time.Date(2026, time.November, 12, 9, 30, 0, 0, time.UTC),
			"2026–2027", mentor.Date(2026, time.October, 1), mentor.Date(2027, time.May, 31), mentor.Date(2027, time.May, 1)},
		{"March: the cycle that began the previous October", time.Date(2027, time.March, 3, 18, 0, 0, 0, time.UTC),
			"2026–2027", mentor.Date(2026, time.October, 1), mentor.Date(2027, time.May, 31), mentor.Date(2027, time.May, 1)},
		{"January 1st", time.Date(2027, time.January, 1, 0, 0, 0, 0, time.UTC),
			"2026–2027", mentor.Date(2026, time.October, 1), mentor.Date(2027, time.May, 31), mentor.Date(2027, time.May, 1)},
		{"May 31st", time.Date(2027, time.May, 31, 23, 0, 0, 0, time.UTC),
			"2026–2027", mentor.Date(2026, time.October, 1), mentor.Date(2027, time.May, 31), mentor.Date(2027, time.May, 1)},
		{"June: the coming cycle", time.Date(2027, time.June, 1, 0, 0, 0, 0, time.UTC),
			"2027–2028", mentor.Date(2027, time.October, 1), mentor.Date(2028, time.May, 31), mentor.Date(2028, time.May, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mentor.DefaultCycle(tt.now)
			if c.Name != tt.wantName || !c.Start.Equal(tt.wantStart) || !c.End.Equal(tt.wantEnd) || !c.EvaluationDue.Equal(tt.wantDue) {
				t.Fatalf("DefaultCycle(%s) = %q %s – %s due %s; want %q %s – %s due %s", tt.now,
					c.Name, c.Start.Format(mentor.DateLayout), c.End.Format(mentor.DateLayout), c.EvaluationDue.Format(mentor.DateLayout),
					tt.wantName, tt.wantStart.Format(mentor.DateLayout), tt.wantEnd.Format(mentor.DateLayout), tt.wantDue.Format(mentor.DateLayout))
			}
			if !c.AnnualMeeting.IsZero() || c.ID != "" {
				t.Errorf("default cycle has annual meeting %v, id %q; want neither", c.AnnualMeeting, c.ID)
			}
			want := mentor.DefaultReminders()
			r := c.Reminders
			if r.WelcomeDays != 3 || r.ContactDays != 7 || r.AgreementDays != 14 || r.AgreementCommitteeDays != 28 ||
				r.KeepInTouchPercent != 50 || r.AnnualMeetingDays != 30 || r.NudgeFromHour != 9 || r.NudgeUntilHour != 17 ||
				r.NudgeAnyTime || len(r.EvaluationDays) != 3 || r.EvaluationDays[0] != 14 || r.EvaluationDays[1] != 3 || r.EvaluationDays[2] != 0 {
				t.Errorf("reminders = %+v, want product.md's defaults %+v", r, want)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("default cycle is invalid: %v", err)
			}
		})
	}
}

func TestDefaultRemindersAreFreshCopies(t *testing.T) {
	a := mentor.DefaultReminders()
	a.EvaluationDays[0] = 99
	if b := mentor.DefaultReminders(); b.EvaluationDays[0] != 14 {
		t.Fatalf("changing one default changed the next: %v", b.EvaluationDays)
	}
}

func TestDefaultEvaluationDue(t *testing.T) {
	tests := []struct {
		name       string
		start, end time.Time
		want       time.Time
	}{
		{"usual cycle: May 1", mentor.Date(2026, time.October, 1), mentor.Date(2027, time.May, 31), mentor.Date(2027, time.May, 1)},
		{"ends on May 1", mentor.Date(2026, time.October, 1), mentor.Date(2027, time.May, 1), mentor.Date(2027, time.May, 1)},
		{"ends before May: the last day", mentor.Date(2026, time.October, 1), mentor.Date(2027, time.April, 15), mentor.Date(2027, time.April, 15)},
		{"starts after May 1: the last day", mentor.Date(2027, time.June, 1), mentor.Date(2027, time.December, 31), mentor.Date(2027, time.December, 31)},
		{"calendar year: May 1", mentor.Date(2027, time.January, 1), mentor.Date(2027, time.December, 31), mentor.Date(2027, time.May, 1)},
		{"starts on May 1", mentor.Date(2027, time.May, 1), mentor.Date(2027, time.September, 30), mentor.Date(2027, time.May, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mentor.DefaultEvaluationDue(tt.start, tt.end); !got.Equal(tt.want) {
				t.Fatalf("DefaultEvaluationDue = %s, want %s", got.Format(mentor.DateLayout), tt.want.Format(mentor.DateLayout))
			}
		})
	}
}

func TestCycleOpenUntilTheEndOfItsLastDay(t *testing.T) {
	c := goodCycle() // ends 2027-05-31
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"before the start", mentor.Date(2026, time.September, 1), true},
		{"mid-cycle", time.Date(2027, time.January, 10, 12, 0, 0, 0, time.UTC), true},
		{"last day, morning", time.Date(2027, time.May, 31, 8, 0, 0, 0, time.UTC), true},
		{"last day, 23:59", time.Date(2027, time.May, 31, 23, 59, 0, 0, time.UTC), true},
		{"last day, 23:59:59.999", time.Date(2027, time.May, 31, 23, 59, 59, 999_000_000, time.UTC), true},
		{"the next day, midnight", mentor.Date(2027, time.June, 1), false},
		{"the next day, noon", time.Date(2027, time.June, 1, 12, 0, 0, 0, time.UTC), false},
		{"a year later", mentor.Date(2028, time.January, 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Open(tt.now); got != tt.want {
				t.Fatalf("Open(%s) = %v, want %v", tt.now, got, tt.want)
			}
		})
	}
}

func TestDates(t *testing.T) {
	d, err := mentor.ParseDate("2027-05-01")
	if err != nil || !d.Equal(mentor.Date(2027, time.May, 1)) || d.Location() != time.UTC {
		t.Fatalf("ParseDate = %v, %v; want 2027-05-01 UTC", d, err)
	}
	for _, bad := range []string{"", "2027-5-1", "01/05/2027", "2027-02-30", "tomorrow"} {
		if _, err := mentor.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted a bad date", bad)
		}
	}
	if got := mentor.FormatDate(mentor.Date(2027, time.May, 1)); got != "Sat 1 May 2027" {
		t.Errorf("FormatDate = %q, want %q", got, "Sat 1 May 2027")
	}
	if got := mentor.FormatDate(time.Time{}); got != "" {
		t.Errorf("FormatDate(zero) = %q, want empty", got)
	}
}
