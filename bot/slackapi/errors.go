package slackapi

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Slack's error codes (the "error" of an ok:false answer) that the bot branches on.
// Compare with Is, never with the error's text.
const (
	NameTaken           = "name_taken"             // conversations.create: also taken by an archived channel
	AlreadyInChannel    = "already_in_channel"     // conversations.invite: nothing to do
	HashConflict        = "hash_conflict"          // views.update/publish: the view changed meanwhile
	ChannelNotFound     = "channel_not_found"      // gone, or the bot cannot see it
	NotInChannel        = "not_in_channel"         // the bot is not a member
	UserNotInChannel    = "user_not_in_channel"    // chat.postEphemeral: the person is not a member
	AlreadyArchived     = "already_archived"       // conversations.archive: nothing to do
	IsArchived          = "is_archived"            // the channel is archived
	MessageNotFound     = "message_not_found"      // chat.update/delete: the message is gone
	UserNotFound        = "user_not_found"         // the person left the workspace
	ExpiredTriggerID    = "expired_trigger_id"     // views.open/push: more than 3 s after the click
	ExchangedTriggerID  = "exchanged_trigger_id"   // views.open/push: trigger already used
	PushLimitReached    = "push_limit_reached"     // views.push: three views already stacked
	CantUpdateMessage   = "cant_update_message"    // chat.update: not the bot's message
	MissingScope        = "missing_scope"          // the app lacks a scope: fix the manifest
	InvalidAuth         = "invalid_auth"           // bad token
	NotAllowedTokenType = "not_allowed_token_type" // wrong kind of token for the method
	// Slack's own trouble, answered with HTTP 200. The first two may have partly
	// taken effect (Slack says so), so they are ambiguous; all four mean "busy".
	FatalError         = "fatal_error"
	InternalError      = "internal_error"
	ServiceUnavailable = "service_unavailable"
	RateLimited        = "ratelimited"
	RequestTimeout     = "request_timeout"
)

// Busy reports whether an ok:false code is Slack's own trouble, which may pass by
// itself: worth trying again later, unlike a refusal.
func Busy(code string) bool {
	switch code {
	case FatalError, InternalError, ServiceUnavailable, RateLimited, RequestTimeout:
		return true
	}
	return false
}

// DeferError is the answer to a background call (see Deferrable) that would have had to
// wait: nothing was sent, and the caller should try again at Until. It is definite: the
// call did not happen.
type DeferError struct {
	Method string    // the Web API method
	Until  time.Time // on the configured clock
}

func (e *DeferError) Error() string {
	return fmt.Sprintf("slack %s: rate limited, deferred until %s", e.Method, e.Until.UTC().Format(time.RFC3339))
}

// Code returns Slack's error code when err (or an error it wraps) is an ok:false
// answer, and "" otherwise.
func Code(err error) string {
	var v slack.SlackErrorResponse
	if errors.As(err, &v) {
		return v.Err
	}
	var p *slack.SlackErrorResponse
	if errors.As(err, &p) && p != nil {
		return p.Err
	}
	return ""
}

// Is reports whether err is an ok:false answer with the given code.
func Is(err error, code string) bool {
	return code != "" && Code(err) == code
}

// DeferUntil returns when a deferred background call should be tried again, and
// whether err is such a deferral.
func DeferUntil(err error) (time.Time, bool) {
	var d *DeferError
	if errors.As(err, &d) {
		return d.Until, true
	}
	return time.Time{}, false
}

