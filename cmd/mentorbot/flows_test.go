package main

import (
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// openCycle has user open the program cycle with the form's defaults.
func (h *harness) openCycle(user string) slackfake.View {
	h.t.Helper()
	h.command(user, "program")
	v := h.view(user, "program", nil)
	res, err := h.slack.SubmitView(h.ctx, user, v.ID, slackfake.Values{})
	if err != nil {
		h.t.Fatalf("submit program: %v", err)
	}
	if len(res.Errors) > 0 {
		h.t.Fatalf("program form refused its own defaults: %v", res.Errors)
	}
	return v
}
