package slackapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// mustDefer checks that err is a deferral until want, and that it reads as definite
// and as "Slack is busy".
func mustDefer(t *testing.T, err error, want time.Time) {
	t.Helper()
	until, ok := DeferUntil(err)
	if !ok {
		t.Fatalf("err = %v, want a deferral until %s", err, want)
	}
	if !until.Equal(want) {
		t.Fatalf("deferred until %s, want %s", until, want)
	}
	if Ambiguous(err) {
		t.Errorf("Ambiguous(deferral) = true, want false: nothing was sent")
	}
	if code := mentor.ErrorCode(Domain(err)); code != mentor.EUNAVAILABLE {
		t.Errorf("Domain(deferral) code = %q, want %q", code, mentor.EUNAVAILABLE)
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("call failed: %v", err)
	}
}

func TestTier2LetsABurstThroughThenDefersBackgroundCalls(t *testing.T) {
	f := newFake(t, nil)
	r := newRig(t, f, Config{}, false)
	bg := Deferrable(context.Background())

	burst := defaultLimit("conversations.create").Burst
	for i := 0; i < burst; i++ { // the burst
		mustOK(t, r.create(bg))
	}
	err := r.create(bg)
	mustDefer(t, err, r.t0.Add(3*time.Second)) // 20 a minute: one every 3 s
	if got := f.hitsOf("conversations.create"); got != burst {
		t.Fatalf("server saw %d conversations.create, want %d: a deferred call must not be sent", got, burst)
	}
	if got := counter(t, r.metrics.SlackThrottled, "conversations.create", "deferred"); got != 1 {
		t.Errorf("throttled{deferred} = %v, want 1", got)
	}

	// Each method has its own budget.
	mustOK(t, r.invite(bg))

	// Time releases the next one, and only one.
	r.clk.Advance(3 * time.Second)
	mustOK(t, r.create(bg))
	mustDefer(t, r.create(bg), r.t0.Add(6*time.Second))
	r.clk.Advance(3 * time.Second)
	mustOK(t, r.create(bg))
	if got := f.hitsOf("conversations.create"); got != burst+2 {
		t.Fatalf("server saw %d conversations.create, want %d", got, burst+2)
	}
	if len(r.waits()) != 0 {
		t.Errorf("background calls waited %v, want no waits at all", r.waits())
	}
}

func TestLimitsOverrideTheTier(t *testing.T) {
	f := newFake(t, nil)
	r := newRig(t, f, Config{Limits: map[string]Limit{"conversations.info": {Every: time.Minute, Burst: 1}}}, false)
	bg := Deferrable(context.Background())
	mustOK(t, r.info(bg))
	mustDefer(t, r.info(bg), r.t0.Add(time.Minute))
}

func TestPostMessageIsPacedPerChannel(t *testing.T) {
	f := newFake(t, nil)
	r := newRig(t, f, Config{}, false)
	bg := Deferrable(context.Background())

	burst := defaultLimit("chat.postMessage").Burst
	for i := 0; i < burst; i++ {
		mustOK(t, r.post(bg, "C1"))
	}
	mustDefer(t, r.post(bg, "C1"), r.t0.Add(time.Second))
	// Another channel has its own budget.
	for i := 0; i < burst; i++ {
		mustOK(t, r.post(bg, "C2"))
	}
	r.clk.Advance(time.Second)
	mustOK(t, r.post(bg, "C1"))
	if got := f.hitsOf("chat.postMessage"); got != 2*burst+1 {
		t.Fatalf("server saw %d chat.postMessage, want %d", got, 2*burst+1)
	}
}

func TestForegroundCallsAreNotPacedByTheBucket(t *testing.T) {
	f := newFake(t, nil)
	r := newRig(t, f, Config{}, false)
	ctx := context.Background()

	// The clock never moves: a paced call would never be released.
	for i := 0; i < 30; i++ {
		mustOK(t, r.create(ctx))
		mustOK(t, r.post(ctx, "C1"))
	}
	if got := f.hitsOf("conversations.create"); got != 30 {
		t.Fatalf("server saw %d conversations.create, want 30", got)
	}
	if len(r.waits()) != 0 {
		t.Errorf("foreground calls waited %v, want none", r.waits())
	}
	// They did use the budget: background work leaves room for people.
	mustDefer(t, r.create(Deferrable(ctx)), r.t0.Add(3*time.Second))
}

