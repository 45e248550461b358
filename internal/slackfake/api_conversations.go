package slackfake

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// apiConversationsCreate creates a channel with the bot as creator and
// member. Names follow Slack's rules; a name held by any channel, archived
// ones included, is name_taken.
func (s *Server) apiConversationsCreate(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := r.str("name")
	if code := checkChannelName(name); code != "" {
		return nil, errCode(code)
	}
	if s.channelByNameLocked(name) != nil {
		return nil, errCode("name_taken")
	}
	c := &channelState{Channel: Channel{ID: s.newIDLocked("C"), Name: name, Private: r.boolParam("is_private"),
		Members: []string{s.opts.BotUserID}, Creator: s.opts.BotUserID, Created: s.now()}}
	s.channels[c.ID] = c
	s.chanOrder = append(s.chanOrder, c.ID)
	s.notifyLocked()
	return map[string]any{"channel": s.channelJSON(c, false)}, nil
}

// apiConversationsInvite adds people to a channel the bot is in. As Slack
// documents ("partially failed calls"), one user that cannot be invited —
// unknown, deactivated, the bot itself, or already a member
// (already_in_channel) — fails the whole call and nobody joins, unless
// force=true, which invites the valid ones and lists the others in
// "errors". Each new member gets a channel_join message and, with
// EchoBotMessages, its message event.
func (s *Server) apiConversationsInvite(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[r.str("channel")]
	switch {
	case !ok || !s.botVisibleLocked(c):
		return nil, errCode("channel_not_found")
	case c.IsIM:
		return nil, errCode("method_not_supported_for_channel_type")
	case c.Archived:
		return nil, errCode("is_archived")
	case !c.IsMember(s.opts.BotUserID):
		return nil, errCode("not_in_channel")
	}
	var users []string
	for _, u := range strings.Split(r.str("users"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			users = append(users, u)
		}
	}
	switch {
	case len(users) == 0:
		return nil, errCode("no_user")
	case len(users) > 100:
		return nil, errCode("too_many_users")
	}
	var added []string
	var failures []map[string]any
	for _, u := range users {
		usr, ok := s.users[u]
		code := ""
		switch {
		case u == s.opts.BotUserID:
			code = "cant_invite_self"
		case !ok:
			code = "user_not_found"
		case usr.Deleted:
			code = "user_is_deactivated"
		case c.IsMember(u):
			code = "already_in_channel"
		}
		if code != "" {
			failures = append(failures, map[string]any{"user": u, "ok": false, "error": code})
		} else if !slices.Contains(added, u) {
			added = append(added, u)
		}
	}
	if len(failures) > 0 && (!r.boolParam("force") || len(added) == 0) {
		return nil, &apiError{code: failures[0]["error"].(string), extra: map[string]any{"errors": failures}}
	}
	for _, u := range added {
		c.Members = append(c.Members, u)
		m := &Message{TS: s.nextTSLocked(), Channel: c.ID, User: u, Subtype: "channel_join",
			Inviter: s.opts.BotUserID, Text: fmt.Sprintf("<@%s> has joined the channel", u), Source: "conversations.invite"}
		c.messages = append(c.messages, m)
		if s.opts.EchoBotMessages {
			s.sendMessageEventLocked(c, m)
		}
	}
	s.notifyLocked()
	out := map[string]any{"channel": s.channelJSON(c, false)}
	if len(failures) > 0 {
		out["errors"] = failures
	}
	return out, nil
}

// apiConversationsMembers pages through a channel's members (limit default
// 100, at most 1000; next_cursor "" on the last page).
func (s *Server) apiConversationsMembers(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[r.str("channel")]
	if !ok || !s.botVisibleLocked(c) {
		return nil, errCode("channel_not_found")
	}
	limit, e := limitParam(r, 100, 1000)
	if e != nil {
		return nil, e
	}
	page, next, e := pageOf(c.Members, r.str("cursor"), limit)
	if e != nil {
		return nil, e
	}
	return map[string]any{"members": page, "response_metadata": map[string]any{"next_cursor": next}}, nil
}

func (s *Server) apiConversationsInfo(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[r.str("channel")]
	if !ok || !s.botVisibleLocked(c) {
		return nil, errCode("channel_not_found")
	}
	return map[string]any{"channel": s.channelJSON(c, r.boolParam("include_num_members"))}, nil
}

// apiConversationsOpen opens (or returns) the bot's IM with one person.
// Group DMs (several users) are not supported: not_supported.
func (s *Server) apiConversationsOpen(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := r.str("channel"); ch != "" {
		c, ok := s.channels[ch]
		if !ok || !c.IsIM {
			return nil, errCode("channel_not_found")
		}
		return map[string]any{"no_op": true, "already_open": true, "channel": s.channelJSON(c, false)}, nil
	}
	var users []string
	for _, u := range strings.Split(r.str("users"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			users = append(users, u)
		}
	}
	switch {
	case len(users) == 0:
		return nil, errCode("users_list_not_supplied")
	case len(users) > 1:
		return nil, errCode("not_supported")
	}
	u, ok := s.users[users[0]]
	if !ok || u.ID == s.opts.BotUserID {
		return nil, errCode("user_not_found")
	}
	if u.Deleted {
		return nil, errCode("user_disabled")
	}
	_, existed := s.dms[u.ID]
	c, _ := s.imLocked(u.ID)
	out := map[string]any{"channel": map[string]any{"id": c.ID}}
	if r.boolParam("return_im") {
		out["channel"] = s.channelJSON(c, false)
	}
	if existed {
		out["no_op"], out["already_open"] = true, true
	}
	return out, nil
}

