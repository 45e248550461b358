package slackfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/slackfake"
	"github.com/mentorbot/mentorbot/internal/slackfake/slackfaketest"
)

// statusCode returns the HTTP status of a slack.StatusCodeError (0 if err
// is not one).
func statusCode(err error) int {
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code
	}
	return 0
}

func TestFailNextHTTP(t *testing.T) {
	for _, tc := range []struct {
		status, want int
		code         string
	}{
		{500, 500, "internal_server_error"},
		{502, 502, "bad_gateway"},
		{503, 503, "service_unavailable"},
		{200, 500, "internal_server_error"}, // not an error status: 500
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv, general, _ := workspace(t)
			api := apiClient(srv)
			ctx := slackfaketest.Ctx(t)
			srv.FailNextHTTP("chat.postMessage", tc.status)
			_, _, err := api.PostMessageContext(ctx, general, slack.MsgOptionText("x", false))
			if got := statusCode(err); got != tc.want {
				t.Fatalf("err = %v, want StatusCodeError %d", err, tc.want)
			}
			if n := len(srv.Messages(general)); n != 0 {
				t.Errorf("the failed call posted %d messages", n)
			}
			c := srv.Calls("chat.postMessage")
			if len(c) != 1 || c[0].Status != tc.want || c[0].Fault != "FailNextHTTP" || c[0].OK || c[0].Error != tc.code || c[0].Unsent != nil {
				t.Errorf("call = %+v", c)
			}
			if _, _, err := api.PostMessageContext(ctx, general, slack.MsgOptionText("x", false)); err != nil {
				t.Errorf("next call: %v", err)
			}
		})
	}
}

func TestFailNextAfterEffect(t *testing.T) {
	srv, general, _ := workspace(t)
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)

	// The channel is created, but the bot only sees a 503.
	srv.FailNextAfterEffect("conversations.create", http.StatusServiceUnavailable)
	params := slack.CreateConversationParams{ChannelName: "duo-alice-carol", IsPrivate: true}
	if _, err := api.CreateConversationContext(ctx, params); statusCode(err) != 503 {
		t.Fatalf("create: %v, want StatusCodeError 503", err)
	}
	ch, ok := srv.ChannelByName("duo-alice-carol")
	if !ok || !ch.Private || !ch.IsMember(bot) {
		t.Fatalf("the channel was not created: %+v", ch)
	}
	c := srv.Calls("conversations.create")[0]
	var unsent struct {
		OK      bool `json:"ok"`
		Channel struct {
			ID string `json:"id"`
		} `json:"channel"`
	}
	if err := json.Unmarshal(c.Unsent, &unsent); err != nil || !unsent.OK || unsent.Channel.ID != ch.ID {
		t.Errorf("Unsent = %s (%v), want the real answer naming %s", c.Unsent, err, ch.ID)
	}
	if c.Status != 503 || c.Fault != "FailNextAfterEffect" || c.OK {
		t.Errorf("call = %+v", c)
	}
	// A naive retry finds the name taken.
	if _, err := api.CreateConversationContext(ctx, params); slackErr(err) != "name_taken" {
		t.Errorf("retry: %v", err)
	}

	// The same for a post: the message is there, the bot saw a 500.
	srv.FailNextAfterEffect("chat.postMessage", 500)
	if _, _, err := api.PostMessageContext(ctx, general, slack.MsgOptionText("Posted anyway", false)); statusCode(err) != 500 {
		t.Errorf("post: %v", err)
	}
	if m := srv.Messages(general); len(m) != 1 || m[0].Text != "Posted anyway" {
		t.Errorf("messages = %+v", m)
	}
}

