// Package slackapi is the bot's one way out to the Slack Web API. It builds the
// slack.Client every caller uses, and everything that client sends goes through one
// http.RoundTripper here, which:
//
//   - paces each method to its rate-limit tier (chat.postMessage per channel),
//     postponing background work instead of waiting for it (see Deferrable);
//   - honours 429 answers and their Retry-After, for the method (and channel) that got
//     them, for every later call of this process;
//   - sends a call again after a 5xx answer or a lost connection, but only for the
//     methods that are safe to repeat;
//   - counts and times every call by method, and counts failures by Slack's error code.
//
// Other functions read what comes back: Code and Is give Slack's error code so no
// handler matches strings, DeferUntil says when a postponed call may run, Ambiguous
// tells whether a failed call may still have taken effect, and Domain turns any of it
// into a *mentor.Error a person can act on.
//
// Pacing state lives in the client built by New: per workspace and per process. Two
// replicas each pace themselves, so together they may exceed a tier; the 429 handling
// covers the difference. Tokens never leave the request: nothing here logs a header or
// a body, and no error carries one.
package slackapi

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/telemetry"
)

// Config says how to reach Slack and how to pace the calls.
type Config struct {
	// Timeout bounds each HTTP request to Slack, retries included; default 15s.
	Timeout  time.Duration
	BotToken string // xoxb-…, for Web API methods
	AppToken string // xapp-…, for apps.connections.open (Socket Mode)
	// APIURL is the Web API base URL, ending in "/" (default slack.APIURL). Only
	// requests under it are paced; others (response_urls, upload URLs) are only
	// counted.
	APIURL  string
	Metrics *telemetry.Metrics // nil records nothing
	// Clock decides pacing and cooldowns (default the wall clock). With a settable
	// clock nothing is released until a test advances it. Waits that do happen (a
	// short cooldown, a retry's backoff) are real time, bounded by the call's context.
	Clock clock.Clock
	// MaxWait is how long a call a person waits for may be held back by a 429
	// cooldown before it fails instead (default 2s).
	MaxWait time.Duration
	// Limits overrides the pacing of some methods, by method name (tests use it).
	Limits map[string]Limit
}

// Limit paces one Web API method (for chat.postMessage, one channel): Burst calls at
// once after a quiet spell, then one every Every. Every ≤ 0 means no pacing.
type Limit struct {
	Every time.Duration
	Burst int
}

// New returns a slack.Client for the bot token whose calls are paced, retried and
// instrumented, and the *http.Client under it (for response_url posts, which are only
// instrumented). It is NewWith with the wall clock and the default wait budget.
func New(botToken, appToken, apiURL string, m *telemetry.Metrics) (*slack.Client, *http.Client) {
	return NewWith(Config{BotToken: botToken, AppToken: appToken, APIURL: apiURL, Metrics: m})
}

// NewWith returns a slack.Client configured by cfg, and the *http.Client under it. Both
// are safe for concurrent use; make one per process and share it, since the pacing
// state lives in it.
func NewWith(cfg Config) (*slack.Client, *http.Client) {
	if cfg.APIURL == "" {
		cfg.APIURL = slack.APIURL
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	hc := &http.Client{Timeout: timeout, Transport: newTransport(cfg, pooledTransport())}
	api := slack.New(cfg.BotToken,
		slack.OptionAPIURL(cfg.APIURL),
		slack.OptionAppLevelToken(cfg.AppToken),
		slack.OptionHTTPClient(hc),
	)
	return api, hc
}

// idleConnsPerHost is how many connections to Slack stay open between calls. All the
// bot's calls go to one host: http.DefaultTransport keeps 2, so under a burst (a
// hundred people running join at once) most calls would open a new connection, with
// a TLS handshake each against the real Slack.
const idleConnsPerHost = 64

// pooledTransport is http.DefaultTransport keeping idleConnsPerHost connections.
func pooledTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = idleConnsPerHost
	t.MaxIdleConnsPerHost = idleConnsPerHost
	return t
}

func newTransport(cfg Config, base http.RoundTripper) *transport {
	t := &transport{
		base:    base,
		metrics: cfg.Metrics,
		clock:   cfg.Clock,
		maxWait: cfg.MaxWait,
		limits:  make(map[string]Limit, len(cfg.Limits)),
		backoff: []time.Duration{100 * time.Millisecond, 400 * time.Millisecond},
		sleep:   sleep,
		maxKeys: 4096,
		paces:   make(map[string]*pace),
	}
	if t.clock == nil {
		t.clock = clock.Real{}
	}
	if t.maxWait <= 0 {
		t.maxWait = 2 * time.Second
	}
	for m, l := range cfg.Limits {
		t.limits[m] = l
	}
	u, err := url.Parse(cfg.APIURL)
	if err != nil {
		// slack-go would fail every call on this URL anyway; pace nothing.
		u = &url.URL{}
	}
	t.apiURL = u
	return t
}

type deferrableKey struct{}

// Deferrable returns a context marking the calls made with it as background work that
// a durable scheduler can postpone. Such a call never waits: when its method (or, for
// chat.postMessage, its channel) has no pacing budget left or is cooling down after a
// 429, it fails at once with a *DeferError saying when to come back, and nothing is
// sent. Calls made with any other context are taken to have a person waiting: pacing
// never holds them back (they use up its budget when there is some, so background work
// yields to them), and they wait at most Config.MaxWait for a 429 cooldown, failing
// with *slack.RateLimitedError beyond it.
func Deferrable(ctx context.Context) context.Context {
	return context.WithValue(ctx, deferrableKey{}, true)
}

// Foreground undoes Deferrable for calls made on the way, such as redrawing a
// person's Home after a job: a view is best shown now or not at all, not postponed.
func Foreground(ctx context.Context) context.Context {
	return context.WithValue(ctx, deferrableKey{}, false)
}

func isDeferrable(ctx context.Context) bool {
	v, _ := ctx.Value(deferrableKey{}).(bool)
	return v
}

// sleep waits d of real time, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
