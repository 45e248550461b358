package slackfake

import (
	"context"
	"fmt"
)

// Messages returns the messages of a channel or IM, oldest first (nil for
// an unknown channel). Ephemerals are not included: see Ephemerals.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channelID]
	if !ok {
		return nil
	}
	out := make([]Message, 0, len(c.messages))
	for _, m := range c.messages {
		out = append(out, m.clone())
	}
	return out
}

// DM returns the messages of the bot's IM with userID, oldest first (nil if
// there is no IM yet).
func (s *Server) DM(userID string) []Message {
	s.mu.Lock()
	id, ok := s.dms[userID]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	return s.Messages(id)
}

// Ephemerals returns the ephemerals shown to userID (chat.postEphemeral,
// response_url posts and slash command ack replies), oldest first.
func (s *Server) Ephemerals(userID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.ephemerals[userID]))
	for _, m := range s.ephemerals[userID] {
		out = append(out, m.clone())
	}
	return out
}

// firstMatch returns the first message satisfying pred (nil: any).
func firstMatch(ms []Message, pred func(Message) bool) (Message, bool) {
	for _, m := range ms {
		if pred == nil || pred(m) {
			return m, true
		}
	}
	return Message{}, false
}

// WaitForMessage waits until a message of channelID satisfies pred (nil:
// any message) and returns the first such message, oldest first. Messages
// posted before the call count too: make pred specific enough.
func (s *Server) WaitForMessage(ctx context.Context, channelID string, pred func(Message) bool) (Message, error) {
	return s.waitMessage(ctx, fmt.Sprintf("message in %s", channelID), func() []Message { return s.Messages(channelID) }, pred)
}

// WaitForDM waits for a message of the bot's IM with userID, like
// WaitForMessage.
func (s *Server) WaitForDM(ctx context.Context, userID string, pred func(Message) bool) (Message, error) {
	return s.waitMessage(ctx, fmt.Sprintf("DM to %s", userID), func() []Message { return s.DM(userID) }, pred)
}

// WaitForEphemeral waits for an ephemeral shown to userID, like
// WaitForMessage.
func (s *Server) WaitForEphemeral(ctx context.Context, userID string, pred func(Message) bool) (Message, error) {
	return s.waitMessage(ctx, fmt.Sprintf("ephemeral to %s", userID), func() []Message { return s.Ephemerals(userID) }, pred)
}

func (s *Server) waitMessage(ctx context.Context, what string, list func() []Message, pred func(Message) bool) (Message, error) {
	var got Message
	err := s.Wait(ctx, func() bool {
		m, ok := firstMatch(list(), pred)
		got = m
		return ok
	})
	if err != nil {
		return Message{}, fmt.Errorf("slackfake: waiting for %s: %w", what, err)
	}
	return got, nil
}

// WaitForView waits until userID's top modal satisfies pred (nil: any open
// modal) and returns it.
func (s *Server) WaitForView(ctx context.Context, userID string, pred func(View) bool) (View, error) {
	var got View
	err := s.Wait(ctx, func() bool {
		v, ok := s.TopView(userID)
		got = v
		return ok && (pred == nil || pred(v))
	})
	if err != nil {
		return View{}, fmt.Errorf("slackfake: waiting for a modal of %s: %w", userID, err)
	}
	return got, nil
}
