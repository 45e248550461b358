package slackfake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. The zero value of every field means "use the
// default" written next to it, except EchoBotMessages (a bool cannot tell
// "unset" from false): use DefaultOptions to start from the defaults with
// EchoBotMessages on.
type Options struct {
	// Addr is the TCP address to listen on; default "127.0.0.1:0" (a random
	// free port on loopback).
	Addr string

	// BotToken is the only token accepted by every Web API method except
	// apps.connections.open; default "xoxb-test-token".
	BotToken string
	// AppToken is the app-level token, accepted only by
	// apps.connections.open; default "xapp-test-token".
	AppToken string

	// TeamID, TeamDomain and TeamName describe the workspace; defaults
	// "T0ACME0001", "acme", "Acme".
	TeamID, TeamDomain, TeamName string
	// BotUserID, BotID, AppID and BotName describe the app's bot; defaults
	// "U07MNTRBOT", "B07MNTRBOT", "A07MNTRBOT", "mentorbot". The bot user
	// exists in the workspace from the start.
	BotUserID, BotID, AppID, BotName string
	// Command is the slash command sent by SlashCommand; default
	// "/mentorship".
	Command string

	// Events lists the event subscriptions of the app, in manifest terms
	// ("message.groups", "message.channels", "message.im",
	// "app_home_opened", "member_left_channel", ...). Only events of a
	// subscribed kind are delivered, as in Slack. Default DefaultEvents().
	Events []string

	// PingInterval is the period of websocket ping frames; default 5s.
	// slack-go drops a connection that saw no ping for 30s.
	PingInterval time.Duration
	// RedeliverAfter, when positive, redelivers an envelope that is not
	// acked within this duration (with a fresh envelope_id; events keep
	// their event_id and get retry_attempt+1 and retry_reason "timeout"),
	// at most 3 times. Default 0: never automatically.
	RedeliverAfter time.Duration
	// TriggerTTL is how long a trigger_id stays usable after the payload
	// carrying it was sent, measured with Now; default 3s.
	TriggerTTL time.Duration
	// AckDeadline is how long Slack waits for the ack of a slash command
	// or an interaction before it shows the person an error and ignores
	// the ack's payload; default 3s; negative disables the deadline. It is
	// measured with the real clock, because it bounds the bot's real work.
	AckDeadline time.Duration

	// EchoBotMessages makes every message the bot posts (chat.postMessage,
	// in_channel replies, file shares) produce a message event carrying
	// bot_id (which the bot must ignore), chat.update produce a message
	// event of subtype message_changed, conversations.invite produce
	// message events of subtype channel_join, and MemberLeft post a
	// channel_leave message, as in Slack (events only for subscribed
	// kinds). On in DefaultOptions.
	EchoBotMessages bool

	// Now is the clock for everything Slack-visible: message timestamps,
	// event times, view hashes and trigger expiry. Default time.Now.
	// Tests advance a settable clock to expire triggers without sleeping.
	Now func() time.Time
	// Logf, if set, receives one line per notable happening (debugging).
	Logf func(format string, args ...any)
}

// DefaultEvents returns the event subscriptions of mentorbot's manifest:
// app_home_opened, member_left_channel and message.groups. As in Slack, a
// message.* subscription also delivers the message subtypes of its
// channels: channel_join, channel_leave and message_changed (edits, see
// UserEdit), besides the bot's own posts (with bot_id).
func DefaultEvents() []string {
	return []string{"app_home_opened", "member_left_channel", "message.groups"}
}

// DefaultOptions returns Options with every default filled in and
// EchoBotMessages on: the closest match to a real workspace.
func DefaultOptions() Options {
	o := Options{EchoBotMessages: true}
	o.setDefaults()
	return o
}

