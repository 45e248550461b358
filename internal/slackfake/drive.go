package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// This file drives the bot: each method plays what a person does in Slack,
// sends the Socket Mode envelope Slack would send, waits (bounded by ctx)
// for the bot's ack, and applies the ack as Slack would.

// userObjLocked is the "user" object of interaction payloads.
func (s *Server) userObjLocked(id string) map[string]any {
	name := id
	if u, ok := s.users[id]; ok {
		name = u.Name
	}
	return map[string]any{"id": id, "username": name, "name": name, "team_id": s.opts.TeamID}
}

func (s *Server) teamObj() map[string]any {
	return map[string]any{"id": s.opts.TeamID, "domain": s.opts.TeamDomain}
}

// personLocked checks that id is an active person of the workspace.
func (s *Server) personLocked(id string) error {
	u, ok := s.users[id]
	switch {
	case !ok:
		return fmt.Errorf("slackfake: no user %s (AddUser first)", id)
	case u.Deleted:
		return fmt.Errorf("slackfake: user %s is deactivated", id)
	}
	return nil
}

// channelNameForPayload is the channel_name / channel.name Slack sends.
func channelNameForPayload(c *channelState) string {
	if c.IsIM {
		return "directmessage"
	}
	return c.Name
}

// SlashCommand runs Options.Command with text as userID in channelID: it
// sends a slash_commands envelope with a fresh trigger_id (valid for
// TriggerTTL, once, for userID) and a response_url on the fake, and waits
// for the ack. The ack's payload, if any, is shown like Slack shows it: an
// ephemeral to the person, or a message in the channel for response_type
// "in_channel" (its blocks are validated; violations are recorded).
func (s *Server) SlashCommand(ctx context.Context, userID, channelID, text string) (*Ack, error) {
	s.mu.Lock()
	if err := s.personLocked(userID); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	c, ok := s.channels[channelID]
	if !ok {
		s.mu.Unlock()
		return nil, fmt.Errorf("slackfake: no channel %s", channelID)
	}
	payload := mustJSON(map[string]string{
		"token": verificationToken, "team_id": s.opts.TeamID, "team_domain": s.opts.TeamDomain,
		"channel_id": c.ID, "channel_name": channelNameForPayload(c), "user_id": userID,
		"user_name": s.users[userID].Name, "command": s.opts.Command, "text": text,
		"api_app_id": s.opts.AppID, "is_enterprise_install": "false",
		"response_url": s.newHookLocked(&hook{kind: "commands", user: userID, channel: c.ID}),
		"trigger_id":   s.newTriggerLocked(userID),
	})
	e := s.sendEnvelopeLocked("slash_commands", s.opts.Command, payload)
	e.apply = func(p json.RawMessage) { s.applySlashAckLocked(userID, c.ID, p) }
	s.mu.Unlock()
	return s.awaitAck(ctx, e)
}

// applySlashAckLocked shows a slash command's ack payload.
func (s *Server) applySlashAckLocked(user, channel string, p json.RawMessage) {
	if isNullJSON(p) {
		return
	}
	x, err := decodeJSON(p)
	m := asMap(x)
	if err != nil || m == nil {
		s.violationLocked("ack:slash_commands", "invalid_payload", []error{fmt.Errorf("ack payload is not a JSON object: %.200s", p)})
		return
	}
	if errs := validateMessagePayload(m); len(errs) > 0 {
		s.violationLocked("ack:slash_commands", "invalid_blocks", errs)
		return
	}
	text := getStr(m, "text")
	var blocks json.RawMessage
	if b, ok := m["blocks"]; ok && b != nil && len(asArr(b)) > 0 {
		blocks = fillIDs(mustJSON(b))
	}
	if text == "" && blocks == nil {
		return
	}
	s.postResponseLocked(user, channel, getStr(m, "response_type"), text, blocks, "", "slash_ack")
}

