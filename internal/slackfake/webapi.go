package slackfake

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TokenKind tells which token authenticated a Web API call.
type TokenKind string

// Token kinds of a Call.
const (
	TokenNone    TokenKind = "none"    // no token at all (not_authed)
	TokenBot     TokenKind = "bot"     // Options.BotToken
	TokenApp     TokenKind = "app"     // Options.AppToken
	TokenInvalid TokenKind = "invalid" // any other token (invalid_auth)
)

// Call is one recorded Web API request and the fake's answer.
type Call struct {
	// Method is the API method, e.g. "chat.postMessage".
	Method string
	// Params holds the parsed parameters: strings for form and query
	// parameters (the first value of each), decoded JSON values for a JSON
	// body. The token is left out.
	Params map[string]any
	// Body is the raw request body; ContentType its media type.
	Body        []byte
	ContentType string
	// Token is the kind of token the call carried.
	Token TokenKind
	// Status is the HTTP status of the answer: 200, 429 when rate limited,
	// the status injected by FailNextHTTP or FailNextAfterEffect, or 0
	// when no answer was sent (TimeoutNext: the client gave up first).
	Status int
	// Response is the JSON body of the answer (nil when none was sent).
	Response json.RawMessage
	// OK and Error repeat the answer's "ok" and "error" fields.
	OK    bool
	Error string
	// Fault names the injected failure that shaped the answer, by the
	// Server method that injected it: "FailNext", "RateLimitNext",
	// "FailNextHTTP", "FailNextAfterEffect", "TimeoutNext", "SetRateLimit"
	// or "SetRateLimitPerChannel"; "" for an ordinary answer.
	Fault string
	// Unsent is the answer the method itself produced when an injected
	// failure replaced it after the method's effect (FailNextAfterEffect,
	// TimeoutNext with effect): what the client would have seen. Nil
	// otherwise.
	Unsent json.RawMessage
	// Time is when the call arrived (Now).
	Time time.Time
}

// Param returns the parameter k as a string: a string parameter as is, any
// other JSON value encoded as JSON; "" when absent.
func (c Call) Param(k string) string {
	switch v := c.Params[k].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return string(mustJSON(v))
	}
}

// faultKind tells what an injected failure does.
type faultKind int

const (
	faultError       faultKind = iota // ok:false with code (FailNext)
	faultRateLimit                    // 429 with Retry-After (RateLimitNext)
	faultHTTP                         // an HTTP error status, no effect (FailNextHTTP)
	faultAfterEffect                  // the effect, then an HTTP error status (FailNextAfterEffect)
	faultTimeout                      // no answer until the client gives up (TimeoutNext)
)

// fault is an injected failure for the next call of a method.
type fault struct {
	kind       faultKind
	code       string        // faultError: the ok:false error code
	retryAfter time.Duration // faultRateLimit
	status     int           // faultHTTP, faultAfterEffect
	effect     bool          // faultTimeout: apply the method's effect first
}

// name is the Call.Fault of a fault.
func (f fault) name() string {
	switch f.kind {
	case faultRateLimit:
		return "RateLimitNext"
	case faultHTTP:
		return "FailNextHTTP"
	case faultAfterEffect:
		return "FailNextAfterEffect"
	case faultTimeout:
		return "TimeoutNext"
	}
	return "FailNext"
}

// apiError is an ok:false answer.
type apiError struct {
	code     string
	messages []string       // response_metadata.messages
	extra    map[string]any // more top-level fields
}

func errCode(code string) *apiError { return &apiError{code: code} }

// apiRequest is a parsed Web API request.
type apiRequest struct {
	method string
	form   url.Values                 // form body or query
	json   map[string]json.RawMessage // JSON body
	token  TokenKind
	ctx    context.Context
}

