package slackfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"time"
)

// trigger is an issued trigger_id: bound to one person, usable once, within
// TriggerTTL of being sent.
type trigger struct {
	user   string
	issued time.Time
	used   bool
}

// newTriggerLocked issues a fresh trigger_id for user.
func (s *Server) newTriggerLocked(user string) string {
	now := s.now()
	id := fmt.Sprintf("%d.%s.%s", now.UnixMicro(), "7000000000001", randHex(16))
	s.triggers[id] = &trigger{user: user, issued: now}
	return id
}

// takeTriggerLocked checks a trigger_id and, when valid, returns it (the
// caller marks it used once the call succeeds).
func (s *Server) takeTriggerLocked(id string) (*trigger, *apiError) {
	if id == "" {
		return nil, &apiError{code: "invalid_arguments", messages: []string{"[ERROR] missing required field: trigger_id"}}
	}
	t, ok := s.triggers[id]
	switch {
	case !ok:
		return nil, errCode("invalid_trigger_id")
	case t.used:
		return nil, errCode("exchanged_trigger_id")
	case s.now().Sub(t.issued) > s.opts.TriggerTTL:
		return nil, errCode("expired_trigger_id")
	}
	return t, nil
}

// view is a modal or home tab view.
type view struct {
	id, typ, user                       string
	hash                                string
	rootID, previousID                  string
	externalID, callbackID, privateMeta string
	title, close, submit, blocks        json.RawMessage
	clearOnClose, notifyOnClose         bool
	// state holds what the person chose in the view so far (block_id →
	// action_id → state entry), kept across views.update like Slack.
	state map[string]map[string]json.RawMessage
	open  bool
}

// viewInput is the view object a bot sends.
type viewInput struct {
	Type            string          `json:"type"`
	Title           json.RawMessage `json:"title"`
	Close           json.RawMessage `json:"close"`
	Submit          json.RawMessage `json:"submit"`
	Blocks          json.RawMessage `json:"blocks"`
	PrivateMetadata string          `json:"private_metadata"`
	CallbackID      string          `json:"callback_id"`
	ExternalID      string          `json:"external_id"`
	ClearOnClose    bool            `json:"clear_on_close"`
	NotifyOnClose   bool            `json:"notify_on_close"`
}

// View is a snapshot of a modal or home tab view.
type View struct {
	ID, Type, User  string
	Hash            string
	CallbackID      string
	PrivateMetadata string
	ExternalID      string
	RootViewID      string
	PreviousViewID  string
	// Open is false once the modal was closed (or replaced by views.open).
	Open bool
	// Raw is the whole view object as Slack shows it in payloads,
	// state included.
	Raw json.RawMessage
}

// ViewBlock is one block of a view.
type ViewBlock struct {
	Type, BlockID string
	Raw           json.RawMessage
}

// Blocks returns the view's blocks in order.
func (v View) Blocks() []ViewBlock {
	var w struct {
		Blocks []json.RawMessage `json:"blocks"`
	}
	_ = json.Unmarshal(v.Raw, &w)
	out := make([]ViewBlock, 0, len(w.Blocks))
	for _, b := range w.Blocks {
		var h struct {
			Type    string `json:"type"`
			BlockID string `json:"block_id"`
		}
		_ = json.Unmarshal(b, &h)
		out = append(out, ViewBlock{Type: h.Type, BlockID: h.BlockID, Raw: b})
	}
	return out
}

// Title returns the title text of a modal.
func (v View) Title() string {
	var w struct {
		Title struct {
			Text string `json:"text"`
		} `json:"title"`
	}
	_ = json.Unmarshal(v.Raw, &w)
	return w.Title.Text
}

// AllText returns every text of the view (title, blocks, buttons, ...),
// one per line, for assertions.
func (v View) AllText() string {
	x, err := decodeJSON(v.Raw)
	if err != nil {
		return ""
	}
	out := ""
	for i, t := range collectText(x) {
		if i > 0 {
			out += "\n"
		}
		out += t
	}
	return out
}