// ViewResult is the outcome of SubmitView.
type ViewResult struct {
	Ack *Ack
	// Errors holds the ack's response_action "errors" (block_id →
	// message); the view stays open.
	Errors map[string]string
	// Closed reports that the submitted view is no longer open (empty ack
	// or "clear").
	Closed bool
	// View is the person's top modal after the ack (nil if none is open):
	// the updated view after "update", the new one after "push".
	View *View
}

// SubmitView submits userID's top modal viewID with inputs (block_id →
// action_id → Value). Every input block's element is reported in
// view.state.values: the given entry, else what the person chose earlier in
// the view, else the element's initial value, else empty. It fails before
// sending anything if viewID is not the person's top modal, if inputs name
// a block or action_id the view lacks or a value that does not fit its
// element, if a required input is empty or the view has no submit button
// (Slack's client would not let the person submit). The ack is applied like Slack: "errors" keeps the view,
// "update" replaces it, "push" stacks a new one, "clear" closes all, and an
// empty ack closes the submitted view.
func (s *Server) SubmitView(ctx context.Context, userID, viewID string, inputs Values) (*ViewResult, error) {
	s.mu.Lock()
	v := s.topViewLocked(userID)
	if v == nil || v.id != viewID {
		open := strings.Join(s.stacks[userID], ", ")
		s.mu.Unlock()
		return nil, fmt.Errorf("slackfake: view %s is not the top modal of %s (open: [%s])", viewID, userID, open)
	}
	if isNullJSON(v.submit) {
		s.mu.Unlock()
		return nil, fmt.Errorf("slackfake: view %s has no submit button; %s cannot submit it", viewID, userID)
	}
	values, err := s.buildStateLocked(v, inputs, true)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	rememberStateLocked(v, values)
	payload := mustJSON(map[string]any{
		"type": "view_submission", "team": s.teamObj(), "user": s.userObjLocked(userID),
		"api_app_id": s.opts.AppID, "token": verificationToken, "trigger_id": s.newTriggerLocked(userID),
		"view":          s.viewJSON(v, mustJSON(map[string]any{"values": values})),
		"response_urls": []any{}, "is_enterprise_install": false, "enterprise": nil,
	})
	res := &ViewResult{}
	e := s.sendEnvelopeLocked("interactive", "view_submission", payload)
	e.apply = func(p json.RawMessage) { s.applyViewSubmissionAckLocked(userID, v, p, res) }
	s.mu.Unlock()

	ack, err := s.awaitAck(ctx, e)
	res.Ack = ack
	s.mu.Lock()
	res.Closed = !v.open
	if top := s.topViewLocked(userID); top != nil {
		snap := s.snapshot(top)
		res.View = &snap
	}
	s.mu.Unlock()
	return res, err
}

// applyViewSubmissionAckLocked applies a view_submission ack to v.
func (s *Server) applyViewSubmissionAckLocked(user string, v *view, p json.RawMessage, res *ViewResult) {
	const where = "ack:view_submission"
	defer s.notifyLocked()
	var a struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           json.RawMessage   `json:"view"`
	}
	if !isNullJSON(p) {
		if err := json.Unmarshal(p, &a); err != nil {
			s.violationLocked(where, "invalid_payload", []error{fmt.Errorf("ack payload: %v", err)})
			return
		}
	}
	switch a.ResponseAction {
	case "":
		s.removeViewLocked(user, v)
	case "errors":
		res.Errors = a.Errors
		inputs := map[string]bool{}
		if x, err := decodeJSON(v.blocks); err == nil {
			for _, b := range asArr(x) {
				if getStr(asMap(b), "type") == "input" {
					inputs[getStr(asMap(b), "block_id")] = true
				}
			}
		}
		var bad []error
		if len(a.Errors) == 0 {
			bad = append(bad, fmt.Errorf("errors: empty; Slack shows a generic error"))
		}
		for _, k := range sortedKeys(a.Errors) {
			if !inputs[k] {
				bad = append(bad, fmt.Errorf("errors[%q]: not the block_id of an input block of view %s (inputs: %s); Slack shows a generic error instead",
					k, v.id, strings.Join(sortedKeys(inputs), ", ")))
			}
		}
		if len(bad) > 0 {
			s.violationLocked(where, "invalid_errors_key", bad)
		}
	case "update":
		in, e := s.parseViewLocked(where, a.View, len(a.View) > 0, "modal")
		if e != nil {
			return // recorded; Slack shows an error and keeps the view
		}
		if v.open {
			s.applyInputLocked(v, in)
		}
	case "push":
		in, e := s.parseViewLocked(where, a.View, len(a.View) > 0, "modal")
		if e != nil {
			return
		}
		if _, e := s.pushViewLocked(user, in); e != nil {
			s.violationLocked(where, e.code, []error{fmt.Errorf("response_action push: the stack of %s already holds 3 views", user)})
		}
	case "clear":
		s.closeStackLocked(user)
	default:
		s.violationLocked(where, "invalid_response_action", []error{fmt.Errorf("response_action %q is not errors, update, push or clear", a.ResponseAction)})
	}
}

