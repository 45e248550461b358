package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/bot"
	"github.com/mentorbot/mentorbot/internal/slackfake"
	"github.com/mentorbot/mentorbot/internal/slackfake/slackfaketest"
)

// manifestScopes returns the bot scopes manifests/slack-app.yaml asks for: the list
// under oauth_config.scopes.bot.
func manifestScopes(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("../../manifests/slack-app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var scopes []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "bot:" && strings.HasPrefix(line, "    bot:"):
			in = true
		case in && strings.HasPrefix(trimmed, "- "):
			scope, _, _ := strings.Cut(strings.TrimPrefix(trimmed, "- "), "#")
			scopes = append(scopes, strings.TrimSpace(scope))
		case in:
			return scopes
		}
	}
	return scopes
}

func TestTheManifestAsksForExactlyTheScopesTheStartUpCheckRequires(t *testing.T) {
	got, want := manifestScopes(t), bot.RequiredScopes()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("manifest bot scopes %v, the code requires %v", got, want)
	}
}

// startFails runs the bot (the real run()) on h's workspace, expecting it to stop by
// itself, and returns what main prints and the exit status.
func (h *harness) startFails() (printed string, status int) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 20*time.Second)
	defer cancel()
	deps := runDeps{clock: h.clock, slackTimeout: 2 * time.Second,
		preflightBackoff: []time.Duration{10 * time.Millisecond}}
	err := runWith(ctx, deps, []string{"run"}, func(k string) string { return h.env[k] }, io.Discard, h.logs)
	if err == nil || ctx.Err() != nil {
		h.t.Fatalf("the bot did not stop by itself (%v); logs:\n%s", err, h.logs.String())
	}
	var out bytes.Buffer
	status = reportError(&out, err)
	for _, secret := range []string{h.env["SLACK_BOT_TOKEN"], h.env["SLACK_APP_TOKEN"]} {
		if strings.Contains(out.String()+h.logs.String(), secret) {
			h.t.Errorf("a token was printed")
		}
	}
	return out.String(), status
}