func TestA429CoolsTheMethodDownForLaterBackgroundCalls(t *testing.T) {
	f := newFake(t, func(method string, hit int) reply {
		if method == "conversations.create" && hit == 1 {
			return tooMany("30")
		}
		return nil
	})
	r := newRig(t, f, Config{}, false)
	bg := Deferrable(context.Background())
	until := r.t0.Add(30 * time.Second)

	mustDefer(t, r.create(bg), until)
	if got := f.hitsOf("conversations.create"); got != 1 {
		t.Fatalf("server saw %d conversations.create, want 1", got)
	}
	// A person's call does not wait 30 s: Slack is busy, at once, and nothing is sent.
	err := r.create(context.Background())
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 30*time.Second {
		t.Fatalf("foreground err = %v, want *slack.RateLimitedError after 30s", err)
	}
	if Ambiguous(err) || mentor.ErrorCode(Domain(err)) != mentor.EUNAVAILABLE {
		t.Errorf("foreground rate limit: Ambiguous %v, Domain %v; want false, unavailable", Ambiguous(err), Domain(err))
	}
	if got := counter(t, r.metrics.SlackThrottled, "conversations.create", "busy"); got != 1 {
		t.Errorf("throttled{busy} = %v, want 1", got)
	}
	// Budget is left, but the cooldown holds background calls back, unsent.
	r.clk.Advance(29 * time.Second)
	mustDefer(t, r.create(bg), until)
	if got := f.hitsOf("conversations.create"); got != 1 {
		t.Fatalf("server saw %d conversations.create during the cooldown, want 1", got)
	}
	// Only that method cools down.
	mustOK(t, r.invite(bg))

	r.clk.Advance(time.Second)
	mustOK(t, r.create(bg))
	if len(r.waits()) != 0 {
		t.Errorf("waits = %v, want none", r.waits())
	}
}

func TestA429OnPostMessageCoolsOnlyThatChannel(t *testing.T) {
	f := newFake(t, func(method string, hit int) reply {
		if method == "chat.postMessage" && hit == 1 {
			return tooMany("10")
		}
		return nil
	})
	r := newRig(t, f, Config{}, false)
	bg := Deferrable(context.Background())
	mustDefer(t, r.post(bg, "C1"), r.t0.Add(10*time.Second))
	mustDefer(t, r.post(bg, "C1"), r.t0.Add(10*time.Second))
	mustOK(t, r.post(bg, "C2"))
}

func TestA429WithoutRetryAfterMeansOneSecond(t *testing.T) {
	f := newFake(t, func(method string, hit int) reply {
		if method == "conversations.create" {
			return tooMany("")
		}
		return nil
	})
	r := newRig(t, f, Config{}, false)
	mustDefer(t, r.create(Deferrable(context.Background())), r.t0.Add(time.Second))

	// A person's call waits that second once, tries again, then gets the usual error
	// (not slack-go's failure to parse a missing header).
	err := r.create(context.Background())
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("err = %v, want *slack.RateLimitedError after 1s", err)
	}
}

func TestForegroundWaitsOutAShortCooldownOnce(t *testing.T) {
	f := newFake(t, func(method string, hit int) reply {
		switch {
		case method == "views.open" && hit == 1:
			return tooMany("1")
		case method == "chat.update":
			return tooMany("2")
		}
		return nil
	})
	r := newRig(t, f, Config{}, false)
	ctx := context.Background()

	// A 429 within the wait budget: wait it out, send again.
	mustOK(t, r.open(ctx))
	if got := f.hitsOf("views.open"); got != 2 {
		t.Fatalf("server saw %d views.open, want 2 (429, then the retry)", got)
	}
	if w := r.waits(); len(w) != 1 || w[0] != time.Second {
		t.Fatalf("waits = %v, want [1s]", w)
	}
	// The cooldown is still on (the clock has not moved): the next call waits first.
	mustOK(t, r.open(ctx))
	if w := r.waits(); len(w) != 2 || w[1] != time.Second {
		t.Fatalf("waits = %v, want [1s 1s]", w)
	}
	if got := counter(t, r.metrics.SlackThrottled, "views.open", "waited"); got != 2 {
		t.Errorf("throttled{waited} = %v, want 2", got)
	}
	r.clk.Advance(time.Second)
	mustOK(t, r.open(ctx))
	if len(r.waits()) != 2 {
		t.Fatalf("waits = %v after the cooldown, want no new one", r.waits())
	}

	// Slack keeps answering 429: one wait, then the caller hears it.
	_, _, _, err := r.api.UpdateMessageContext(ctx, "C1", "1.2", slack.MsgOptionText("x", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %v, want *slack.RateLimitedError", err)
	}
	if got := f.hitsOf("chat.update"); got != 2 {
		t.Fatalf("server saw %d chat.update, want 2", got)
	}
}

func TestForegroundWaitIsRealAndBoundedByTheContext(t *testing.T) {
	f := newFake(t, func(method string, hit int) reply {
		if method == "views.open" && hit == 1 {
			return tooMany("1")
		}
		return nil
	})
	r := newRig(t, f, Config{}, true)

	start := time.Now()
	mustOK(t, r.open(context.Background()))
	if d := time.Since(start); d < time.Second {
		t.Fatalf("retried after %v, want Retry-After's 1s of real time", d)
	}

	// The cooldown is still on; a caller that cannot wait that long gives up early,
	// and nothing was sent.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start = time.Now()
	err := r.open(ctx)
	if err == nil || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("err = %v after %v, want a quick failure", err, time.Since(start))
	}
	if Ambiguous(err) {
		t.Errorf("Ambiguous = true for a call given up before sending")
	}
	if got := f.hitsOf("views.open"); got != 2 {
		t.Fatalf("server saw %d views.open, want 2", got)
	}
}