// removeViewLocked closes v and takes it off its person's stack.
func (s *Server) removeViewLocked(user string, v *view) {
	if top := s.topViewLocked(user); top == v {
		s.popViewLocked(user)
		return
	}
	s.closeViewLocked(v)
	s.stacks[user] = slices.DeleteFunc(s.stacks[user], func(id string) bool { return id == v.id })
	if len(s.stacks[user]) == 0 {
		delete(s.stacks, user)
	}
}

// CloseView plays the person closing their top modal viewID (the Close
// button): the view is taken off the stack and, if it asked for
// notify_on_close, a view_closed interaction is sent and its ack awaited.
// Without notify_on_close it returns nil, nil: Slack tells the app nothing.
func (s *Server) CloseView(ctx context.Context, userID, viewID string) (*Ack, error) {
	s.mu.Lock()
	v := s.topViewLocked(userID)
	if v == nil || v.id != viewID {
		s.mu.Unlock()
		return nil, fmt.Errorf("slackfake: view %s is not the top modal of %s", viewID, userID)
	}
	values, _ := s.buildStateLocked(v, nil, false)
	raw := s.viewJSON(v, mustJSON(map[string]any{"values": values}))
	s.popViewLocked(userID)
	s.notifyLocked()
	if !v.notifyOnClose {
		s.mu.Unlock()
		return nil, nil
	}
	payload := mustJSON(map[string]any{"type": "view_closed", "team": s.teamObj(), "user": s.userObjLocked(userID),
		"api_app_id": s.opts.AppID, "token": verificationToken, "view": raw, "is_cleared": false,
		"is_enterprise_install": false, "enterprise": nil})
	e := s.sendEnvelopeLocked("interactive", "view_closed", payload)
	s.mu.Unlock()
	return s.awaitAck(ctx, e)
}

// Target names where an interactive element is: a view (modal or Home tab)
// or a message. Build it with InView, InMessage or InEphemeral.
type Target struct {
	// ViewID names a modal (it must be the person's top modal) or a Home
	// tab view.
	ViewID string
	// Channel and TS name a message in a channel.
	Channel, TS string
	// Ephemeral: TS names an ephemeral shown to the acting person.
	Ephemeral bool
	// BlockID, if set, picks the block when an action_id occurs in
	// several blocks.
	BlockID string
}

// InView targets an element of a modal or Home tab view.
func InView(viewID string) Target { return Target{ViewID: viewID} }

// InMessage targets an element of the message ts in channel.
func InMessage(channel, ts string) Target { return Target{Channel: channel, TS: ts} }

// InEphemeral targets an element of the ephemeral ts shown to the person.
func InEphemeral(ts string) Target { return Target{TS: ts, Ephemeral: true} }

