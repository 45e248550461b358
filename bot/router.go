package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/mentorbot/mentorbot/bot/slackapi"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/telemetry"
)

// Handlers, one kind per envelope shape. A handler returns an error for the router to
// turn into what the person sees (see reply.go); it never acks: the router does.
type (
	// CommandHandler answers a slash command; the envelope is already acked.
	CommandHandler func(ctx context.Context, cmd *slack.SlashCommand) error
	// ViewHandler answers a view_submission. Its response is the ack payload (nil
	// closes the view), so it must be quick: validate, store, and leave slow work to
	// a goroutine of its own started with Router.Go.
	ViewHandler func(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error)
	// ActionHandler answers one block action (a button click, a select); acked already.
	ActionHandler func(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error
	// EventHandler answers one Events API event, after de-duplication on event_id.
	EventHandler func(ctx context.Context, ev *slackevents.EventsAPIEvent) error
	// MessageHandler answers a message event. It de-duplicates on eventID itself,
	// so a message in a channel the bot does not care about costs no Redis write.
	MessageHandler func(ctx context.Context, eventID string, ev *slackevents.MessageEvent) error
)

// Routes maps what Slack sends to handlers: slash commands by command name, views by
// callback_id, block actions by action_id, events by inner event type.
type Routes struct {
	Commands map[string]CommandHandler
	Views    map[string]ViewHandler
	Actions  map[string]ActionHandler
	Events   map[string]EventHandler
	Message  MessageHandler
}

// Acker is the part of socketmode.Client the router needs. AckCtx only queues the
// ack; ctx bounds the wait for room in the queue (it matters during shutdown).
type Acker interface {
	AckCtx(ctx context.Context, envelopeID string, payload any) error
}

// EventDeduper remembers Events API event ids, so a redelivered event acts once.
type EventDeduper interface {
	MarkEventSeen(ctx context.Context, eventID string) (first bool, err error)
}

// ChoiceRecorder keeps the latest click on a form that redraws itself on a choice,
// so the redraw that reaches Slack last shows it (see redisstore.LatestChoice).
type ChoiceRecorder interface {
	LatestChoice(ctx context.Context, viewID, name, actionTS, value string) (string, error)
}

// viewBudget is how long a view_submission handler may take: its answer rides on the
// ack, and Slack gives up on the ack after 3 s.
const viewBudget = 2500 * time.Millisecond

// Router acks every envelope at once, then runs its handler on a fixed set of
// workers fed by a bounded queue, recovering panics. Slow background work (opening
// duos, nudges) runs elsewhere (the scheduler's pool), so a handler never waits
// behind it. It keeps no state between envelopes: any replica can take any envelope.
type Router struct {
	routes  Routes
	log     *slog.Logger
	metrics *telemetry.Metrics
	reply   *Replier
	dedupe  EventDeduper

	// work is the context every handler runs under: it outlives the read loop so
	// in-flight work can finish on shutdown, and is cancelled when the shutdown
	// grace is over.
	work context.Context
	// people is the lane of what someone is waiting for (commands, clicks,
	// events); messages is the lane of duo-channel messages, which are only
	// recorded, arrive in bursts, and must never delay a person's modal.
	people, messages lane
	start            sync.Once
	wg               sync.WaitGroup
}

// lane is a bounded queue and the fixed set of workers that drain it.
type lane struct {
	workers int
	tasks   chan task
}

func newLane(workers, queue int) lane {
	return lane{workers: workers, tasks: make(chan task, queue)}
}

// task is one handler run waiting for a worker.
type task struct {
	route string
	fn    func(ctx context.Context) error
	onErr func(ctx context.Context, err error)
}

// queuePerWorker sizes the queue: a burst of this many envelopes per worker waits
// instead of being refused.
const queuePerWorker = 16

// NewRouter returns a router running at most maxConcurrent handlers at once for
// people, and a quarter as many more for duo-channel messages.
func NewRouter(routes Routes, reply *Replier, dedupe EventDeduper, log *slog.Logger, m *telemetry.Metrics, maxConcurrent int) *Router {
	if maxConcurrent <= 0 {
		maxConcurrent = 64
	}
	return &Router{routes: routes, log: log, metrics: m, reply: reply, dedupe: dedupe,
		work: context.Background(), people: newLane(maxConcurrent, maxConcurrent*queuePerWorker),
		// Messages are quick to record but come in bursts, and a refused one is
		// lost (the envelope is acked): fewer workers, as long a queue.
		messages: newLane(max(maxConcurrent/4, 1), maxConcurrent*queuePerWorker)}
}

// Bind sets the context handlers run under (see Router.work). Call it once, before
// the first Dispatch.
func (r *Router) Bind(work context.Context) { r.work = work }

// Dispatch handles one Socket Mode event. It never blocks on handler work: slow
// readers of socketmode.Client.Events get disconnected.
func (r *Router) Dispatch(ack Acker, evt socketmode.Event) {
	work := r.work
	if evt.Request == nil {
		return // connection events carry no envelope
	}
	received := time.Now()
	req := *evt.Request
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		r.count(string(evt.Type), "command")
		r.ack(work, ack, req, received)
		if !ok {
			return
		}
		r.Go("command "+cmd.Command, func(ctx context.Context) error {
			h := r.routes.Commands[cmd.Command]
			if h == nil {
				return mentor.Errorf(mentor.ENOTFOUND, "mentorbot does not know the command %s.", cmd.Command)
			}
			return h(ctx, &cmd)
		}, func(ctx context.Context, err error) { r.reply.CommandError(ctx, &cmd, err) })

	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			r.count(string(evt.Type), "unknown")
			r.ack(work, ack, req, received)
			return
		}
		r.count(string(evt.Type), string(cb.Type))
		if cb.Type == slack.InteractionTypeViewSubmission {
			// The answer is the ack: run the handler now, on its own goroutine so the
			// read loop goes on, and outside the bounded pool: the ack cannot wait
			// for a free slot (viewBudget bounds it instead).
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				r.ack(work, ack, req, received, r.submitView(work, &cb))
			}()
			return
		}
		r.ack(work, ack, req, received)
		if cb.Type != slack.InteractionTypeBlockActions {
			return // view_closed, shortcuts: nothing to do
		}
		for _, act := range cb.ActionCallback.BlockActions {
			h := r.routes.Actions[act.ActionID]
			if h == nil {
				continue // links and selects that only change local state
			}
			r.Go("action "+act.ActionID, func(ctx context.Context) error {
				return h(ctx, &cb, act)
			}, func(ctx context.Context, err error) { r.reply.InteractionError(ctx, &cb, err) })
		}

	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		kind := "unknown"
		if ok {
			kind = ev.InnerEvent.Type
		}
		r.count(string(evt.Type), kind)
		r.ack(work, ack, req, received)
		eventID := eventIDOf(&ev)
		if msg, isMsg := ev.InnerEvent.Data.(*slackevents.MessageEvent); isMsg && ok && r.routes.Message != nil {
			r.goIn(r.messages, "event message", func(ctx context.Context) error { return r.routes.Message(ctx, eventID, msg) }, nil)
			return
		}
		h := r.routes.Events[kind]
		if !ok || h == nil {
			return
		}
		r.Go("event "+kind, func(ctx context.Context) error {
			if eventID != "" && r.dedupe != nil {
				first, err := r.dedupe.MarkEventSeen(ctx, eventID)
				if err != nil {
					return err
				}
				if !first {
					r.log.Debug("redelivered event ignored", "event_id", eventID, "retry_attempt", req.RetryAttempt)
					return nil
				}
			}
			return h(ctx, &ev)
		}, nil)

	default:
		// hello, disconnect: handled by slack-go, nothing to ack.
	}
}

