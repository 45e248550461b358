package slackfake

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// User is a person (or bot) of the workspace.
type User struct {
	// ID is the user ID ("U…"); AddUser generates one when empty.
	ID string
	// Name is the handle ("alice"); RealName the full name.
	Name, RealName string
	// Email appears in profile.email (as with the users:read.email scope)
	// when set.
	Email string
	// TZ is the IANA zone, TZLabel its description and TZOffset the offset
	// from UTC in seconds, as users.info reports them.
	TZ, TZLabel string
	TZOffset    int
	// IsBot marks bot users; Deleted deactivated accounts.
	IsBot, Deleted bool
}

// Channel is a conversation: a public or private channel, or the bot's IM
// with one person.
type Channel struct {
	// ID is "C…" for channels and "D…" for IMs; AddChannel generates a
	// "C…" ID when empty.
	ID string
	// Name is the channel name (lower-case Slack rules); empty for IMs.
	Name string
	// Private marks private channels (is_private; "group" events).
	Private bool
	// IsIM marks the bot's direct-message channel with User.
	IsIM bool
	User string
	// Members are user IDs in join order. The bot is a member only if
	// listed (an IM always has both the person and the bot).
	Members []string
	// Archived channels keep their name (conversations.create says
	// name_taken) but refuse posts and invites.
	Archived bool
	// Creator is the user ID that created the channel, if known.
	Creator string
	// Created is when the channel was created (Now).
	Created time.Time
}

// IsMember reports whether userID is in c.Members.
func (c Channel) IsMember(userID string) bool { return slices.Contains(c.Members, userID) }

func (c Channel) clone() Channel {
	c.Members = slices.Clone(c.Members)
	return c
}

// channelState is a channel and its messages.
type channelState struct {
	Channel
	messages []*Message
}

// File is an uploaded file.
type File struct {
	ID, Name, Title string
	// Channel is where files.completeUploadExternal shared the file, if
	// anywhere.
	Channel string
	// Content holds the uploaded bytes.
	Content []byte
	// Length is the length the uploader announced in
	// files.getUploadURLExternal.
	Length int
	// User is the uploader.
	User string
}

// Message is a message in a channel, or an ephemeral shown to one person.
type Message struct {
	// TS identifies the message in its channel ("1743600000.000200").
	TS      string
	Channel string
	// User is the author; BotID is set for the bot's own messages.
	User, BotID string
	Text        string
	// Blocks is the message's Block Kit blocks as a JSON array (nil if
	// none), with block_id and action_id filled in as Slack does.
	Blocks json.RawMessage
	// ThreadTS is the parent message's TS for a reply in a thread.
	ThreadTS string
	// Subtype is "channel_join" for joins, "channel_leave" for leaves, ""
	// for ordinary messages; Inviter is who invited the joining User.
	Subtype, Inviter string
	// ClientMsgID is set on messages people typed (client_msg_id).
	ClientMsgID string
	// Files attached to the message (files.completeUploadExternal).
	Files []File
	// Recipient is the one person who sees an ephemeral; empty otherwise.
	Recipient string
	// Source tells how the message came to be: "chat.postMessage",
	// "chat.postEphemeral", "response_url", "slash_ack", "user",
	// "files.completeUploadExternal", "conversations.invite".
	Source string
	// Edited is set once chat.update, a response_url or UserEdit changed
	// the message.
	Edited bool
	// Metadata is the app metadata attached by chat.postMessage or
	// chat.update (nil if none). conversations.history returns it only
	// with include_all_metadata, as Slack does.
	Metadata *MessageMetadata

	editedBy, editedTS string // the last edit: who and when (edited.user, edited.ts)
}

// AllText returns the message text followed by every text of its blocks
// (one per line), for assertions such as "the DM mentions the deadline".
func (m Message) AllText() string {
	parts := []string{m.Text}
	if len(m.Blocks) > 0 && m.Source != "user" { // a person's rich_text repeats Text
		if v, err := decodeJSON(m.Blocks); err == nil {
			parts = append(parts, collectText(v)...)
		}
	}
	return strings.Join(parts, "\n")
}

func (m *Message) clone() Message {
	c := *m
	c.Blocks = slices.Clone(m.Blocks)
	c.Files = slices.Clone(m.Files)
	c.Metadata = m.Metadata.clone()
	return c
}

// AddUser adds or replaces a person of the workspace and returns it; an
// empty ID is generated ("U…"). Replacing keeps channel memberships.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		u.ID = s.newIDLocked("U")
	}
	if u.Name == "" {
		u.Name = strings.ToLower(u.ID)
	}
	if u.RealName == "" {
		u.RealName = u.Name
	}
	if _, ok := s.users[u.ID]; !ok {
		s.userOrder = append(s.userOrder, u.ID)
	}
	uc := u
	s.users[u.ID] = &uc
	s.notifyLocked()
	return u
}

// User returns the user with the given ID.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// Users returns every user, the bot first, in the order they were added.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.userOrder))
	for _, id := range s.userOrder {
		out = append(out, *s.users[id])
	}
	return out
}

