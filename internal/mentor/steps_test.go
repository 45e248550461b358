package mentor_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// duo is an approved pair created at created, with the given checklist items ticked.
func duo(id string, created time.Time, ticked ...string) mentor.Duo {
	d := mentor.Duo{ID: id, CycleID: "c2026", MentorID: "U0MENTOR1", MenteeID: "U0MENTEE1", CreatedAt: created, Checklist: map[string]bool{}}
	for _, item := range ticked {
		d.Checklist[item] = true
	}
	return d
}

func withStatus(p mentor.Participant, s mentor.Status, duos ...string) *mentor.Participant {
	p.Status, p.Duos = s, duos
	return &p
}

func TestNextStep(t *testing.T) {
	c := goodCycle() // 2026-10-01 – 2027-05-31, evaluations due 2027-05-01, contact 7 days, welcome 3
	during := time.Date(2026, time.November, 20, 10, 0, 0, 0, time.UTC)
	after := mentor.Date(2027, time.June, 1)
	created := time.Date(2026, time.November, 2, 15, 4, 5, 0, time.UTC)

	tests := []struct {
		name    string
		p       *mentor.Participant
		duos    []mentor.Duo
		now     time.Time
		want    mentor.StepKind
		wantDue time.Time
		wantDuo string
	}{
		{"not signed up, cycle open", nil, nil, during, mentor.StepJoin, time.Time{}, ""},
		{"not signed up, last day", nil, nil, time.Date(2027, time.May, 31, 23, 59, 0, 0, time.UTC), mentor.StepJoin, time.Time{}, ""},
		{"not signed up, cycle over", nil, nil, after, mentor.StepNothing, time.Time{}, ""},
		{"withdrawn, cycle open", withStatus(goodMentee(), mentor.StatusWithdrawn), nil, during, mentor.StepRejoin, time.Time{}, ""},
		{"withdrawn, cycle over", withStatus(goodMentee(), mentor.StatusWithdrawn), nil, after, mentor.StepNothing, time.Time{}, ""},
		{"left a duo, cycle open", withStatus(goodMentee(), mentor.StatusWithdrawn, "d1"),
			[]mentor.Duo{duo("d1", created)}, during, mentor.StepLeftDuo, time.Time{}, ""},
		{"left a duo, cycle over", withStatus(goodMentor(), mentor.StatusWithdrawn, "d1"),
			[]mentor.Duo{duo("d1", created)}, after, mentor.StepNothing, time.Time{}, ""},
		{"pending mentee", withStatus(goodMentee(), mentor.StatusPending), nil, during, mentor.StepWaitForMatch, time.Time{}, ""},
		{"pending mentor", withStatus(goodMentor(), mentor.StatusPending), nil, during, mentor.StepWaitForMatch, time.Time{}, ""},
		{"matched mentee, no contact yet", withStatus(goodMentee(), mentor.StatusMatched, "d1"),
			[]mentor.Duo{duo("d1", created)}, during, mentor.StepContactMentor, created.AddDate(0, 0, 7), "d1"},
		{"matched mentee, the mentor's welcome does not count", withStatus(goodMentee(), mentor.StatusMatched, "d1"),
			[]mentor.Duo{duo("d1", created, "mentor.welcome")}, during, mentor.StepContactMentor, created.AddDate(0, 0, 7), "d1"},
		{"matched mentee, contact made", withStatus(goodMentee(), mentor.StatusMatched, "d1"),
			[]mentor.Duo{duo("d1", created, "mentee.contact")}, during, mentor.StepEvaluate, c.EvaluationDue, ""},
		{"matched mentor, no welcome yet", withStatus(goodMentor(), mentor.StatusMatched, "d1"),
			[]mentor.Duo{duo("d1", created, "mentee.contact")}, during, mentor.StepWelcomeMentee, created.AddDate(0, 0, 3), "d1"},
		{"matched mentor, welcome sent", withStatus(goodMentor(), mentor.StatusMatched, "d1"),
			[]mentor.Duo{duo("d1", created, "mentor.welcome")}, during, mentor.StepEvaluate, c.EvaluationDue, ""},
		{"mentor of two, second duo not welcomed", withStatus(goodMentor(), mentor.StatusMatched, "d1", "d2"),
			[]mentor.Duo{duo("d1", created, "mentor.welcome"), duo("d2", created.AddDate(0, 0, 10))}, during,
			mentor.StepWelcomeMentee, created.AddDate(0, 0, 13), "d2"},
		{"matched mentee after the end", withStatus(goodMentee(), mentor.StatusMatched, "d1"),
			[]mentor.Duo{duo("d1", created)}, after, mentor.StepNothing, time.Time{}, ""},
		{"matched mentor after the end", withStatus(goodMentor(), mentor.StatusMatched, "d1"),
			[]mentor.Duo{duo("d1", created, "mentor.welcome")}, after, mentor.StepNothing, time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := mentor.NextStep(c, tt.p, tt.duos, tt.now)
			if st.Kind != tt.want {
				t.Fatalf("NextStep kind = %q, want %q", st.Kind, tt.want)
			}
			if !st.Due.Equal(tt.wantDue) {
				t.Errorf("due = %v, want %v", st.Due, tt.wantDue)
			}
			switch {
			case tt.wantDuo == "" && st.Duo != nil:
				t.Errorf("step concerns duo %q, want none", st.Duo.ID)
			case tt.wantDuo != "" && (st.Duo == nil || st.Duo.ID != tt.wantDuo):
				t.Errorf("step concerns duo %v, want %q", st.Duo, tt.wantDuo)
			}
		})
	}
}

