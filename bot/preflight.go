package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/slackapi"
)

// RequiredScopes are the bot scopes the code calls methods with; manifests/slack-app.yaml
// asks for exactly these (a test keeps them equal). Changing the list means every
// install must approve the new manifest: say so in the README's upgrade notes.
func RequiredScopes() []string {
	return []string{"commands", "chat:write", "groups:write", "groups:read", "groups:history",
		"im:write", "im:history", "users:read", "files:write"}
}

// SetupError is a Slack set-up problem that retrying will not fix: a refused token, a
// missing scope, a committee channel the bot cannot use. Error() is one line naming the
// setting and the fix; the process exits with status 2, as for a bad setting.
type SetupError struct {
	Setting string // the setting to change or the place to fix, e.g. SLACK_BOT_TOKEN
	Problem string // what is wrong and what to do, one line
	Err     error  // Slack's answer, if any
}

func (e *SetupError) Error() string { return e.Setting + ": " + e.Problem }
func (e *SetupError) Unwrap() error { return e.Err }

// ExitCode is 2: a restart loop cannot fix a set-up problem.
func (e *SetupError) ExitCode() int { return 2 }

// Preflight is the start-up self-check: the bot token is a working bot token with every
// scope in RequiredScopes, and the committee channel is a private channel the bot is in.
type Preflight struct {
	APIURL           string       // Web API base URL, ending in "/"
	BotToken         string       // xoxb-…
	HTTP             *http.Client // the client the bot's slack.Client uses
	API              *slack.Client
	CommitteeChannel string
	Log              *slog.Logger
	// Backoff lists the waits between attempts when Slack cannot be reached (a lost
	// connection, a 5xx, a 429); after the last one the last wait repeats until ctx
	// ends. Default 1, 2, 5, 10, 30 seconds.
	Backoff []time.Duration
}

// Identity is who the bot token says the bot is.
type Identity struct {
	UserID, Name, Team string
}

// Run checks the set-up once Slack answers. It returns a *SetupError for a problem a
// person must fix, ctx.Err() if ctx ends while Slack cannot be reached, and nil when
// all is well. Failures that may pass (Slack unreachable) are logged and retried with
// backoff, never given up on silently.
func (p Preflight) Run(ctx context.Context) (Identity, error) {
	var id Identity
	err := p.retry(ctx, "auth.test", func() error {
		var err error
		id, err = p.authTest(ctx)
		return err
	})
	if err != nil {
		return id, err
	}
	err = p.retry(ctx, "conversations.info", func() error {
		return CheckCommitteeChannel(ctx, p.API, p.CommitteeChannel, id.Name)
	})
	return id, err
}

