package slackfake_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/mentorbot/mentorbot/internal/slackfake"
	"github.com/mentorbot/mentorbot/internal/slackfake/slackfaketest"
)

func TestConversationsList(t *testing.T) {
	srv, general, duo := workspace(t)
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	lobby := slackfaketest.MustChannel(t, srv, slackfake.Channel{Name: "lobby", Members: []string{alice}})
	slackfaketest.MustChannel(t, srv, slackfake.Channel{Name: "secret", Private: true, Members: []string{alice}})
	old, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "duo-old", IsPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := api.ArchiveConversationContext(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	im, err := srv.DMChannel(alice)
	if err != nil {
		t.Fatal(err)
	}

	ids := func(chs []slack.Channel) []string {
		var out []string
		for _, c := range chs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		types   []string
		exclude bool
		want    []string
	}{
		{"default: public", nil, false, []string{general, lobby.ID}},
		{"private: only the bot's", []string{"private_channel"}, false, []string{duo, old.ID}},
		{"private without archived", []string{"private_channel"}, true, []string{duo}},
		{"ims", []string{"im"}, false, []string{im}},
		{"group DMs: none", []string{"mpim"}, false, nil},
		{"everything", []string{"public_channel", "private_channel", "mpim", "im"}, false, []string{general, duo, lobby.ID, old.ID, im}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chs, next, err := api.GetConversationsContext(ctx, &slack.GetConversationsParameters{Types: tc.types, ExcludeArchived: tc.exclude})
			if err != nil || next != "" {
				t.Fatalf("next %q, err %v", next, err)
			}
			if got := ids(chs); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if _, _, err := api.GetConversationsContext(ctx, &slack.GetConversationsParameters{Types: []string{"channel"}}); slackErr(err) != "invalid_types" {
		t.Errorf("bad type: %v", err)
	}

	// Fields, as slack-go decodes them.
	chs, _, err := api.GetConversationsContext(ctx, &slack.GetConversationsParameters{Types: []string{"private_channel", "im"}})
	if err != nil || len(chs) != 3 {
		t.Fatalf("%d channels, %v", len(chs), err)
	}
	d, a, dm := chs[0], chs[1], chs[2]
	if d.Name != "duo-alice-bob" || !d.IsPrivate || d.IsArchived || !d.IsMember || d.NumMembers != 3 || !d.IsChannel {
		t.Errorf("duo = %+v", d)
	}
	if a.Name != "duo-old" || !a.IsArchived || a.Creator != bot || !a.IsPrivate {
		t.Errorf("archived = %+v", a)
	}
	if !dm.IsIM || dm.User != alice || dm.Name != "" {
		t.Errorf("im = %+v", dm)
	}

	// Pages follow next_cursor, even when a channel is archived between
	// pages.
	paged := func(limit int, p slack.GetConversationsParameters, between func()) (got []string, sizes []int) {
		t.Helper()
		p.Limit = limit
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("too many pages")
			}
			page, next, err := api.GetConversationsContext(ctx, &p)
			if err != nil {
				t.Fatal(err)
			}
			got, sizes = append(got, ids(page)...), append(sizes, len(page))
			if pages == 0 && between != nil {
				between()
			}
			if p.Cursor = next; p.Cursor == "" {
				return got, sizes
			}
		}
	}
	everything := slack.GetConversationsParameters{Types: []string{"public_channel", "private_channel", "im"}}
	if got, sizes := paged(2, everything, nil); !slices.Equal(got, []string{general, duo, lobby.ID, old.ID, im}) || !slices.Equal(sizes, []int{2, 2, 1}) {
		t.Errorf("paged by 2: %v in pages of %v", got, sizes)
	}
	open := slack.GetConversationsParameters{Types: []string{"public_channel", "private_channel"}, ExcludeArchived: true}
	got, _ := paged(1, open, func() {
		if err := api.ArchiveConversationContext(ctx, duo); err != nil { // the next one
			t.Fatal(err)
		}
	})
	if want := []string{general, lobby.ID}; !slices.Equal(got, want) {
		t.Errorf("paged = %v, want %v", got, want)
	}
	if _, _, err := api.GetConversationsContext(ctx, &slack.GetConversationsParameters{Cursor: "bm9wZQ=="}); slackErr(err) != "invalid_cursor" {
		t.Errorf("bad cursor: %v", err)
	}

	// Archived channels keep their names.
	if _, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "duo-old"}); slackErr(err) != "name_taken" {
		t.Errorf("archived name: %v", err)
	}
}