func TestEachStartUpFailureIsOneLineNamingTheFixAndExitStatus2(t *testing.T) {
	cases := []struct {
		name  string
		setup func(h *harness)
		want  string
	}{
		{"bot not invited to the committee channel", func(h *harness) {
			slackfaketest.MustChannel(h.t, h.slack, slackfake.Channel{ID: "C0NOBOT", Name: "committee-2", Private: true, Members: []string{alice}})
			h.env["MENTORBOT_COMMITTEE_CHANNEL"] = "C0NOBOT"
		}, "MENTORBOT_COMMITTEE_CHANNEL: @mentorbot cannot see channel C0NOBOT (channel_not_found): type /invite @mentorbot in the committee channel, or set the channel's ID (channel details → About)"},
		{"committee channel public", func(h *harness) {
			h.env["MENTORBOT_COMMITTEE_CHANNEL"] = general
		}, "MENTORBOT_COMMITTEE_CHANNEL: Slack will not show channel C0GENERAL to the bot without the channels:read scope (missing_scope), so it is a public channel; anyone could join it and act as the committee: make it private (channel settings → Change to a private channel) or set the ID of a private one"},
		{"committee channel public, channels:read granted", func(h *harness) {
			h.slack.SetScopes(slackfake.TokenBot, append(manifestScopes(h.t), "channels:read")...)
			h.env["MENTORBOT_COMMITTEE_CHANNEL"] = general
		}, "MENTORBOT_COMMITTEE_CHANNEL: #general is a public channel, so anyone could join it and act as the committee: make it private (channel settings → Change to a private channel) or set the ID of a private one"},
		{"committee channel archived", func(h *harness) {
			slackfaketest.MustChannel(h.t, h.slack, slackfake.Channel{ID: "C0OLDCOMM", Name: "committee-2025", Private: true, Archived: true, Members: []string{alice, h.slack.Options().BotUserID}})
			h.env["MENTORBOT_COMMITTEE_CHANNEL"] = "C0OLDCOMM"
		}, "MENTORBOT_COMMITTEE_CHANNEL: #committee-2025 is archived: unarchive it, or create a private channel for the committee, type /invite @mentorbot in it and set its ID"},
		{"bot scopes missing", func(h *harness) {
			h.slack.SetScopes(slackfake.TokenBot, slices.DeleteFunc(manifestScopes(h.t), func(s string) bool { return s == "im:history" || s == "groups:history" })...)
		}, "SLACK_BOT_TOKEN: the app lacks the bot scopes groups:history, im:history: add them under OAuth & Permissions → Scopes (or paste manifests/slack-app.yaml under App Manifest), then Install App → Reinstall to Workspace"},
		{"bot token revoked", func(h *harness) {
			h.slack.SetTokenKind(h.env["SLACK_BOT_TOKEN"], slackfake.TokenInvalid)
		}, "SLACK_BOT_TOKEN: Slack refused the bot token (invalid_auth): copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions, and install the app again if it was removed"},
		{"bot token of the wrong type", func(h *harness) {
			h.slack.SetTokenKind(h.env["SLACK_BOT_TOKEN"], slackfake.TokenApp)
		}, "SLACK_BOT_TOKEN: Slack does not take this kind of token for the bot (not_allowed_token_type): use the Bot User OAuth Token (xoxb-…) from OAuth & Permissions"},
		{"app token without connections:write", func(h *harness) {
			h.slack.SetScopes(slackfake.TokenApp, "authorizations:read")
		}, "SLACK_APP_TOKEN: the app-level token lacks the connections:write scope (missing_scope): generate a token with connections:write under Basic Information → App-Level Tokens and set it"},
		{"app token of the wrong type", func(h *harness) {
			h.slack.SetTokenKind(h.env["SLACK_APP_TOKEN"], slackfake.TokenBot)
		}, "SLACK_APP_TOKEN: Slack does not take this kind of token for Socket Mode (not_allowed_token_type): set the app-level token (xapp-…, scope connections:write) from Basic Information → App-Level Tokens"},
		{"SLACK_API_URL not Slack's API", func(h *harness) {
			h.slack.FailNextHTTP("auth.test", 404)
		}, ""},
		{"app token revoked", func(h *harness) {
			h.slack.SetTokenKind(h.env["SLACK_APP_TOKEN"], slackfake.TokenInvalid)
		}, "SLACK_APP_TOKEN: Slack refused the app-level token (invalid_auth): generate a new one with the connections:write scope under Basic Information → App-Level Tokens and set it"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			tc.setup(h)
			if tc.want == "" {
				tc.want = "SLACK_API_URL: " + h.env["SLACK_API_URL"] + "auth.test answered HTTP 404, which Slack's Web API does not: check SLACK_API_URL (leave it unset for https://slack.com/api/) and any proxy in between"
			}
			printed, status := h.startFails()
			if printed != "mentorbot: "+tc.want+"\n" || status != 2 {
				t.Fatalf("printed %q, exit status %d\nwant      %q, exit status 2\nlogs:\n%s", printed, status, "mentorbot: "+tc.want+"\n", h.logs.String())
			}
			if n := h.slack.CallCount("apps.connections.open"); strings.HasPrefix(tc.want, "SLACK_APP_TOKEN") && n != 1 {
				t.Errorf("socket mode was tried %d times, want once: a permanent refusal is not retried", n)
			}
		})
	}
}