// Go queues fn for a worker, under the router's work context. A panic or an error is
// logged and counted; onErr (if any) tells the person. When the queue is full the
// work is refused at once (the person is told to try again) rather than piling up.
func (r *Router) Go(route string, fn func(ctx context.Context) error, onErr func(ctx context.Context, err error)) {
	r.goIn(r.people, route, fn, onErr)
}

func (r *Router) goIn(l lane, route string, fn func(ctx context.Context) error, onErr func(ctx context.Context, err error)) {
	r.start.Do(r.startWorkers)
	if r.work.Err() != nil { // the workers are gone: nothing would run it
		r.log.Warn("shutdown: work refused", "route", route)
		return
	}
	r.wg.Add(1)
	select {
	case l.tasks <- task{route: route, fn: fn, onErr: onErr}:
	default:
		r.log.Warn("handler queue full; work refused", "route", route)
		r.metrics.HandlerErrors.WithLabelValues(route, "overload").Inc()
		go func() {
			defer r.wg.Done()
			if onErr != nil {
				onErr(r.work, mentor.Errorf(mentor.EUNAVAILABLE, "mentorbot is very busy right now, so nothing was done. Please try again in a minute."))
			}
		}()
	}
}

// startWorkers starts the fixed sets of workers of both lanes. They stop when the
// work context ends; whatever is still queued then is logged and dropped (the
// person sees no answer; Slack shows them its own timeout message).
func (r *Router) startWorkers() {
	r.startLane(r.people)
	r.startLane(r.messages)
}

