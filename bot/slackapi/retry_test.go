package slackapi

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

func TestSafeMethodsAreRetriedOn5xx(t *testing.T) {
	f := newFake(t, func(method string, hit int) reply {
		switch {
		case method == "conversations.info" && hit <= 2:
			return status(500)
		case method == "conversations.invite" && hit == 1:
			return status(503)
		}
		return nil
	})
	r := newRig(t, f, Config{}, false)
	ctx := context.Background()

	mustOK(t, r.info(ctx))
	if got := f.hitsOf("conversations.info"); got != 3 {
		t.Fatalf("server saw %d conversations.info, want 3", got)
	}
	if w := r.waits(); !reflect.DeepEqual(w, []time.Duration{100 * time.Millisecond, 400 * time.Millisecond}) {
		t.Fatalf("backoff = %v, want [100ms 400ms]", w)
	}
	if got := counter(t, r.metrics.SlackRetries, "conversations.info", "5xx"); got != 2 {
		t.Errorf("retries{5xx} = %v, want 2", got)
	}
	if got := counter(t, r.metrics.SlackCalls, "conversations.info"); got != 3 {
		t.Errorf("calls = %v, want 3: every attempt counts", got)
	}

	// The body is sent again, whole.
	mustOK(t, r.invite(ctx))
	bodies := f.bodiesOf("conversations.invite")
	if len(bodies) != 2 {
		t.Fatalf("server saw %d conversations.invite, want 2", len(bodies))
	}
	for i, b := range bodies {
		v := form(t, b)
		if v.Get("channel") != "C1" || v.Get("users") != "U1,U2" || v.Get("token") == "" {
			t.Errorf("attempt %d sent %v, want channel, users and token", i+1, v)
		}
	}
}

func TestSafeMethodsGiveUpAfterThreeAttempts(t *testing.T) {
	f := newFake(t, func(method string, hit int) reply { return status(502) })
	r := newRig(t, f, Config{}, false)
	err := r.info(context.Background())
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != 502 {
		t.Fatalf("err = %v, want slack.StatusCodeError 502", err)
	}
	if got := f.hitsOf("conversations.info"); got != 3 {
		t.Fatalf("server saw %d conversations.info, want 3", got)
	}
	if !Ambiguous(err) {
		t.Errorf("Ambiguous(5xx) = false, want true")
	}
	if code := mentor.ErrorCode(Domain(err)); code != mentor.EUNAVAILABLE {
		t.Errorf("Domain(5xx) = %q, want unavailable", code)
	}
}

func TestUnsafeMethodsAreNotRetried(t *testing.T) {
	f := newFake(t, func(method string, hit int) reply { return status(500) })
	r := newRig(t, f, Config{}, false)
	ctx := context.Background()
	calls := map[string]func() error{
		"chat.postMessage":     func() error { return r.post(ctx, "C1") },
		"conversations.create": func() error { return r.create(ctx) },
		"views.open":           func() error { return r.open(ctx) },
		"views.push": func() error {
			_, err := r.api.PushViewContext(ctx, "trigger-1", modal())
			return err
		},
		"chat.postEphemeral": func() error {
			_, err := r.api.PostEphemeralContext(ctx, "C1", "U1", slack.MsgOptionText("x", false))
			return err
		},
		// A view update with a hash that took effect would fail with hash_conflict
		// when sent again.
		"views.update": func() error { return r.update(ctx, "h1") },
	}
	for method, call := range calls {
		err := call()
		if !Ambiguous(err) {
			t.Errorf("%s: Ambiguous(%v) = false, want true", method, err)
		}
		if got := f.hitsOf(method); got != 1 {
			t.Errorf("server saw %d %s, want 1: not safe to repeat", got, method)
		}
	}
	if len(r.waits()) != 0 {
		t.Errorf("waits = %v, want none", r.waits())
	}
}

func TestViewUpdateWithoutHashIsRetried(t *testing.T) {
	f := newFake(t, func(method string, hit int) reply {
		if hit == 1 {
			return status(500)
		}
		return nil
	})
	r := newRig(t, f, Config{}, false)
	mustOK(t, r.update(context.Background(), ""))
	if got := f.hitsOf("views.update"); got != 2 {
		t.Fatalf("server saw %d views.update, want 2", got)
	}
}

