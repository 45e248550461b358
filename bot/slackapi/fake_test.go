package slackapi

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/telemetry"
)

// fakeSlack plays the Slack Web API on loopback: POST /api/<method> answers what the
// test's script says for that hit of that method (hit counts from 1), and a plain
// success otherwise. It counts the hits and keeps each request's form or JSON body.
type fakeSlack struct {
	srv    *httptest.Server
	script func(method string, hit int) reply

	mu     sync.Mutex
	hits   map[string]int
	bodies map[string][]string
}

// reply writes one answer.
type reply func(w http.ResponseWriter, r *http.Request)

func newFake(t testing.TB, script func(method string, hit int) reply) *fakeSlack {
	t.Helper()
	f := &fakeSlack{script: script, hits: map[string]int{}, bodies: map[string][]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	method, isAPI := strings.CutPrefix(r.URL.Path, "/api/")
	if !isAPI {
		method = "webhook"
	}
	f.mu.Lock()
	f.hits[method]++
	hit := f.hits[method]
	f.bodies[method] = append(f.bodies[method], string(body))
	f.mu.Unlock()
	if f.script != nil {
		if rep := f.script(method, hit); rep != nil {
			rep(w, r)
			return
		}
	}
	if !isAPI {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok")
		return
	}
	okAnswer(method)(w, r)
}

func (f *fakeSlack) hitsOf(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[method]
}

func (f *fakeSlack) bodiesOf(method string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies[method]...)
}

// okAnswer is a success with the fields slack-go reads for method.
func okAnswer(method string) reply {
	body := `{"ok":true}`
	switch {
	case method == "conversations.create" || method == "conversations.info":
		body = `{"ok":true,"channel":{"id":"C1","name":"duo"}}`
	case strings.HasPrefix(method, "chat."):
		body = `{"ok":true,"channel":"C1","ts":"1700000000.000100","message_ts":"1700000000.000100"}`
	case strings.HasPrefix(method, "views."):
		body = `{"ok":true,"view":{"id":"V1","hash":"h2"}}`
	}
	return jsonAnswer(body)
}

func jsonAnswer(body string) reply {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, body)
	}
}

// slackError is an ok:false answer (HTTP 200, as Slack does).
func slackError(code string) reply {
	return jsonAnswer(`{"ok":false,"error":"` + code + `"}`)
}

func status(code int) reply {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		io.WriteString(w, "<html>oops</html>")
	}
}

// tooMany is a 429; retryAfter "" sends no Retry-After.
func tooMany(retryAfter string) reply {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(http.StatusTooManyRequests)
	}
}

// reset drops the connection, with an RST, after reading the whole request.
func reset(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// hang answers only once the client has gone.
func hang(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// rig is a slack.Client built by NewWith against a fake, with a frozen clock and a
// sleep that records its waits instead of waiting.
type rig struct {
	api     *slack.Client
	hc      *http.Client
	tr      *transport
	clk     *clock.Settable
	metrics *telemetry.Metrics
	t0      time.Time

	mu     sync.Mutex
	sleeps []time.Duration
}

// newRig builds the client for cfg (APIURL, Clock and Metrics are filled in). With
// realSleep false, waits are recorded and return at once.
func newRig(t testing.TB, f *fakeSlack, cfg Config, realSleep bool) *rig {
	t.Helper()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r := &rig{clk: clock.NewSettable(t0), metrics: telemetry.New(), t0: t0}
	cfg.BotToken, cfg.AppToken = "xoxb-test-token", "xapp-test-token"
	if f != nil {
		cfg.APIURL = f.srv.URL + "/api/"
	}
	cfg.Clock, cfg.Metrics = r.clk, r.metrics
	r.api, r.hc = NewWith(cfg)
	r.tr = r.hc.Transport.(*transport)
	if !realSleep {
		r.tr.sleep = func(ctx context.Context, d time.Duration) error {
			r.mu.Lock()
			r.sleeps = append(r.sleeps, d)
			r.mu.Unlock()
			return ctx.Err()
		}
	}
	return r
}

func (r *rig) waits() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.sleeps...)
}

// Calls through slack-go, one per method the tests need.

func (r *rig) create(ctx context.Context) error {
	_, err := r.api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "duo-ana-ben", IsPrivate: true})
	return err
}

func (r *rig) post(ctx context.Context, channel string) error {
	_, _, err := r.api.PostMessageContext(ctx, channel, slack.MsgOptionText("Welcome, you two!", false))
	return err
}

func (r *rig) info(ctx context.Context) error {
	_, err := r.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C1"})
	return err
}

func (r *rig) invite(ctx context.Context) error {
	_, err := r.api.InviteUsersToConversationContext(ctx, "C1", "U1", "U2")
	return err
}

func (r *rig) open(ctx context.Context) error {
	_, err := r.api.OpenViewContext(ctx, "trigger-1", modal())
	return err
}

func (r *rig) update(ctx context.Context, hash string) error {
	_, err := r.api.UpdateViewContext(ctx, modal(), "", hash, "V1")
	return err
}

func modal() slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:  slack.VTModal,
		Title: slack.NewTextBlockObject(slack.PlainTextType, "Join", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Hello", false, false), nil, nil),
		}},
	}
}

// counter reads one counter of a vector.
func counter(t *testing.T, v *prometheus.CounterVec, labels ...string) float64 {
	t.Helper()
	var m dto.Metric
	if err := v.WithLabelValues(labels...).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// form parses a recorded form body.
func form(t *testing.T, body string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(body)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