func TestTimeoutNext(t *testing.T) {
	for _, effect := range []bool{false, true} {
		name := map[bool]string{false: "no effect", true: "with effect"}[effect]
		t.Run(name, func(t *testing.T) {
			srv, general, _ := workspace(t)
			api := apiClient(srv)
			srv.TimeoutNext("chat.postMessage", effect)
			short, cancel := context.WithTimeout(slackfaketest.Ctx(t), 200*time.Millisecond)
			defer cancel()
			_, _, err := api.PostMessageContext(short, general, slack.MsgOptionText("x", false))
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want the client's deadline", err)
			}
			if got, want := len(srv.Messages(general)), map[bool]int{false: 0, true: 1}[effect]; got != want {
				t.Errorf("%d messages, want %d", got, want)
			}
			c := srv.Calls("chat.postMessage")
			if len(c) != 1 || c[0].Status != 0 || c[0].Response != nil || c[0].Fault != "TimeoutNext" || (c[0].Unsent != nil) != effect {
				t.Errorf("call = %+v", c)
			}
			if _, _, err := api.PostMessageContext(slackfaketest.Ctx(t), general, slack.MsgOptionText("y", false)); err != nil {
				t.Errorf("next call: %v", err)
			}
		})
	}
}

// A held call ends when the server closes: Close waits for it, so no
// handler outlives the server.
func TestTimeoutNextEndsAtClose(t *testing.T) {
	srv, err := slackfake.New(slackfake.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx := slackfaketest.Ctx(t)
	srv.TimeoutNext("auth.test", false)
	done := make(chan error, 1)
	go func() {
		_, err := apiClient(srv).AuthTestContext(ctx) // no deadline of its own but the test's
		done <- err
	}()
	if err := srv.Wait(ctx, func() bool { return srv.CallCount("auth.test") == 1 }); err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("close: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Close did not return while a call was held")
	}
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("the held call got an answer")
		}
	case <-ctx.Done():
		t.Fatal("the held call did not end at Close")
	}
	// No handler goroutine is left (allowing the runtime a moment to
	// unwind the last frames).
	deadline := time.Now().Add(2 * time.Second)
	for n := handlersRunning(); n > 0; n = handlersRunning() {
		if time.Now().After(deadline) {
			t.Fatalf("%d API handler goroutines still running after Close", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// handlersRunning counts goroutines inside the fake's API handler.
func handlersRunning() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "slackfake.(*Server).handleAPI(")
}

func TestFaultsQueueInOrder(t *testing.T) {
	srv, general, _ := workspace(t)
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	srv.FailNext("chat.postMessage", "fatal_error")
	srv.FailNextHTTP("chat.postMessage", 502)
	srv.RateLimitNext("chat.postMessage", 0)
	srv.FailNextAfterEffect("chat.postMessage", 504)
	srv.TimeoutNext("chat.postMessage", false)
	check := []func(error) bool{
		func(err error) bool { return slackErr(err) == "fatal_error" },
		func(err error) bool { return statusCode(err) == 502 },
		func(err error) bool {
			var rl *slack.RateLimitedError
			return errors.As(err, &rl) && rl.RetryAfter == time.Second // at least 1 s
		},
		func(err error) bool { return statusCode(err) == 504 },
		func(err error) bool { return errors.Is(err, context.DeadlineExceeded) },
		func(err error) bool { return err == nil },
	}
	for i, ok := range check {
		c, cancel := ctx, context.CancelFunc(func() {})
		if i == 4 { // the held call
			c, cancel = context.WithTimeout(ctx, 200*time.Millisecond)
		}
		_, _, err := api.PostMessageContext(c, general, slack.MsgOptionText("x", false))
		cancel()
		if !ok(err) {
			t.Errorf("call %d: unexpected %v", i, err)
		}
	}
	var faults []string
	for _, c := range srv.Calls("chat.postMessage") {
		faults = append(faults, c.Fault)
	}
	want := []string{"FailNext", "FailNextHTTP", "RateLimitNext", "FailNextAfterEffect", "TimeoutNext", ""}
	if !slices.Equal(faults, want) {
		t.Errorf("faults = %q, want %q", faults, want)
	}
	if n := len(srv.Messages(general)); n != 2 { // FailNextAfterEffect's and the last
		t.Errorf("%d messages, want 2", n)
	}
}

func TestOnCall(t *testing.T) {
	srv, _, _ := workspace(t)
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	type seen struct {
		call       slackfake.Call
		channelNow bool // the channel existed when the hook ran
		recorded   int  // CallCount when the hook ran
	}
	var first, second capture[seen]
	removeFirst := srv.OnCall("conversations.create", func(c slackfake.Call) {
		_, ok := srv.ChannelByName(c.Param("name"))
		first.add(seen{call: c, channelNow: ok, recorded: srv.CallCount("conversations.create")})
	})
	srv.OnCall("conversations.create", func(c slackfake.Call) { second.add(seen{call: c}) })
	srv.OnCall("chat.postMessage", func(slackfake.Call) { t.Errorf("hook of another method ran") })

	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "duo-x", IsPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	s := first.last(t)
	if !s.channelNow || s.recorded != 0 || !s.call.OK || s.call.Status != 200 || s.call.Param("name") != "duo-x" {
		t.Errorf("hook saw %+v", s)
	}
	var resp struct {
		Channel struct {
			ID string `json:"id"`
		} `json:"channel"`
	}
	if err := json.Unmarshal(s.call.Response, &resp); err != nil || resp.Channel.ID != ch.ID {
		t.Errorf("hook's Response = %s", s.call.Response)
	}
	if len(second.all()) != 1 {
		t.Errorf("second hook ran %d times", len(second.all()))
	}

	// Failing calls and injected failures reach hooks too.
	if _, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "duo-x"}); slackErr(err) != "name_taken" {
		t.Fatal(err)
	}
	if s := first.last(t); s.call.OK || s.call.Error != "name_taken" || s.channelNow != true {
		t.Errorf("hook saw %+v", s)
	}
	srv.FailNextAfterEffect("conversations.create", 503)
	_, _ = api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "duo-y"})
	if s := first.last(t); !s.channelNow || s.call.Status != 503 || s.call.Unsent == nil {
		t.Errorf("hook saw %+v", s)
	}

	// Removed hooks no longer run; removing twice is harmless.
	removeFirst()
	removeFirst()
	_, _ = api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "duo-z"})
	if n, m := len(first.all()), len(second.all()); n != 3 || m != 4 {
		t.Errorf("hooks ran %d and %d times, want 3 and 4", n, m)
	}
}

