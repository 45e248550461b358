package slackfaketest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/slackfake"
	"github.com/mentorbot/mentorbot/internal/slackfake/slackfaketest"
)

// recorder is a testing.TB that keeps errors and cleanups instead of acting
// on them, to test what New reports.
type recorder struct {
	testing.TB
	errs     []string
	cleanups []func()
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recorder) finish() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

// postInvalid makes the bot break a Block Kit rule once (a header must be
// plain_text).
func postInvalid(t *testing.T, srv *slackfake.Server) {
	t.Helper()
	c := slackfaketest.MustChannel(t, srv, slackfake.Channel{Name: "general", Members: []string{"U07MNTRBOT"}})
	api := slack.New("xoxb-test-token", slack.OptionAPIURL(srv.APIURL()))
	_, _, err := api.PostMessageContext(context.Background(), c.ID,
		slack.MsgOptionBlocks(slack.NewHeaderBlock(slack.NewTextBlockObject("mrkdwn", "*bold*", false, false))))
	if err == nil {
		t.Fatal("invalid header accepted")
	}
}

func TestNewReportsViolationsAtCleanup(t *testing.T) {
	rec := &recorder{TB: t}
	srv := slackfaketest.New(rec, func(o *slackfake.Options) { o.TeamDomain = "example" })
	if srv.Options().TeamDomain != "example" || !srv.Options().EchoBotMessages {
		t.Errorf("options = %+v", srv.Options())
	}
	postInvalid(t, srv)
	rec.finish()
	if len(rec.errs) != 1 {
		t.Fatalf("errors at cleanup = %q, want 1", rec.errs)
	}
}

func TestAllowViolations(t *testing.T) {
	rec := &recorder{TB: t}
	srv := slackfaketest.New(rec)
	srv.AllowViolations()
	postInvalid(t, srv)
	rec.finish()
	if len(srv.Violations()) != 1 || len(rec.errs) != 0 {
		t.Errorf("violations %v, reported %q", srv.Violations(), rec.errs)
	}
}

func TestWaitEndsWithContextAndClose(t *testing.T) {
	srv := slackfaketest.New(t)
	ctx, cancel := context.WithTimeout(slackfaketest.Ctx(t), 20*time.Millisecond)
	defer cancel()
	if err := srv.Wait(ctx, func() bool { return false }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait = %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Wait(context.Background(), func() bool { return false }) }()
	srv.Close()
	if err := <-done; !errors.Is(err, slackfake.ErrClosed) {
		t.Errorf("Wait after Close = %v", err)
	}
}