// str returns parameter k as a string ("" when absent).
func (r *apiRequest) str(k string) string {
	if r.json != nil {
		raw, ok := r.json[k]
		if !ok || isNullJSON(raw) {
			return ""
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(bytes.TrimSpace(raw))
	}
	return r.form.Get(k)
}

// has reports whether parameter k is present.
func (r *apiRequest) has(k string) bool {
	if r.json != nil {
		_, ok := r.json[k]
		return ok
	}
	_, ok := r.form[k]
	return ok
}

// jsonParam returns parameter k as JSON: a JSON body's value as is, or a
// form parameter's string (which slack-go fills with JSON, e.g. blocks).
// A JSON body's string value holding JSON is unwrapped too.
func (r *apiRequest) jsonParam(k string) (json.RawMessage, bool) {
	if r.json != nil {
		raw, ok := r.json[k]
		if !ok {
			return nil, false
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return json.RawMessage(s), true
		}
		return raw, true
	}
	if _, ok := r.form[k]; !ok {
		return nil, false
	}
	return json.RawMessage(r.form.Get(k)), true
}

// boolParam reads a boolean parameter ("true", "1" or JSON true).
func (r *apiRequest) boolParam(k string) bool {
	switch strings.ToLower(r.str(k)) {
	case "true", "1":
		return true
	}
	return false
}

type apiHandler func(s *Server, r *apiRequest) (map[string]any, *apiError)

// apiMethods lists every Web API method the fake implements.
var apiMethods = map[string]apiHandler{
	"apps.connections.open":        (*Server).apiConnectionsOpen,
	"auth.test":                    (*Server).apiAuthTest,
	"chat.postMessage":             (*Server).apiPostMessage,
	"chat.postEphemeral":           (*Server).apiPostEphemeral,
	"chat.update":                  (*Server).apiChatUpdate,
	"chat.delete":                  (*Server).apiChatDelete,
	"conversations.create":         (*Server).apiConversationsCreate,
	"conversations.invite":         (*Server).apiConversationsInvite,
	"conversations.members":        (*Server).apiConversationsMembers,
	"conversations.info":           (*Server).apiConversationsInfo,
	"conversations.open":           (*Server).apiConversationsOpen,
	"conversations.archive":        (*Server).apiConversationsArchive,
	"conversations.kick":           (*Server).apiConversationsKick,
	"conversations.history":        (*Server).apiConversationsHistory,
	"conversations.list":           (*Server).apiConversationsList,
	"users.info":                   (*Server).apiUsersInfo,
	"users.list":                   (*Server).apiUsersList,
	"views.open":                   (*Server).apiViewsOpen,
	"views.push":                   (*Server).apiViewsPush,
	"views.update":                 (*Server).apiViewsUpdate,
	"views.publish":                (*Server).apiViewsPublish,
	"files.getUploadURLExternal":   (*Server).apiFilesGetUploadURL,
	"files.completeUploadExternal": (*Server).apiFilesCompleteUpload,
}

// handleAPI serves POST (or GET) /api/<method>: parse, authenticate, apply
// rate limits, injected failures and latency, run the method, run the
// OnCall hooks, record the call, answer.
func (s *Server) handleAPI(w http.ResponseWriter, hr *http.Request) {
	// Close waits for in-flight calls, so none outlives the server.
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "slackfake: server closed", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	arrived := s.now()
	method := strings.TrimPrefix(hr.URL.Path, "/api/")
	body, _ := io.ReadAll(io.LimitReader(hr.Body, 10<<20))
	ctype, _, _ := mime.ParseMediaType(hr.Header.Get("Content-Type"))
	r := &apiRequest{method: method, ctx: hr.Context()}
	params := map[string]any{}
	token := ""
	if b, ok := strings.CutPrefix(hr.Header.Get("Authorization"), "Bearer "); ok {
		token = strings.TrimSpace(b)
	}
	var parseErr string
	switch {
	case ctype == "application/json" && len(bytes.TrimSpace(body)) > 0:
		if err := json.Unmarshal(body, &r.json); err != nil {
			parseErr = "invalid_json"
		}
		for k, v := range r.json {
			if x, err := decodeJSON(v); err == nil {
				params[k] = x
			}
		}
		if t := r.str("token"); token == "" && t != "" {
			token = t
		}
		delete(params, "token")
	default:
		r.form = hr.URL.Query()
		if ctype == "application/x-www-form-urlencoded" {
			if f, err := url.ParseQuery(string(body)); err == nil {
				for k, v := range f {
					r.form[k] = v
				}
			} else {
				parseErr = "invalid_form_data"
			}
		}
		if t := r.form.Get("token"); t != "" {
			token = t
		}
		for k := range r.form {
			if k != "token" {
				params[k] = r.form.Get(k)
			}
		}
	}
	r.token = s.tokenKind(token)
	if scopes := s.grantedScopes(r.token); scopes != nil {
		// Slack names the token's scopes on every answer to an authenticated
		// call; a bot checks them at start with auth.test.
		w.Header().Set("X-OAuth-Scopes", strings.Join(scopes, ","))
	}

	s.mu.Lock()
	delay := s.latency[method]
	if d, ok := s.latency["*"]; ok && delay == 0 {
		delay = d
	}
	s.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-hr.Context().Done():
			t.Stop()
			return
		case <-s.ctx.Done():
			t.Stop()
			return
		}
	}

	res := s.serveAPI(r, parseErr)
	call := Call{Method: method, Params: params, Body: body, ContentType: ctype, Token: r.token,
		Status: res.status, Fault: res.fault, Time: arrived}
	if res.body != nil {
		call.Response = mustJSON(res.body)
		call.OK, _ = res.body["ok"].(bool)
		call.Error, _ = res.body["error"].(string)
	}
	if res.unsent != nil {
		call.Unsent = mustJSON(res.unsent)
	}

	// Hooks see the call after its effect and before anyone else: before
	// it is recorded (so a Wait on Calls sees the hooks' work done) and
	// before the client gets its answer.
	s.mu.Lock()
	hooks := slices.Clone(s.callHooks[method])
	s.mu.Unlock()
	for _, h := range hooks {
		c := call
		c.Params = maps.Clone(call.Params)
		h.fn(c)
	}

	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.notifyLocked()
	s.mu.Unlock()
	switch {
	case res.fault != "":
		s.logf("%s → injected %s (status %d)", method, res.fault, res.status)
	case !call.OK:
		s.logf("%s → %s", method, call.Error)
	}

	if res.hold {
		// TimeoutNext: answer nothing until the client gives up (or the
		// server closes).
		select {
		case <-hr.Context().Done():
		case <-s.ctx.Done():
		}
		return
	}
	if res.status == http.StatusTooManyRequests && res.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(res.retryAfter))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(res.status)
	_, _ = w.Write(call.Response)
}

