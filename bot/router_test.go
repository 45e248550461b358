package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/telemetry"
)

// recordingAcker remembers every ack.
type recordingAcker struct {
	mu   sync.Mutex
	acks map[string]any
	n    atomic.Int32
}

func (a *recordingAcker) AckCtx(_ context.Context, id string, payload any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.acks == nil {
		a.acks = map[string]any{}
	}
	a.acks[id] = payload
	a.n.Add(1)
	return nil
}

func (a *recordingAcker) ack(id string) (any, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.acks[id]
	return p, ok
}

// hookServer stands in for response_url and records what is posted to it.
type hookServer struct {
	*httptest.Server
	mu    sync.Mutex
	posts []slack.WebhookMessage
	got   chan struct{}
}

func newHookServer(t *testing.T) *hookServer {
	h := &hookServer{got: make(chan struct{}, 100)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m slack.WebhookMessage
		json.NewDecoder(r.Body).Decode(&m)
		h.mu.Lock()
		h.posts = append(h.posts, m)
		h.mu.Unlock()
		h.got <- struct{}{}
		w.Write([]byte("ok"))
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) wait(t *testing.T) slack.WebhookMessage {
	t.Helper()
	select {
	case <-h.got:
	case <-time.After(5 * time.Second):
		t.Fatal("no response_url post")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.posts[len(h.posts)-1]
}

type dedupe struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (d *dedupe) MarkEventSeen(_ context.Context, id string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen == nil {
		d.seen = map[string]bool{}
	}
	first := !d.seen[id]
	d.seen[id] = true
	return first, nil
}

func newTestRouter(t testing.TB, routes Routes, max int) (*Router, *telemetry.Metrics) {
	api := slack.New("xoxb-test", slack.OptionAPIURL("http://127.0.0.1:1/api/"))
	m := telemetry.New()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return NewRouter(routes, NewReplier(api, http.DefaultClient, log), &dedupe{}, log, m, max), m
}

func slashEvent(id, text, responseURL string) socketmode.Event {
	cmd := slack.SlashCommand{Command: Command, Text: text, UserID: "U1", ResponseURL: responseURL}
	return socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: cmd,
		Request: &socketmode.Request{EnvelopeID: id, Type: "slash_commands"}}
}

func TestPanickingHandlerIsAckedRecoveredAndTold(t *testing.T) {
	hooks := newHookServer(t)
	r, m := newTestRouter(t, Routes{Commands: map[string]CommandHandler{
		Command: func(ctx context.Context, cmd *slack.SlashCommand) error { panic("boom") },
	}}, 4)
	ack := &recordingAcker{}
	r.Dispatch(ack, slashEvent("env1", "help", hooks.URL))
	if _, ok := ack.ack("env1"); !ok {
		t.Fatal("envelope not acked before the handler ran")
	}
	msg := hooks.wait(t)
	if msg.ResponseType != "ephemeral" || !strings.Contains(msg.Text, "Something went wrong") {
		t.Fatalf("user was told %+v, want an ephemeral 'something went wrong'", msg)
	}
	r.Wait()
	if got := counterValue(t, m, "mentorbot_handler_errors_total", "panic"); got != 1 {
		t.Fatalf("panics counted = %v, want 1", got)
	}
	// The router still works after the panic.
	r2done := make(chan struct{})
	r.Go("after", func(context.Context) error { close(r2done); return nil }, nil)
	<-r2done
}

func TestHandlersRunConcurrentlyWithinTheBound(t *testing.T) {
	const bound, total = 3, 10
	var running, peak atomic.Int32
	started := make(chan struct{}, total)
	release := make(chan struct{}) // each send lets one handler finish
	r, _ := newTestRouter(t, Routes{Commands: map[string]CommandHandler{
		Command: func(ctx context.Context, cmd *slack.SlashCommand) error {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			started <- struct{}{}
			<-release
			running.Add(-1)
			return nil
		},
	}}, bound)
	ack := &recordingAcker{}
	for i := 0; i < total; i++ {
		r.Dispatch(ack, slashEvent("e"+string(rune('a'+i)), "x", ""))
	}
	// Every envelope is acked at once although the handlers are blocked.
	if n := ack.n.Load(); n != total {
		t.Fatalf("acked %d of %d while handlers were busy", n, total)
	}
	waitStarted := func(what string) {
		t.Helper()
		select {
		case <-started:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s never started", what)
		}
	}
	// The bound starts at once; then each handler that finishes lets exactly one
	// more start.
	for i := 0; i < bound; i++ {
		waitStarted(fmt.Sprintf("handler %d of the first %d", i+1, bound))
	}
	for i := bound; i < total; i++ {
		release <- struct{}{}
		waitStarted(fmt.Sprintf("handler %d", i+1))
	}
	for i := 0; i < bound; i++ {
		release <- struct{}{}
	}
	r.Wait()
	if p := peak.Load(); p != bound {
		t.Fatalf("peak concurrency %d, want exactly the bound %d", p, bound)
	}
}

func TestViewSubmissionAckCarriesTheAnswer(t *testing.T) {
	r, _ := newTestRouter(t, Routes{Views: map[string]ViewHandler{
		"form": func(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
			return nil, mentor.FieldErrors{"name": "Give a name."}
		},
		"boom": func(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
			panic("boom")
		},
	}}, 4)
	ack := &recordingAcker{}
	submit := func(id, callback string) socketmode.Event {
		cb := slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, View: slack.View{CallbackID: callback}}
		return socketmode.Event{Type: socketmode.EventTypeInteractive, Data: cb, Request: &socketmode.Request{EnvelopeID: id}}
	}
	r.Dispatch(ack, submit("v1", "form"))
	r.Dispatch(ack, submit("v2", "boom"))
	r.Wait()
	p, _ := ack.ack("v1")
	resp, ok := p.(*slack.ViewSubmissionResponse)
	if !ok || resp.ResponseAction != slack.RAErrors || resp.Errors["name"] != "Give a name." {
		t.Fatalf("ack of a bad field = %#v, want inline errors", p)
	}
	p, _ = ack.ack("v2")
	resp, ok = p.(*slack.ViewSubmissionResponse)
	if !ok || resp.ResponseAction != slack.RAPush {
		t.Fatalf("ack of a panicking submission = %#v, want an error modal pushed over the form", p)
	}
}