func (t Target) String() string {
	switch {
	case t.ViewID != "":
		return "view " + t.ViewID
	case t.Ephemeral:
		return "ephemeral " + t.TS
	}
	return "message " + t.Channel + "/" + t.TS
}

// ClickButton clicks the button with actionID in target as userID: it sends
// a block_actions interaction with the button's value and a fresh
// trigger_id, and waits for the ack. It fails if the element is missing or
// not a button, or if the person cannot see the target.
func (s *Server) ClickButton(ctx context.Context, userID string, target Target, actionID string) (*Ack, error) {
	return s.interact(ctx, userID, target, actionID, nil)
}

// SelectOption chooses the option with value in the static_select,
// radio_buttons or overflow element actionID of target. Like Slack, it sends
// block_actions only for elements that dispatch actions (in an actions
// block, a section accessory, or an input block with dispatch_action);
// otherwise it only changes the view's state (seen at SubmitView) and
// returns nil, nil.
func (s *Server) SelectOption(ctx context.Context, userID string, target Target, actionID, value string) (*Ack, error) {
	return s.interact(ctx, userID, target, actionID, &Value{kind: kindOption, one: value})
}

// SelectUser picks a person in the users_select actionID, like
// SelectOption.
func (s *Server) SelectUser(ctx context.Context, userID string, target Target, actionID, selected string) (*Ack, error) {
	return s.interact(ctx, userID, target, actionID, &Value{kind: kindUser, one: selected})
}

// PickDate picks a day ("2026-10-01") in the datepicker actionID, like
// SelectOption.
func (s *Server) PickDate(ctx context.Context, userID string, target Target, actionID, date string) (*Ack, error) {
	return s.interact(ctx, userID, target, actionID, &Value{kind: kindDate, one: date})
}

// Interact enters v into the element actionID of target (any stateful
// element: checkboxes with Options, multi-selects, timepickers, ...), like
// SelectOption.
func (s *Server) Interact(ctx context.Context, userID string, target Target, actionID string, v Value) (*Ack, error) {
	return s.interact(ctx, userID, target, actionID, &v)
}

// interact implements the block_actions drivers; val nil means a button.
func (s *Server) interact(ctx context.Context, userID string, target Target, actionID string, val *Value) (*Ack, error) {
	s.mu.Lock()
	e, err := s.interactLocked(userID, target, actionID, val)
	s.mu.Unlock()
	if err != nil || e == nil {
		return nil, err
	}
	return s.awaitAck(ctx, e)
}

