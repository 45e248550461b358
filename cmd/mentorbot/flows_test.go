package main

import (
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
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

// latestRound returns the pairing round the last /mentorship match stored.
func (h *harness) latestRound(cycleID string) mentor.PairingRound {
	h.t.Helper()
	keys, err := h.redis.Client().Keys(h.ctx, h.redis.Prefix+"*:round:*").Result()
	if err != nil || len(keys) == 0 {
		h.t.Fatalf("no pairing round stored: %v", err)
	}
	var latest mentor.PairingRound
	for _, k := range keys {
		id := k[strings.LastIndex(k, ":")+1:]
		r, err := h.store().Round(h.ctx, cycleID, id)
		if err == nil && (latest.ID == "" || r.CreatedAt.After(latest.CreatedAt)) {
			latest = r
		}
	}
	return latest
}

// eventually polls cond (state outside the test server, such as Redis) until it
// holds or the test's deadline passes.
func (h *harness) eventually(what string, cond func() bool) {
	h.t.Helper()
	for !cond() {
		select {
		case <-h.ctx.Done():
			h.t.Fatalf("never: %s", what)
		case <-time.After(5 * time.Millisecond):
		}
	}
}