// AddChannel adds a channel (not an IM) and returns it as stored, with a
// generated "C…" ID when ID is empty and Created set to Now when zero. It
// fails if the name breaks Slack's naming rules or is taken, if the ID is
// taken, or if a member is not a known user.
func (s *Server) AddChannel(c Channel) (Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := checkChannelName(c.Name); code != "" {
		return Channel{}, fmt.Errorf("slackfake: channel name %q: %s", c.Name, code)
	}
	if s.channelByNameLocked(c.Name) != nil {
		return Channel{}, fmt.Errorf("slackfake: channel name %q: name_taken", c.Name)
	}
	if c.ID == "" {
		c.ID = s.newIDLocked("C")
	} else if _, ok := s.channels[c.ID]; ok {
		return Channel{}, fmt.Errorf("slackfake: channel ID %s already exists", c.ID)
	}
	for _, m := range c.Members {
		if _, ok := s.users[m]; !ok {
			return Channel{}, fmt.Errorf("slackfake: channel %s: member %s is not a user (AddUser first)", c.Name, m)
		}
	}
	if c.Created.IsZero() {
		c.Created = s.now()
	}
	c.IsIM, c.User = false, ""
	c.Members = dedupe(c.Members)
	s.channels[c.ID] = &channelState{Channel: c.clone()}
	s.chanOrder = append(s.chanOrder, c.ID)
	s.notifyLocked()
	return c.clone(), nil
}

// Channel returns the channel or IM with the given ID.
func (s *Server) Channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[id]
	if !ok {
		return Channel{}, false
	}
	return c.clone(), true
}

// ChannelByName returns the channel with the given name (archived ones
// included).
func (s *Server) ChannelByName(name string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channelByNameLocked(name)
	if c == nil {
		return Channel{}, false
	}
	return c.clone(), true
}

// Channels returns every channel and IM in creation order.
func (s *Server) Channels() []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Channel, 0, len(s.chanOrder))
	for _, id := range s.chanOrder {
		out = append(out, s.channels[id].clone())
	}
	return out
}

// Members returns the member IDs of a channel in join order (nil if the
// channel does not exist).
func (s *Server) Members(channelID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channelID]
	if !ok {
		return nil
	}
	return slices.Clone(c.Members)
}

// SetMembers replaces a channel's members (test setup; sends no events). It
// fails for unknown channels or users.
func (s *Server) SetMembers(channelID string, members ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channelID]
	if !ok {
		return fmt.Errorf("slackfake: no channel %s", channelID)
	}
	for _, m := range members {
		if _, ok := s.users[m]; !ok {
			return fmt.Errorf("slackfake: %s is not a user", m)
		}
	}
	c.Members = dedupe(members)
	s.notifyLocked()
	return nil
}

// DMChannel returns the ID of the bot's IM with userID, creating it (as
// Slack does on first contact) if needed. It fails for unknown users.
func (s *Server) DMChannel(userID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.imLocked(userID)
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// imLocked returns the bot's IM with userID, creating it if needed.
func (s *Server) imLocked(userID string) (*channelState, error) {
	if _, ok := s.users[userID]; !ok {
		return nil, fmt.Errorf("slackfake: no user %s", userID)
	}
	if id, ok := s.dms[userID]; ok {
		return s.channels[id], nil
	}
	c := &channelState{Channel: Channel{
		ID: s.newIDLocked("D"), IsIM: true, User: userID, Private: true,
		Members: dedupe([]string{userID, s.opts.BotUserID}), Created: s.now(),
	}}
	s.channels[c.ID] = c
	s.chanOrder = append(s.chanOrder, c.ID)
	s.dms[userID] = c.ID
	s.notifyLocked()
	return c, nil
}

func (s *Server) channelByNameLocked(name string) *channelState {
	for _, id := range s.chanOrder {
		if c := s.channels[id]; !c.IsIM && c.Name == name {
			return c
		}
	}
	return nil
}

// resolveChannelLocked maps a channel argument of the Web API to a channel:
// channel IDs as they are, and a user ID ("U…"/"W…") to the bot's IM with
// that user, as chat.postMessage does. nil means channel_not_found.
func (s *Server) resolveChannelLocked(arg string) *channelState {
	if c, ok := s.channels[arg]; ok {
		return c
	}
	if strings.HasPrefix(arg, "U") || strings.HasPrefix(arg, "W") {
		if u, ok := s.users[arg]; ok && !u.Deleted && u.ID != s.opts.BotUserID {
			c, _ := s.imLocked(arg)
			return c
		}
	}
	return nil
}

// botVisibleLocked reports whether the bot can see the channel: Slack
// answers channel_not_found for a private channel the bot is not in.
func (s *Server) botVisibleLocked(c *channelState) bool {
	return !c.Private || c.IsIM || c.IsMember(s.opts.BotUserID)
}

// checkChannelName applies Slack's channel naming rules and returns the
// error code, or "" when the name is valid.
func checkChannelName(name string) string {
	switch {
	case name == "":
		return "invalid_name_required"
	case utf8.RuneCountInString(name) > 80:
		return "invalid_name_maxlength"
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "invalid_name_specials"
		}
	}
	return ""
}