func (r *Router) startLane(l lane) {
	work := r.work
	for range l.workers {
		go func() {
			for {
				select {
				case t := <-l.tasks:
					if work.Err() != nil {
						r.log.Warn("shutdown: queued work dropped", "route", t.route)
						r.wg.Done()
						continue
					}
					err := r.protect(t.route, func() error { return t.fn(work) })
					if err != nil && t.onErr != nil {
						t.onErr(work, err)
					}
					r.wg.Done()
				case <-work.Done():
					for {
						select {
						case t := <-l.tasks:
							r.log.Warn("shutdown: queued work dropped", "route", t.route)
							r.wg.Done()
						default:
							return
						}
					}
				}
			}
		}()
	}
}

// Wait blocks until every handler started so far has returned.
func (r *Router) Wait() { r.wg.Wait() }

func (r *Router) submitView(work context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	ctx, cancel := context.WithTimeout(work, viewBudget)
	defer cancel()
	route := "view " + cb.View.CallbackID
	var resp *slack.ViewSubmissionResponse
	err := r.protect(route, func() error {
		h := r.routes.Views[cb.View.CallbackID]
		if h == nil {
			return mentor.Errorf(mentor.ENOTFOUND, "This form is no longer handled by mentorbot. Close it and run the command again.")
		}
		var err error
		resp, err = h(ctx, cb)
		return err
	})
	if err != nil {
		return r.reply.ViewError(cb, err)
	}
	return resp
}

// protect runs fn, turning a panic into an error and recording failures. What goes
// wrong on our side (a panic, an internal or unavailable error) is logged with a
// short reference that the person's message shows too, so the committee can find
// the detail; the person reads a plain sentence, never the detail. A refusal (a bad
// field, a rule) is the person's to fix: a warning for invalid input, else a debug
// line. Every run ends with one debug line "handler done" naming the route and the
// error code ("" when it succeeded), which tests wait for and operators can follow.
func (r *Router) protect(route string, fn func() error) (err error) {
	start := time.Now()
	defer func() {
		r.log.Debug("handler done", "route", route, "code", mentor.ErrorCode(err), "took_us", time.Since(start).Microseconds())
	}()
	defer func() {
		if p := recover(); p != nil {
			ref := newRef()
			r.log.Error("handler panicked", "route", route, "panic", fmt.Sprint(p), "ref", ref, "stack", string(debug.Stack()))
			r.metrics.HandlerErrors.WithLabelValues(route, "panic").Inc()
			err = withRef(&mentor.Error{Code: mentor.EINTERNAL, Err: fmt.Errorf("panic: %v", p)}, ref)
		}
	}()
	err = fn()
	if err == nil {
		return nil
	}
	var fe mentor.FieldErrors
	if errors.As(err, &fe) {
		r.log.Warn("invalid input", "route", route, "fields", slices.Sorted(maps.Keys(fe)))
		return err
	}
	// Slack's own failures (rate limited, busy, a stale trigger) become the
	// program's codes here, in one place, so people read what to do.
	err = slackapi.Domain(err)
	code := mentor.ErrorCode(err)
	r.metrics.HandlerErrors.WithLabelValues(route, code).Inc()
	switch code {
	case mentor.EINTERNAL, mentor.EUNAVAILABLE:
		ref := newRef()
		r.log.Error("handler failed", "route", route, "code", code, "ref", ref, "err", err)
		return withRef(err, ref)
	case mentor.EINVALID:
		r.log.Warn("invalid input", "route", route, "code", code, "err", err)
	default:
		r.log.Debug("handler refused", "route", route, "code", code, "err", err)
	}
	return err
}

// newRef is a short reference to one failure, shown to the person and logged.
func newRef() string { return uuid.NewString()[:8] }

// withRef is err with reference ref, which the person's message ends with.
func withRef(err error, ref string) error {
	return &mentor.Error{Code: mentor.ErrorCode(err), Message: mentor.ErrorMessage(err), Ref: ref, Err: err}
}

func (r *Router) ack(ctx context.Context, a Acker, req socketmode.Request, received time.Time, payload ...any) {
	var body any
	if len(payload) > 0 && payload[0] != nil && !isNilResponse(payload[0]) {
		body = payload[0]
	}
	err := a.AckCtx(ctx, req.EnvelopeID, body)
	took := time.Since(received)
	r.metrics.AckLatency.Observe(took.Seconds())
	r.log.Debug("envelope acked", "envelope_id", req.EnvelopeID, "type", req.Type, "retry_attempt", req.RetryAttempt, "ack_us", took.Microseconds())
	if err != nil {
		r.log.Error("ack failed", "envelope_id", req.EnvelopeID, "type", req.Type, "err", err)
	}
}

func isNilResponse(p any) bool {
	v, ok := p.(*slack.ViewSubmissionResponse)
	return ok && v == nil
}

func (r *Router) count(typ, kind string) {
	r.metrics.Envelopes.WithLabelValues(typ, kind).Inc()
}

// eventIDOf digs the event_id out of the outer Events API payload.
func eventIDOf(ev *slackevents.EventsAPIEvent) string {
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		return cb.EventID
	}
	return ""
}
