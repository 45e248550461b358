package slackfake_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// call posts a form-encoded Web API call with token and returns the answer's
// X-OAuth-Scopes header and JSON body.
func call(t *testing.T, srv *slackfake.Server, method, token string, form url.Values) (string, map[string]any) {
	t.Helper()
	form.Set("token", token)
	resp, err := http.PostForm(srv.APIURL()+method, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.Header.Get("X-OAuth-Scopes"), body
}

func TestEveryAnswerNamesTheTokensScopesAsSlackDoes(t *testing.T) {
	srv, _, _ := workspace(t)
	o := srv.Options()
	scopes, body := call(t, srv, "auth.test", o.BotToken, url.Values{})
	if body["ok"] != true || scopes != strings.Join(slackfake.DefaultBotScopes(), ",") {
		t.Fatalf("auth.test: scopes %q, body %v", scopes, body)
	}
	scopes, _ = call(t, srv, "apps.connections.open", o.AppToken, url.Values{})
	if scopes != "connections:write" {
		t.Fatalf("apps.connections.open: scopes %q", scopes)
	}
	if scopes, _ = call(t, srv, "auth.test", "xoxb-someone-else", url.Values{}); scopes != "" {
		t.Fatalf("an unknown token was told scopes %q", scopes)
	}
}

func TestAMethodWithoutItsScopeAnswersMissingScope(t *testing.T) {
	srv, general, duo := workspace(t)
	srv.SetScopes(slackfake.TokenBot, "chat:write", "channels:read")
	o := srv.Options()
	scopes, body := call(t, srv, "conversations.members", o.BotToken, url.Values{"channel": {duo}})
	if body["error"] != "missing_scope" || body["needed"] != "groups:read" || body["provided"] != "chat:write,channels:read" {
		t.Fatalf("members of a private channel without groups:read: %v", body)
	}
	if scopes != "chat:write,channels:read" {
		t.Fatalf("header %q", scopes)
	}
	// The same method on a public channel needs channels:read, which it has.
	if _, body = call(t, srv, "conversations.members", o.BotToken, url.Values{"channel": {general}}); body["ok"] != true {
		t.Fatalf("members of a public channel with channels:read: %v", body)
	}
	// Through slack-go, as the bot sees it.
	api := apiClient(srv)
	if _, err := api.GetUserInfo(alice); err == nil || err.Error() != "missing_scope" {
		t.Fatalf("users.info without users:read: %v", err)
	}
	if _, err := api.AuthTest(); err != nil {
		t.Fatalf("auth.test needs no scope: %v", err)
	}
}

func TestATokenTakenForAnotherKindIsRefusedLikeSlack(t *testing.T) {
	srv, _, _ := workspace(t)
	o := srv.Options()
	srv.SetTokenKind(o.AppToken, slackfake.TokenBot)
	api := slack.New(o.BotToken, slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(o.AppToken))
	if _, _, err := api.StartSocketModeContext(t.Context()); err == nil || !strings.Contains(err.Error(), "not_allowed_token_type") {
		t.Fatalf("apps.connections.open with a bot token: %v", err)
	}
	srv.SetTokenKind(o.BotToken, slackfake.TokenInvalid)
	if _, err := api.AuthTest(); err == nil || err.Error() != "invalid_auth" {
		t.Fatalf("auth.test with a revoked token: %v", err)
	}
}