func TestConversationsArchive(t *testing.T) {
	srv, general, duo := workspace(t)
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	secret := slackfaketest.MustChannel(t, srv, slackfake.Channel{Name: "secret", Private: true, Members: []string{alice}})
	lobby := slackfaketest.MustChannel(t, srv, slackfake.Channel{Name: "lobby", Members: []string{alice}})
	im, err := srv.DMChannel(alice)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, channel, code string
	}{
		{"private, bot in it", duo, ""},
		{"again", duo, "already_archived"},
		{"public, bot in it", general, ""},
		{"private, bot not in it", secret.ID, "channel_not_found"},
		{"public, bot not in it", lobby.ID, "not_in_channel"},
		{"unknown", "C0NOWHERE", "channel_not_found"},
		{"an IM", im, "method_not_supported_for_channel_type"},
	} {
		if err := api.ArchiveConversationContext(ctx, tc.channel); slackErr(err) != tc.code {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.code)
		}
	}
	for id, want := range map[string]bool{duo: true, general: true, secret.ID: false, lobby.ID: false} {
		if c, _ := srv.Channel(id); c.Archived != want {
			t.Errorf("%s archived = %v, want %v", c.Name, c.Archived, want)
		}
	}
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: duo})
	if err != nil || !info.IsArchived {
		t.Errorf("info = %+v, %v", info, err)
	}
	if _, _, err := api.PostMessageContext(ctx, duo, slack.MsgOptionText("x", false)); slackErr(err) != "is_archived" {
		t.Errorf("post to archived: %v", err)
	}
	if _, err := api.InviteUsersToConversationContext(ctx, duo, carol); slackErr(err) != "is_archived" {
		t.Errorf("invite to archived: %v", err)
	}
	// History stays readable.
	if _, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: duo}); err != nil {
		t.Errorf("history of archived: %v", err)
	}
}

// messageEvents collects the message events a connected bot receives.
func messageEvents(t *testing.T, srv *slackfake.Server) (*capture[*slackevents.MessageEvent], *testBot) {
	t.Helper()
	var evs capture[*slackevents.MessageEvent]
	b := connected(t, srv, func(evt socketmode.Event, _ *slack.Client) (any, bool) {
		if e, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			if m, ok := e.InnerEvent.Data.(*slackevents.MessageEvent); ok {
				evs.add(m)
			} else {
				t.Errorf("inner event %T", e.InnerEvent.Data)
			}
		}
		return nil, true
	})
	return &evs, b
}