func (s *Server) apiConversationsArchive(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[r.str("channel")]
	if !ok || !s.botVisibleLocked(c) {
		return nil, errCode("channel_not_found")
	}
	switch {
	case c.IsIM:
		return nil, errCode("method_not_supported_for_channel_type")
	case c.Archived:
		return nil, errCode("already_archived")
	case !c.IsMember(s.opts.BotUserID):
		return nil, errCode("not_in_channel")
	}
	c.Archived = true
	s.notifyLocked()
	return map[string]any{}, nil
}

// apiConversationsKick removes a member; the removed person gets a
// member_left_channel event like any leaver.
func (s *Server) apiConversationsKick(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[r.str("channel")]
	if !ok || c.IsIM || !s.botVisibleLocked(c) {
		return nil, errCode("channel_not_found")
	}
	u := r.str("user")
	switch {
	case u == s.opts.BotUserID:
		return nil, errCode("cant_kick_self")
	case s.users[u] == nil:
		return nil, errCode("user_not_found")
	case !c.IsMember(s.opts.BotUserID):
		return nil, errCode("not_in_channel")
	case !c.IsMember(u):
		return nil, errCode("not_in_channel")
	}
	c.Members = slices.DeleteFunc(c.Members, func(m string) bool { return m == u })
	s.sendMemberLeftLocked(c, u)
	s.notifyLocked()
	return map[string]any{}, nil
}

// sendMemberLeftLocked sends member_left_channel for u leaving c, if
// subscribed.
func (s *Server) sendMemberLeftLocked(c *channelState, u string) *envelope {
	if !s.subscribed("member_left_channel") {
		return nil
	}
	ct := "C"
	if c.Private {
		ct = "G"
	}
	return s.newEventLocked(map[string]any{"type": "member_left_channel", "user": u, "channel": c.ID,
		"channel_type": ct, "team": s.opts.TeamID, "event_ts": s.nextTSLocked()})
}

// apiUsersInfo returns one user (user) or several (users, comma-separated).
func (s *Server) apiUsersInfo(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if list := r.str("users"); list != "" && r.str("user") == "" {
		var out []map[string]any
		for _, id := range strings.Split(list, ",") {
			u, ok := s.users[strings.TrimSpace(id)]
			if !ok {
				return nil, errCode("user_not_found")
			}
			out = append(out, s.userJSON(u))
		}
		return map[string]any{"users": out}, nil
	}
	u, ok := s.users[r.str("user")]
	if !ok {
		return nil, errCode("user_not_found")
	}
	return map[string]any{"user": s.userJSON(u)}, nil
}

// apiUsersList pages through every user, the bot included (limit default
// 100, at most 1000).
func (s *Server) apiUsersList(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit, e := limitParam(r, 100, 1000)
	if e != nil {
		return nil, e
	}
	ids, next, e := pageOf(s.userOrder, r.str("cursor"), limit)
	if e != nil {
		return nil, e
	}
	members := []map[string]any{}
	for _, id := range ids {
		members = append(members, s.userJSON(s.users[id]))
	}
	return map[string]any{"members": members, "cache_ts": s.now().Unix(),
		"response_metadata": map[string]any{"next_cursor": next}}, nil
}