func (s *Server) interactLocked(userID string, target Target, actionID string, val *Value) (*envelope, error) {
	if err := s.personLocked(userID); err != nil {
		return nil, err
	}
	var (
		v       *view
		c       *channelState
		msg     *Message
		rawBlks json.RawMessage
	)
	switch {
	case target.ViewID != "":
		v = s.views[target.ViewID]
		switch {
		case v == nil || !v.open || v.user != userID:
			return nil, fmt.Errorf("slackfake: %s is not open for %s", target, userID)
		case v.typ == "modal" && s.topViewLocked(userID) != v:
			return nil, fmt.Errorf("slackfake: %s is not the top modal of %s", target, userID)
		}
		rawBlks = v.blocks
	case target.Ephemeral:
		for _, m := range s.ephemerals[userID] {
			if m.TS == target.TS {
				msg = m
			}
		}
		if msg == nil {
			return nil, fmt.Errorf("slackfake: %s not shown to %s", target, userID)
		}
		c = s.channels[msg.Channel]
		rawBlks = msg.Blocks
	default:
		c = s.channels[target.Channel]
		if c == nil {
			return nil, fmt.Errorf("slackfake: no channel %s", target.Channel)
		}
		if !c.IsMember(userID) {
			return nil, fmt.Errorf("slackfake: %s is not a member of %s and cannot see %s", userID, c.ID, target)
		}
		if msg = findMessage(c, target.TS); msg == nil {
			return nil, fmt.Errorf("slackfake: no %s", target)
		}
		rawBlks = msg.Blocks
	}
	x, _ := decodeJSON(rawBlks)
	var found []elementRef
	var ids []string
	for _, ref := range elements(asArr(x)) {
		aid := getStr(ref.el, "action_id")
		ids = append(ids, aid)
		if aid == actionID && (target.BlockID == "" || target.BlockID == ref.blockID) {
			found = append(found, ref)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("slackfake: no element with action_id %q in %s (action_ids: %s)", actionID, target, strings.Join(ids, ", "))
	case 1:
	default:
		return nil, fmt.Errorf("slackfake: action_id %q occurs in %d blocks of %s; set Target.BlockID", actionID, len(found), target)
	}
	ref := found[0]
	typ := getStr(ref.el, "type")
	action := map[string]any{"action_id": actionID, "block_id": ref.blockID, "type": typ,
		"action_ts": s.nextTSLocked()}
	var entry map[string]any
	if val == nil {
		if typ != "button" {
			return nil, fmt.Errorf("slackfake: %s in %s is a %s, not a button", actionID, target, typ)
		}
		action["text"] = ref.el["text"]
		if value, ok := ref.el["value"]; ok {
			action["value"] = value
		}
	} else {
		var err error
		if entry, err = s.stateEntryLocked(ref.el, *val); err != nil {
			return nil, fmt.Errorf("slackfake: %s in %s: %w", actionID, target, err)
		}
		for k, x := range entry {
			if k != "type" {
				action[k] = x
			}
		}
		if v != nil && stateful(ref.el) {
			if v.state == nil {
				v.state = map[string]map[string]json.RawMessage{}
			}
			if v.state[ref.blockID] == nil {
				v.state[ref.blockID] = map[string]json.RawMessage{}
			}
			v.state[ref.blockID][actionID] = mustJSON(entry)
			s.notifyLocked()
		}
	}
	if !ref.dispatch {
		return nil, nil // only the view's state changed, as in Slack
	}
	payload := map[string]any{
		"type": "block_actions", "user": s.userObjLocked(userID), "api_app_id": s.opts.AppID,
		"token": verificationToken, "trigger_id": s.newTriggerLocked(userID), "team": s.teamObj(),
		"enterprise": nil, "is_enterprise_install": false, "actions": []any{action},
	}
	if v != nil {
		values, _ := s.buildStateLocked(v, nil, false)
		payload["container"] = map[string]any{"type": "view", "view_id": v.id}
		payload["view"] = s.viewJSON(v, mustJSON(map[string]any{"values": values}))
	} else {
		payload["container"] = map[string]any{"type": "message", "message_ts": msg.TS, "channel_id": c.ID,
			"is_ephemeral": target.Ephemeral}
		payload["channel"] = map[string]any{"id": c.ID, "name": channelNameForPayload(c)}
		if !target.Ephemeral {
			payload["message"] = s.messageJSON(msg)
		}
		values := map[string]any{}
		if entry != nil && stateful(ref.el) {
			values[ref.blockID] = map[string]any{actionID: entry}
		}
		payload["state"] = map[string]any{"values": values}
		payload["response_url"] = s.newHookLocked(&hook{kind: "actions", user: userID, channel: c.ID,
			messageTS: msg.TS, ephemeral: target.Ephemeral})
	}
	return s.sendEnvelopeLocked("interactive", "block_actions", mustJSON(payload)), nil
}

// UserMessage posts text as userID in channelID (a channel or an IM; the
// person must be a member) and sends the message event (channel_type
// "channel", "group" or "im") with a fresh event_id and client_msg_id. It
// returns the ack, or ErrNotSubscribed (the message is still posted) when
// the app does not subscribe to that kind of message event.
func (s *Server) UserMessage(ctx context.Context, userID, channelID, text string) (*Ack, error) {
	return s.userMessage(ctx, userID, channelID, "", text)
}

// UserReply posts text as userID in the thread of threadTS, like
// UserMessage.
func (s *Server) UserReply(ctx context.Context, userID, channelID, threadTS, text string) (*Ack, error) {
	return s.userMessage(ctx, userID, channelID, threadTS, text)
}

// UserDM posts text as userID in their IM with the bot, like UserMessage.
func (s *Server) UserDM(ctx context.Context, userID, text string) (*Ack, error) {
	id, err := s.DMChannel(userID)
	if err != nil {
		return nil, err
	}
	return s.userMessage(ctx, userID, id, "", text)
}

func (s *Server) userMessage(ctx context.Context, userID, channelID, threadTS, text string) (*Ack, error) {
	s.mu.Lock()
	if err := s.personLocked(userID); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	c, ok := s.channels[channelID]
	switch {
	case !ok:
		s.mu.Unlock()
		return nil, fmt.Errorf("slackfake: no channel %s", channelID)
	case !c.IsMember(userID):
		s.mu.Unlock()
		return nil, fmt.Errorf("slackfake: %s is not a member of %s", userID, channelID)
	case c.Archived:
		s.mu.Unlock()
		return nil, fmt.Errorf("slackfake: channel %s is archived", channelID)
	case threadTS != "" && findMessage(c, threadTS) == nil:
		s.mu.Unlock()
		return nil, fmt.Errorf("slackfake: no message %s in %s to reply to", threadTS, channelID)
	}
	blocks := richTextBlocks(text)
	m := &Message{TS: s.nextTSLocked(), Channel: c.ID, User: userID, Text: text, Blocks: blocks,
		ThreadTS: threadTS, ClientMsgID: uuid(), Source: "user"}
	c.messages = append(c.messages, m)
	s.notifyLocked()
	e := s.sendMessageEventLocked(c, m)
	s.mu.Unlock()
	if e == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotSubscribed, messageSubscription(c))
	}
	return s.awaitAck(ctx, e)
}