func TestRedeliveredEventActsOnce(t *testing.T) {
	var calls atomic.Int32
	r, _ := newTestRouter(t, Routes{Events: map[string]EventHandler{
		"message": func(ctx context.Context, ev *slackevents.EventsAPIEvent) error { calls.Add(1); return nil },
	}}, 4)
	ack := &recordingAcker{}
	ev := slackevents.EventsAPIEvent{Type: slackevents.CallbackEvent,
		Data:       &slackevents.EventsAPICallbackEvent{EventID: "Ev1"},
		InnerEvent: slackevents.EventsAPIInnerEvent{Type: "message"}}
	for i, id := range []string{"a", "b"} {
		r.Dispatch(ack, socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: ev,
			Request: &socketmode.Request{EnvelopeID: id, RetryAttempt: i}})
	}
	r.Wait()
	if calls.Load() != 1 {
		t.Fatalf("handler ran %d times for one event id, want 1", calls.Load())
	}
	if ack.n.Load() != 2 {
		t.Fatalf("acked %d envelopes, want both", ack.n.Load())
	}
}

func counterValue(t *testing.T, m *telemetry.Metrics, name, label string) float64 {
	t.Helper()
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, metric := range mf.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetValue() == label {
					total += metric.GetCounter().GetValue()
				}
			}
		}
	}
	return total
}

