// Package bot is mentorbot's Slack side: the Socket Mode loop, the router that acks
// and dispatches envelopes, and the handlers of the /mentorship command, modals,
// buttons and events. It speaks to the program through the use-case services of
// internal/ and never touches Redis itself.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/robfig/cron/v3"

	"github.com/mentorbot/mentorbot/bot/slackapi"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/closeout"
	"github.com/mentorbot/mentorbot/internal/duos"
	"github.com/mentorbot/mentorbot/internal/evaluation"
	"github.com/mentorbot/mentorbot/internal/nudges"
	"github.com/mentorbot/mentorbot/internal/pairing"
	"github.com/mentorbot/mentorbot/internal/privacy"
	"github.com/mentorbot/mentorbot/internal/program"
	"github.com/mentorbot/mentorbot/internal/report"
	"github.com/mentorbot/mentorbot/internal/scheduler"
	"github.com/mentorbot/mentorbot/internal/signup"
	"github.com/mentorbot/mentorbot/internal/telemetry"
)

// Command is the slash command mentorbot answers.
const Command = "/mentorship"

// Config holds what the bot needs from the composition root.
type Config struct {
	API              *slack.Client
	HTTP             *http.Client // for response_url posts; instrumented like API's
	CommitteeChannel string
	Clock            clock.Clock
	Log              *slog.Logger
	Metrics          *telemetry.Metrics
	Events           EventDeduper
	Choices          ChoiceRecorder
	Committee        CommitteeStore // shares the committee's member list between replicas; nil: per process
	Program          *program.Service
	Signup           *signup.Service
	Pairing          *pairing.Service
	Duos             *duos.Service
	Evaluation       *evaluation.Service
	Report           *report.Service // the committee's report; nil: no report, no funnel on Home
	Nudges           *nudges.Service
	Closeout         *closeout.Service
	Privacy          *privacy.Service // forgetting people (data-deletion requests)
	Scheduler        *scheduler.Scheduler
	SweepSchedule    string        // cron spec of the sweep (robfig/cron, with "@every")
	MaxConcurrent    int           // handlers running at once; default 64
	ShutdownGrace    time.Duration // how long in-flight work may run after shutdown starts; default 20s
}

// Bot is a running mentorbot. Make one with New and call Run.
type Bot struct {
	cfg       Config
	api       *slack.Client
	program   *program.Service
	signup    *signup.Service
	pairing   *pairing.Service
	log       *slog.Logger
	committee *Committee
	reply     *Replier
	router    *Router
	connected atomic.Bool
	self      selfID
}

// New wires a bot. It makes no network calls.
func New(cfg Config) *Bot {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.ShutdownGrace == 0 {
		cfg.ShutdownGrace = 20 * time.Second
	}
	b := &Bot{
		cfg:       cfg,
		api:       cfg.API,
		program:   cfg.Program,
		signup:    cfg.Signup,
		pairing:   cfg.Pairing,
		log:       cfg.Log,
		committee: NewCommittee(cfg.API, cfg.CommitteeChannel, cfg.Clock, cfg.Committee),
		reply:     NewReplier(cfg.API, cfg.HTTP, cfg.Log),
	}
	b.router = NewRouter(b.routes(), b.reply, cfg.Events, cfg.Log, cfg.Metrics, cfg.MaxConcurrent)
	b.registerJobs()
	return b
}

// SetIdentity records who the start-up check found the bot to be, so the bot needs not
// ask Slack again and names itself in hints.
func (b *Bot) SetIdentity(id Identity) {
	b.self.mu.Lock()
	if id.UserID != "" {
		b.self.id = id.UserID
	}
	b.self.mu.Unlock()
	b.committee.SetBotName(id.Name)
}

// CommitteeReady reports whether the committee channel is still usable (for /readyz):
// nil, or one line naming the fix.
func (b *Bot) CommitteeReady(ctx context.Context) error { return b.committee.Ready(ctx) }

// Connected reports whether a Socket Mode connection is up (for /readyz).
func (b *Bot) Connected() bool { return b.connected.Load() }

// Run connects over Socket Mode and serves until ctx is cancelled. Then it stops
// reading envelopes, lets in-flight handlers finish (up to ShutdownGrace) and returns
// nil. It returns an error only when Slack refuses the app token for good.
func (b *Bot) Run(ctx context.Context) error {
	sm := socketmode.New(b.cfg.API,
		socketmode.OptionLog(slog.NewLogLogger(b.log.Handler(), slog.LevelDebug)))
	runErr := make(chan error, 1)
	// slack-go gives up by itself only on a few refusals of the app token; others
	// that no retry fixes (missing_scope, not_allowed_token_type) it would retry
	// forever, so the loop below stops it with smStop.
	smCtx, smStop := context.WithCancel(ctx)
	defer smStop()
	go func() { runErr <- sm.RunContext(smCtx) }()

	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	b.router.Bind(work)
	b.cfg.Scheduler.Start(work)
	sweeps, err := b.startSweeps(work)
	if err != nil {
		return err
	}
	b.router.Go("plan the active cycle", func(ctx context.Context) error { return b.planActiveCycle(ctx) }, nil)

	var fatal error
loop:
	for {
		select {
		case evt := <-sm.Events:
			if err := permanentSocketError(evt); err != nil {
				fatal = err
				break loop
			}
			b.observe(evt)
			b.router.Dispatch(sm, evt)
		case err := <-runErr:
			if ctx.Err() == nil && err != nil && !errors.Is(err, context.Canceled) {
				fatal = err
			}
			break loop
		case <-ctx.Done():
			break loop
		}
	}
	smStop()
	b.setConnected(false)
	b.log.Info("socket mode stopped; finishing in-flight work", "grace", b.cfg.ShutdownGrace.String())
	cronDone := sweeps.Stop() // no new sweep; a running one finishes within the grace
	b.cfg.Scheduler.Stop()    // kicked jobs still queued are left for a sweep

	done := make(chan struct{})
	go func() { b.router.Wait(); <-cronDone.Done(); b.cfg.Scheduler.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(b.cfg.ShutdownGrace):
		b.log.Warn("shutdown grace over; cancelling remaining work (unfinished jobs stay scheduled)")
		stopWork()
		<-done
	}
	stopWork() // the scheduler's workers end; jobs still queued are left for a sweep
	if fatal != nil {
		return &FatalError{Err: fatal}
	}
	return nil
}