func TestUserEdit(t *testing.T) {
	srv, general, duo := workspace(t)
	evs, b := messageEvents(t, srv)
	ctx := slackfaketest.Ctx(t)
	if _, err := srv.UserMessage(ctx, alice, duo, "Shall we meet Thursday?"); err != nil {
		t.Fatal(err)
	}
	orig := srv.Messages(duo)[0]
	if _, err := srv.UserEdit(ctx, alice, duo, orig.TS, "Shall we meet Friday?"); err != nil {
		t.Fatal(err)
	}
	ev := evs.last(t)
	if ev.SubType != "message_changed" || ev.Channel != duo || ev.ChannelType != "group" || ev.TimeStamp == orig.TS ||
		ev.EventTimeStamp != ev.TimeStamp {
		t.Errorf("event = %+v", ev)
	}
	if m := ev.Message; m == nil || m.Text != "Shall we meet Friday?" || m.User != alice || m.Timestamp != orig.TS ||
		m.Edited == nil || m.Edited.User != alice || m.Edited.Timestamp != ev.TimeStamp || m.ClientMsgID != orig.ClientMsgID ||
		len(m.Blocks.BlockSet) != 1 {
		t.Errorf("edited message = %+v", m)
	}
	if p := ev.PreviousMessage; p == nil || p.Text != "Shall we meet Thursday?" || p.Timestamp != orig.TS || p.Edited != nil {
		t.Errorf("previous message = %+v", p)
	}
	if m := srv.Messages(duo)[0]; m.Text != "Shall we meet Friday?" || !m.Edited || m.TS != orig.TS || !strings.Contains(string(m.Blocks), "Friday") {
		t.Errorf("stored = %+v", m)
	}
	// The history shows the edit.
	h, err := b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: duo})
	if err != nil || len(h.Messages) != 1 || h.Messages[0].Edited == nil || h.Messages[0].Edited.User != alice {
		t.Errorf("history = %+v, %v", h, err)
	}

	// Only one's own messages; unsubscribed kinds still change.
	if _, err := srv.UserEdit(ctx, bob, duo, orig.TS, "hijack"); err == nil {
		t.Errorf("bob edited alice's message")
	}
	if _, err := srv.UserEdit(ctx, alice, duo, "1.000001", "x"); err == nil {
		t.Errorf("edited a missing message")
	}
	if _, err := srv.UserMessage(ctx, alice, general, "hi"); !errors.Is(err, slackfake.ErrNotSubscribed) {
		t.Fatal(err)
	}
	pub := srv.Messages(general)[0]
	if _, err := srv.UserEdit(ctx, alice, general, pub.TS, "hi all"); !errors.Is(err, slackfake.ErrNotSubscribed) {
		t.Errorf("public edit: %v", err)
	}
	if m := srv.Messages(general)[0]; m.Text != "hi all" || !m.Edited {
		t.Errorf("unsubscribed edit not applied: %+v", m)
	}
	if ebm := b.seen(socketmode.EventTypeErrorBadMessage); len(ebm) > 0 {
		t.Errorf("slack-go could not decode %d frames: %+v", len(ebm), ebm[0].Data)
	}
}

// The bot's own posts, edits and invites echo as message events, as in
// Slack: with bot_id, as message_changed, and as channel_join.
func TestBotActionsEcho(t *testing.T) {
	srv, _, duo := workspace(t)
	evs, b := messageEvents(t, srv)
	ctx := slackfaketest.Ctx(t)
	_, ts, err := b.api.PostMessageContext(ctx, duo, slack.MsgOptionText("Reminder", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := b.api.UpdateMessageContext(ctx, duo, ts, slack.MsgOptionText("Reminder!", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.api.InviteUsersToConversationContext(ctx, duo, carol); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(ctx, func() bool { return len(evs.all()) >= 3 }); err != nil {
		t.Fatal(err)
	}
	all := evs.all()
	post, edit, join := all[0], all[1], all[2]
	if post.SubType != "" || post.BotID != "B07MNTRBOT" || post.User != bot || post.Text != "Reminder" || post.TimeStamp != ts ||
		post.ChannelType != "group" || post.Message.BotProfile == nil || post.Message.BotProfile.Name != "mentorbot" {
		t.Errorf("post echo = %+v", post)
	}
	if edit.SubType != "message_changed" || edit.Message == nil || edit.Message.Text != "Reminder!" || edit.Message.BotID != "B07MNTRBOT" ||
		edit.Message.Edited == nil || edit.Message.Edited.User != bot || edit.PreviousMessage == nil || edit.PreviousMessage.Text != "Reminder" {
		t.Errorf("edit echo = %+v (message %+v)", edit, edit.Message)
	}
	if join.SubType != "channel_join" || join.User != carol || join.Message.Inviter != bot || join.ChannelType != "group" || join.Text != "<@"+carol+"> has joined the channel" {
		t.Errorf("join echo = %+v", join)
	}
}
