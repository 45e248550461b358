package mentor_test

import (
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// goodMentee is a complete, valid mentee sign-up.
func goodMentee() mentor.Participant {
	return mentor.Participant{
		UserID: "U0MENTEE1", CycleID: "c2026", Name: "Ada Lovelace",
		Role: mentor.RoleMentee, Stage: mentor.StageStudent,
		Areas: []string{"career", "grants"}, OtherAreas: "digital humanities",
		Needs:   "Preparing for academic library interviews and a first grant application.",
		CVURL:   "https://example.org/ada-cv.pdf",
		Methods: []string{"email", "video"}, Frequency: "monthly", HoursPerMonth: 4,
		Avoid: []string{"U0EXBOSS1"}, Status: mentor.StatusPending,
	}
}

// goodMentor is a complete, valid mentor sign-up with two places.
func goodMentor() mentor.Participant {
	return mentor.Participant{
		UserID: "U0MENTOR1", CycleID: "c2026", Name: "Grace Hopper",
		Role: mentor.RoleMentor, Stage: mentor.StageSenior,
		Areas:   []string{"career", "research"},
		Offer:   "Twenty years in academic libraries: cataloguing, grant writing, the tenure track.",
		Methods: []string{"video"}, Frequency: "biweekly", HoursPerMonth: 3, Capacity: 2,
		Status: mentor.StatusPending,
	}
}

func TestParticipantValidateAcceptsGoodSignups(t *testing.T) {
	for name, p := range map[string]mentor.Participant{"mentee": goodMentee(), "mentor": goodMentor()} {
		if err := p.Validate(); err != nil {
			t.Errorf("%s: Validate() = %v, want nil", name, err)
		}
	}
}

func TestParticipantValidate(t *testing.T) {
	tests := []struct {
		name   string
		base   func() mentor.Participant
		change func(p *mentor.Participant)
		key    string
	}{
		{"no role", goodMentee, func(p *mentor.Participant) { p.Role = "" }, "role"},
		{"unknown role", goodMentee, func(p *mentor.Participant) { p.Role = "sponsor" }, "role"},
		{"no stage", goodMentee, func(p *mentor.Participant) { p.Stage = "" }, "stage"},
		{"unknown stage", goodMentor, func(p *mentor.Participant) { p.Stage = "emeritus" }, "stage"},
		{"no areas and no other areas", goodMentee, func(p *mentor.Participant) { p.Areas, p.OtherAreas = nil, "  " }, "areas"},
		{"unknown area", goodMentee, func(p *mentor.Participant) { p.Areas = []string{"career", "knitting"} }, "areas"},
		{"other areas too long", goodMentee, func(p *mentor.Participant) { p.OtherAreas = strings.Repeat("ü", 201) }, "other_areas"},
		{"other areas too long without areas", goodMentee, func(p *mentor.Participant) { p.Areas, p.OtherAreas = nil, strings.Repeat("x", 201) }, "other_areas"},
		{"mentee without needs", goodMentee, func(p *mentor.Participant) { p.Needs = " \n " }, "needs"},
		{"mentee needs too short", goodMentee, func(p *mentor.Participant) { p.Needs = "help  me  " }, "needs"},
		{"mentee needs too long", goodMentee, func(p *mentor.Participant) { p.Needs = strings.Repeat("需", 1501) }, "needs"},
		{"mentor without offer", goodMentor, func(p *mentor.Participant) { p.Offer = "" }, "offer"},
		{"mentor offer too short", goodMentor, func(p *mentor.Participant) { p.Offer = "catalogs" }, "offer"},
		{"mentor offer too long", goodMentor, func(p *mentor.Participant) { p.Offer = strings.Repeat("a", 1501) }, "offer"},
		{"mentor capacity 0", goodMentor, func(p *mentor.Participant) { p.Capacity = 0 }, "capacity"},
		{"mentor capacity 4", goodMentor, func(p *mentor.Participant) { p.Capacity = 4 }, "capacity"},
		{"CV link javascript:", goodMentee, func(p *mentor.Participant) { p.CVURL = "javascript:alert(1)" }, "cv_url"},
		{"CV link ftp:", goodMentee, func(p *mentor.Participant) { p.CVURL = "ftp://example.org/cv.pdf" }, "cv_url"},
		{"CV link without host", goodMentee, func(p *mentor.Participant) { p.CVURL = "https:///cv.pdf" }, "cv_url"},
		{"CV link without scheme", goodMentee, func(p *mentor.Participant) { p.CVURL = "example.org/cv.pdf" }, "cv_url"},
		{"CV link with a Slack link inside", goodMentee, func(p *mentor.Participant) { p.CVURL = "https://example.org/<https://evil|x>" }, "cv_url"},
		{"CV link too long", goodMentee, func(p *mentor.Participant) { p.CVURL = "https://example.org/" + strings.Repeat("a", 481) }, "cv_url"},
		{"no methods", goodMentee, func(p *mentor.Participant) { p.Methods = nil }, "methods"},
		{"unknown method", goodMentor, func(p *mentor.Participant) { p.Methods = []string{"video", "carrier pigeon"} }, "methods"},
		{"no frequency", goodMentee, func(p *mentor.Participant) { p.Frequency = "" }, "frequency"},
		{"unknown frequency", goodMentee, func(p *mentor.Participant) { p.Frequency = "daily" }, "frequency"},
		{"0 hours", goodMentee, func(p *mentor.Participant) { p.HoursPerMonth = 0 }, "hours"},
		{"41 hours", goodMentor, func(p *mentor.Participant) { p.HoursPerMonth = 41 }, "hours"},
		{"avoiding oneself", goodMentee, func(p *mentor.Participant) { p.Avoid = []string{"U0EXBOSS1", p.UserID} }, "avoid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.base()
			tt.change(&p)
			mustOnlyField(t, p.Validate(), tt.key)
		})
	}
}

