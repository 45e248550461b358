// Package slackapi builds the bot's outbound Slack Web API client: every call goes to
// the configured API URL (apps.connections.open included), is counted and timed by
// method, and failed calls are counted by Slack's error code. Tokens never leave the
// request: nothing here logs a header or a form body.
package slackapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/telemetry"
)

// New returns a slack.Client for the bot token whose HTTP traffic is instrumented, and
// the instrumented *http.Client itself (for response_url posts).
func New(botToken, appToken, apiURL string, m *telemetry.Metrics) (*slack.Client, *http.Client) {
	hc := &http.Client{
		Timeout:   15 * time.Second,
		Transport: &transport{base: http.DefaultTransport, metrics: m},
	}
	api := slack.New(botToken,
		slack.OptionAPIURL(apiURL),
		slack.OptionAppLevelToken(appToken),
		slack.OptionHTTPClient(hc),
	)
	return api, hc
}

// transport records metrics for each Web API call. It reads Slack's {"ok","error"}
// envelope from successful responses and hands the body on untouched.
type transport struct {
	base    http.RoundTripper
	metrics *telemetry.Metrics
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := methodOf(req)
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if t.metrics == nil {
		return resp, err
	}
	t.metrics.SlackCalls.WithLabelValues(method).Inc()
	t.metrics.SlackLatency.WithLabelValues(method).Observe(time.Since(start).Seconds())
	switch {
	case err != nil:
		t.metrics.SlackErrors.WithLabelValues(method, "transport").Inc()
	case resp.StatusCode == http.StatusTooManyRequests:
		t.metrics.SlackErrors.WithLabelValues(method, "ratelimited").Inc()
	case resp.StatusCode != http.StatusOK:
		t.metrics.SlackErrors.WithLabelValues(method, "http_"+strconv.Itoa(resp.StatusCode)).Inc()
	case strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"):
		// Peek at most 8 MB for the error code; whatever is left is passed on too.
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
		if rerr != nil {
			t.metrics.SlackErrors.WithLabelValues(method, "read").Inc()
			break
		}
		var env struct {
			OK    *bool  `json:"ok"`
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &env) == nil && env.OK != nil && !*env.OK {
			t.metrics.SlackErrors.WithLabelValues(method, errorLabel(env.Error)).Inc()
		}
	}
	return resp, err
}

// methodOf names the call: the Web API method after "/api/", or "webhook" for
// response_url posts and "upload" for file uploads, keeping label values bounded.
func methodOf(req *http.Request) string {
	p := req.URL.Path
	if i := strings.LastIndex(p, "/api/"); i >= 0 {
		m := p[i+len("/api/"):]
		if validMethod(m) {
			return m
		}
		return "other"
	}
	if strings.Contains(p, "upload") {
		return "upload"
	}
	return "webhook"
}

func validMethod(m string) bool {
	if m == "" || len(m) > 64 {
		return false
	}
	for _, r := range m {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && r != '.' && r != '_' {
			return false
		}
	}
	return true
}

func errorLabel(code string) string {
	if code == "" || !validMethod(code) {
		return "unknown"
	}
	return code
}