// snapshot returns the exported view.
func (s *Server) snapshot(v *view) View {
	return View{ID: v.id, Type: v.typ, User: v.user, Hash: v.hash, CallbackID: v.callbackID,
		PrivateMetadata: v.privateMeta, ExternalID: v.externalID, RootViewID: v.rootID,
		PreviousViewID: v.previousID, Open: v.open, Raw: s.viewJSON(v, v.stateJSON())}
}

// viewWire is a view as Slack renders it, in Slack's key order.
type viewWire struct {
	ID                 string          `json:"id"`
	TeamID             string          `json:"team_id"`
	Type               string          `json:"type"`
	Blocks             json.RawMessage `json:"blocks"`
	PrivateMetadata    string          `json:"private_metadata"`
	CallbackID         string          `json:"callback_id"`
	State              json.RawMessage `json:"state"`
	Hash               string          `json:"hash"`
	Title              json.RawMessage `json:"title,omitempty"`
	Close              json.RawMessage `json:"close"`
	Submit             json.RawMessage `json:"submit"`
	ClearOnClose       bool            `json:"clear_on_close"`
	NotifyOnClose      bool            `json:"notify_on_close"`
	RootViewID         string          `json:"root_view_id"`
	PreviousViewID     *string         `json:"previous_view_id"`
	AppID              string          `json:"app_id"`
	ExternalID         string          `json:"external_id"`
	AppInstalledTeamID string          `json:"app_installed_team_id"`
	BotID              string          `json:"bot_id"`
}

// viewJSON renders v with the given state object ({"values":{…}}).
func (s *Server) viewJSON(v *view, state json.RawMessage) json.RawMessage {
	w := viewWire{ID: v.id, TeamID: s.opts.TeamID, Type: v.typ, Blocks: v.blocks,
		PrivateMetadata: v.privateMeta, CallbackID: v.callbackID, State: state, Hash: v.hash,
		Title: v.title, Close: v.close, Submit: v.submit, ClearOnClose: v.clearOnClose,
		NotifyOnClose: v.notifyOnClose, RootViewID: v.rootID, AppID: s.opts.AppID, ExternalID: v.externalID,
		AppInstalledTeamID: s.opts.TeamID, BotID: s.opts.BotID}
	if isNullJSON(w.Blocks) {
		w.Blocks = json.RawMessage("[]")
	}
	if v.previousID != "" {
		p := v.previousID
		w.PreviousViewID = &p
	}
	return mustJSON(w)
}

// stateJSON renders the person's choices so far as {"values":{…}}.
func (v *view) stateJSON() json.RawMessage {
	vals := map[string]map[string]json.RawMessage{}
	for b, m := range v.state {
		vals[b] = maps.Clone(m)
	}
	return mustJSON(map[string]any{"values": vals})
}

// parseViewLocked decodes and validates a view a bot sent with method.
// want is the required type ("modal" or "home"). Invalid views are
// recorded as violations and answered invalid_arguments, like Slack.
func (s *Server) parseViewLocked(method string, raw json.RawMessage, present bool, want string) (*viewInput, *apiError) {
	if !present || isNullJSON(raw) {
		return nil, &apiError{code: "invalid_arguments", messages: []string{"[ERROR] missing required field: view"}}
	}
	var in viewInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, s.blockKitErrorLocked(method, "invalid_arguments", []error{fmt.Errorf("view: %v", err)})
	}
	errs := ValidateView(raw)
	if in.Type != want && in.Type != "" && (in.Type == "modal" || in.Type == "home") {
		errs = append(errs, fmt.Errorf("type: %s expects a %q view, got %q", method, want, in.Type))
	}
	if len(errs) > 0 {
		return nil, s.blockKitErrorLocked(method, "invalid_arguments", errs)
	}
	in.Blocks = fillIDs(in.Blocks)
	return &in, nil
}

// newViewLocked creates an open view for user from in.
func (s *Server) newViewLocked(user string, in *viewInput) *view {
	v := &view{id: s.newIDLocked("V"), typ: in.Type, user: user, open: true}
	s.applyInputLocked(v, in)
	s.views[v.id] = v
	return v
}

