package slackfake

import (
	"slices"
	"strings"
)

// authState is what tests changed about the tokens: the scopes granted to each
// kind of token and tokens taken for another kind. The zero value is the
// defaults.
type authState struct {
	scopes map[TokenKind][]string // kind → granted scopes; absent: the default
	kinds  map[string]TokenKind   // token → the kind it is taken for
}

// DefaultBotScopes returns the scopes the bot token has unless SetScopes
// changes them: every bot scope whose methods the fake serves, so a test
// that does not care about scopes is never refused one. A test of an app's
// manifest sets exactly the manifest's scopes with SetScopes.
func DefaultBotScopes() []string {
	return []string{"commands", "chat:write", "channels:read", "channels:history", "channels:manage",
		"groups:read", "groups:history", "groups:write", "im:read", "im:history", "im:write",
		"mpim:read", "users:read", "files:write"}
}

// DefaultAppScopes returns the scopes the app-level token has unless
// SetScopes changes them: connections:write, which Socket Mode needs.
func DefaultAppScopes() []string { return []string{"connections:write"} }

// SetScopes sets the scopes granted to the token of kind (TokenBot or
// TokenApp), as a reinstall with another manifest would. As in Slack, every
// answer to a call with that token names them in the X-OAuth-Scopes header,
// and a method whose scope is missing answers
// {"ok":false,"error":"missing_scope","needed":…,"provided":…}.
func (s *Server) SetScopes(kind TokenKind, scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.auth.scopes == nil {
		s.auth.scopes = map[TokenKind][]string{}
	}
	s.auth.scopes[kind] = slices.Clone(scopes)
}

// Scopes returns the scopes granted to the token of kind (nil for a kind
// that has none, such as TokenInvalid).
func (s *Server) Scopes(kind TokenKind) []string { return s.grantedScopes(kind) }

// SetTokenKind makes token be taken for a token of kind, whatever it looks
// like: SetTokenKind(Options().AppToken, TokenBot) plays an app configured
// with a bot token where the app-level token belongs
// (apps.connections.open answers not_allowed_token_type), and
// SetTokenKind(Options().BotToken, TokenInvalid) a revoked bot token
// (invalid_auth).
func (s *Server) SetTokenKind(token string, kind TokenKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.auth.kinds == nil {
		s.auth.kinds = map[string]TokenKind{}
	}
	s.auth.kinds[token] = kind
}

func (s *Server) grantedScopes(kind TokenKind) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if scopes, ok := s.auth.scopes[kind]; ok {
		return slices.Clone(scopes)
	}
	switch kind {
	case TokenBot:
		return DefaultBotScopes()
	case TokenApp:
		return DefaultAppScopes()
	}
	return nil
}

// checkScopes answers missing_scope when the call's token lacks a scope
// its method needs (for the kind of channel it names), as Slack does
// before doing anything.
func (s *Server) checkScopes(r *apiRequest) *apiError {
	needed := s.neededScopes(r)
	if len(needed) == 0 {
		return nil
	}
	granted := s.grantedScopes(r.token)
	for _, n := range needed {
		if !slices.Contains(granted, n) {
			return &apiError{code: "missing_scope", extra: map[string]any{
				"needed": n, "provided": strings.Join(granted, ","),
			}}
		}
	}
	return nil
}

// neededScopes lists the scopes a call needs, all of them, following
// Slack's method documentation. A channel that does not exist needs the
// private channel's scope: the method itself then answers channel_not_found.
func (s *Server) neededScopes(r *apiRequest) []string {
	byKind := func(private, public, im string) []string {
		s.mu.Lock()
		c, ok := s.channels[r.str("channel")]
		s.mu.Unlock()
		switch {
		case ok && c.IsIM:
			return []string{im}
		case ok && !c.Private:
			return []string{public}
		}
		return []string{private}
	}
	switch r.method {
	case "apps.connections.open":
		return []string{"connections:write"}
	case "chat.postMessage", "chat.postEphemeral", "chat.update", "chat.delete":
		return []string{"chat:write"}
	case "conversations.create":
		if r.boolParam("is_private") {
			return []string{"groups:write"}
		}
		return []string{"channels:manage"}
	case "conversations.invite", "conversations.archive", "conversations.kick":
		return byKind("groups:write", "channels:manage", "im:write")
	case "conversations.members", "conversations.info":
		return byKind("groups:read", "channels:read", "im:read")
	case "conversations.history":
		return byKind("groups:history", "channels:history", "im:history")
	case "conversations.open":
		return []string{"im:write"}
	case "conversations.list":
		types := r.str("types")
		if types == "" {
			types = "public_channel"
		}
		var out []string
		for _, t := range strings.Split(types, ",") {
			switch strings.TrimSpace(t) {
			case "public_channel":
				out = append(out, "channels:read")
			case "private_channel":
				out = append(out, "groups:read")
			case "im":
				out = append(out, "im:read")
			case "mpim":
				out = append(out, "mpim:read")
			}
		}
		return out
	case "users.info", "users.list":
		return []string{"users:read"}
	case "files.getUploadURLExternal", "files.completeUploadExternal":
		return []string{"files:write"}
	}
	return nil // auth.test, views.*: no scope
}
