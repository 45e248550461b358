package slackapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/telemetry"
)

// attempts is how many times a call safe to repeat is sent at most after 5xx answers
// or lost connections.
const attempts = 3

// transport is the http.RoundTripper under the bot's slack.Client: it paces and
// retries Web API calls and records metrics for every request. Safe for concurrent use.
type transport struct {
	base    http.RoundTripper
	metrics *telemetry.Metrics
	clock   clock.Clock
	maxWait time.Duration
	limits  map[string]Limit // overrides by method; read-only after newTransport
	apiURL  *url.URL
	// backoff[i] is the wait before attempt i+2 of a call safe to repeat.
	backoff []time.Duration
	// sleep waits real time, bounded by ctx (tests replace it).
	sleep   func(ctx context.Context, d time.Duration) error
	maxKeys int // forget idle pacing keys once there are this many
	sweepAt int // the next size at which to look for idle keys (≥ maxKeys)

	mu    sync.Mutex
	paces map[string]*pace // by method, or method and channel for chat.postMessage
}

// pace is the state of one pacing key. Guarded by transport.mu.
type pace struct {
	lim   *rate.Limiter
	until time.Time // end of the latest 429 cooldown
}

// call describes a request: what it is called in metrics, and how it is paced.
type call struct {
	method string // Web API method, "other", "webhook" or "upload"
	api    bool   // a Web API call: paced, cooled down after a 429, maybe retried
	key    string // pacing key
	limit  Limit
}

func (t *transport) classify(req *http.Request) call {
	u := req.URL
	if t.apiURL.Host == "" || !strings.EqualFold(u.Host, t.apiURL.Host) || !strings.HasPrefix(u.Path, t.apiURL.Path) {
		return call{method: methodOf(req)}
	}
	c := call{method: strings.TrimPrefix(u.Path, t.apiURL.Path), api: true}
	if !validMethod(c.method) {
		c.method = "other"
	}
	c.key = c.method
	c.limit = defaultLimit(c.method)
	if l, ok := t.limits[c.method]; ok {
		c.limit = l
	}
	if c.method == postMessage {
		if ch := channelOf(req); ch != "" {
			c.key = postMessage + " " + ch
		}
	}
	return c
}

// RoundTrip sends req. For a Web API call it first applies pacing and cooldowns (a
// background call may come back as a *DeferError, a foreground call facing a long
// cooldown as a 429 made up here), then sends, honours a 429 answer, and sends again
// after a 5xx or a lost connection when the method is safe to repeat. Failures to get
// an answer come back as *sendError, which records whether the request was written.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.classify(req)
	if !c.api {
		return t.send(req, c.method)
	}
	ctx := req.Context()
	background := isDeferrable(ctx)
	stop, waited, err := t.admit(req, c, background)
	if stop != nil || err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return stop, err
	}

	r := req
	for failures := 0; ; {
		resp, err := t.send(r, c.method)
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			wait := retryAfter(resp.Header)
			// slack-go turns exactly this header into *slack.RateLimitedError.
			resp.Header.Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
			until := t.coolDown(c, wait)
			if background {
				discard(resp)
				t.throttled(c.method, "deferred")
				return nil, &DeferError{Method: c.method, Until: until}
			}
			if waited || wait > t.maxWait {
				return resp, nil
			}
			next, ok := t.again(ctx, req, wait)
			if !ok {
				return resp, nil
			}
			discard(resp)
			waited = true
			t.throttled(c.method, "waited")
			t.retried(c.method, "ratelimited")
			r = next
			continue
		}
		failures++
		reason := t.retryable(req, c, resp, err)
		if reason == "" || failures >= attempts || ctx.Err() != nil {
			return resp, err
		}
		next, ok := t.again(ctx, req, t.backoffFor(failures))
		if !ok {
			return resp, err
		}
		if resp != nil {
			discard(resp)
		}
		t.retried(c.method, reason)
		r = next
	}
}

// admit applies pacing and cooldowns before a Web API call is sent. It returns an
// error (a *DeferError for background work) or a response to hand back (a made-up 429
// for a person's call facing a cooldown longer than maxWait) to stop the call, or
// neither to let it go, possibly after a short real-time wait, which it reports.
func (t *transport) admit(req *http.Request, c call, background bool) (stop *http.Response, waited bool, err error) {
	now := t.clock.Now()
	t.mu.Lock()
	p := t.paceLocked(c, now)
	until := p.until
	var delay time.Duration
	if background {
		if !until.After(now) {
			delay = takeLocked(p.lim, now)
		}
	} else {
		// A person's call is never paced: people's clicks pace themselves, and a
		// frozen test clock must not hold them. It still takes a token when there is
		// one, so background work leaves room for it.
		p.lim.AllowN(now, 1)
	}
	t.mu.Unlock()

	switch {
	case background && until.After(now):
		t.throttled(c.method, "deferred")
		return nil, false, &DeferError{Method: c.method, Until: until}
	case background && delay > 0:
		t.throttled(c.method, "deferred")
		return nil, false, &DeferError{Method: c.method, Until: now.Add(delay)}
	case background || !until.After(now):
		return nil, false, nil
	}
	wait := until.Sub(now)
	if wait > t.maxWait {
		t.throttled(c.method, "busy")
		return tooManyRequests(req, wait), false, nil
	}
	t.throttled(c.method, "waited")
	if err := t.sleep(req.Context(), wait); err != nil {
		return nil, true, &sendError{err: err}
	}
	return nil, true, nil
}