func (o *Options) setDefaults() {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&o.Addr, "127.0.0.1:0")
	def(&o.BotToken, "xoxb-test-token")
	def(&o.AppToken, "xapp-test-token")
	def(&o.TeamID, "T0ACME0001")
	def(&o.TeamDomain, "acme")
	def(&o.TeamName, "Acme")
	def(&o.BotUserID, "U07MNTRBOT")
	def(&o.BotID, "B07MNTRBOT")
	def(&o.AppID, "A07MNTRBOT")
	def(&o.BotName, "mentorbot")
	def(&o.Command, "/mentorship")
	if o.Events == nil {
		o.Events = DefaultEvents()
	} else {
		o.Events = slices.Clone(o.Events) // the caller's slice may change later
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 5 * time.Second
	}
	if o.TriggerTTL <= 0 {
		o.TriggerTTL = 3 * time.Second
	}
	if o.AckDeadline == 0 {
		o.AckDeadline = 3 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// verificationToken is the legacy verification token Slack puts in payloads.
const verificationToken = "gIkuvaNzQIHg97ATvDxqgjtO"

// Server is a running Slack-compatible server. Create it with New and stop it
// with Close. All methods are safe for concurrent use.
type Server struct {
	opts Options
	ln   net.Listener
	hs   *http.Server
	base string // "http://127.0.0.1:PORT"

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // goroutines owned by the server (not http handlers)

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change
	closed  bool
	seq     int   // ID counter, shared by all kinds so IDs are monotonic
	lastTS  int64 // last message timestamp handed out, in microseconds

	users     map[string]*User
	userOrder []string
	channels  map[string]*channelState
	chanOrder []string
	dms       map[string]string // user ID → IM channel ID

	ephemerals map[string][]*Message // recipient → ephemerals
	views      map[string]*view
	stacks     map[string][]string // user → open modal view IDs, top last
	homes      map[string]string   // user → home view ID
	externalID map[string]string   // external_id → view ID
	triggers   map[string]*trigger
	hooks      map[string]*hook
	files      map[string]*fileState
	fileOrder  []string

	tickets   map[string]bool // ticket → used
	conns     []*wsConn
	connSeq   int
	rr        int
	pending   []*delivery // deliveries waiting for a connection
	envelopes []*envelope
	byEnvID   map[string]*delivery

	calls      []Call
	faults     map[string][]fault
	latency    map[string]time.Duration
	callHooks  map[string][]*callHook
	limits     map[string]*rateLimit // method → limit over all its calls
	chanLimits map[string]*rateLimit // method → limit per channel param
	violations []Violation
	allowViol  bool

	auth authState // scopes and token kinds set by tests (auth.go)
}

// New starts a Server listening on opts.Addr (default 127.0.0.1, random
// port) and serving until Close. It fails only if it cannot listen.
func New(opts Options) (*Server, error) {
	opts.setDefaults()
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("slackfake: listen on %s: %w", opts.Addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		opts:       opts,
		ln:         ln,
		base:       "http://" + ln.Addr().String(),
		ctx:        ctx,
		cancel:     cancel,
		changed:    make(chan struct{}),
		users:      map[string]*User{},
		channels:   map[string]*channelState{},
		dms:        map[string]string{},
		ephemerals: map[string][]*Message{},
		views:      map[string]*view{},
		stacks:     map[string][]string{},
		homes:      map[string]string{},
		externalID: map[string]string{},
		triggers:   map[string]*trigger{},
		hooks:      map[string]*hook{},
		files:      map[string]*fileState{},
		tickets:    map[string]bool{},
		byEnvID:    map[string]*delivery{},
		faults:     map[string][]fault{},
		latency:    map[string]time.Duration{},
		callHooks:  map[string][]*callHook{},
		limits:     map[string]*rateLimit{},
		chanLimits: map[string]*rateLimit{},
	}
	s.AddUser(User{ID: opts.BotUserID, Name: opts.BotName, RealName: opts.BotName, IsBot: true,
		TZ: "America/Los_Angeles", TZLabel: "Pacific Standard Time", TZOffset: -28800})
	s.hs = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	s.wg.Go(func() {
		if err := s.hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logf("serve: %v", err)
		}
	})
	return s, nil
}

// routes lists every HTTP route the fake serves.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/link/", s.handleLink)
	mux.HandleFunc("/hooks/", s.handleHook)
	mux.HandleFunc("/upload/", s.handleUpload)
	return mux
}

// APIURL is the Web API base URL to give slack.OptionAPIURL, e.g.
// "http://127.0.0.1:PORT/api/". It ends in '/', as slack-go requires.
func (s *Server) APIURL() string { return s.base + "/api/" }

// URL is the server's base URL, e.g. "http://127.0.0.1:PORT".
func (s *Server) URL() string { return s.base }

// Options returns the options in force, defaults filled in.
func (s *Server) Options() Options { return s.opts }

// Close stops the server: it closes every websocket connection, the
// listener and the server's goroutines, and wakes every Wait. It is
// idempotent and returns the first error of closing the HTTP server.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	conns := append([]*wsConn(nil), s.conns...)
	s.notifyLocked()
	s.mu.Unlock()

	s.cancel()
	err := s.hs.Close() // does not close hijacked (websocket) connections
	for _, c := range conns {
		c.close()
	}
	s.wg.Wait()
	return err
}

// logf writes a debug line if Options.Logf is set.
func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf("slackfake: "+format, args...)
	}
}

// now reads the injected clock.
func (s *Server) now() time.Time { return s.opts.Now() }

// notifyLocked wakes every Wait; call it with s.mu held after any change.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Changed returns a channel that is closed at the next state change of the
// server (a call, a message, a view, an ack, a connection, ...). Take a new
// one after each wake-up. It is the primitive under Wait, exported for
// long-polling UIs.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// Wait blocks until cond returns true, re-evaluating it after every state
// change of the server (never by polling). cond runs without the server's
// lock, so it may call any Server method. Wait returns nil once cond is
// true, ctx.Err() when ctx ends first, or ErrClosed after Close.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch, closed := s.changed, s.closed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		if closed {
			return ErrClosed
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// ErrClosed is returned by operations on a closed Server.
var ErrClosed = errors.New("slackfake: server closed")

// newIDLocked returns a fresh Slack-looking ID with the given prefix ("C",
// "D", "V", "F", "U", "Ev"): prefix + "0F" + a 7-digit counter shared by all
// kinds, so IDs are unique and sort in creation order.
func (s *Server) newIDLocked(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s0F%07d", prefix, s.seq)
}

// nextTSLocked returns a fresh message timestamp "seconds.micros" taken from
// Now, bumped by a microsecond when needed so timestamps strictly increase
// even with a frozen clock.
func (s *Server) nextTSLocked() string {
	us := s.now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// randHex returns n random bytes, hex-encoded.
func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// uuid returns a random version-4 UUID string, Slack's envelope_id format.
func uuid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// randAlnum returns n random letters and digits, like Slack's generated
// block_id and action_id values.
func randAlnum(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// subscribed reports whether the app subscribes to the event kind (manifest
// name such as "message.groups").
func (s *Server) subscribed(kind string) bool {
	for _, e := range s.opts.Events {
		if strings.EqualFold(e, kind) {
			return true
		}
	}
	return false
}