func TestEveryBadSettingIsPrintedOnItsOwnLineWithExitStatus2(t *testing.T) {
	h := newHarness(t)
	h.env["REDIS_URL"] = "redis://:hunter2@localhost:notaport/0"
	h.env["MENTORBOT_COMMITTEE_CHANNEL"] = "#committee"
	env := map[string]string{}
	for k, v := range h.env {
		env[k] = v
	}
	env["MENTORBOT_KEY_PREFIX"] = "" // set, but empty: with os.LookupEnv that is an error
	deps := runDeps{lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	err := runWith(h.ctx, deps, []string{"run"}, func(k string) string { return env[k] }, io.Discard, h.logs)
	var out bytes.Buffer
	status := reportError(&out, err)
	want := `mentorbot: REDIS_URL: redis://:xxxxx@localhost:notaport/0 is not a valid URL (invalid port ":notaport" after host); use e.g. redis://localhost:6379/0 (rediss:// for TLS)
mentorbot: MENTORBOT_COMMITTEE_CHANNEL: "#committee" is not a channel ID; use the ID shown under channel details → About, e.g. C0123ABCD, not the #name
mentorbot: MENTORBOT_KEY_PREFIX: is set but empty; set it (e.g. mentorbot:) or remove the line to use the default
`
	if out.String() != want || status != 2 {
		t.Fatalf("printed (status %d):\n%s\nwant (status 2):\n%s", status, out.String(), want)
	}
	if strings.Contains(out.String(), "hunter2") {
		t.Fatal("the Redis password was printed")
	}

	// An option go-redis does not know, in a URL of the right shape.
	env = map[string]string{}
	for k, v := range h.env {
		env[k] = v
	}
	env["MENTORBOT_COMMITTEE_CHANNEL"] = committeeChannel
	env["REDIS_URL"] = "redis://:hunter2@localhost:6379/0?dial_timeot=1s"
	out.Reset()
	status = reportError(&out, runWith(h.ctx, runDeps{}, []string{"run"}, func(k string) string { return env[k] }, io.Discard, h.logs))
	if want := "mentorbot: REDIS_URL: redis: unexpected option: dial_timeot; use e.g. redis://localhost:6379/0\n"; out.String() != want || status != 2 {
		t.Fatalf("printed %q (status %d), want %q", out.String(), status, want)
	}
}

func TestSlackUnreachableAtStartIsRetriedNotFatal(t *testing.T) {
	h := newHarness(t)
	h.slack.FailNextHTTP("auth.test", 503)
	h.slack.FailNext("conversations.info", "ratelimited")
	h.slack.FailNextHTTP("apps.connections.open", 500)
	h.slack.FailNextHTTP("apps.connections.open", 502)
	h.start()
	if n := h.slack.CallCount("apps.connections.open"); n < 3 {
		t.Fatalf("apps.connections.open called %d times; want the two failures retried", n)
	}
	if n := h.slack.CallCount("auth.test"); n < 2 {
		t.Fatalf("auth.test called %d times; want the failure retried", n)
	}
	if !strings.Contains(h.logs.String(), "start-up check: slack cannot be reached; trying again") {
		t.Fatal("a retried start-up check was not logged")
	}
}

func TestReadyzFailsWithTheFixWhenTheCommitteeChannelBecomesUnreadable(t *testing.T) {
	h := startBot(t)
	if code, body := h.get("/readyz"); code != 200 {
		t.Fatalf("/readyz %d %s before", code, body)
	}
	// Someone removes the bot from the committee channel.
	if _, err := h.slack.MemberLeft(h.ctx, h.slack.Options().BotUserID, committeeChannel); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Minute) // past any verdict kept from before
	code, body := h.get("/readyz")
	var got struct {
		Checks map[string]string `json:"checks"`
	}
	mustJSON(t, []byte(body), &got)
	want := "MENTORBOT_COMMITTEE_CHANNEL: @mentorbot cannot see channel C0COMMITTEE (channel_not_found): type /invite @mentorbot in the committee channel, or set the channel's ID (channel details → About)"
	if code != 503 || got.Checks["committee"] != want {
		t.Fatalf("/readyz %d %s\nwant 503 with committee: %s", code, body, want)
	}
	// Invited back, it is ready again.
	if err := h.slack.SetMembers(committeeChannel, alice, h.slack.Options().BotUserID); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Minute)
	h.eventually("ready again", func() bool { code, _ := h.get("/readyz"); return code == 200 })
}

func TestHealthcheckExits0WhenReadyAnd1WithTheReasonWhenNot(t *testing.T) {
	h := startBot(t)
	// Only MENTORBOT_HTTP_ADDR: no token or other setting is needed.
	getenv := func(k string) string {
		if k == "MENTORBOT_HTTP_ADDR" {
			return h.env[k]
		}
		return ""
	}
	var out bytes.Buffer
	if err := runWith(h.ctx, runDeps{}, []string{"healthcheck"}, getenv, &out, io.Discard); err != nil || !strings.Contains(out.String(), `"status":"ready"`) {
		t.Fatalf("ready bot: %v, %s", err, out.String())
	}
	if err := h.slack.SetMembers(committeeChannel, alice); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Minute)
	err := runWith(h.ctx, runDeps{}, []string{"healthcheck"}, getenv, io.Discard, io.Discard)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "not ready (503 Service Unavailable)") ||
		!strings.Contains(err.Error(), "/invite @mentorbot") {
		t.Fatalf("bot without its committee channel: %v (exit %d)", err, exitCode(err))
	}
	h.shutdown()
	err = runWith(h.ctx, runDeps{}, []string{"healthcheck"}, getenv, io.Discard, io.Discard)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "does not answer") {
		t.Fatalf("no bot: %v (exit %d)", err, exitCode(err))
	}
}