// takeLocked takes one token from lim at now and returns 0, or, when there is none,
// takes nothing and returns how long until there is one.
func takeLocked(lim *rate.Limiter, now time.Time) time.Duration {
	if lim.AllowN(now, 1) {
		return 0
	}
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return time.Minute // burst 0 cannot happen (see paceLocked); be safe anyway
	}
	d := r.DelayFrom(now)
	r.CancelAt(now) // nobody else reserved meanwhile (t.mu): every token comes back
	// The limiter counts tokens in floating point: make sure a call coming back at
	// now+d finds its token.
	for lim.TokensAt(now.Add(d)) < 1 {
		d += time.Millisecond
	}
	return d
}

// paceLocked returns the pacing state of c's key, creating it.
func (t *transport) paceLocked(c call, now time.Time) *pace {
	if p, ok := t.paces[c.key]; ok {
		return p
	}
	if len(t.paces) >= max(t.sweepAt, t.maxKeys) {
		t.forgetIdleLocked(now)
		// When most keys are busy, look again only after the map has doubled, so
		// that creating keys stays cheap on average.
		t.sweepAt = 2 * len(t.paces)
	}
	lim := rate.NewLimiter(rate.Inf, 1)
	if c.limit.Every > 0 {
		lim = rate.NewLimiter(rate.Every(c.limit.Every), max(c.limit.Burst, 1))
	}
	p := &pace{lim: lim}
	t.paces[c.key] = p
	return p
}

// forgetIdleLocked drops the keys (mostly chat.postMessage channels) whose bucket is
// full and whose cooldown is over: a fresh one would behave the same.
func (t *transport) forgetIdleLocked(now time.Time) {
	for k, p := range t.paces {
		idle := p.lim.Limit() == rate.Inf || p.lim.TokensAt(now) >= float64(p.lim.Burst())
		if idle && !p.until.After(now) {
			delete(t.paces, k)
		}
	}
}

// coolDown records a 429 answer for c's key, lasting wait from now, and returns its
// end. A later, longer cooldown wins over a shorter one.
func (t *transport) coolDown(c call, wait time.Duration) time.Time {
	now := t.clock.Now()
	until := now.Add(wait)
	t.mu.Lock()
	p := t.paceLocked(c, now)
	if until.After(p.until) {
		p.until = until
	} else {
		until = p.until
	}
	t.mu.Unlock()
	return until
}

// retryable returns why a failed attempt of c may be sent again ("5xx", "transport"),
// or "" when it may not.
func (t *transport) retryable(req *http.Request, c call, resp *http.Response, err error) string {
	var reason string
	var sent bool
	switch {
	case err != nil:
		reason, sent = "transport", true
		var se *sendError
		if errors.As(err, &se) {
			sent = se.sent
		}
	case resp.StatusCode >= 500:
		reason, sent = "5xx", true
	default:
		return ""
	}
	if !retrySafe(c.method) {
		return ""
	}
	if sent && conditional(c.method) && hashed(req) {
		return ""
	}
	return reason
}

// again waits d (real time, bounded by ctx) and returns req ready to be sent once
// more, with a fresh body; ok is false when ctx ended or the body cannot be re-read.
func (t *transport) again(ctx context.Context, req *http.Request, d time.Duration) (*http.Request, bool) {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return nil, false
	}
	if t.sleep(ctx, d) != nil {
		return nil, false
	}
	r := req.WithContext(ctx)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, false
		}
		r.Body = body
	}
	return r, true
}

// backoffFor returns the wait after the n-th failed attempt (n ≥ 1).
func (t *transport) backoffFor(n int) time.Duration {
	if len(t.backoff) == 0 {
		return 0
	}
	return t.backoff[min(n, len(t.backoff))-1]
}

// sendError is a failure to get an answer. sent says whether the request had been
// written out in full, so that Slack may have acted on it.
type sendError struct {
	sent bool
	err  error
}

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// send makes one attempt through the base transport and records it.
func (t *transport) send(req *http.Request, method string) (*http.Response, error) {
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			wrote.Store(true)
		}
	}}
	r := req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	t.record(method, start, resp, err)
	if err != nil {
		return nil, &sendError{sent: wrote.Load(), err: err}
	}
	return resp, nil
}