// The client gets its answer only once the hooks are done.
func TestOnCallRunsBeforeTheAnswer(t *testing.T) {
	srv, general, _ := workspace(t)
	ctx := slackfaketest.Ctx(t)
	entered, release := make(chan struct{}), make(chan struct{})
	srv.OnCall("chat.postMessage", func(slackfake.Call) {
		close(entered)
		<-release
	})
	done := make(chan error, 1)
	go func() {
		_, _, err := apiClient(srv).PostMessageContext(ctx, general, slack.MsgOptionText("x", false))
		done <- err
	}()
	<-entered
	select {
	case err := <-done:
		t.Fatalf("the client got an answer (%v) while the hook ran", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSetRateLimit(t *testing.T) {
	clk := clock.NewSettable(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	srv, _, _ := workspace(t, func(o *slackfake.Options) { o.Now = clk.Now })
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	srv.SetRateLimit("conversations.create", 2, time.Minute)
	n := 0
	create := func() error {
		n++
		_, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "duo-" + string(rune('a'+n))})
		return err
	}
	// Two calls a minute. retry is the wanted Retry-After; 0 means the call
	// goes through. Times are from the first call.
	for i, step := range []struct {
		advance time.Duration
		retry   time.Duration
	}{
		{0, 0},                // at 0
		{10 * time.Second, 0}, // at 10 s
		{0, 50 * time.Second}, // the call at 0 leaves the window at 60 s
		{29*time.Second + time.Millisecond, 21 * time.Second}, // at 39.001 s: 20.999 s, rounded up
		{21 * time.Second, 0},                               // at 60.001 s the call at 0 has left
		{0, 10 * time.Second},                               // the call at 10 s leaves at 70 s
		{9*time.Second + 500*time.Millisecond, time.Second}, // at 69.501 s
		{499 * time.Millisecond, 0},                         // at 70 s
	} {
		clk.Advance(step.advance)
		err := create()
		var rl *slack.RateLimitedError
		switch {
		case step.retry == 0 && err != nil:
			t.Errorf("step %d: %v", i, err)
		case step.retry > 0 && (!errors.As(err, &rl) || rl.RetryAfter != step.retry):
			t.Errorf("step %d: err %v, want RateLimitedError(%v)", i, err, step.retry)
		}
	}
	if got := len(srv.Channels()); got != 2+4 { // general, duo and four admitted calls
		t.Errorf("%d channels: refused calls had an effect", got)
	}
	var statuses []int
	for _, c := range srv.Calls("conversations.create") {
		statuses = append(statuses, c.Status)
		if c.Status == 429 && (c.Fault != "SetRateLimit" || c.Error != "ratelimited") {
			t.Errorf("refused call = %+v", c)
		}
	}
	if want := []int{200, 200, 429, 429, 200, 429, 429, 200}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}

	// Failing calls count too; a refused call leaves queued failures alone.
	srv.SetRateLimit("conversations.create", 1, time.Minute) // a fresh window
	srv.FailNext("conversations.create", "fatal_error")
	if err := create(); slackErr(err) != "fatal_error" {
		t.Errorf("first: %v", err)
	}
	srv.FailNext("conversations.create", "restricted_action")
	var rl *slack.RateLimitedError
	if err := create(); !errors.As(err, &rl) {
		t.Errorf("second: %v, want rate limited", err)
	}
	srv.SetRateLimit("conversations.create", 0, time.Minute) // removes the limit
	if err := create(); slackErr(err) != "restricted_action" {
		t.Errorf("without limit: %v, want the queued failure", err)
	}
	if err := create(); err != nil {
		t.Errorf("without limit: %v", err)
	}
}

func TestSetRateLimitPerChannel(t *testing.T) {
	clk := clock.NewSettable(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	srv, general, duo := workspace(t, func(o *slackfake.Options) { o.Now = clk.Now })
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	srv.SetRateLimitPerChannel("chat.postMessage", 1, time.Second)
	post := func(ch string) error {
		_, _, err := api.PostMessageContext(ctx, ch, slack.MsgOptionText("x", false))
		return err
	}
	limited := func(err error) bool {
		var rl *slack.RateLimitedError
		return errors.As(err, &rl) && rl.RetryAfter == time.Second
	}
	if err := post(general); err != nil {
		t.Fatal(err)
	}
	if err := post(general); !limited(err) {
		t.Errorf("second post to general: %v", err)
	}
	if err := post(duo); err != nil {
		t.Errorf("another channel is not limited: %v", err)
	}
	clk.Advance(time.Second)
	if err := post(general); err != nil {
		t.Errorf("a second later: %v", err)
	}
	if c := srv.Calls("chat.postMessage")[1]; c.Status != 429 || c.Fault != "SetRateLimitPerChannel" {
		t.Errorf("refused call = %+v", c)
	}

	// Both limits apply when both are set.
	srv.SetRateLimit("chat.postMessage", 1, time.Minute)
	clk.Advance(time.Second)
	if err := post(duo); err != nil {
		t.Fatal(err)
	}
	var rl *slack.RateLimitedError
	if err := post(general); !errors.As(err, &rl) || rl.RetryAfter != time.Minute {
		t.Errorf("method-wide limit: %v", err)
	}
	if n := len(srv.Messages(general)) + len(srv.Messages(duo)); n != 4 {
		t.Errorf("%d messages, want 4", n)
	}
}
