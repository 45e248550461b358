package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Socket Mode: GET /link/?ticket=… upgrades to a websocket; the server sends
// hello, then envelopes, and pings every PingInterval; the bot answers each
// envelope with an ack frame {"envelope_id":…,"payload":…}.
//
// Writes to one connection happen in its writer goroutine only (gorilla
// allows one concurrent writer; WriteControl for pings is safe alongside).
// Envelopes are queued under s.mu, so any locked code path can send one.

// upgrader accepts any Origin: slack-go sends "Origin: https://api.slack.com".
var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// wsConn is one Socket Mode connection.
type wsConn struct {
	id        int
	ws        *websocket.Conn
	wake      chan struct{} // buffered(1): the queue has frames
	done      chan struct{} // closed by close()
	closeOnce sync.Once

	// guarded by Server.mu
	queue    []outFrame
	inflight []*delivery // written, maybe not acked
	draining bool        // sent a disconnect; gets no new envelopes
	dead     bool
}

type outFrame struct {
	data []byte
	d    *delivery // nil for hello/disconnect frames
}

func (c *wsConn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *wsConn) close() {
	c.closeOnce.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

// envelope is one logical Socket Mode request (a slash command, an
// interaction, an event) and all its deliveries.
type envelope struct {
	id              string // envelope_id of the first delivery
	typ             string // events_api, slash_commands, interactive
	kind            string // event type, interaction type or command
	eventID         string
	payload         json.RawMessage
	acceptsResponse bool
	deliveries      []*delivery
	autoRetries     int

	done   chan struct{} // closed at the first ack (or failure)
	acked  bool
	ack    *Ack
	late   bool  // acked after AckDeadline: payload ignored
	failed error // e.g. the ack frame was too large and dropped
	// apply, if set, runs under s.mu at the first timely ack: it applies
	// the ack payload (messages, view changes) and records violations.
	apply func(payload json.RawMessage)
}

// delivery is one send of an envelope (a retry is a new delivery with a
// fresh envelope_id).
type delivery struct {
	env        *envelope
	id         string
	attempt    int
	reason     string
	frame      []byte
	conn       int
	sentAt     time.Time
	acked      bool
	ackedAt    time.Time
	ackPayload json.RawMessage
	done       chan struct{}
	timer      *time.Timer
}

// Ack is the bot's answer to an envelope.
type Ack struct {
	// EnvelopeID is the envelope_id the ack named (the delivery acked).
	EnvelopeID string
	// Payload is the ack's payload (nil when the bot sent none).
	Payload json.RawMessage
	// Latency is the real time between sending the envelope and reading
	// the ack.
	Latency time.Duration
}

// Delivery is one send of an envelope, for inspection.
type Delivery struct {
	EnvelopeID   string
	RetryAttempt int
	RetryReason  string
	// Connection is the number of the connection it was written to (1 for
	// the first connection ever); 0 if not written yet.
	Connection int
	SentAt     time.Time
	Acked      bool
	AckedAt    time.Time
	AckPayload json.RawMessage
	Latency    time.Duration
}

// EnvelopeRecord is one logical envelope and what became of it.
type EnvelopeRecord struct {
	// ID is the envelope_id of the first delivery.
	ID string
	// Type is events_api, slash_commands or interactive; Kind the event
	// type ("message"), interaction type ("view_submission") or command.
	Type, Kind string
	EventID    string
	// Payload is the envelope's payload as first sent.
	Payload    json.RawMessage
	Deliveries []Delivery
	// Acked is set at the first ack; AckEnvelopeID, AckPayload and Latency
	// describe that ack. Late marks an ack after AckDeadline.
	Acked         bool
	AckEnvelopeID string
	AckPayload    json.RawMessage
	Latency       time.Duration
	Late          bool
}

// Errors of driving the bot.
var (
	// ErrLateAck: the bot acked after AckDeadline; Slack showed the person
	// an error and ignored the ack's payload. The Ack is still returned.
	ErrLateAck = errors.New("slackfake: ack arrived after the ack deadline; Slack ignores it")
	// ErrNotSubscribed: the app does not subscribe to this kind of event,
	// so Slack sends none (the state change, e.g. a message, still
	// happened).
	ErrNotSubscribed = errors.New("slackfake: event kind not subscribed (Options.Events)")
)

// handleLink upgrades a websocket with a fresh, unused ticket.
func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	used, known := s.tickets[ticket]
	ok := known && !used && !s.closed
	if ok {
		s.tickets[ticket] = true
		s.wg.Add(1)
	}
	s.mu.Unlock()
	if !ok {
		s.logf("websocket refused: unknown or used ticket %q", ticket)
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	defer s.wg.Done()
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.logf("websocket upgrade: %v", err)
		return
	}
	ws.SetReadLimit(1 << 20)
	c := &wsConn{ws: ws, wake: make(chan struct{}, 1), done: make(chan struct{})}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.close()
		return
	}
	s.connSeq++
	c.id = s.connSeq
	s.conns = append(s.conns, c)
	hello := mustJSON(map[string]any{"type": "hello", "num_connections": s.activeConnsLocked(),
		"connection_info": map[string]any{"app_id": s.opts.AppID},
		"debug_info":      map[string]any{"host": "slackfake", "build_number": 1, "approximate_connection_time": 18060}})
	c.queue = append(c.queue, outFrame{data: hello})
	pending := s.pending
	s.pending = nil
	for _, d := range pending {
		c.queue = append(c.queue, outFrame{data: d.frame, d: d})
	}
	c.signal()
	s.notifyLocked()
	s.mu.Unlock()
	s.logf("connection %d open", c.id)

	s.wg.Go(func() { s.writeLoop(c) })
	s.wg.Go(func() { s.pingLoop(c) })
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			break
		}
		s.handleFrame(msg)
	}
	s.dropConn(c)
}