func TestWebhooksAreNeverPaced(t *testing.T) {
	f := newFake(t, nil)
	r := newRig(t, f, Config{}, false)
	bg := Deferrable(context.Background())
	for i := 0; i < 30; i++ {
		err := slack.PostWebhookCustomHTTPContext(bg, f.srv.URL+"/commands/T1/1/secret", r.hc, &slack.WebhookMessage{Text: "hi"})
		mustOK(t, err)
	}
	if got := counter(t, r.metrics.SlackCalls, "webhook"); got != 30 {
		t.Errorf("calls{webhook} = %v, want 30", got)
	}
}

func TestIdlePacingKeysAreForgotten(t *testing.T) {
	f := newFake(t, nil)
	r := newRig(t, f, Config{}, false)
	r.tr.maxKeys = 4
	bg := Deferrable(context.Background())
	for i := 0; i < 20; i++ {
		mustOK(t, r.post(bg, fmt.Sprintf("C%d", i)))
		r.clk.Advance(time.Minute)
	}
	r.tr.mu.Lock()
	n := len(r.tr.paces)
	r.tr.mu.Unlock()
	if n > 4 {
		t.Fatalf("%d pacing keys kept, want at most 4", n)
	}
}

// Many goroutines, both kinds of call, several channels: for -race, and every call is
// either sent or deferred.
func TestConcurrentUse(t *testing.T) {
	f := newFake(t, nil)
	r := newRig(t, f, Config{}, false)
	var wg sync.WaitGroup
	var mu sync.Mutex
	deferred := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				ctx := context.Background()
				if i%2 == 0 {
					ctx = Deferrable(ctx)
				}
				err := r.post(ctx, fmt.Sprintf("C%d", i%3))
				if _, ok := DeferUntil(err); ok {
					mu.Lock()
					deferred++
					mu.Unlock()
				} else if err != nil {
					t.Error(err)
				}
				if i%5 == 0 {
					r.clk.Advance(100 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	if sent := f.hitsOf("chat.postMessage"); sent+deferred != 200 {
		t.Fatalf("sent %d + deferred %d, want 200", sent, deferred)
	}
}

func TestForegroundHearsALong429AtOnce(t *testing.T) {
	f := newFake(t, func(method string, hit int) reply {
		if method == "conversations.create" && hit == 1 {
			return tooMany("30")
		}
		return nil
	})
	r := newRig(t, f, Config{}, false)
	err := r.create(context.Background())
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 30*time.Second {
		t.Fatalf("err = %v, want *slack.RateLimitedError after 30s", err)
	}
	if got := f.hitsOf("conversations.create"); got != 1 {
		t.Fatalf("server saw %d conversations.create, want 1", got)
	}
	if len(r.waits()) != 0 {
		t.Fatalf("waits = %v, want none: 30s is beyond the wait budget", r.waits())
	}
	// Background work hears of it too.
	mustDefer(t, r.create(Deferrable(context.Background())), r.t0.Add(30*time.Second))
}

func TestALongerCooldownWins(t *testing.T) {
	r := newRig(t, newFake(t, nil), Config{}, false)
	c := call{method: "conversations.create", api: true, key: "conversations.create", limit: defaultLimit("conversations.create")}
	if got := r.tr.coolDown(c, 30*time.Second); !got.Equal(r.t0.Add(30 * time.Second)) {
		t.Fatalf("cooldown until %s", got)
	}
	if got := r.tr.coolDown(c, time.Second); !got.Equal(r.t0.Add(30 * time.Second)) {
		t.Fatalf("a shorter 429 moved the cooldown to %s, want it kept at +30s", got)
	}
}