// apiResult is the fake's answer to a call.
type apiResult struct {
	status     int
	body       map[string]any // the JSON answer; nil when none is sent (hold)
	retryAfter int            // seconds, for a 429
	fault      string         // Call.Fault
	unsent     map[string]any // the method's own answer an injected failure replaced
	hold       bool           // send nothing until the client gives up
}

// okBody is the body of a successful answer.
func okBody(resp map[string]any) map[string]any {
	out := map[string]any{"ok": true}
	maps.Copy(out, resp)
	return out
}

// errBody is the body of an ok:false answer.
func errBody(e *apiError) map[string]any {
	out := map[string]any{"ok": false, "error": e.code}
	maps.Copy(out, e.extra)
	if len(e.messages) > 0 {
		out["response_metadata"] = map[string]any{"messages": e.messages}
	}
	return out
}

// httpErrorBody is the small body sent with an injected HTTP error status.
func httpErrorBody(status int) map[string]any {
	code := strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	if code == "" {
		code = "http_" + strconv.Itoa(status)
	}
	return map[string]any{"ok": false, "error": code}
}

// serveAPI answers a parsed request.
func (s *Server) serveAPI(r *apiRequest, parseErr string) apiResult {
	fail := func(e *apiError) apiResult { return apiResult{status: http.StatusOK, body: errBody(e)} }
	h, known := apiMethods[r.method]
	if !known {
		return fail(errCode("unknown_method"))
	}
	switch r.token {
	case TokenNone:
		return fail(errCode("not_authed"))
	case TokenInvalid:
		return fail(errCode("invalid_auth"))
	case TokenApp:
		if r.method != "apps.connections.open" {
			return fail(errCode("not_allowed_token_type"))
		}
	case TokenBot:
		if r.method == "apps.connections.open" {
			return fail(errCode("not_allowed_token_type"))
		}
	}
	if e := s.checkScopes(r); e != nil {
		return fail(e)
	}
	s.mu.Lock()
	retry, by := s.admitLocked(r)
	s.mu.Unlock()
	if by != "" {
		return apiResult{status: http.StatusTooManyRequests, body: map[string]any{"ok": false, "error": "ratelimited"},
			retryAfter: retry, fault: by}
	}
	if parseErr != "" {
		return fail(errCode(parseErr))
	}
	s.mu.Lock()
	var f *fault
	if q := s.faults[r.method]; len(q) > 0 {
		f = &q[0]
		s.faults[r.method] = q[1:]
	}
	s.mu.Unlock()
	run := func() map[string]any {
		resp, e := h(s, r)
		if e != nil {
			return errBody(e)
		}
		return okBody(resp)
	}
	if f == nil {
		body := run()
		return apiResult{status: http.StatusOK, body: body}
	}
	res := apiResult{fault: f.name()}
	switch f.kind {
	case faultError:
		res.status, res.body = http.StatusOK, errBody(errCode(f.code))
	case faultRateLimit:
		res.status, res.body = http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"}
		res.retryAfter = max(1, int(math.Ceil(f.retryAfter.Seconds())))
	case faultHTTP:
		res.status, res.body = f.status, httpErrorBody(f.status)
	case faultAfterEffect:
		res.unsent = run()
		res.status, res.body = f.status, httpErrorBody(f.status)
	case faultTimeout:
		if f.effect {
			res.unsent = run()
		}
		res.hold = true
	}
	return res
}