// startSweeps runs the scheduler's sweep on the cron spec. Cron only triggers: what is
// due is decided by the scheduler with the bot's clock. A sweep that is still running
// when the next is due is skipped, not stacked.
func (b *Bot) startSweeps(work context.Context) (*cron.Cron, error) {
	spec := b.cfg.SweepSchedule
	if spec == "" {
		spec = "@every 1m"
	}
	c := cron.New(cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	if _, err := c.AddFunc(spec, func() {
		if work.Err() != nil {
			return
		}
		st, err := b.cfg.Scheduler.Sweep(work)
		if err != nil {
			b.log.Warn("sweep failed; the next one will try again", "err", err)
			return
		}
		if st.Claimed > 0 {
			b.log.Debug("sweep", "claimed", st.Claimed)
		}
	}); err != nil {
		return nil, fmt.Errorf("sweep schedule %q: %w", spec, err)
	}
	c.Start()
	return c, nil
}

// FatalError is a Socket Mode failure that retrying will not fix, such as a revoked
// or wrong app token. Error() is one line naming the setting and the fix.
type FatalError struct{ Err error }

func (e *FatalError) Error() string {
	code := slackapi.Code(e.Err)
	const where = "Basic Information → App-Level Tokens"
	switch code {
	case "missing_scope":
		return "SLACK_APP_TOKEN: the app-level token lacks the connections:write scope (missing_scope): generate a token with connections:write under " + where + " and set it"
	case "not_allowed_token_type":
		return "SLACK_APP_TOKEN: Slack does not take this kind of token for Socket Mode (not_allowed_token_type): set the app-level token (xapp-…, scope connections:write) from " + where
	case "invalid_auth", "not_authed", "token_revoked", "account_inactive":
		return "SLACK_APP_TOKEN: Slack refused the app-level token (" + code + "): generate a new one with the connections:write scope under " + where + " and set it"
	}
	return "SLACK_APP_TOKEN: Slack refused the socket mode connection (" + slackapi.Redact(e.Err).Error() + "): check the app-level token (xapp-…, scope connections:write) and that Socket Mode is on (Settings → Socket Mode)"
}

func (e *FatalError) Unwrap() error { return e.Err }

// ExitCode is 2: restarting with the same token fails the same way.
func (e *FatalError) ExitCode() int { return 2 }

// permanentSocketError returns Slack's refusal when evt is a failure to connect that no
// retry fixes; transient failures (Slack unreachable, 5xx, 429) return nil and slack-go
// retries them with exponential backoff.
func permanentSocketError(evt socketmode.Event) error {
	if evt.Type != socketmode.EventTypeConnectionError {
		return nil
	}
	e, ok := evt.Data.(*slack.ConnectionErrorEvent)
	if !ok || e.ErrorObj == nil {
		return nil
	}
	switch slackapi.Code(e.ErrorObj) {
	case "missing_scope", "not_allowed_token_type", "invalid_auth", "not_authed", "token_revoked", "account_inactive":
		return e.ErrorObj
	}
	return nil
}

// observe follows the connection state for readiness and logs it.
func (b *Bot) observe(evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		b.log.Debug("socket mode connecting")
	case socketmode.EventTypeConnected:
		b.log.Info("socket mode connected")
		b.setConnected(true)
	case socketmode.EventTypeConnectionError:
		b.log.Warn("socket mode connection failed; retrying", "err", errorOf(evt.Data))
		b.setConnected(false)
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("socket mode: invalid app token")
		b.setConnected(false)
	case socketmode.EventTypeDisconnect:
		b.log.Info("socket mode disconnect requested; reconnecting")
		b.setConnected(false)
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		b.log.Warn("socket mode connection lost; reconnecting", "type", string(evt.Type))
		b.setConnected(false)
	case socketmode.EventTypeErrorBadMessage:
		b.log.Warn("socket mode: undecodable envelope dropped")
	}
}

func (b *Bot) setConnected(up bool) {
	b.connected.Store(up)
	if up {
		b.cfg.Metrics.SocketConnected.Set(1)
	} else {
		b.cfg.Metrics.SocketConnected.Set(0)
	}
}

func errorOf(data any) string {
	if e, ok := data.(*slack.ConnectionErrorEvent); ok && e.ErrorObj != nil {
		return e.ErrorObj.Error()
	}
	return ""
}