// record counts and times one attempt, and counts its failure by Slack's error code
// (or HTTP status). It reads Slack's {"ok","error"} envelope from successful answers
// and hands the body on untouched.
func (t *transport) record(method string, start time.Time, resp *http.Response, err error) {
	if t.metrics == nil {
		return
	}
	t.metrics.SlackCalls.WithLabelValues(method).Inc()
	t.metrics.SlackLatency.WithLabelValues(method).Observe(time.Since(start).Seconds())
	switch {
	case err != nil:
		t.metrics.SlackErrors.WithLabelValues(method, "transport").Inc()
	case resp.StatusCode == http.StatusTooManyRequests:
		t.metrics.SlackErrors.WithLabelValues(method, "ratelimited").Inc()
	case resp.StatusCode != http.StatusOK:
		t.metrics.SlackErrors.WithLabelValues(method, "http_"+strconv.Itoa(resp.StatusCode)).Inc()
	case strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"):
		// Peek at most 8 MB for the error code; whatever is left is passed on too.
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
		if rerr != nil {
			t.metrics.SlackErrors.WithLabelValues(method, "read").Inc()
			break
		}
		var env struct {
			OK    *bool  `json:"ok"`
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &env) == nil && env.OK != nil && !*env.OK {
			t.metrics.SlackErrors.WithLabelValues(method, errorLabel(env.Error)).Inc()
		}
	}
}

func (t *transport) retried(method, reason string) {
	if t.metrics != nil {
		t.metrics.SlackRetries.WithLabelValues(method, reason).Inc()
	}
}

func (t *transport) throttled(method, outcome string) {
	if t.metrics != nil {
		t.metrics.SlackThrottled.WithLabelValues(method, outcome).Inc()
	}
}

// retryAfter reads a 429's Retry-After in seconds: 1s when missing or not a positive
// number of seconds.
func retryAfter(h http.Header) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil || n < 1 {
		return time.Second
	}
	return time.Duration(n) * time.Second
}

// tooManyRequests makes the 429 Slack would give during a cooldown that ends in wait,
// so that slack-go hands the caller the usual *slack.RateLimitedError.
func tooManyRequests(req *http.Request, wait time.Duration) *http.Response {
	secs := int(math.Ceil(wait.Seconds()))
	return &http.Response{
		Status:     "429 Too Many Requests",
		StatusCode: http.StatusTooManyRequests,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     http.Header{"Retry-After": {strconv.Itoa(secs)}},
		Body:       http.NoBody,
		Request:    req,
	}
}

// discard reads a little of a response we will not hand on (so the connection can be
// reused) and closes it.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// channelOf returns the channel form field of a form-encoded request, read from a copy
// of its body, or "" when there is none to read.
func channelOf(req *http.Request) string {
	if req.GetBody == nil || !strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return ""
	}
	rc, err := req.GetBody()
	if err != nil {
		return ""
	}
	defer rc.Close()
	// Scan field by field, without holding the whole body (blocks can be large).
	br := bufio.NewReaderSize(rc, 256)
	for {
		field, err := br.ReadSlice('&')
		long := false
		for err == bufio.ErrBufferFull { // a long field: not the channel; skip it
			long = true
			_, err = br.ReadSlice('&')
		}
		if v, ok := bytes.CutPrefix(bytes.TrimSuffix(field, []byte("&")), []byte("channel=")); ok && !long {
			ch, uerr := url.QueryUnescape(string(v))
			if uerr != nil {
				return ""
			}
			return ch
		}
		if err != nil {
			return ""
		}
	}
}

// hashed reports whether a JSON request carries a non-empty "hash" field.
func hashed(req *http.Request) bool {
	if req.GetBody == nil {
		return true // cannot tell: assume the worst
	}
	rc, err := req.GetBody()
	if err != nil {
		return true
	}
	defer rc.Close()
	var body struct {
		Hash *string `json:"hash"`
	}
	if json.NewDecoder(rc).Decode(&body) != nil {
		return true
	}
	return body.Hash != nil && *body.Hash != ""
}

// methodOf names the call: the Web API method after "/api/", or "webhook" for
// response_url posts and "upload" for file uploads, keeping label values bounded.
func methodOf(req *http.Request) string {
	return methodOfPath(req.URL.Path)
}

func methodOfPath(p string) string {
	if i := strings.LastIndex(p, "/api/"); i >= 0 {
		m := p[i+len("/api/"):]
		if validMethod(m) {
			return m
		}
		return "other"
	}
	if strings.Contains(p, "upload") {
		return "upload"
	}
	return "webhook"
}

func validMethod(m string) bool {
	if m == "" || len(m) > 64 {
		return false
	}
	for _, r := range m {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && r != '.' && r != '_' {
			return false
		}
	}
	return true
}

func errorLabel(code string) string {
	if code == "" || !validMethod(code) {
		return "unknown"
	}
	return code
}
