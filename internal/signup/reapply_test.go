package signup_test

import (
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/signup"
)

func TestReapplyAsksAfreshAboutLastCyclesPartners(t *testing.T) {
	last := mentor.Participant{UserID: "U0ADA", CycleID: "c2025", Role: mentor.RoleMentee, Needs: "Grant proposals, please.",
		ContinueWith: []string{"U0ROSA"}, RequestMentor: "U0SAM"}
	c := mentor.DefaultCycle(last.CreatedAt)
	c.ID = "c2026"
	got := signup.Reapply(last, c)
	if got.CycleID != "c2026" || got.Needs != last.Needs {
		t.Fatalf("reapplied %+v", got)
	}
	if len(got.ContinueWith) != 0 || got.RequestMentor != "" {
		t.Fatalf("last cycle's wishes carried over: continue %v, request %q", got.ContinueWith, got.RequestMentor)
	}
}