func (s *Server) tokenKind(tok string) TokenKind {
	s.mu.Lock()
	k, set := s.auth.kinds[tok]
	s.mu.Unlock()
	if set {
		return k
	}
	switch tok {
	case "":
		return TokenNone
	case s.opts.BotToken:
		return TokenBot
	case s.opts.AppToken:
		return TokenApp
	}
	return TokenInvalid
}

// Injected failures. FailNext, RateLimitNext, FailNextHTTP,
// FailNextAfterEffect and TimeoutNext all queue in one FIFO per method: each
// call of the method (once authenticated and admitted by any rate limit)
// takes the oldest queued failure, if any. Calls refused by authentication
// or by SetRateLimit do not consume one.

// FailNext makes the next call of method (after authentication) answer
// {"ok":false,"error":errCode} without doing anything. Calls queue: two
// FailNext fail the next two calls.
func (s *Server) FailNext(method, errCode string) {
	s.queueFault(method, fault{kind: faultError, code: errCode})
}

// RateLimitNext makes the next call of method answer HTTP 429 with
// Retry-After (retryAfter rounded up to whole seconds, at least 1) and
// {"ok":false,"error":"ratelimited"}, without doing anything; slack-go
// turns it into a *slack.RateLimitedError. It queues with FailNext.
func (s *Server) RateLimitNext(method string, retryAfter time.Duration) {
	s.queueFault(method, fault{kind: faultRateLimit, retryAfter: retryAfter})
}

// FailNextHTTP makes the next call of method answer the HTTP status (e.g.
// 500, 502, 503) with a small JSON body, without doing anything, like an
// outage in front of Slack. slack-go turns it into a slack.StatusCodeError
// (it does not read the body). A status outside 400–599 means 500. It
// queues with FailNext.
func (s *Server) FailNextHTTP(method string, status int) {
	s.queueFault(method, fault{kind: faultHTTP, status: errorStatus(status)})
}

// FailNextAfterEffect makes the next call of method do its work (the
// channel is created, the message posted, ...) and then answer the HTTP
// status instead of its real answer: the ambiguous failure where Slack did
// the work but the client cannot know. The real answer is kept in
// Call.Unsent. A status outside 400–599 means 500. It queues with FailNext.
func (s *Server) FailNextAfterEffect(method string, status int) {
	s.queueFault(method, fault{kind: faultAfterEffect, status: errorStatus(status)})
}

// TimeoutNext makes the next call of method get no answer at all: the
// server holds the request until the client gives up (its context ends or
// its HTTP timeout fires) or the server closes. With effect, the method's
// work is done first (the real answer is kept in Call.Unsent); without,
// nothing happens. The call is recorded (Status 0) as soon as it is held.
// It queues with FailNext.
func (s *Server) TimeoutNext(method string, effect bool) {
	s.queueFault(method, fault{kind: faultTimeout, effect: effect})
}

func (s *Server) queueFault(method string, f fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], f)
}

// errorStatus maps anything but an HTTP error status to 500.
func errorStatus(status int) int {
	if status < 400 || status > 599 {
		return http.StatusInternalServerError
	}
	return status
}

// callHook is one OnCall registration.
type callHook struct{ fn func(Call) }

// OnCall registers fn to run at every call of method, once the call's
// effect (if any) is applied and before the call is recorded and its
// answer written: fn gets the Call as it will be recorded (Params,
// Response, Status, Fault, Unsent filled; Status 0 for a TimeoutNext). A
// test uses it to break something at the worst moment, e.g. stop Redis
// right after a successful conversations.create. fn runs on the request's
// goroutine without the server's lock, so it may call any Server method
// except Close (Close waits for the call to finish). Hooks of a method run
// in registration order; the client waits for them. OnCall returns a func
// that removes this hook (idempotent).
func (s *Server) OnCall(method string, fn func(Call)) (remove func()) {
	h := &callHook{fn: fn}
	s.mu.Lock()
	s.callHooks[method] = append(s.callHooks[method], h)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.callHooks[method] = slices.DeleteFunc(s.callHooks[method], func(x *callHook) bool { return x == h })
	}
}