// BenchmarkDispatchAck measures the bot's own share of the ack latency: from the
// envelope reaching the router to its ack being queued, handler work excluded.
func BenchmarkDispatchAck(b *testing.B) {
	// Handlers return at once: the queue never fills (a full queue refuses work,
	// which is another path).
	r, _ := newTestRouter(b, Routes{Commands: map[string]CommandHandler{
		Command: func(ctx context.Context, cmd *slack.SlashCommand) error { return nil },
	}}, 64)
	ack := &discardAcker{}
	ev := slashEvent("env", "help", "")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Dispatch(ack, ev)
		if i%512 == 511 { // let the workers catch up, outside the timing
			b.StopTimer()
			r.Wait()
			b.StartTimer()
		}
	}
	b.StopTimer()
	r.Wait()
}

type discardAcker struct{}

func (discardAcker) AckCtx(context.Context, string, any) error { return nil }

func TestResponseURLNeverReachesAnError(t *testing.T) {
	api := slack.New("xoxb-test", slack.OptionAPIURL("http://127.0.0.1:1/api/"))
	r := NewReplier(api, http.DefaultClient, slog.New(slog.NewTextHandler(io.Discard, nil)))
	secret := "http://127.0.0.1:1/hooks/commands/T0/123/s3cr3tpath"
	err := r.ToURL(context.Background(), secret, views.Notice("hi"))
	if err == nil || strings.Contains(err.Error(), "s3cr3tpath") {
		t.Fatalf("error %v leaks the response_url", err)
	}
}

func TestSlackFailureIsToldAsWhatToDo(t *testing.T) {
	hooks := newHookServer(t)
	r, m := newTestRouter(t, Routes{Commands: map[string]CommandHandler{
		Command: func(ctx context.Context, cmd *slack.SlashCommand) error {
			return &slack.RateLimitedError{RetryAfter: time.Minute}
		},
	}}, 4)
	r.Dispatch(&recordingAcker{}, slashEvent("env1", "join", hooks.URL))
	msg := hooks.wait(t)
	if !strings.Contains(msg.Text, "Slack is busy") {
		t.Fatalf("user was told %q, want the busy message rather than 'something went wrong'", msg.Text)
	}
	r.Wait()
	if got := counterValue(t, m, "mentorbot_handler_errors_total", mentor.EUNAVAILABLE); got != 1 {
		t.Fatalf("errors counted as unavailable = %v, want 1", got)
	}
}

func TestAFullQueueRefusesWorkAndSaysSo(t *testing.T) {
	hooks := newHookServer(t)
	release := make(chan struct{})
	var ran atomic.Int32
	r, m := newTestRouter(t, Routes{Commands: map[string]CommandHandler{
		Command: func(ctx context.Context, cmd *slack.SlashCommand) error { ran.Add(1); <-release; return nil },
	}}, 1)
	ack := &recordingAcker{}
	// One worker, busy with the first; the queue holds queuePerWorker more.
	r.Dispatch(ack, slashEvent("first", "x", hooks.URL))
	for deadline := time.Now().Add(5 * time.Second); ran.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	for i := 0; i <= queuePerWorker; i++ {
		r.Dispatch(ack, slashEvent(fmt.Sprintf("e%d", i), "x", hooks.URL))
	}
	msg := hooks.wait(t)
	if !strings.Contains(msg.Text, "very busy") {
		t.Fatalf("the refused person was told %q", msg.Text)
	}
	if n := ack.n.Load(); n != int32(2+queuePerWorker) {
		t.Fatalf("acked %d envelopes, want every one", n)
	}
	close(release)
	r.Wait()
	if got := ran.Load(); got != int32(1+queuePerWorker) {
		t.Fatalf("%d handlers ran, want the first and the queued ones (%d)", got, 1+queuePerWorker)
	}
	if got := counterValue(t, m, "mentorbot_handler_errors_total", "overload"); got != 1 {
		t.Fatalf("overloads counted = %v, want 1", got)
	}
}