func TestConnectionResetAfterWrite(t *testing.T) {
	f := newFake(t, func(method string, hit int) reply { return reset })
	r := newRig(t, f, Config{}, false)
	ctx := context.Background()

	err := r.post(ctx, "C1")
	if err == nil || !Ambiguous(err) {
		t.Fatalf("err = %v, Ambiguous %v; want an ambiguous failure", err, Ambiguous(err))
	}
	if got := f.hitsOf("chat.postMessage"); got != 1 {
		t.Errorf("server saw %d chat.postMessage, want 1", got)
	}
	if code := mentor.ErrorCode(Domain(err)); code != mentor.EUNAVAILABLE {
		t.Errorf("Domain = %q, want unavailable", code)
	}

	if err := r.info(ctx); err == nil || !Ambiguous(err) {
		t.Fatalf("info err = %v, want an ambiguous failure", err)
	}
	if got := f.hitsOf("conversations.info"); got != 3 {
		t.Errorf("server saw %d conversations.info, want 3", got)
	}
	if got := counter(t, r.metrics.SlackRetries, "conversations.info", "transport"); got != 2 {
		t.Errorf("retries{transport} = %v, want 2", got)
	}
}

func TestTimeoutAfterWriteIsAmbiguous(t *testing.T) {
	f := newFake(t, func(method string, hit int) reply { return hang })
	r := newRig(t, f, Config{}, false)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := r.post(ctx, "C1")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
	if !Ambiguous(err) {
		t.Errorf("Ambiguous(timeout after write) = false, want true")
	}
	if code := mentor.ErrorCode(Domain(err)); code != mentor.EUNAVAILABLE {
		t.Errorf("Domain = %q, want unavailable", code)
	}
}

func TestNothingSentIsDefinite(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // connection refused from now on

	r := newRig(t, nil, Config{APIURL: "http://" + addr + "/api/"}, false)
	ctx := context.Background()
	err = r.post(ctx, "C1")
	if err == nil || Ambiguous(err) {
		t.Fatalf("refused: err = %v, Ambiguous %v; want a definite failure", err, Ambiguous(err))
	}
	if code := mentor.ErrorCode(Domain(err)); code != mentor.EUNAVAILABLE {
		t.Errorf("Domain(refused) = %q, want unavailable", code)
	}
	// Reads are tried again even then.
	if err := r.info(ctx); err == nil || Ambiguous(err) {
		t.Fatalf("refused info: err = %v, want a definite failure", err)
	}
	if got := counter(t, r.metrics.SlackCalls, "conversations.info"); got != 3 {
		t.Errorf("calls{conversations.info} = %v, want 3", got)
	}
	// So are view updates with a hash: a request never sent cannot have taken effect.
	if err := r.update(ctx, "h1"); err == nil || Ambiguous(err) {
		t.Fatalf("refused views.update: err = %v, want a definite failure", err)
	}
	if got := counter(t, r.metrics.SlackCalls, "views.update"); got != 3 {
		t.Errorf("calls{views.update} = %v, want 3", got)
	}

	// A context that ended before the call.
	f := newFake(t, nil)
	r = newRig(t, f, Config{}, false)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err = r.post(cctx, "C1")
	if !errors.Is(err, context.Canceled) || Ambiguous(err) {
		t.Fatalf("cancelled: err = %v, Ambiguous %v; want context.Canceled, definite", err, Ambiguous(err))
	}
	if got := f.hitsOf("chat.postMessage"); got != 0 {
		t.Errorf("server saw %d chat.postMessage, want 0", got)
	}
}

func TestWebhookErrorsDoNotCarryTheURL(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := newRig(t, nil, Config{}, false)
	secret := "http://" + addr + "/commands/T1/123/s3cr3t-hook"
	err = slack.PostWebhookCustomHTTPContext(context.Background(), secret, r.hc, &slack.WebhookMessage{Text: "hi"})
	if err == nil {
		t.Fatal("want an error")
	}
	if !strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("test premise: net/http puts the URL in %q", err)
	}
	for name, e := range map[string]error{"Redact": Redact(err), "Domain": Domain(err)} {
		if strings.Contains(e.Error(), "s3cr3t") {
			t.Errorf("%s(err) = %q, carries the response_url", name, e)
		}
		if !errors.Is(e, err) || !errors.Is(e, syscall.ECONNREFUSED) {
			t.Errorf("%s(err) lost the chain: %v", name, e)
		}
	}
	if !strings.Contains(Redact(err).Error(), "webhook") {
		t.Errorf("Redact(err) = %q, want the call named", Redact(err))
	}
}
