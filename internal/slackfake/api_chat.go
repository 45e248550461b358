package slackfake

import (
	"encoding/json"
	"slices"
	"unicode/utf8"
)

const maxMessageText = 40000

// messageContent reads and checks a chat.* message's text and blocks. It
// returns the blocks with IDs filled in, or Slack's error (no_text,
// msg_too_long, invalid_blocks — the latter also recorded as a violation).
func (s *Server) messageContentLocked(r *apiRequest, requireContent bool) (string, json.RawMessage, *apiError) {
	text := r.str("text")
	blocks, hasBlocks := r.jsonParam("blocks")
	if hasBlocks && isNullJSON(blocks) {
		blocks, hasBlocks = nil, false
	}
	_, hasAttachments := r.jsonParam("attachments")
	if requireContent && text == "" && !hasAttachments && (!hasBlocks || isEmptyArray(blocks)) {
		return "", nil, errCode("no_text")
	}
	if utf8.RuneCountInString(text) > maxMessageText {
		return "", nil, errCode("msg_too_long")
	}
	if hasBlocks {
		if errs := ValidateMessageBlocks(blocks); len(errs) > 0 {
			return "", nil, s.blockKitErrorLocked(r.method, "invalid_blocks", errs)
		}
		blocks = fillIDs(blocks)
		if isEmptyArray(blocks) {
			blocks = nil // "blocks=[]" clears a message's blocks
		}
	}
	return text, blocks, nil
}

// apiPostMessage posts as the bot. channel may be a channel ID, an IM ID or
// a user ID (the bot's IM with that user, as in Slack).
func (s *Server) apiPostMessage(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.resolveChannelLocked(r.str("channel"))
	if c == nil || !s.botVisibleLocked(c) {
		return nil, errCode("channel_not_found")
	}
	if c.Archived {
		return nil, errCode("is_archived")
	}
	if !c.IsMember(s.opts.BotUserID) {
		return nil, errCode("not_in_channel")
	}
	text, blocks, e := s.messageContentLocked(r, true)
	if e != nil {
		return nil, e
	}
	md, _, _, e := metadataParam(r)
	if e != nil {
		return nil, e
	}
	thread := r.str("thread_ts")
	if thread != "" && findMessage(c, thread) == nil {
		return nil, errCode("thread_not_found")
	}
	m := &Message{TS: s.nextTSLocked(), Channel: c.ID, User: s.opts.BotUserID, BotID: s.opts.BotID,
		Text: text, Blocks: blocks, ThreadTS: thread, Source: "chat.postMessage", Metadata: md}
	s.addMessageLocked(c, m)
	return map[string]any{"channel": c.ID, "ts": m.TS, "message": s.messageJSONWithMetadata(m)}, nil
}

// messageJSONWithMetadata is messageJSON plus the message's metadata, as
// the poster gets it back from chat.postMessage and chat.update and as
// conversations.history returns it with include_all_metadata.
func (s *Server) messageJSONWithMetadata(m *Message) map[string]any {
	out := s.messageJSON(m)
	if m.Metadata != nil {
		out["metadata"] = m.Metadata.json()
	}
	return out
}

// addMessageLocked stores a message and, for the bot's own messages with
// EchoBotMessages, sends the message event Slack would send.
func (s *Server) addMessageLocked(c *channelState, m *Message) {
	c.messages = append(c.messages, m)
	if m.BotID != "" && s.opts.EchoBotMessages {
		s.sendMessageEventLocked(c, m)
	}
	s.notifyLocked()
}

// sendMessageEventLocked sends a message event for m if the app subscribes
// to messages of c's kind, and returns its envelope (nil if not sent).
func (s *Server) sendMessageEventLocked(c *channelState, m *Message) *envelope {
	if !s.subscribed(messageSubscription(c)) {
		return nil
	}
	ev := s.messageJSON(m)
	delete(ev, "app_id") // slack-go does not model it; Slack sends it only sometimes
	if m.Subtype == "channel_join" {
		delete(ev, "team")
	}
	ev["channel"] = c.ID
	ev["channel_type"] = channelTypeForMessage(c)
	ev["event_ts"] = m.TS
	return s.newEventLocked(ev)
}