// retry runs f until it succeeds, fails for good (*SetupError) or ctx ends.
func (p Preflight) retry(ctx context.Context, what string, f func() error) error {
	waits := p.Backoff
	if len(waits) == 0 {
		waits = []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second}
	}
	for attempt := 0; ; attempt++ {
		err := f()
		var setup *SetupError
		if err == nil || errors.As(err, &setup) {
			return err
		}
		wait := waits[min(attempt, len(waits)-1)]
		p.Log.Warn("start-up check: slack cannot be reached; trying again", "call", what,
			"err", slackapi.Redact(err), "retry_in", wait.String())
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// authTest calls auth.test itself (slack-go hides the response headers) to learn the
// bot's identity and, from the X-OAuth-Scopes header Slack adds to every answer, the
// scopes the token was granted.
func (p Preflight) authTest(ctx context.Context) (Identity, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.APIURL+"auth.test", strings.NewReader(url.Values{}.Encode()))
	if err != nil {
		return Identity{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+p.BotToken)
	resp, err := p.HTTP.Do(req)
	if err != nil {
		return Identity{}, err
	}
	defer resp.Body.Close()
	switch code := resp.StatusCode; {
	case code == http.StatusOK:
	case code == http.StatusTooManyRequests || code >= 500:
		return Identity{}, fmt.Errorf("auth.test: HTTP %d", code) // may pass: retried
	default:
		// Slack answers its API with 200 even to a bad token; any other status
		// is not Slack's API (a wrong URL, a proxy), and waiting will not fix it.
		return Identity{}, &SetupError{Setting: "SLACK_API_URL", Problem: fmt.Sprintf(
			"%sauth.test answered HTTP %d, which Slack's Web API does not: check SLACK_API_URL (leave it unset for https://slack.com/api/) and any proxy in between", p.APIURL, code)}
	}
	var body struct {
		OK     bool   `json:"ok"`
		Error  string `json:"error"`
		User   string `json:"user"`
		UserID string `json:"user_id"`
		Team   string `json:"team"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return Identity{}, fmt.Errorf("auth.test: %w", err)
	}
	if !body.OK {
		return Identity{}, botTokenRefused(body.Error)
	}
	id := Identity{UserID: body.UserID, Name: body.User, Team: body.Team}
	if h, ok := resp.Header[http.CanonicalHeaderKey("X-OAuth-Scopes")]; ok {
		granted := strings.Split(strings.Join(h, ","), ",")
		for i := range granted {
			granted[i] = strings.TrimSpace(granted[i])
		}
		var missing []string
		for _, s := range RequiredScopes() {
			if !slices.Contains(granted, s) {
				missing = append(missing, s)
			}
		}
		if len(missing) > 0 {
			return id, &SetupError{Setting: "SLACK_BOT_TOKEN", Problem: fmt.Sprintf(
				"the app lacks the bot %s %s: add %s under OAuth & Permissions → Scopes (or paste manifests/slack-app.yaml under App Manifest), then Install App → Reinstall to Workspace",
				plural(len(missing), "scope", "scopes"), strings.Join(missing, ", "), plural(len(missing), "it", "them"))}
		}
	} else {
		p.Log.Warn("start-up check: slack named no scopes (no X-OAuth-Scopes header); not checking them")
	}
	return id, nil
}

func botTokenRefused(code string) error {
	err := slack.SlackErrorResponse{Err: code}
	switch code {
	case "not_allowed_token_type":
		return &SetupError{Setting: "SLACK_BOT_TOKEN", Err: err, Problem: "Slack does not take this kind of token for the bot (not_allowed_token_type): use the Bot User OAuth Token (xoxb-…) from OAuth & Permissions"}
	}
	if slackapi.Busy(code) {
		return err // may pass: retried
	}
	return &SetupError{Setting: "SLACK_BOT_TOKEN", Err: err, Problem: fmt.Sprintf(
		"Slack refused the bot token (%s): copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions, and install the app again if it was removed", code)}
}

// CheckCommitteeChannel checks that channel is a private channel, not archived, that the
// bot (named botName, for the hint) is in. A problem is a *SetupError; an error of
// reaching Slack is returned as is.
func CheckCommitteeChannel(ctx context.Context, api *slack.Client, channel, botName string) error {
	if botName == "" {
		botName = "mentorbot"
	}
	const setting = "MENTORBOT_COMMITTEE_CHANNEL"
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	switch code := slackapi.Code(err); {
	case err == nil:
	case code == "channel_not_found":
		return &SetupError{Setting: setting, Err: err, Problem: fmt.Sprintf(
			"@%s cannot see channel %s (channel_not_found): type /invite @%s in the committee channel, or set the channel's ID (channel details → About)", botName, channel, botName)}
	case code == "missing_scope":
		// groups:read, for private channels, is checked before: the channel is
		// public, and reading one needs channels:read, which the app has no use for.
		return &SetupError{Setting: setting, Err: err, Problem: fmt.Sprintf(
			"Slack will not show channel %s to the bot without the channels:read scope (missing_scope), so it is a public channel; anyone could join it and act as the committee: make it private (channel settings → Change to a private channel) or set the ID of a private one", channel)}
	case code != "" && !slackapi.Busy(code):
		return &SetupError{Setting: setting, Err: err, Problem: fmt.Sprintf("Slack refused to show channel %s (%s): check the ID (channel details → About) and that the bot token belongs to this workspace", channel, code)}
	default:
		return err
	}
	switch {
	case info.IsArchived:
		return &SetupError{Setting: setting, Problem: fmt.Sprintf(
			"#%s is archived: unarchive it, or create a private channel for the committee, type /invite @%s in it and set its ID", info.Name, botName)}
	case !info.IsPrivate:
		return &SetupError{Setting: setting, Problem: fmt.Sprintf(
			"#%s is a public channel, so anyone could join it and act as the committee: make it private (channel settings → Change to a private channel) or set the ID of a private one", info.Name)}
	case !info.IsMember:
		return &SetupError{Setting: setting, Problem: fmt.Sprintf("@%s is not a member of #%s: type /invite @%s in #%s", botName, info.Name, botName, info.Name)}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