func TestParticipantValidateAcceptsLimits(t *testing.T) {
	tests := []struct {
		name   string
		base   func() mentor.Participant
		change func(p *mentor.Participant)
	}{
		{"only other areas", goodMentee, func(p *mentor.Participant) { p.Areas = nil }},
		{"only listed areas", goodMentee, func(p *mentor.Participant) { p.OtherAreas = "" }},
		{"other areas of 200 characters", goodMentee, func(p *mentor.Participant) { p.OtherAreas = strings.Repeat("ü", 200) }},
		{"needs of exactly 10 characters", goodMentee, func(p *mentor.Participant) { p.Needs = "  résumé ok!  " }},
		{"needs of 1500 characters", goodMentee, func(p *mentor.Participant) { p.Needs = strings.Repeat("需", 1500) }},
		{"mentee capacity is not asked", goodMentee, func(p *mentor.Participant) { p.Capacity = 0 }},
		{"mentee without offer", goodMentee, func(p *mentor.Participant) { p.Offer = "" }},
		{"mentor without needs", goodMentor, func(p *mentor.Participant) { p.Needs = "" }},
		{"capacity 1", goodMentor, func(p *mentor.Participant) { p.Capacity = 1 }},
		{"capacity 3", goodMentor, func(p *mentor.Participant) { p.Capacity = 3 }},
		{"no CV link", goodMentee, func(p *mentor.Participant) { p.CVURL = "" }},
		{"plain http CV link", goodMentee, func(p *mentor.Participant) { p.CVURL = "http://example.org/cv" }},
		{"CV link of 500 characters", goodMentee, func(p *mentor.Participant) { p.CVURL = "https://example.org/" + strings.Repeat("a", 480) }},
		{"1 hour", goodMentee, func(p *mentor.Participant) { p.HoursPerMonth = 1 }},
		{"40 hours", goodMentee, func(p *mentor.Participant) { p.HoursPerMonth = 40 }},
		{"every method", goodMentee, func(p *mentor.Participant) { p.Methods = []string{"email", "slack", "video", "phone", "in-person"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.base()
			tt.change(&p)
			if err := p.Validate(); err != nil {
				t.Fatalf("Validate() = %v, want nil", err)
			}
		})
	}
}

func TestParticipantValidateFirstProblemOfAFieldWins(t *testing.T) {
	p := goodMentee()
	p.Methods = nil
	p.Frequency = "hourly"
	p.HoursPerMonth = 99
	fe := mustFieldErrors(t, p.Validate())
	if len(fe) != 3 || fe["methods"] == "" || fe["frequency"] == "" || fe["hours"] == "" {
		t.Fatalf("field errors = %v, want methods, frequency and hours", fe)
	}
	if !strings.Contains(fe["methods"], "at least one") {
		t.Errorf("methods message = %q, want the missing-method one", fe["methods"])
	}
}

func TestFreeSlotsAndMatchable(t *testing.T) {
	withDuos := func(p mentor.Participant, status mentor.Status, duos ...string) mentor.Participant {
		p.Status, p.Duos = status, duos
		return p
	}
	tests := []struct {
		name      string
		p         mentor.Participant
		free      int
		matchable bool
	}{
		{"pending mentee", goodMentee(), 0, true},
		{"matched mentee", withDuos(goodMentee(), mentor.StatusMatched, "d1"), 0, false},
		{"withdrawn mentee", withDuos(goodMentee(), mentor.StatusWithdrawn), 0, false},
		{"mentor with no mentee", goodMentor(), 2, true},
		{"mentor with one of two", withDuos(goodMentor(), mentor.StatusMatched, "d1"), 1, true},
		{"full mentor", withDuos(goodMentor(), mentor.StatusMatched, "d1", "d2"), 0, false},
		{"over-full mentor", withDuos(goodMentor(), mentor.StatusMatched, "d1", "d2", "d3"), 0, false},
		{"withdrawn mentor", withDuos(goodMentor(), mentor.StatusWithdrawn), 0, false},
		{"withdrawn mentor with a duo", withDuos(goodMentor(), mentor.StatusWithdrawn, "d1"), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.FreeSlots(); got != tt.free {
				t.Errorf("FreeSlots() = %d, want %d", got, tt.free)
			}
			if got := tt.p.Matchable(); got != tt.matchable {
				t.Errorf("Matchable() = %v, want %v", got, tt.matchable)
			}
		})
	}
}