// Ambiguous reports whether a failed call may still have taken effect at Slack: a 5xx
// answer, a timeout or a lost connection after the request was written, Slack's
// fatal_error / internal_error, and any failure it cannot place. Before repeating such
// a call, look Slack up (is the message there, does the channel exist). It is false for
// nil and for definite failures: other ok:false answers, 429s, deferrals, failures to
// connect, and contexts that ended before anything was sent.
func Ambiguous(err error) bool {
	if err == nil {
		return false
	}
	var (
		deferred *DeferError
		limited  *slack.RateLimitedError
		status   slack.StatusCodeError
		send     *sendError
	)
	switch {
	case errors.As(err, &deferred), errors.As(err, &limited):
		return false
	case errors.As(err, &status):
		return status.Code >= 500
	case Code(err) != "":
		return Is(err, FatalError) || Is(err, InternalError)
	case errors.As(err, &send):
		return send.sent
	case notConnected(err):
		return false
	}
	return true
}

// notConnected reports whether err is a failure to reach Slack at all.
func notConnected(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dns) ||
		(errors.As(err, &op) && op.Op == "dial")
}

// unavailable reports whether err means Slack is busy or out of reach right now.
func unavailable(err error) bool {
	var (
		deferred *DeferError
		limited  *slack.RateLimitedError
		status   slack.StatusCodeError
		send     *sendError
		uerr     *url.Error
		nerr     net.Error
	)
	switch {
	case errors.As(err, &deferred), errors.As(err, &limited), errors.As(err, &send),
		errors.As(err, &uerr), errors.As(err, &nerr):
		return true
	case errors.As(err, &status):
		return status.Code >= 500 || status.Code == 429
	}
	return Busy(Code(err))
}

// The sentences a person reads.
const (
	msgBusy     = "Slack is busy or unreachable right now; nothing was lost, try again in a minute."
	msgTrigger  = "It took too long to open the form; please try again."
	msgConflict = "This changed while you were looking at it; please reopen it and try again."
	msgChannel  = "That channel no longer exists, or the bot is no longer in it."
	msgMessage  = "That message no longer exists."
	msgUser     = "That person is no longer in the workspace."
	msgInternal = "Slack refused the call."
)

// Domain turns a failed Slack call into the *mentor.Error a person reads: EUNAVAILABLE
// when Slack is busy or out of reach (rate limited, deferred, 5xx, timeout, no
// connection) or the form's trigger expired, ECONFLICT for hash_conflict, ENOTFOUND for
// channel_not_found, message_not_found and user_not_found, and EINTERNAL with the cause
// for anything else. The cause stays in the chain (Unwrap), without any URL (see
// Redact). nil stays nil, and an error already carrying a *mentor.Error is returned
// unchanged.
func Domain(err error) error {
	if err == nil {
		return nil
	}
	var me *mentor.Error
	if errors.As(err, &me) {
		return err
	}
	code, msg := mentor.EINTERNAL, msgInternal
	switch c := Code(err); {
	case c == ExpiredTriggerID || c == ExchangedTriggerID:
		code, msg = mentor.EUNAVAILABLE, msgTrigger
	case c == HashConflict:
		code, msg = mentor.ECONFLICT, msgConflict
	case c == ChannelNotFound:
		code, msg = mentor.ENOTFOUND, msgChannel
	case c == MessageNotFound:
		code, msg = mentor.ENOTFOUND, msgMessage
	case c == UserNotFound:
		code, msg = mentor.ENOTFOUND, msgUser
	case unavailable(err):
		code, msg = mentor.EUNAVAILABLE, msgBusy
	}
	return &mentor.Error{Code: code, Message: msg, Err: Redact(err)}
}

// Redact returns err with the URL of the *url.Error in its chain (which net/http adds
// to every failure to get an answer) replaced by the name of the call: a response_url
// lets anyone who knows it post as the bot, so it must not reach the logs. The chain is
// kept: errors.Is and errors.As see the same errors as before.
func Redact(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) || ue.URL == "" {
		return err
	}
	name := "slack"
	if u, perr := url.Parse(ue.URL); perr == nil {
		name = methodOfPath(u.Path)
	}
	msg := err.Error()
	msg = strings.ReplaceAll(msg, strconv.Quote(ue.URL), name)
	msg = strings.ReplaceAll(msg, ue.URL, name)
	return &redacted{msg: msg, err: err}
}

type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