func TestNextStepDueFollowsTheCycleReminders(t *testing.T) {
	c := goodCycle()
	c.Reminders.ContactDays = 0 // "at once"
	created := time.Date(2026, time.November, 2, 15, 0, 0, 0, time.UTC)
	st := mentor.NextStep(c, withStatus(goodMentee(), mentor.StatusMatched, "d1"), []mentor.Duo{duo("d1", created)}, created)
	if st.Kind != mentor.StepContactMentor || !st.Due.Equal(created) {
		t.Fatalf("step = %s due %v, want contact due at the duo's creation", st.Kind, st.Due)
	}
}

func TestResponsibilities(t *testing.T) {
	rs := mentor.Responsibilities()
	if len(rs) == 0 {
		t.Fatal("no responsibilities")
	}
	seen := map[string]bool{}
	roles := map[mentor.Role]int{}
	for _, r := range rs {
		if r.ID == "" || strings.TrimSpace(r.Label) == "" {
			t.Errorf("item %+v has no id or label", r)
		}
		if seen[r.ID] {
			t.Errorf("id %q is used twice", r.ID)
		}
		seen[r.ID] = true
		roles[r.Role]++
		wantPrefix := map[mentor.Role]string{mentor.RoleMentee: "mentee.", mentor.RoleMentor: "mentor.", "": "both."}[r.Role]
		if !strings.HasPrefix(r.ID, wantPrefix) {
			t.Errorf("id %q of a %q item should start with %q", r.ID, r.Role, wantPrefix)
		}
		got, ok := mentor.ResponsibilityByID(r.ID)
		if !ok || got != r {
			t.Errorf("ResponsibilityByID(%q) = %+v, %v", r.ID, got, ok)
		}
	}
	if roles[mentor.RoleMentee] == 0 || roles[mentor.RoleMentor] == 0 || roles[""] == 0 {
		t.Errorf("items per role = %v, want some for the mentee, the mentor and both", roles)
	}
	// The items NextStep and the message events rely on.
	for _, id := range []string{"mentee.contact", "mentor.welcome", "both.agreement", "both.evaluation"} {
		if !seen[id] {
			t.Errorf("checklist lacks %q", id)
		}
	}
	if _, ok := mentor.ResponsibilityByID("mentee.nap"); ok {
		t.Error("ResponsibilityByID found an item that does not exist")
	}
	if _, ok := mentor.ResponsibilityByID(""); ok {
		t.Error("ResponsibilityByID found the empty id")
	}
}

func TestDuoMembers(t *testing.T) {
	d := duo("d1", time.Time{})
	if !d.Has("U0MENTOR1") || !d.Has("U0MENTEE1") || d.Has("U0OTHER01") || d.Has("") {
		t.Error("Has")
	}
	if d.Partner("U0MENTOR1") != "U0MENTEE1" || d.Partner("U0MENTEE1") != "U0MENTOR1" {
		t.Error("Partner")
	}
	s := mentor.DuoSetup{ChannelCreated: true, Invited: true, WelcomePosted: true, MentorTold: true, MenteeTold: true}
	if s.Done() {
		t.Error("setup done before the committee was told")
	}
	s.CommitteeTold = true
	if !s.Done() {
		t.Error("setup not done with every step finished")
	}
}