func dedupe(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// channelTypeForMessage is the channel_type of message events.
func channelTypeForMessage(c *channelState) string {
	switch {
	case c.IsIM:
		return "im"
	case c.Private:
		return "group"
	default:
		return "channel"
	}
}

// messageSubscription is the manifest event name of message events in c.
func messageSubscription(c *channelState) string {
	switch {
	case c.IsIM:
		return "message.im"
	case c.Private:
		return "message.groups"
	default:
		return "message.channels"
	}
}

// userJSON renders a user as users.info does.
func (s *Server) userJSON(u *User) map[string]any {
	profile := map[string]any{
		"real_name": u.RealName, "real_name_normalized": u.RealName,
		"display_name": u.Name, "display_name_normalized": u.Name,
		"avatar_hash": "g" + strings.ToLower(u.ID),
		"image_48":    "https://secure.gravatar.com/avatar/" + strings.ToLower(u.ID) + ".jpg?s=48",
		"team":        s.opts.TeamID,
	}
	if u.Email != "" {
		profile["email"] = u.Email
	}
	if u.IsBot && u.ID == s.opts.BotUserID {
		profile["bot_id"] = s.opts.BotID
		profile["api_app_id"] = s.opts.AppID
	}
	out := map[string]any{
		"id": u.ID, "team_id": s.opts.TeamID, "name": u.Name, "deleted": u.Deleted, "color": "9f69e7",
		"real_name": u.RealName, "tz_label": u.TZLabel, "tz_offset": u.TZOffset,
		"profile": profile, "is_admin": false, "is_owner": false, "is_primary_owner": false,
		"is_restricted": false, "is_ultra_restricted": false, "is_bot": u.IsBot, "is_app_user": false,
		"is_email_confirmed": u.Email != "", "updated": 1742000000, "who_can_share_contact_card": "EVERYONE",
	}
	if u.TZ != "" {
		out["tz"] = u.TZ
	}
	return out
}

// channelJSON renders a conversation as conversations.create/info do, from
// the bot's point of view.
func (s *Server) channelJSON(c *channelState, withNumMembers bool) map[string]any {
	if c.IsIM {
		return map[string]any{
			"id": c.ID, "created": c.Created.Unix(), "is_im": true, "is_org_shared": false,
			"user": c.User, "is_user_deleted": false, "priority": 0, "is_open": true,
			"context_team_id": s.opts.TeamID,
		}
	}
	out := map[string]any{
		"id": c.ID, "name": c.Name, "name_normalized": c.Name,
		"is_channel": true, "is_group": false, "is_im": false, "is_mpim": false, "is_private": c.Private,
		"created": c.Created.Unix(), "creator": c.Creator, "is_member": c.IsMember(s.opts.BotUserID),
		"is_archived": c.Archived, "is_general": false, "is_shared": false, "is_ext_shared": false,
		"is_org_shared": false, "context_team_id": s.opts.TeamID, "shared_team_ids": []string{s.opts.TeamID},
		"previous_names": []string{},
		"topic":          map[string]any{"value": "", "creator": "", "last_set": 0},
		"purpose":        map[string]any{"value": "", "creator": "", "last_set": 0},
	}
	if withNumMembers {
		out["num_members"] = len(c.Members)
	}
	return out
}

// messageJSON renders a stored message the way Slack returns it in API
// responses, events and block_actions payloads.
func (s *Server) messageJSON(m *Message) map[string]any {
	out := map[string]any{"type": "message", "text": m.Text, "ts": m.TS}
	if m.User != "" {
		out["user"] = m.User
	}
	if m.BotID != "" {
		out["bot_id"] = m.BotID
		out["app_id"] = s.opts.AppID
		out["bot_profile"] = s.botProfile()
	}
	out["team"] = s.opts.TeamID
	if m.Subtype != "" {
		out["subtype"] = m.Subtype
	}
	if m.Inviter != "" {
		out["inviter"] = m.Inviter
	}
	if m.ClientMsgID != "" {
		out["client_msg_id"] = m.ClientMsgID
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if len(m.Blocks) > 0 {
		out["blocks"] = m.Blocks
	}
	if len(m.Files) > 0 {
		var files []map[string]any
		for _, f := range m.Files {
			files = append(files, map[string]any{"id": f.ID, "name": f.Name, "title": f.Title, "size": len(f.Content)})
		}
		out["files"] = files
	}
	if m.Edited {
		user, ts := m.User, m.TS
		if m.editedBy != "" {
			user = m.editedBy
		}
		if m.editedTS != "" {
			ts = m.editedTS
		}
		out["edited"] = map[string]any{"user": user, "ts": ts}
	}
	return out
}

// markEditedLocked records an edit of m by user, now.
func (s *Server) markEditedLocked(m *Message, user string) {
	m.Edited, m.editedBy, m.editedTS = true, user, s.nextTSLocked()
}

func (s *Server) botProfile() map[string]any {
	return map[string]any{"id": s.opts.BotID, "app_id": s.opts.AppID, "name": s.opts.BotName,
		"deleted": false, "updated": 1743000000, "team_id": s.opts.TeamID}
}