func findMessage(c *channelState, ts string) *Message {
	for _, m := range c.messages {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

// apiPostEphemeral shows a message to one member of a channel.
func (s *Server) apiPostEphemeral(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.resolveChannelLocked(r.str("channel"))
	if c == nil || !s.botVisibleLocked(c) {
		return nil, errCode("channel_not_found")
	}
	if c.Archived {
		return nil, errCode("is_archived")
	}
	uid := r.str("user")
	u, ok := s.users[uid]
	if !ok || u.Deleted {
		return nil, errCode("user_not_found")
	}
	if !c.IsMember(s.opts.BotUserID) {
		return nil, errCode("not_in_channel")
	}
	if !c.IsMember(uid) {
		return nil, errCode("user_not_in_channel")
	}
	text, blocks, e := s.messageContentLocked(r, true)
	if e != nil {
		return nil, e
	}
	m := &Message{TS: s.nextTSLocked(), Channel: c.ID, User: s.opts.BotUserID, BotID: s.opts.BotID,
		Text: text, Blocks: blocks, ThreadTS: r.str("thread_ts"), Recipient: uid, Source: "chat.postEphemeral"}
	s.ephemerals[uid] = append(s.ephemerals[uid], m)
	s.notifyLocked()
	return map[string]any{"message_ts": m.TS}, nil
}

// apiChatUpdate replaces the text, blocks and/or metadata of one of the
// bot's messages. Without "metadata" the message keeps its metadata; "{}"
// removes it. With EchoBotMessages the edit is echoed as a message_changed
// event, as in Slack.
func (s *Server) apiChatUpdate(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.resolveChannelLocked(r.str("channel"))
	if c == nil || !s.botVisibleLocked(c) {
		return nil, errCode("channel_not_found")
	}
	m := findMessage(c, r.str("ts"))
	if m == nil {
		return nil, errCode("message_not_found")
	}
	if m.BotID != s.opts.BotID {
		return nil, errCode("cant_update_message")
	}
	text, blocks, e := s.messageContentLocked(r, false)
	if e != nil {
		return nil, e
	}
	md, hasMD, clearMD, e := metadataParam(r)
	if e != nil {
		return nil, e
	}
	prev := s.messageJSON(m)
	if r.has("text") {
		m.Text = text
	}
	if r.has("blocks") {
		m.Blocks = blocks
	}
	if hasMD {
		m.Metadata = md
		if clearMD {
			m.Metadata = nil
		}
	}
	s.markEditedLocked(m, s.opts.BotUserID)
	if s.opts.EchoBotMessages {
		s.sendMessageChangedLocked(c, m, prev)
	}
	s.notifyLocked()
	return map[string]any{"channel": c.ID, "ts": m.TS, "text": m.Text, "message": s.messageJSONWithMetadata(m)}, nil
}

// sendMessageChangedLocked sends the message event of subtype
// message_changed Slack sends for an edit of m (prev is the message as it
// was), if the app subscribes to messages of c's kind, and returns its
// envelope (nil if not sent).
func (s *Server) sendMessageChangedLocked(c *channelState, m *Message, prev map[string]any) *envelope {
	if !s.subscribed(messageSubscription(c)) {
		return nil
	}
	cur := s.messageJSON(m)
	delete(cur, "app_id")
	delete(prev, "app_id")
	return s.newEventLocked(map[string]any{
		"type": "message", "subtype": "message_changed", "channel": c.ID,
		"channel_type": channelTypeForMessage(c), "hidden": true,
		"message": cur, "previous_message": prev,
		"event_ts": m.editedTS, "ts": m.editedTS,
	})
}

// apiChatDelete deletes one of the bot's messages.
func (s *Server) apiChatDelete(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.resolveChannelLocked(r.str("channel"))
	if c == nil || !s.botVisibleLocked(c) {
		return nil, errCode("channel_not_found")
	}
	ts := r.str("ts")
	i := slices.IndexFunc(c.messages, func(m *Message) bool { return m.TS == ts })
	if i < 0 {
		return nil, errCode("message_not_found")
	}
	if c.messages[i].BotID != s.opts.BotID {
		return nil, errCode("cant_delete_message")
	}
	c.messages = slices.Delete(c.messages, i, i+1)
	s.notifyLocked()
	return map[string]any{"channel": c.ID, "ts": ts}, nil
}

// isEmptyArray reports whether raw is the JSON array [].
func isEmptyArray(raw json.RawMessage) bool {
	x, err := decodeJSON(raw)
	a, ok := x.([]any)
	return err == nil && ok && len(a) == 0
}
