package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/redistest"
	"github.com/mentorbot/mentorbot/internal/scheduler"
	"github.com/mentorbot/mentorbot/internal/slackfake"
	"github.com/mentorbot/mentorbot/internal/slackfake/slackfaketest"
)

// The workspace every end-to-end test starts with.
const (
	committeeChannel = "C0COMMITTEE"
	general          = "C0GENERAL"
	alice            = "U01ALICE01" // committee member
	bob              = "U02BOB0002"
	carol            = "U03CAROL03"
	dave             = "U04DAVE004"
	erin             = "U05ERIN005"
	frank            = "U06FRANK06"
)

// harness is a running mentorbot (the real run()) against the Slack-compatible test
// server and a private Redis.
type harness struct {
	t     testing.TB
	ctx   context.Context
	slack *slackfake.Server
	redis *redistest.Redis
	clock *clock.Settable
	http  string // base URL of /healthz etc.
	env   map[string]string
	logs  *syncBuffer
	stop  context.CancelFunc
	done  chan error

	mu     sync.Mutex
	scheds []*scheduler.Scheduler // the running bots' schedulers (one per start)
	// settleAll makes settle sweep on every replica at once.
	settleAll bool
}

// sweep runs one sweep of the bot's scheduler now, as cron would.
func (h *harness) sweep() {
	h.t.Helper()
	h.mu.Lock()
	s := h.scheds[len(h.scheds)-1]
	h.mu.Unlock()
	if _, err := s.Sweep(h.ctx); err != nil {
		h.t.Logf("sweep: %v", err)
	}
}

// syncBuffer collects the bot's logs safely across goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startBot starts the bot on a fresh workspace and waits until it is connected.
func startBot(t testing.TB, opts ...func(*slackfake.Options)) *harness {
	t.Helper()
	h := newHarness(t, opts...)
	h.start()
	return h
}

// newHarness makes a fresh workspace, a private Redis and the bot's settings, and
// starts nothing.
func newHarness(t testing.TB, opts ...func(*slackfake.Options)) *harness {
	t.Helper()
	// Slack and the bot share the test clock: message timestamps, rate-limit windows
	// and nudges all move when the test moves it.
	clk := clock.NewSettable(time.Date(2026, 10, 5, 15, 0, 0, 0, time.UTC))
	fake := slackfaketest.New(t, append([]func(*slackfake.Options){func(o *slackfake.Options) { o.Now = clk.Now }}, opts...)...)
	t.Cleanup(func() { checkSandboxRenders(t, fake) })
	users := []slackfake.User{
		{ID: alice, Name: "alice", RealName: "Alice Example", TZ: "America/New_York", TZOffset: -18000},
		{ID: bob, Name: "bob", RealName: "Bob Mentee", TZ: "America/Chicago", TZOffset: -21600},
		{ID: carol, Name: "carol", RealName: "Carol Mentor", TZ: "America/Los_Angeles", TZOffset: -28800},
		{ID: dave, Name: "dave", RealName: "Dave Mentee", TZ: "Asia/Shanghai", TZOffset: 28800},
		{ID: erin, Name: "erin", RealName: "Erin Mentor", TZ: "America/Toronto", TZOffset: -18000},
		{ID: frank, Name: "frank", RealName: "Frank Mentee", TZ: "Europe/London", TZOffset: 0},
	}
	// The bot token has exactly the scopes of our manifest, so a method the code
	// starts calling without asking for its scope fails every test that reaches it.
	fake.SetScopes(slackfake.TokenBot, manifestScopes(t)...)
	var ids []string
	for _, u := range users {
		fake.AddUser(u)
		ids = append(ids, u.ID)
	}
	bot := fake.Options().BotUserID
	slackfaketest.MustChannel(t, fake, slackfake.Channel{ID: committeeChannel, Name: "mentorship-committee", Private: true, Members: []string{alice, bot}})
	slackfaketest.MustChannel(t, fake, slackfake.Channel{ID: general, Name: "general", Members: append(ids, bot)})

	// A test's whole budget. The longest walk (500 pending mentees paged through
	// the pairing modal) takes 20–30 s under -race on a busy two-core machine, so one
	// minute left too little room.
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	t.Cleanup(cancel)
	h := &harness{t: t, ctx: ctx, slack: fake, redis: redistest.New(t), clock: clk, logs: &syncBuffer{}}
	h.env = map[string]string{
		"SLACK_APP_TOKEN":             fake.Options().AppToken,
		"SLACK_BOT_TOKEN":             fake.Options().BotToken,
		"SLACK_API_URL":               fake.APIURL(),
		"REDIS_URL":                   h.redis.URL,
		"MENTORBOT_KEY_PREFIX":        h.redis.Prefix,
		"MENTORBOT_COMMITTEE_CHANNEL": committeeChannel,
		"MENTORBOT_HTTP_ADDR":         "127.0.0.1:" + freePort(t),
		"MENTORBOT_LOG_LEVEL":         "debug",
		// Cron sweeps every second (its finest period); tests that move the clock
		// sweep at once with h.sweep. What is due is decided by the test clock.
		"MENTORBOT_SWEEP_SCHEDULE": "@every 1s",
	}
	h.http = "http://" + h.env["MENTORBOT_HTTP_ADDR"]
	return h
}