// applyInputLocked sets v's content from in, with a fresh hash, keeping the
// state of elements that are still there (same block_id and action_id).
func (s *Server) applyInputLocked(v *view, in *viewInput) {
	if v.externalID != "" && s.externalID[v.externalID] == v.id {
		delete(s.externalID, v.externalID)
	}
	v.title, v.close, v.submit, v.blocks = in.Title, in.Close, in.Submit, in.Blocks
	v.privateMeta, v.callbackID, v.externalID = in.PrivateMetadata, in.CallbackID, in.ExternalID
	v.clearOnClose, v.notifyOnClose = in.ClearOnClose, in.NotifyOnClose
	v.hash = fmt.Sprintf("%d.%s", s.now().Unix(), randAlnum(8))
	if v.externalID != "" {
		s.externalID[v.externalID] = v.id
	}
	keep := map[string]map[string]json.RawMessage{}
	if x, err := decodeJSON(v.blocks); err == nil {
		for _, ref := range elements(asArr(x)) {
			aid := getStr(ref.el, "action_id")
			if old, ok := v.state[ref.blockID][aid]; ok {
				if keep[ref.blockID] == nil {
					keep[ref.blockID] = map[string]json.RawMessage{}
				}
				keep[ref.blockID][aid] = old
			}
		}
	}
	v.state = keep
}

// checkExternalIDLocked refuses an external_id used by another open view.
func (s *Server) checkExternalIDLocked(in *viewInput, self string) *apiError {
	if in.ExternalID == "" {
		return nil
	}
	if id, ok := s.externalID[in.ExternalID]; ok && id != self && s.views[id].open {
		return errCode("duplicate_external_id")
	}
	return nil
}

// closeStackLocked closes every modal of user.
func (s *Server) closeStackLocked(user string) {
	for _, id := range s.stacks[user] {
		s.closeViewLocked(s.views[id])
	}
	delete(s.stacks, user)
}

func (s *Server) closeViewLocked(v *view) {
	v.open = false
	if v.externalID != "" && s.externalID[v.externalID] == v.id {
		delete(s.externalID, v.externalID)
	}
}

// popViewLocked closes the top modal of user.
func (s *Server) popViewLocked(user string) {
	st := s.stacks[user]
	if len(st) == 0 {
		return
	}
	s.closeViewLocked(s.views[st[len(st)-1]])
	if len(st) == 1 {
		delete(s.stacks, user)
		return
	}
	s.stacks[user] = st[:len(st)-1]
}

// pushViewLocked pushes a new modal on user's stack (at most 3).
func (s *Server) pushViewLocked(user string, in *viewInput) (*view, *apiError) {
	st := s.stacks[user]
	if len(st) >= 3 {
		return nil, errCode("push_limit_reached")
	}
	v := s.newViewLocked(user, in)
	if len(st) == 0 {
		v.rootID = v.id
	} else {
		v.rootID, v.previousID = st[0], st[len(st)-1]
	}
	s.stacks[user] = append(st, v.id)
	return v, nil
}

// topViewLocked returns user's top modal, or nil.
func (s *Server) topViewLocked(user string) *view {
	st := s.stacks[user]
	if len(st) == 0 {
		return nil
	}
	return s.views[st[len(st)-1]]
}

// apiViewsOpen opens a modal for the person the trigger_id belongs to,
// replacing any modal stack they had open.
func (s *Server) apiViewsOpen(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, e := s.takeTriggerLocked(r.str("trigger_id"))
	if e != nil {
		return nil, e
	}
	raw, ok := r.jsonParam("view")
	in, e := s.parseViewLocked(r.method, raw, ok, "modal")
	if e != nil {
		return nil, e
	}
	if e := s.checkExternalIDLocked(in, ""); e != nil {
		return nil, e
	}
	t.used = true
	s.closeStackLocked(t.user)
	v, _ := s.pushViewLocked(t.user, in)
	s.notifyLocked()
	return map[string]any{"view": s.viewJSON(v, v.stateJSON())}, nil
}

