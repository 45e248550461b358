package slackapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"testing"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Slack's ok:false answers, through slack-go and a caller's own wrapping.
func TestCodesMapToTheDomain(t *testing.T) {
	tests := []struct {
		method, code string
		domain       string
		ambiguous    bool
	}{
		{"conversations.create", NameTaken, mentor.EINTERNAL, false},
		{"conversations.invite", AlreadyInChannel, mentor.EINTERNAL, false},
		{"views.update", HashConflict, mentor.ECONFLICT, false},
		{"chat.postMessage", ChannelNotFound, mentor.ENOTFOUND, false},
		{"chat.update", MessageNotFound, mentor.ENOTFOUND, false},
		{"conversations.info", UserNotFound, mentor.ENOTFOUND, false},
		{"views.open", ExpiredTriggerID, mentor.EUNAVAILABLE, false},
		{"views.open", ExchangedTriggerID, mentor.EUNAVAILABLE, false},
		{"chat.postMessage", NotInChannel, mentor.EINTERNAL, false},
		{"conversations.create", MissingScope, mentor.EINTERNAL, false},
		{"chat.postMessage", FatalError, mentor.EUNAVAILABLE, true},
		{"chat.postMessage", InternalError, mentor.EUNAVAILABLE, true},
		{"chat.postMessage", RateLimited, mentor.EUNAVAILABLE, false},
		{"chat.postMessage", ServiceUnavailable, mentor.EUNAVAILABLE, false},
		{"chat.postMessage", RequestTimeout, mentor.EUNAVAILABLE, false},
	}
	for _, tt := range tests {
		t.Run(tt.method+"/"+tt.code, func(t *testing.T) {
			f := newFake(t, func(method string, hit int) reply { return slackError(tt.code) })
			r := newRig(t, f, Config{}, false)
			ctx := context.Background()
			var err error
			switch tt.method {
			case "conversations.create":
				err = r.create(ctx)
			case "conversations.invite":
				err = r.invite(ctx)
			case "conversations.info":
				err = r.info(ctx)
			case "views.update":
				err = r.update(ctx, "h1")
			case "views.open":
				err = r.open(ctx)
			case "chat.postMessage":
				err = r.post(ctx, "C1")
			case "chat.update":
				_, _, _, err = r.api.UpdateMessageContext(ctx, "C1", "1.2", slack.MsgOptionText("x", false))
			}
			if err == nil {
				t.Fatal("call succeeded, want an ok:false error")
			}
			if got := f.hitsOf(tt.method); got != 1 {
				t.Errorf("server saw %d %s, want 1: an answer is never retried", got, tt.method)
			}
			wrapped := fmt.Errorf("open duo channel: %w", err)
			for _, e := range []error{err, wrapped} {
				if got := Code(e); got != tt.code {
					t.Errorf("Code(%v) = %q, want %q", e, got, tt.code)
				}
				if !Is(e, tt.code) || Is(e, "other_code") || Is(e, "") {
					t.Errorf("Is(%v, …) wrong", e)
				}
				if got := Ambiguous(e); got != tt.ambiguous {
					t.Errorf("Ambiguous(%v) = %v, want %v", e, got, tt.ambiguous)
				}
				d := Domain(e)
				var me *mentor.Error
				if !errors.As(d, &me) || me.Code != tt.domain {
					t.Fatalf("Domain(%v) = %v, want code %q", e, d, tt.domain)
				}
				if me.Message == "" {
					t.Errorf("Domain(%v) has no message", e)
				}
				if Code(d) != tt.code || (e == wrapped && !errors.Is(d, wrapped)) {
					t.Errorf("Domain(%v) lost the cause: %v", e, d)
				}
			}
			if got := counter(t, r.metrics.SlackErrors, tt.method, tt.code); got != 1 {
				t.Errorf("errors{%s,%s} = %v, want 1", tt.method, tt.code, got)
			}
		})
	}
}

func TestErrorHelpersOnOtherErrors(t *testing.T) {
	if Code(nil) != "" || Is(nil, NameTaken) || Ambiguous(nil) || Domain(nil) != nil {
		t.Error("nil must read as no error")
	}
	plain := errors.New("boom")
	if Code(plain) != "" {
		t.Errorf("Code(plain) = %q, want empty", Code(plain))
	}
	if !Ambiguous(plain) {
		t.Error("Ambiguous(unknown failure) = false, want true: look before repeating")
	}
	if _, ok := DeferUntil(plain); ok {
		t.Error("DeferUntil(plain) = true")
	}
	// Failures to connect, from any client, are definite.
	refused := &url.Error{Op: "Post", URL: "https://slack.com/api/chat.postMessage",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	if Ambiguous(refused) {
		t.Error("Ambiguous(dial error) = true, want false")
	}
	if mentor.ErrorCode(Domain(refused)) != mentor.EUNAVAILABLE {
		t.Errorf("Domain(dial error) = %v, want unavailable", Domain(refused))
	}
	d := Domain(plain)
	if mentor.ErrorCode(d) != mentor.EINTERNAL || !errors.Is(d, plain) {
		t.Errorf("Domain(plain) = %v, want internal wrapping the cause", d)
	}
	already := mentor.Errorf(mentor.EINVALID, "no")
	if Domain(already) != error(already) {
		t.Error("Domain must leave a *mentor.Error alone")
	}
	// The pointer form of Slack's answer counts too.
	p := &slack.SlackErrorResponse{Err: ChannelNotFound}
	if Code(fmt.Errorf("x: %w", p)) != ChannelNotFound {
		t.Error("Code(*SlackErrorResponse) not read")
	}
}
