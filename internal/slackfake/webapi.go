package slackfake

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
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
	// Status is the HTTP status (200, or 429 when rate limited).
	Status int
	// Response is the JSON body of the answer.
	Response json.RawMessage
	// OK and Error repeat the answer's "ok" and "error" fields.
	OK    bool
	Error string
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

// fault is an injected failure for the next call of a method.
type fault struct {
	code       string        // ok:false error code
	retryAfter time.Duration // when rateLimit
	rateLimit  bool
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
// injected faults and latency, run the method, record the call.
func (s *Server) handleAPI(w http.ResponseWriter, hr *http.Request) {
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
		}
	}

	status, resp, retryAfter := s.serveAPI(r, parseErr)
	out := mustJSON(resp)
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(out)

	ok, _ := resp["ok"].(bool)
	errStr, _ := resp["error"].(string)
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: method, Params: params, Body: body, ContentType: ctype,
		Token: r.token, Status: status, Response: out, OK: ok, Error: errStr, Time: s.now()})
	s.notifyLocked()
	s.mu.Unlock()
	if !ok {
		s.logf("%s → %s", method, errStr)
	}
}

// serveAPI answers a parsed request: HTTP status, JSON body and, for a 429,
// the Retry-After seconds.
func (s *Server) serveAPI(r *apiRequest, parseErr string) (int, map[string]any, int) {
	fail := func(e *apiError) (int, map[string]any, int) {
		out := map[string]any{"ok": false, "error": e.code}
		for k, v := range e.extra {
			out[k] = v
		}
		if len(e.messages) > 0 {
			out["response_metadata"] = map[string]any{"messages": e.messages}
		}
		return http.StatusOK, out, 0
	}
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
	if f != nil {
		if f.rateLimit {
			secs := int(math.Ceil(f.retryAfter.Seconds()))
			return http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"}, secs
		}
		return fail(errCode(f.code))
	}
	resp, e := h(s, r)
	if e != nil {
		return fail(e)
	}
	out := map[string]any{"ok": true}
	for k, v := range resp {
		out[k] = v
	}
	return http.StatusOK, out, 0
}

func (s *Server) tokenKind(tok string) TokenKind {
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

// FailNext makes the next call of method (after authentication) answer
// {"ok":false,"error":errCode} without doing anything. Calls queue: two
// FailNext fail the next two calls.
func (s *Server) FailNext(method, errCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], fault{code: errCode})
}

// RateLimitNext makes the next call of method answer HTTP 429 with
// Retry-After (retryAfter rounded up to whole seconds) and
// {"ok":false,"error":"ratelimited"}, which slack-go turns into a
// *slack.RateLimitedError. It queues with FailNext.
func (s *Server) RateLimitNext(method string, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], fault{rateLimit: true, retryAfter: retryAfter})
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
// next item's ID ("user:U…"), so pagination survives membership changes.
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

func decodeCursor(c string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(string(b), "user:")
}
