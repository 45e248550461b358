// Package sandbox is the browser page of `mentorbot sandbox`: a small Slack over
// internal/slackfake, where a person picks who they are from a cast, reads and
// writes in channels and DMs, runs /mentorship, opens App Home, fills modals and
// clicks buttons, and moves the clock. Every act goes to the real bot through
// slackfake's drivers (slash commands, message events, block_actions and
// view_submission payloads over Socket Mode); every message and view is rendered
// from the bot's own Block Kit (see Renderer).
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// Clock is the sandbox's clock, shared with the bot and the Slack-compatible
// server: it tells the time and can be moved.
type Clock interface {
	Now() time.Time
	Advance(d time.Duration) time.Time
	Set(t time.Time)
}

// Config is what the page needs.
type Config struct {
	Slack     *slackfake.Server
	Clock     Clock
	Cast      []Person
	Workspace Workspace
	Log       *slog.Logger
	// ClockMoved, if set, is called after each move of the clock (the sandbox
	// moves its embedded Redis's time with it).
	ClockMoved func(now time.Time)
	// ActTimeout bounds each act's wait for the bot's ack; default 10 s.
	ActTimeout time.Duration
}

// Server serves the page. Create it with New; it holds no package-level state.
type Server struct {
	cfg  Config
	rd   *Renderer
	page *template.Template
	log  *slog.Logger

	mu       sync.Mutex
	clockGen chan struct{} // closed and replaced at each clock move
}

// New makes the page's server.
func New(cfg Config) (*Server, error) {
	if cfg.Slack == nil || cfg.Clock == nil {
		return nil, errors.New("sandbox: Config needs Slack and Clock")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.ActTimeout <= 0 {
		cfg.ActTimeout = 10 * time.Second
	}
	rd, err := NewRenderer()
	if err != nil {
		return nil, err
	}
	page, err := template.New("page").Funcs(template.FuncMap{
		"initial": initial,
	}).ParseFS(webFS, "web/page.html")
	if err != nil {
		return nil, fmt.Errorf("sandbox: parse page templates: %w", err)
	}
	return &Server{cfg: cfg, rd: rd, page: page, log: cfg.Log, clockGen: make(chan struct{})}, nil
}

// Handler returns every route of the page.
func (s *Server) Handler() http.Handler {
	static, _ := fs.Sub(webFS, "web/static")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.handlePage)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /frag", s.handleFragments)
	mux.HandleFunc("GET /events", s.handleEvents)
	mux.HandleFunc("GET /file", s.handleFile)
	mux.HandleFunc("POST /act/send", s.handleSend)
	mux.HandleFunc("POST /act/click", s.handleClick)
	mux.HandleFunc("POST /act/change", s.handleChange)
	mux.HandleFunc("POST /act/submit", s.handleSubmit)
	mux.HandleFunc("POST /act/close", s.handleClose)
	mux.HandleFunc("POST /act/home", s.handleHome)
	mux.HandleFunc("POST /act/clock", s.handleClock)
	return secure(mux)
}

// secure sets a strict content security policy (scripts, styles and images only
// from the sandbox itself: nothing a message says can run or load anything) and
// refuses acts posted from other sites.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if r.Method == http.MethodPost {
			if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
				http.Error(w, "acts are only taken from the sandbox's own page", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// clockChanged returns a channel closed at the next clock move.
func (s *Server) clockChanged() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clockGen
}

func (s *Server) clockMoved() {
	now := s.cfg.Clock.Now()
	if s.cfg.ClockMoved != nil {
		s.cfg.ClockMoved(now)
	}
	s.mu.Lock()
	close(s.clockGen)
	s.clockGen = make(chan struct{})
	s.mu.Unlock()
}

// handleEvents streams "change" server-sent events whenever the workspace or the
// clock changes, at most every 150 ms; the page then fetches its fragments.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, "retry: 1000\n\n")
	fl.Flush()
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-keepalive.C:
			fmt.Fprint(w, ": keepalive\n\n")
			fl.Flush()
			continue
		case <-s.cfg.Slack.Changed():
		case <-s.clockChanged():
		}
		select { // let a burst of changes settle into one event
		case <-r.Context().Done():
			return
		case <-time.After(150 * time.Millisecond):
		}
		fmt.Fprint(w, "data: change\n\n")
		fl.Flush()
	}
}

// actContext bounds one act.
func (s *Server) actContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.cfg.ActTimeout)
}

// person returns the cast member acting, from the "as" parameter.
func (s *Server) person(r *http.Request) (Person, bool) {
	id := r.FormValue("as")
	for _, p := range s.cfg.Cast {
		if p.ID == id {
			return p, true
		}
	}
	return Person{}, false
}