func (h *harness) start() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h.stop, h.done = cancel, make(chan error, 1)
	getenv := func(k string) string { return h.env[k] }
	deps := runDeps{clock: h.clock, slackTimeout: 2 * time.Second, scheduler: func(s *scheduler.Scheduler) {
		h.mu.Lock()
		h.scheds = append(h.scheds, s)
		h.mu.Unlock()
	}}
	go func() { h.done <- runWith(ctx, deps, []string{"run"}, getenv, io.Discard, h.logs) }()
	h.t.Cleanup(func() { h.shutdown() })
	if err := h.slack.WaitConnected(h.ctx, 1); err != nil {
		h.t.Fatalf("bot did not connect: %v\nlogs:\n%s", err, h.logs.String())
	}
	h.eventually("the bot reports ready", func() bool {
		resp, err := http.Get(h.http + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// shutdown stops the bot as SIGTERM would and checks it stopped cleanly and never
// logged a token.
func (h *harness) shutdown() {
	if h.stop == nil {
		return
	}
	h.stop()
	h.stop = nil
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("run returned %v after shutdown", err)
		}
	case <-time.After(15 * time.Second):
		h.t.Errorf("bot did not stop within 15s of shutdown")
	}
	logs := h.logs.String()
	for _, secret := range []string{h.env["SLACK_BOT_TOKEN"], h.env["SLACK_APP_TOKEN"]} {
		if strings.Contains(logs, secret) {
			h.t.Errorf("a token reached the logs")
		}
	}
}

// command runs "/mentorship text" as user in #general and checks the envelope was
// acked.
func (h *harness) command(user, text string) *slackfake.Ack {
	h.t.Helper()
	ack, err := h.slack.SlashCommand(h.ctx, user, general, text)
	if err != nil {
		h.t.Fatalf("/mentorship %s by %s: %v", text, user, err)
	}
	return ack
}

// ephemeral waits for the next private answer to user that contains want.
func (h *harness) ephemeral(user, want string) slackfake.Message {
	h.t.Helper()
	m, err := h.slack.WaitForEphemeral(h.ctx, user, func(m slackfake.Message) bool { return strings.Contains(allText(m), want) })
	if err != nil {
		h.t.Fatalf("no ephemeral to %s containing %q; got %s", user, want, texts(h.slack.Ephemerals(user)))
	}
	return m
}

// view waits until user's top modal has callback id and satisfies ok.
func (h *harness) view(user, callback string, ok func(slackfake.View) bool) slackfake.View {
	h.t.Helper()
	v, err := h.slack.WaitForView(h.ctx, user, func(v slackfake.View) bool {
		return v.Open && v.CallbackID == callback && (ok == nil || ok(v))
	})
	if err != nil {
		var open []string
		for _, v := range h.slack.OpenViews(user) {
			open = append(open, v.CallbackID+": "+v.Title())
		}
		h.t.Fatalf("no %q modal for %s: %v (open: %v)", callback, user, err, open)
	}
	return v
}

func (h *harness) get(path string) (int, string) {
	h.t.Helper()
	resp, err := http.Get(h.http + path)
	if err != nil {
		h.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// allText is every text of a message, decoded: its fallback and every string in its
// blocks, one per line.
func allText(m slackfake.Message) string { return m.Text + "\n" + jsonStrings(m.Blocks) }

// viewText is every string of a view (texts, initial values, ids), decoded.
func viewText(v slackfake.View) string { return jsonStrings(v.Raw) }

// hasBlock reports whether the view has a block with that block_id.
func hasBlock(v slackfake.View, id string) bool {
	for _, b := range v.Blocks() {
		if b.BlockID == id {
			return true
		}
	}
	return false
}

func jsonStrings(raw []byte) string {
	var x any
	if json.Unmarshal(raw, &x) != nil {
		return string(raw)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			out = append(out, t)
		case []any:
			for _, c := range t {
				walk(c)
			}
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(t[k])
			}
		}
	}
	walk(x)
	return strings.Join(out, "\n")
}

func texts(ms []slackfake.Message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "\n- %s", m.Text)
	}
	return b.String()
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

func mustJSON(t testing.TB, raw []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}