func TestVocabulary(t *testing.T) {
	if !mentor.RoleMentor.Valid() || !mentor.RoleMentee.Valid() || mentor.Role("").Valid() || mentor.Role("Mentor").Valid() {
		t.Error("Role.Valid accepts only mentor and mentee")
	}
	if mentor.RoleMentor.Label() != "Mentor" || mentor.RoleMentee.Label() != "Mentee" || mentor.Role("x").Label() != "x" {
		t.Error("Role.Label")
	}
	if got := mentor.LabelOf(mentor.Frequencies(), "biweekly"); got != "Every two weeks" {
		t.Errorf("LabelOf(biweekly) = %q", got)
	}
	if got := mentor.LabelOf(mentor.Frequencies(), "yearly"); got != "yearly" {
		t.Errorf("LabelOf(unknown) = %q, want the value itself", got)
	}
	if len(mentor.Topics()) > 10 || len(mentor.Methods()) > 10 || len(mentor.Frequencies()) > 10 || len(mentor.Stages()) > 10 {
		t.Error("a choice list has more than 10 options, more than Slack's checkboxes and radio buttons take")
	}
	for _, f := range []struct {
		freq string
		days int
	}{{"weekly", 7}, {"biweekly", 14}, {"monthly", 30}, {"", 30}, {"daily", 30}} {
		if got := mentor.FrequencyInterval(f.freq); got.Hours() != float64(24*f.days) {
			t.Errorf("FrequencyInterval(%q) = %v, want %d days", f.freq, got, f.days)
		}
	}
}
