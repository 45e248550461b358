// Package slackfaketest holds test helpers around slackfake: a server tied
// to a test's lifetime that fails the test on Block Kit violations, a
// bounded context, and a settable clock.
package slackfaketest

import (
	"context"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// New starts a slackfake.Server from slackfake.DefaultOptions changed by
// opts, and closes it when the test ends. At cleanup it reports every Block
// Kit or protocol violation the bot committed with t.Errorf, unless the
// test called srv.AllowViolations() (a deliberate negative test).
func New(t testing.TB, opts ...func(*slackfake.Options)) *slackfake.Server {
	t.Helper()
	o := slackfake.DefaultOptions()
	for _, f := range opts {
		f(&o)
	}
	srv, err := slackfake.New(o)
	if err != nil {
		t.Fatalf("slackfaketest: %v", err)
	}
	t.Cleanup(func() {
		if !srv.ViolationsAllowed() {
			for _, v := range srv.Violations() {
				t.Errorf("slackfake: Slack would reject this (%s, %s):\n%s", v.Method, v.Reason, v.Detail)
			}
		}
		if err := srv.Close(); err != nil {
			t.Errorf("slackfake: close: %v", err)
		}
	})
	return srv
}

// Ctx returns a context that ends after 10 seconds or when the test ends,
// the bound for every driver call and Wait of a test.
func Ctx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// MustChannel adds a channel to srv or fails the test.
func MustChannel(t testing.TB, srv *slackfake.Server, c slackfake.Channel) slackfake.Channel {
	t.Helper()
	got, err := srv.AddChannel(c)
	if err != nil {
		t.Fatalf("slackfaketest: %v", err)
	}
	return got
}