// What fails on our side is told as a plain sentence with a reference, and the log
// line with the detail carries the same reference; the detail never reaches the
// person. Invalid input is a warning in the log, not an error.
func TestFailuresShowAReferenceToTheirLogLine(t *testing.T) {
	hooks := newHookServer(t)
	var logs strings.Builder
	var mu sync.Mutex
	log := slog.New(slog.NewJSONHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	api := slack.New("xoxb-test", slack.OptionAPIURL("http://127.0.0.1:1/api/"))
	detail := "dial tcp 10.9.8.7:6379: connection refused"
	r := NewRouter(Routes{Commands: map[string]CommandHandler{
		Command: func(ctx context.Context, cmd *slack.SlashCommand) error {
			if cmd.Text == "unavailable" {
				return &mentor.Error{Code: mentor.EUNAVAILABLE, Message: "The program's storage is not answering. Please try again in a minute.", Err: errors.New(detail)}
			}
			return fmt.Errorf("read sign-up: %w", errors.New(detail))
		},
	}}, NewReplier(api, http.DefaultClient, log), &dedupe{}, log, telemetry.New(), 4)

	for i, text := range []string{"internal", "unavailable"} {
		r.Dispatch(&recordingAcker{}, slashEvent(fmt.Sprintf("env%d", i), text, hooks.URL))
		msg := hooks.wait(t)
		r.Wait()
		_, ref, ok := strings.Cut(msg.Text, "(Reference ")
		ref = strings.TrimSuffix(ref, ")")
		if !ok || len(ref) != 8 {
			t.Fatalf("%s: the person was told %q, want a reference", text, msg.Text)
		}
		if strings.Contains(msg.Text, "10.9.8.7") || strings.Contains(msg.Text, "refused") {
			t.Fatalf("%s: the person was told the detail: %q", text, msg.Text)
		}
		mu.Lock()
		found := false
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, `"ref":"`+ref+`"`) && strings.Contains(line, "10.9.8.7") && strings.Contains(line, `"level":"ERROR"`) {
				found = true
			}
		}
		mu.Unlock()
		if !found {
			t.Fatalf("%s: no error log line with reference %s and the detail:\n%s", text, ref, logs.String())
		}
	}

	logs.Reset()
	err := r.protect("view join", func() error { return mentor.FieldErrors{"needs": "Tell your mentor what you need."} })
	if err == nil || strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), `"level":"WARN"`) {
		t.Fatalf("invalid input logged as %q, want a warning", logs.String())
	}
	if !strings.Contains(logs.String(), `"needs"`) || strings.Contains(logs.String(), "Tell your mentor") {
		t.Fatalf("invalid input logged as %q, want the field's name and not its message", logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// Messages in duo channels are only recorded, and come in bursts: however many
// wait, a person's command is handled at once (it has a lane of its own).
func TestABurstOfChannelMessagesNeverHoldsUpACommand(t *testing.T) {
	release := make(chan struct{})
	ran := make(chan struct{})
	var messages atomic.Int32
	r, _ := newTestRouter(t, Routes{
		Message: func(ctx context.Context, eventID string, ev *slackevents.MessageEvent) error {
			messages.Add(1)
			<-release
			return nil
		},
		Commands: map[string]CommandHandler{Command: func(ctx context.Context, cmd *slack.SlashCommand) error {
			close(ran)
			return nil
		}},
	}, 4)
	defer func() { close(release); r.Wait() }()
	ack := &recordingAcker{}
	for i := range 8 { // more than all the router's workers
		ev := slackevents.EventsAPIEvent{Type: slackevents.CallbackEvent,
			Data:       &slackevents.EventsAPICallbackEvent{EventID: fmt.Sprintf("Ev%d", i)},
			InnerEvent: slackevents.EventsAPIInnerEvent{Type: "message", Data: &slackevents.MessageEvent{Channel: "C1", User: "U1", Text: "hello"}}}
		r.Dispatch(ack, socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: ev,
			Request: &socketmode.Request{EnvelopeID: fmt.Sprintf("m%d", i)}})
	}
	r.Dispatch(ack, slashEvent("c1", "help", ""))
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatalf("the command waited behind %d channel messages", messages.Load())
	}
}
