package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// hook is a response_url handed out with a slash command or a block action
// from a message. Like Slack's, it takes at most 5 posts within 30 minutes.
type hook struct {
	kind          string // "commands" or "actions"
	user, channel string
	messageTS     string // the message the action came from ("" if none)
	ephemeral     bool   // that message is an ephemeral to user
	uses          int
	created       time.Time
}

const (
	hookMaxUses = 5
	hookTTL     = 30 * time.Minute
)

// newHookLocked returns a fresh response_url on the fake.
func (s *Server) newHookLocked(h *hook) string {
	h.created = s.now()
	id := randAlnum(24)
	s.hooks[id] = h
	return fmt.Sprintf("%s/hooks/%s/%s/%d/%s", s.base, h.kind, s.opts.TeamID, h.created.UnixMilli(), id)
}

// handleHook serves POSTs to response_urls: a JSON message (slack-go's
// WebhookMessage) that becomes an ephemeral to the person (response_type
// "ephemeral", the default), a message in the channel ("in_channel"), or
// replaces or deletes the message an action came from (replace_original,
// delete_original). It answers 200 {"ok":true}, or an HTTP error with
// {"ok":false,"error":…} as Slack does (invalid_blocks is also a
// violation).
func (s *Server) handleHook(w http.ResponseWriter, r *http.Request) {
	reply := func(status int, code string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if code == "" {
			_, _ = w.Write([]byte(`{"ok":true}`))
			return
		}
		_, _ = w.Write(mustJSON(map[string]any{"ok": false, "error": code}))
	}
	if r.Method != http.MethodPost {
		reply(http.StatusMethodNotAllowed, "method_not_allowed")
		return
	}
	id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if f, err := url.ParseQuery(string(body)); err == nil && f.Get("payload") != "" {
			body = []byte(f.Get("payload"))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.hooks[id]
	switch {
	case !ok:
		reply(http.StatusNotFound, "no_service")
		return
	case s.now().Sub(h.created) > hookTTL:
		reply(http.StatusNotFound, "expired_url")
		return
	case h.uses >= hookMaxUses:
		reply(http.StatusNotFound, "used_url")
		return
	}
	x, err := decodeJSON(body)
	msg := asMap(x)
	if err != nil || msg == nil {
		reply(http.StatusBadRequest, "invalid_payload")
		return
	}
	if errs := validateMessagePayload(msg); len(errs) > 0 {
		s.violationLocked("response_url", "invalid_blocks", errs)
		reply(http.StatusBadRequest, "invalid_blocks")
		return
	}
	h.uses++
	text := getStr(msg, "text")
	var blocks json.RawMessage
	if b, ok := msg["blocks"]; ok && b != nil {
		blocks = fillIDs(mustJSON(b))
	}
	if getBool(msg, "delete_original") {
		if h.messageTS != "" {
			s.removeOriginalLocked(h)
		}
		s.notifyLocked()
		reply(http.StatusOK, "")
		return
	}
	if text == "" && len(blocks) == 0 {
		reply(http.StatusBadRequest, "no_text")
		return
	}
	if getBool(msg, "replace_original") && h.messageTS != "" {
		if m := s.originalLocked(h); m != nil {
			m.Text, m.Blocks, m.Edited = text, blocks, true
			s.notifyLocked()
			reply(http.StatusOK, "")
			return
		}
	}
	s.postResponseLocked(h.user, h.channel, getStr(msg, "response_type"), text, blocks, getStr(msg, "thread_ts"), "response_url")
	reply(http.StatusOK, "")
}

// postResponseLocked shows a reply to a command or an action: in the
// channel for response_type "in_channel", else as an ephemeral to user.
func (s *Server) postResponseLocked(user, channel, responseType, text string, blocks json.RawMessage, thread, source string) {
	m := &Message{TS: s.nextTSLocked(), Channel: channel, User: s.opts.BotUserID, BotID: s.opts.BotID,
		Text: text, Blocks: blocks, ThreadTS: thread, Source: source}
	if c, ok := s.channels[channel]; ok && responseType == "in_channel" {
		s.addMessageLocked(c, m)
		return
	}
	m.Recipient = user
	s.ephemerals[user] = append(s.ephemerals[user], m)
	s.notifyLocked()
}

// originalLocked finds the message an action's response_url refers to.
func (s *Server) originalLocked(h *hook) *Message {
	if h.ephemeral {
		for _, m := range s.ephemerals[h.user] {
			if m.TS == h.messageTS {
				return m
			}
		}
		return nil
	}
	if c, ok := s.channels[h.channel]; ok {
		return findMessage(c, h.messageTS)
	}
	return nil
}

func (s *Server) removeOriginalLocked(h *hook) {
	match := func(m *Message) bool { return m.TS == h.messageTS }
	if h.ephemeral {
		s.ephemerals[h.user] = slices.DeleteFunc(s.ephemerals[h.user], match)
		return
	}
	if c, ok := s.channels[h.channel]; ok {
		c.messages = slices.DeleteFunc(c.messages, match)
	}
}