// apiConversationsHistory returns a conversation's messages, newest first:
// only messages (and thread parents) of the channel, not thread replies nor
// ephemerals, as in Slack. oldest and latest bound the timestamps
// (exclusive unless inclusive); limit defaults to 100 and is clamped to
// 999; a next_cursor is given while has_more. Metadata is returned only
// with include_all_metadata.
func (s *Server) apiConversationsHistory(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[r.str("channel")]
	switch {
	case !ok || !s.botVisibleLocked(c):
		return nil, errCode("channel_not_found")
	case !c.IsMember(s.opts.BotUserID):
		return nil, errCode("not_in_channel")
	}
	limit, e := limitParam(r, 100, 999)
	if e != nil {
		return nil, e
	}
	inclusive := r.boolParam("inclusive")
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	loIncl, hiIncl := false, false
	if v := r.str("oldest"); v != "" {
		t, ok := parseTS(v)
		if !ok {
			return nil, errCode("invalid_ts_oldest")
		}
		lo, loIncl = t, inclusive
	}
	if v := r.str("latest"); v != "" {
		t, ok := parseTS(v)
		if !ok {
			return nil, errCode("invalid_ts_latest")
		}
		hi, hiIncl = t, inclusive
	}
	if cur := r.str("cursor"); cur != "" {
		t, ok := decodeHistoryCursor(cur)
		if !ok {
			return nil, errCode("invalid_cursor")
		}
		if t < hi || (t == hi && hiIncl) {
			hi, hiIncl = t, true
		}
	}

	// Thread parents get Slack's thread summary.
	type thread struct {
		count  int
		latest string
		users  []string
	}
	threads := map[string]*thread{}
	var top []*Message
	for _, m := range c.messages {
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			th := threads[m.ThreadTS]
			if th == nil {
				th = &thread{}
				threads[m.ThreadTS] = th
			}
			th.count++
			th.latest = m.TS
			if !slices.Contains(th.users, m.User) {
				th.users = append(th.users, m.User)
			}
			continue
		}
		t, _ := parseTS(m.TS)
		if (t > lo || (loIncl && t == lo)) && (t < hi || (hiIncl && t == hi)) {
			top = append(top, m)
		}
	}
	slices.SortStableFunc(top, func(a, b *Message) int {
		ta, _ := parseTS(a.TS)
		tb, _ := parseTS(b.TS)
		return cmp.Compare(tb, ta) // newest first
	})
	withMD := r.boolParam("include_all_metadata")
	msgs := []map[string]any{}
	for _, m := range top[:min(limit, len(top))] {
		j := s.messageJSON(m)
		if withMD {
			j = s.messageJSONWithMetadata(m)
		}
		if th := threads[m.TS]; th != nil {
			j["thread_ts"], j["reply_count"], j["reply_users_count"] = m.TS, th.count, len(th.users)
			j["latest_reply"], j["reply_users"] = th.latest, slices.Clone(th.users)
			j["is_locked"], j["subscribed"] = false, false
		}
		msgs = append(msgs, j)
	}
	out := map[string]any{"messages": msgs, "has_more": len(top) > limit, "pin_count": 0,
		"channel_actions_ts": nil, "channel_actions_count": 0}
	if len(top) > limit {
		t, _ := parseTS(top[limit].TS)
		out["response_metadata"] = map[string]any{"next_cursor": b64("next_ts:" + strconv.FormatInt(t, 10))}
	}
	return out, nil
}

// parseTS parses a message timestamp ("1743600000.000200", "1743600000",
// "1743600000.5") into microseconds.
// TSTime reads a Slack timestamp ("seconds.micros"); false when ts is not one.
func TSTime(ts string) (time.Time, bool) {
	us, ok := parseTS(ts)
	if !ok {
		return time.Time{}, false
	}
	return time.UnixMicro(us), true
}

// parseTS reads a Slack timestamp as microseconds since the epoch.
func parseTS(v string) (int64, bool) {
	secs, frac, _ := strings.Cut(v, ".")
	if secs == "" || len(secs) > 12 || len(frac) > 6 {
		return 0, false
	}
	for _, r := range secs + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	s, _ := strconv.ParseInt(secs, 10, 64)
	f, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return s*1e6 + f, true
}

// decodeHistoryCursor reads a conversations.history cursor: base64 of
// "next_ts:<microseconds>", the format Slack uses.
func decodeHistoryCursor(c string) (int64, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	v, ok := strings.CutPrefix(string(b), "next_ts:")
	if !ok {
		return 0, false
	}
	t, err := strconv.ParseInt(v, 10, 64)
	return t, err == nil && t >= 0
}

// conversationTypes are the values of conversations.list "types".
var conversationTypes = []string{"public_channel", "private_channel", "mpim", "im"}

// apiConversationsList lists the conversations the bot can see, in
// creation order: public channels (member or not), private channels the
// bot is in, and the bot's IMs, filtered by types (default
// public_channel; group DMs are not modelled) and exclude_archived. limit
// defaults to 100 and is clamped to 1000; next_cursor is "" on the last
// page.
func (s *Server) apiConversationsList(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := map[string]bool{}
	types := r.str("types")
	if strings.TrimSpace(types) == "" {
		types = "public_channel"
	}
	for _, t := range strings.Split(types, ",") {
		t = strings.TrimSpace(t)
		if !slices.Contains(conversationTypes, t) {
			return nil, errCode("invalid_types")
		}
		want[t] = true
	}
	limit, e := limitParam(r, 100, 1000)
	if e != nil {
		return nil, e
	}
	start := 0
	if cur := r.str("cursor"); cur != "" {
		id, ok := decodeCursorWith("team:", cur)
		i := slices.Index(s.chanOrder, id)
		if !ok || i < 0 {
			return nil, errCode("invalid_cursor")
		}
		start = i
	}
	excludeArchived := r.boolParam("exclude_archived")
	channels := []map[string]any{}
	next := ""
	for _, id := range s.chanOrder[start:] {
		c := s.channels[id]
		var kind string
		switch {
		case c.IsIM:
			kind = "im"
		case c.Private:
			kind = "private_channel"
		default:
			kind = "public_channel"
		}
		if !want[kind] || !s.botVisibleLocked(c) || (excludeArchived && c.Archived) {
			continue
		}
		if len(channels) == limit {
			next = b64("team:" + id)
			break
		}
		j := s.channelJSON(c, !c.IsIM)
		channels = append(channels, j)
	}
	return map[string]any{"channels": channels, "response_metadata": map[string]any{"next_cursor": next}}, nil
}