// richTextBlocks is the rich_text block Slack's client sends with a typed
// message.
func richTextBlocks(text string) json.RawMessage {
	return mustJSON([]any{map[string]any{"type": "rich_text", "block_id": randAlnum(4), "elements": []any{
		map[string]any{"type": "rich_text_section", "elements": []any{map[string]any{"type": "text", "text": text}}}}}})
}

// UserEdit plays userID editing their own message ts in channelID to
// newText: the stored message changes (Text, its rich_text blocks, Edited)
// and the message event of subtype message_changed is sent (hidden, with
// the edited message in "message", carrying edited.user and edited.ts, and
// the former one in "previous_message"), and its ack awaited. It fails if
// the person did not write that message, is no longer a member, or the
// channel is archived. Returns ErrNotSubscribed (the message is still
// edited) when the app does not subscribe to that kind of message event.
func (s *Server) UserEdit(ctx context.Context, userID, channelID, ts, newText string) (*Ack, error) {
	s.mu.Lock()
	if err := s.personLocked(userID); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	c, ok := s.channels[channelID]
	var m *Message
	if ok {
		m = findMessage(c, ts)
	}
	var err error
	switch {
	case !ok:
		err = fmt.Errorf("slackfake: no channel %s", channelID)
	case m == nil:
		err = fmt.Errorf("slackfake: no message %s in %s", ts, channelID)
	case m.User != userID || m.BotID != "" || m.Subtype != "":
		err = fmt.Errorf("slackfake: message %s in %s is not a message %s wrote; people edit only their own", ts, channelID, userID)
	case !c.IsMember(userID):
		err = fmt.Errorf("slackfake: %s is not a member of %s", userID, channelID)
	case c.Archived:
		err = fmt.Errorf("slackfake: channel %s is archived", channelID)
	case newText == "":
		err = fmt.Errorf("slackfake: UserEdit: empty text (Slack's client deletes the message instead)")
	}
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	prev := s.messageJSON(m)
	m.Text, m.Blocks = newText, richTextBlocks(newText)
	s.markEditedLocked(m, userID)
	e := s.sendMessageChangedLocked(c, m, prev)
	s.notifyLocked()
	s.mu.Unlock()
	if e == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotSubscribed, messageSubscription(c))
	}
	return s.awaitAck(ctx, e)
}

