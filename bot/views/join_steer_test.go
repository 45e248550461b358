package views_test

import (
	"slices"
	"testing"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

func TestJoinAsksToContinueOnlyWithLastCyclesPartners(t *testing.T) {
	p := menteeSignup()
	p.ContinueWith = []string{"U0ROSA"}
	m := views.JoinModalWith(cycle(), p, false, []string{"U0ROSA"})
	d := mustValidView(t, m)
	mustContain(t, d.text(), "Continue with <@U0ROSA>")
	got, meta, err := views.ParseJoin(submit(t, m, nil))
	if err != nil || !slices.Equal(got.ContinueWith, []string{"U0ROSA"}) || !slices.Equal(meta.Partners, []string{"U0ROSA"}) {
		t.Fatalf("untouched: continue %v, meta %+v, %v", got.ContinueWith, meta, err)
	}
	got, _, err = views.ParseJoin(submit(t, m, submitted{"continue_with": []string{}}))
	if err != nil || len(got.ContinueWith) != 0 {
		t.Fatalf("unticked: continue %v, %v", got.ContinueWith, err)
	}
	// Without partners last cycle there is no such choice.
	if d := mustValidView(t, views.JoinModal(cycle(), menteeSignup(), false)); d.has("continue_with") {
		t.Fatal("a newcomer is asked whether to continue")
	}
}

func TestJoinTakesAMenteesRequestedMentor(t *testing.T) {
	m := views.JoinModal(cycle(), menteeSignup(), false)
	got, _, err := views.ParseJoin(submit(t, m, submitted{"request_mentor": "U0ROSA"}))
	if err != nil || got.RequestMentor != "U0ROSA" {
		t.Fatalf("requested mentor %q, %v", got.RequestMentor, err)
	}
	if d := mustValidView(t, views.JoinModal(cycle(), mentor.Participant{Role: mentor.RoleMentor}, false)); d.has("request_mentor") {
		t.Fatal("a mentor is asked for a mentor")
	}
	// Asking for someone on one's own avoid list is a field error.
	p := menteeSignup()
	p.RequestMentor, p.Avoid = "U0ROSA", []string{"U0ROSA"}
	fe := mustFieldErrors(t, p.Validate())
	if fe["request_mentor"] == "" {
		t.Fatalf("field errors %v", fe)
	}
}