// apiViewsPush pushes a modal on top of the trigger's person's stack. With
// no modal open it answers not_found (a choice of the fake).
func (s *Server) apiViewsPush(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, e := s.takeTriggerLocked(r.str("trigger_id"))
	if e != nil {
		return nil, e
	}
	raw, ok := r.jsonParam("view")
	in, e := s.parseViewLocked(r.method, raw, ok, "modal")
	if e != nil {
		return nil, e
	}
	if len(s.stacks[t.user]) == 0 {
		return nil, errCode("not_found")
	}
	if e := s.checkExternalIDLocked(in, ""); e != nil {
		return nil, e
	}
	v, e := s.pushViewLocked(t.user, in)
	if e != nil {
		return nil, e
	}
	t.used = true
	s.notifyLocked()
	return map[string]any{"view": s.viewJSON(v, v.stateJSON())}, nil
}

// apiViewsUpdate replaces an open view found by view_id or external_id; a
// hash that is not the view's current one is hash_conflict.
func (s *Server) apiViewsUpdate(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.str("view_id")
	if id == "" {
		ext := r.str("external_id")
		if ext == "" {
			return nil, &apiError{code: "invalid_arguments", messages: []string{"[ERROR] view_id or external_id required"}}
		}
		id = s.externalID[ext]
	}
	v, ok := s.views[id]
	if !ok || !v.open {
		return nil, errCode("not_found")
	}
	if h := r.str("hash"); h != "" && h != v.hash {
		return nil, errCode("hash_conflict")
	}
	raw, present := r.jsonParam("view")
	in, e := s.parseViewLocked(r.method, raw, present, v.typ)
	if e != nil {
		return nil, e
	}
	if e := s.checkExternalIDLocked(in, v.id); e != nil {
		return nil, e
	}
	s.applyInputLocked(v, in)
	s.notifyLocked()
	return map[string]any{"view": s.viewJSON(v, v.stateJSON())}, nil
}

// apiViewsPublish sets a person's Home tab (same view ID on every publish).
func (s *Server) apiViewsPublish(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	user := r.str("user_id")
	if u, ok := s.users[user]; !ok || u.Deleted {
		return nil, errCode("user_not_found")
	}
	raw, present := r.jsonParam("view")
	in, e := s.parseViewLocked(r.method, raw, present, "home")
	if e != nil {
		return nil, e
	}
	if id, ok := s.homes[user]; ok {
		v := s.views[id]
		if h := r.str("hash"); h != "" && h != v.hash {
			return nil, errCode("hash_conflict")
		}
		if e := s.checkExternalIDLocked(in, v.id); e != nil {
			return nil, e
		}
		s.applyInputLocked(v, in)
		s.notifyLocked()
		return map[string]any{"view": s.viewJSON(v, v.stateJSON())}, nil
	}
	if e := s.checkExternalIDLocked(in, ""); e != nil {
		return nil, e
	}
	v := s.newViewLocked(user, in)
	v.rootID = v.id
	s.homes[user] = v.id
	s.notifyLocked()
	return map[string]any{"view": s.viewJSON(v, v.stateJSON())}, nil
}

// OpenViews returns user's open modals, bottom first (top last).
func (s *Server) OpenViews(user string) []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []View
	for _, id := range s.stacks[user] {
		out = append(out, s.snapshot(s.views[id]))
	}
	return out
}

// TopView returns user's top modal, if any is open.
func (s *Server) TopView(user string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.topViewLocked(user)
	if v == nil {
		return View{}, false
	}
	return s.snapshot(v), true
}

// View returns any view (open or closed, modal or home) by ID.
func (s *Server) View(id string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.views[id]
	if !ok {
		return View{}, false
	}
	return s.snapshot(v), true
}

// HomeView returns user's published Home tab, if any.
func (s *Server) HomeView(user string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.homes[user]
	if !ok {
		return View{}, false
	}
	return s.snapshot(s.views[id]), true
}

// NewTriggerID issues a trigger_id for userID as if the person had just
// interacted (valid for TriggerTTL, once): for calling views.open directly
// in tests and the sandbox.
func (s *Server) NewTriggerID(userID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.personLocked(userID); err != nil {
		return "", err
	}
	return s.newTriggerLocked(userID), nil
}