// OpenHome plays userID opening the app's Home tab: an app_home_opened
// event with tab "home", carrying the person's Home view once one was
// published. Returns ErrNotSubscribed without app_home_opened.
func (s *Server) OpenHome(ctx context.Context, userID string) (*Ack, error) {
	return s.openAppTab(ctx, userID, "home")
}

// OpenMessagesTab plays userID opening the app's Messages tab: an
// app_home_opened event with tab "messages" (the bot should not publish
// Home for it).
func (s *Server) OpenMessagesTab(ctx context.Context, userID string) (*Ack, error) {
	return s.openAppTab(ctx, userID, "messages")
}

func (s *Server) openAppTab(ctx context.Context, userID, tab string) (*Ack, error) {
	s.mu.Lock()
	if err := s.personLocked(userID); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	if !s.subscribed("app_home_opened") {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: app_home_opened", ErrNotSubscribed)
	}
	im, _ := s.imLocked(userID)
	ev := map[string]any{"type": "app_home_opened", "user": userID, "channel": im.ID, "tab": tab,
		"event_ts": s.nextTSLocked()}
	if id, ok := s.homes[userID]; ok {
		v := s.views[id]
		ev["view"] = s.viewJSON(v, v.stateJSON())
	}
	e := s.newEventLocked(ev)
	s.mu.Unlock()
	return s.awaitAck(ctx, e)
}

// MemberLeft plays userID leaving channelID: the member is removed, a
// member_left_channel event is sent (channel_type "G" private, "C" public)
// and its ack awaited. With EchoBotMessages a channel_leave message is also
// posted (and its message event sent, if subscribed), as in Slack. Returns
// ErrNotSubscribed (the person still left) without member_left_channel.
func (s *Server) MemberLeft(ctx context.Context, userID, channelID string) (*Ack, error) {
	s.mu.Lock()
	c, ok := s.channels[channelID]
	switch {
	case !ok || c.IsIM:
		s.mu.Unlock()
		return nil, fmt.Errorf("slackfake: no channel %s", channelID)
	case !c.IsMember(userID):
		s.mu.Unlock()
		return nil, fmt.Errorf("slackfake: %s is not a member of %s", userID, channelID)
	}
	c.Members = slices.DeleteFunc(c.Members, func(m string) bool { return m == userID })
	e := s.sendMemberLeftLocked(c, userID)
	if s.opts.EchoBotMessages {
		m := &Message{TS: s.nextTSLocked(), Channel: c.ID, User: userID, Subtype: "channel_leave",
			Text: fmt.Sprintf("<@%s> has left the channel", userID), Source: "user"}
		c.messages = append(c.messages, m)
		s.sendMessageEventLocked(c, m)
	}
	s.notifyLocked()
	s.mu.Unlock()
	if e == nil {
		return nil, fmt.Errorf("%w: member_left_channel", ErrNotSubscribed)
	}
	return s.awaitAck(ctx, e)
}

// SendEvent sends any event (the inner "event" object, which needs a
// "type") in an event_callback envelope with a fresh event_id, whatever
// the subscriptions, and waits for the ack.
func (s *Server) SendEvent(ctx context.Context, event map[string]any) (*Ack, error) {
	if _, ok := event["type"].(string); !ok {
		return nil, fmt.Errorf("slackfake: SendEvent: event needs a string \"type\"")
	}
	s.mu.Lock()
	e := s.newEventLocked(event)
	s.mu.Unlock()
	return s.awaitAck(ctx, e)
}