// writeLoop writes queued frames of c in order.
func (s *Server) writeLoop(c *wsConn) {
	for {
		select {
		case <-c.done:
			return
		case <-c.wake:
		}
		for {
			s.mu.Lock()
			if c.dead || len(c.queue) == 0 {
				s.mu.Unlock()
				break
			}
			f := c.queue[0]
			c.queue = c.queue[1:]
			if f.d != nil {
				s.markSentLocked(c, f.d)
			}
			s.mu.Unlock()
			_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := c.ws.WriteMessage(websocket.TextMessage, f.data); err != nil {
				s.logf("connection %d write: %v", c.id, err)
				s.mu.Lock()
				if f.d != nil { // not delivered: dropConn re-sends it elsewhere
					f.d.sentAt, f.d.conn = time.Time{}, 0
					c.inflight = slices.DeleteFunc(c.inflight, func(x *delivery) bool { return x == f.d })
					c.queue = append([]outFrame{f}, c.queue...)
				}
				s.mu.Unlock()
				c.close()
				return
			}
		}
	}
}

// markSentLocked records that d is being written to c and arms automatic
// redelivery.
func (s *Server) markSentLocked(c *wsConn, d *delivery) {
	d.sentAt, d.conn = time.Now(), c.id
	c.inflight = append(c.inflight, d)
	if d.timer != nil {
		d.timer.Stop()
	}
	e := d.env
	if s.opts.RedeliverAfter > 0 && e.autoRetries < 3 {
		d.timer = time.AfterFunc(s.opts.RedeliverAfter, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.closed || d.acked || e.acked || e.deliveries[len(e.deliveries)-1] != d || e.autoRetries >= 3 {
				return
			}
			e.autoRetries++
			s.logf("redelivering %s %s after %v without ack", e.typ, e.id, s.opts.RedeliverAfter)
			s.deliverLocked(s.newDeliveryLocked(e, d.attempt+1, "timeout"))
			s.notifyLocked()
		})
	}
}

// pingLoop sends a ping frame every PingInterval.
func (s *Server) pingLoop(c *wsConn) {
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(5*time.Second)); err != nil {
				c.close()
				return
			}
		}
	}
}

// dropConn forgets a closed connection: frames it did not write go to
// another connection, and unacked events it did write are redelivered
// (retry_attempt+1), as Slack does. Unacked slash commands and interactions
// are not redelivered (Slack shows the person an error); their acks may
// still arrive on another connection.
func (s *Server) dropConn(c *wsConn) {
	s.mu.Lock()
	if !c.dead {
		c.dead = true
		s.conns = slices.DeleteFunc(s.conns, func(x *wsConn) bool { return x == c })
		queue, inflight := c.queue, c.inflight
		c.queue, c.inflight = nil, nil
		for _, f := range queue {
			if f.d != nil && !f.d.acked && !f.d.env.acked {
				s.deliverLocked(f.d)
			}
		}
		for _, d := range inflight {
			e := d.env
			if d.acked || e.acked || e.typ != "events_api" || e.deliveries[len(e.deliveries)-1] != d {
				continue
			}
			s.deliverLocked(s.newDeliveryLocked(e, d.attempt+1, "timeout"))
		}
		s.notifyLocked()
		s.logf("connection %d closed", c.id)
	}
	s.mu.Unlock()
	c.close()
}

// activeConnsLocked counts connections that take envelopes.
func (s *Server) activeConnsLocked() int {
	n := 0
	for _, c := range s.conns {
		if !c.draining && !c.dead {
			n++
		}
	}
	return n
}