// SetLatency delays every later call of method by d before it is handled
// ("*" for every method without its own latency; 0 removes).
func (s *Server) SetLatency(method string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.latency, method)
		return
	}
	s.latency[method] = d
}

// Calls returns the recorded calls of one method, oldest first.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// AllCalls returns every recorded call, oldest first.
func (s *Server) AllCalls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallCount returns how many calls of method were recorded.
func (s *Server) CallCount(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

// apiConnectionsOpen hands out a fresh single-use websocket URL.
func (s *Server) apiConnectionsOpen(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errCode("service_unavailable")
	}
	ticket := uuid()
	s.tickets[ticket] = false
	wsURL := "ws" + strings.TrimPrefix(s.base, "http") + "/link/?ticket=" + ticket + "&app_id=" + s.opts.AppID
	return map[string]any{"url": wsURL}, nil
}

func (s *Server) apiAuthTest(r *apiRequest) (map[string]any, *apiError) {
	return map[string]any{
		"url": "https://" + s.opts.TeamDomain + ".slack.com/", "team": s.opts.TeamName, "user": s.opts.BotName,
		"team_id": s.opts.TeamID, "user_id": s.opts.BotUserID, "bot_id": s.opts.BotID, "is_enterprise_install": false,
	}, nil
}

// Violation is a Block Kit (or Socket Mode) contract the bot broke.
type Violation struct {
	// Method is where it happened: a Web API method ("views.open"),
	// "response_url", or an ack ("ack:slash_commands",
	// "ack:view_submission").
	Method string
	// Reason is the error code Slack answers with (invalid_blocks,
	// invalid_arguments, ack_too_large, invalid_errors_key, ...).
	Reason string
	// Detail lists the problems, one per line.
	Detail string
	Time   time.Time
}

func (v Violation) String() string { return v.Method + ": " + v.Reason + ": " + v.Detail }

// violationLocked records a violation.
func (s *Server) violationLocked(method, reason string, errs []error) {
	var lines []string
	for _, e := range errs {
		lines = append(lines, e.Error())
	}
	v := Violation{Method: method, Reason: reason, Detail: strings.Join(lines, "\n"), Time: s.now()}
	s.violations = append(s.violations, v)
	s.logf("violation: %s", v)
	s.notifyLocked()
}

// blockKitError records the violation and returns Slack's answer to it.
func (s *Server) blockKitErrorLocked(method, code string, errs []error) *apiError {
	s.violationLocked(method, code, errs)
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = "[ERROR] " + e.Error()
	}
	return &apiError{code: code, messages: msgs}
}

// Violations returns every Block Kit or protocol violation so far.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation(nil), s.violations...)
}

// AllowViolations marks violations as expected (a deliberate negative
// test): slackfaketest then does not fail the test because of them.
func (s *Server) AllowViolations() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.allowViol = true
}

// ViolationsAllowed reports whether AllowViolations was called.
func (s *Server) ViolationsAllowed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.allowViol
}

// cursor helpers: Slack cursors are opaque base64 strings; ours encode the
// next item's ID with Slack's prefixes ("user:U…" for members and users,
// "team:C…" for conversations.list), so pagination survives changes.
func encodeCursor(id string) string { return b64("user:" + id) }

// pageOf returns a page of ids starting at cursor, and the next cursor.
func pageOf(ids []string, cursor string, limit int) ([]string, string, *apiError) {
	start := 0
	if cursor != "" {
		id, ok := decodeCursor(cursor)
		if !ok {
			return nil, "", errCode("invalid_cursor")
		}
		start = -1
		for i, x := range ids {
			if x == id {
				start = i
				break
			}
		}
		if start < 0 {
			return nil, "", errCode("invalid_cursor")
		}
	}
	end := min(start+limit, len(ids))
	next := ""
	if end < len(ids) {
		next = encodeCursor(ids[end])
	}
	return append([]string{}, ids[start:end]...), next, nil
}

// limitParam reads "limit" (default def, at most max); a bad value is
// invalid_limit.
func limitParam(r *apiRequest, def, max int) (int, *apiError) {
	l := r.str("limit")
	if l == "" || l == "0" {
		return def, nil
	}
	n, err := strconv.Atoi(l)
	if err != nil || n < 0 {
		return 0, errCode("invalid_limit")
	}
	return min(n, max), nil
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func decodeCursor(c string) (string, bool) { return decodeCursorWith("user:", c) }

func decodeCursorWith(prefix, c string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(string(b), prefix)
}