// deliverLocked queues d on the next active connection (round robin), or
// keeps it pending until a connection opens.
func (s *Server) deliverLocked(d *delivery) {
	var active []*wsConn
	for _, c := range s.conns {
		if !c.draining && !c.dead {
			active = append(active, c)
		}
	}
	if len(active) == 0 {
		s.pending = append(s.pending, d)
		return
	}
	c := active[s.rr%len(active)]
	s.rr++
	c.queue = append(c.queue, outFrame{data: d.frame, d: d})
	c.signal()
}

// envelopeWire is an envelope frame in Slack's key order.
type envelopeWire struct {
	EnvelopeID             string          `json:"envelope_id"`
	Type                   string          `json:"type"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	RetryAttempt           *int            `json:"retry_attempt,omitempty"`
	RetryReason            *string         `json:"retry_reason,omitempty"`
	Payload                json.RawMessage `json:"payload"`
}

// newDeliveryLocked makes a delivery of e with a fresh envelope_id; events
// carry retry_attempt and retry_reason.
func (s *Server) newDeliveryLocked(e *envelope, attempt int, reason string) *delivery {
	d := &delivery{env: e, id: uuid(), attempt: attempt, reason: reason, done: make(chan struct{})}
	w := envelopeWire{EnvelopeID: d.id, Type: e.typ, AcceptsResponsePayload: e.acceptsResponse, Payload: e.payload}
	if e.typ == "events_api" {
		w.RetryAttempt, w.RetryReason = &d.attempt, &d.reason
	}
	d.frame = mustJSON(w)
	e.deliveries = append(e.deliveries, d)
	s.byEnvID[d.id] = d
	return d
}

// sendEnvelopeLocked creates an envelope and sends its first delivery.
func (s *Server) sendEnvelopeLocked(typ, kind string, payload json.RawMessage) *envelope {
	e := &envelope{typ: typ, kind: kind, payload: payload, acceptsResponse: typ != "events_api",
		done: make(chan struct{})}
	d := s.newDeliveryLocked(e, 0, "")
	e.id = d.id
	s.envelopes = append(s.envelopes, e)
	s.deliverLocked(d)
	s.notifyLocked()
	return e
}

// newEventLocked wraps an event in an event_callback and sends it.
func (s *Server) newEventLocked(event map[string]any) *envelope {
	now := s.now()
	eventID := s.newIDLocked("Ev")
	payload := mustJSON(map[string]any{
		"token": verificationToken, "team_id": s.opts.TeamID, "api_app_id": s.opts.AppID,
		"type": "event_callback", "event_id": eventID, "event_time": now.Unix(),
		"authorizations": []map[string]any{{"enterprise_id": nil, "team_id": s.opts.TeamID,
			"user_id": s.opts.BotUserID, "is_bot": true, "is_enterprise_install": false}},
		"is_ext_shared_channel": false,
		"event_context":         "4-" + b64(fmt.Sprintf(`{"et":%q,"tid":%q}`, event["type"], s.opts.TeamID)),
		"event":                 event,
	})
	kind, _ := event["type"].(string)
	e := s.sendEnvelopeLocked("events_api", kind, payload)
	e.eventID = eventID
	return e
}

// handleFrame handles a frame from the bot: an ack.
func (s *Server) handleFrame(msg []byte) {
	var a struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := json.Unmarshal(msg, &a); err != nil || a.EnvelopeID == "" {
		s.violationLocked("websocket", "bad_frame", []error{fmt.Errorf("frame is not an ack: %.200s", msg)})
		return
	}
	d := s.byEnvID[a.EnvelopeID]
	if d == nil {
		s.logf("ack for unknown envelope %s", a.EnvelopeID)
		return
	}
	e := d.env
	if len(msg) >= maxAckFrameBytes {
		err := fmt.Errorf("ack frame of %d bytes ≥ %d: Slack drops it (send big views with views.update/views.push)", len(msg), maxAckFrameBytes)
		s.violationLocked("ack:"+e.kind, "ack_too_large", []error{err})
		if !e.acked && e.failed == nil {
			e.failed = err
			close(e.done)
		}
		return
	}
	if d.acked {
		return
	}
	d.acked, d.ackedAt = true, time.Now()
	if !isNullJSON(a.Payload) {
		d.ackPayload = a.Payload
	}
	if d.timer != nil {
		d.timer.Stop()
	}
	for _, c := range s.conns {
		c.inflight = slices.DeleteFunc(c.inflight, func(x *delivery) bool { return x == d })
	}
	close(d.done)
	if !e.acked && e.failed == nil {
		e.acked = true
		e.ack = &Ack{EnvelopeID: d.id, Payload: d.ackPayload, Latency: d.ackedAt.Sub(d.sentAt)}
		if e.typ != "events_api" && s.opts.AckDeadline > 0 && e.ack.Latency > s.opts.AckDeadline {
			e.late = true
			s.logf("late ack for %s %s after %v", e.typ, e.id, e.ack.Latency)
		} else if e.apply != nil {
			e.apply(d.ackPayload)
		}
		close(e.done)
	}
	s.notifyLocked()
}

// awaitAck waits for e's first ack.
func (s *Server) awaitAck(ctx context.Context, e *envelope) (*Ack, error) {
	select {
	case <-e.done:
	case <-ctx.Done():
		s.mu.Lock()
		conns := s.activeConnsLocked()
		s.mu.Unlock()
		return nil, fmt.Errorf("slackfake: no ack for %s envelope %s (%s) with %d connection(s) open: %w",
			e.typ, e.id, e.kind, conns, ctx.Err())
	case <-s.ctx.Done():
		return nil, ErrClosed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.failed != nil {
		return nil, e.failed
	}
	ack := *e.ack
	if e.late {
		return &ack, fmt.Errorf("%w (latency %v > %v)", ErrLateAck, ack.Latency, s.opts.AckDeadline)
	}
	return &ack, nil
}

// Redeliver sends the envelope that envelopeID (any of its deliveries)
// belongs to once more, with a fresh envelope_id (events keep their
// event_id with retry_attempt one more than the last delivery and
// retry_reason "timeout"), and waits for the ack of that new delivery.
// Ack payloads of redeliveries are not applied again.
func (s *Server) Redeliver(ctx context.Context, envelopeID string) (*Ack, error) {
	s.mu.Lock()
	d0 := s.byEnvID[envelopeID]
	if d0 == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("slackfake: no envelope %s", envelopeID)
	}
	e := d0.env
	last := e.deliveries[len(e.deliveries)-1]
	d := s.newDeliveryLocked(e, last.attempt+1, "timeout")
	s.deliverLocked(d)
	s.notifyLocked()
	s.mu.Unlock()
	select {
	case <-d.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("slackfake: no ack for redelivery %s of %s: %w", d.id, e.id, ctx.Err())
	case <-s.ctx.Done():
		return nil, ErrClosed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return &Ack{EnvelopeID: d.id, Payload: d.ackPayload, Latency: d.ackedAt.Sub(d.sentAt)}, nil
}

// Connections returns the number of open Socket Mode connections that take
// envelopes (not counting ones told to disconnect).
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.activeConnsLocked()
}

// WaitConnected waits until at least n connections take envelopes.
func (s *Server) WaitConnected(ctx context.Context, n int) error {
	return s.Wait(ctx, func() bool { return s.Connections() >= n })
}

// Disconnect sends {"type":"disconnect","reason":reason} on every
// connection ("refresh_requested", "warning", "link_disabled"), as Slack does
// before it cuts a connection. Those connections get no new envelopes; the
// client is expected to close them and reconnect through
// apps.connections.open. The server closes any still open after 5 seconds.
func (s *Server) Disconnect(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	frame := mustJSON(map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "slackfake"}})
	for _, c := range s.conns {
		if c.draining || c.dead {
			continue
		}
		c.draining = true
		c.queue = append(c.queue, outFrame{data: frame})
		c.signal()
		s.wg.Go(func() { // the grace period a well-behaved client needs
			t := time.NewTimer(5 * time.Second)
			defer t.Stop()
			select {
			case <-t.C:
				c.close()
			case <-c.done:
			case <-s.ctx.Done():
			}
		})
	}
	s.notifyLocked()
}

// DropConnections closes every connection abruptly, without a disconnect
// message (a network failure). Unacked events are redelivered on the next
// connection.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := slices.Clone(s.conns)
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

// Envelopes returns every envelope sent so far, oldest first.
func (s *Server) Envelopes() []EnvelopeRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]EnvelopeRecord, 0, len(s.envelopes))
	for _, e := range s.envelopes {
		r := EnvelopeRecord{ID: e.id, Type: e.typ, Kind: e.kind, EventID: e.eventID, Payload: e.payload,
			Acked: e.acked, Late: e.late}
		if e.ack != nil {
			r.AckEnvelopeID, r.AckPayload, r.Latency = e.ack.EnvelopeID, e.ack.Payload, e.ack.Latency
		}
		for _, d := range e.deliveries {
			dd := Delivery{EnvelopeID: d.id, RetryAttempt: d.attempt, RetryReason: d.reason, Connection: d.conn,
				SentAt: d.sentAt, Acked: d.acked, AckedAt: d.ackedAt, AckPayload: d.ackPayload}
			if d.acked {
				dd.Latency = d.ackedAt.Sub(d.sentAt)
			}
			r.Deliveries = append(r.Deliveries, dd)
		}
		out = append(out, r)
	}
	return out
}

// AckLatencies returns the latency of every acked envelope, in sending
// order.
func (s *Server) AckLatencies() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Duration
	for _, e := range s.envelopes {
		if e.ack != nil {
			out = append(out, e.ack.Latency)
		}
	}
	return out
}
