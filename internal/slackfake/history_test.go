package slackfake_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/slackfake"
	"github.com/mentorbot/mentorbot/internal/slackfake/slackfaketest"
)

// postForm calls a Web API method with raw form values (for what slack-go
// cannot send) and returns the decoded answer.
func postForm(t *testing.T, srv *slackfake.Server, method string, v url.Values) map[string]any {
	t.Helper()
	v.Set("token", "xoxb-test-token")
	resp, err := http.PostForm(srv.APIURL()+method, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMessageMetadata(t *testing.T) {
	srv, _, duo := workspace(t)
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	md := slack.SlackMetadata{EventType: "duo_created", EventPayload: map[string]any{
		"duo_id": "42", "week": float64(3), "people": []any{alice, bob}, "flags": map[string]any{"intro": true}}}
	_, ts, err := api.PostMessageContext(ctx, duo, slack.MsgOptionText("You are a duo", false), slack.MsgOptionMetadata(md))
	if err != nil {
		t.Fatal(err)
	}
	m := srv.Messages(duo)[0]
	if m.Metadata == nil || m.Metadata.EventType != "duo_created" || !reflect.DeepEqual(m.Metadata.EventPayload, md.EventPayload) {
		t.Fatalf("stored metadata = %+v", m.Metadata)
	}
	// What Messages returns is a copy, down to nested values.
	m.Metadata.EventPayload["duo_id"] = "changed"
	m.Metadata.EventPayload["people"].([]any)[0] = "changed"
	m.Metadata.EventPayload["flags"].(map[string]any)["intro"] = false
	if again := srv.Messages(duo)[0]; !reflect.DeepEqual(again.Metadata.EventPayload, md.EventPayload) {
		t.Errorf("a caller changed the stored metadata: %+v", again.Metadata.EventPayload)
	}

	// DMs carry it too.
	if _, _, err := api.PostMessageContext(ctx, alice, slack.MsgOptionText("hi", false), slack.MsgOptionMetadata(md)); err != nil {
		t.Fatal(err)
	}
	if dm := srv.DM(alice); len(dm) != 1 || dm[0].Metadata == nil || dm[0].Metadata.EventType != "duo_created" {
		t.Errorf("DM = %+v", dm)
	}

	history := func(all bool) slack.Message {
		t.Helper()
		h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: duo, IncludeAllMetadata: all})
		if err != nil || len(h.Messages) != 1 {
			t.Fatalf("history = %+v, %v", h, err)
		}
		return h.Messages[0]
	}
	if got := history(false).Metadata; got.EventType != "" || got.EventPayload != nil {
		t.Errorf("metadata without include_all_metadata: %+v", got)
	}
	if got := history(true).Metadata; got.EventType != "duo_created" || !reflect.DeepEqual(got.EventPayload, md.EventPayload) {
		t.Errorf("metadata with include_all_metadata: %+v", got)
	}

	// chat.update keeps the metadata unless it brings new metadata.
	if _, _, _, err := api.UpdateMessageContext(ctx, duo, ts, slack.MsgOptionText("You are a duo!", false)); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages(duo)[0].Metadata; got == nil || got.EventType != "duo_created" {
		t.Errorf("after a text update: %+v", got)
	}
	md2 := slack.SlackMetadata{EventType: "duo_met", EventPayload: map[string]any{"duo_id": "42"}}
	if _, _, _, err := api.UpdateMessageContext(ctx, duo, ts, slack.MsgOptionMetadata(md2)); err != nil {
		t.Fatal(err)
	}
	if got := history(true); got.Metadata.EventType != "duo_met" || got.Text != "You are a duo!" {
		t.Errorf("after a metadata update: %+v / %q", got.Metadata, got.Text)
	}
	// "{}" removes it.
	if r := postForm(t, srv, "chat.update", url.Values{"channel": {duo}, "ts": {ts}, "metadata": {"{}"}}); r["ok"] != true {
		t.Fatalf("update with {}: %v", r)
	}
	if got := srv.Messages(duo)[0].Metadata; got != nil {
		t.Errorf("after {}: %+v", got)
	}
}

func TestInvalidMetadataIsRejected(t *testing.T) {
	srv, general, _ := workspace(t)
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	for _, raw := range []string{
		`not json`,
		`[]`,
		`null`,
		`"duo_created"`,
		`{"event_payload":{}}`,
		`{"event_type":"","event_payload":{}}`,
		`{"event_type":5,"event_payload":{}}`,
		`{"event_type":"duo_created"}`,
		`{"event_type":"duo_created","event_payload":null}`,
		`{"event_type":"duo_created","event_payload":"x"}`,
		`{"event_type":"duo_created","event_payload":[1]}`,
	} {
		r := postForm(t, srv, "chat.postMessage", url.Values{"channel": {general}, "text": {"x"}, "metadata": {raw}})
		if r["ok"] != false || r["error"] != "invalid_metadata_format" {
			t.Errorf("metadata %s: %v", raw, r)
		}
	}
	// What slack-go sends for a half-filled SlackMetadata is refused too.
	for _, md := range []slack.SlackMetadata{{EventType: "duo_created"}, {EventPayload: map[string]any{"a": "b"}}} {
		if _, _, err := api.PostMessageContext(ctx, general, slack.MsgOptionText("x", false), slack.MsgOptionMetadata(md)); slackErr(err) != "invalid_metadata_format" {
			t.Errorf("%+v: %v", md, err)
		}
	}
	if n := len(srv.Messages(general)); n != 0 {
		t.Errorf("%d messages posted with invalid metadata", n)
	}
	_, ts, err := api.PostMessageContext(ctx, general, slack.MsgOptionText("x", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, general, ts, slack.MsgOptionText("y", false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "x"})); slackErr(err) != "invalid_metadata_format" {
		t.Errorf("update: %v", err)
	}
	if m := srv.Messages(general)[0]; m.Text != "x" || m.Edited {
		t.Errorf("a refused update changed the message: %+v", m)
	}
}

func TestConversationsHistory(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	clk := clock.NewSettable(t0)
	srv, _, duo := workspace(t, func(o *slackfake.Options) { o.Now = clk.Now })
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	// m1..m5 one second apart, a thread reply to m2 and an ephemeral.
	ts := map[string]string{}
	for i := 1; i <= 5; i++ {
		clk.Advance(time.Second)
		name := "m" + strconv.Itoa(i)
		_, mts, err := api.PostMessageContext(ctx, duo, slack.MsgOptionText(name, false))
		if err != nil {
			t.Fatal(err)
		}
		ts[name] = mts
		if i == 2 {
			if _, _, err := api.PostMessageContext(ctx, duo, slack.MsgOptionText("reply", false), slack.MsgOptionTS(mts)); err != nil {
				t.Fatal(err)
			}
			if _, err := api.PostEphemeralContext(ctx, duo, alice, slack.MsgOptionText("ephemeral", false)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if ts["m1"] != "1790845201.000000" {
		t.Fatalf("m1 ts = %s", ts["m1"])
	}
	texts := func(ms []slack.Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Text)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		p       slack.GetConversationHistoryParameters
		want    []string
		hasMore bool
	}{
		{"all, newest first", slack.GetConversationHistoryParameters{}, []string{"m5", "m4", "m3", "m2", "m1"}, false},
		{"limit", slack.GetConversationHistoryParameters{Limit: 2}, []string{"m5", "m4"}, true},
		{"oldest", slack.GetConversationHistoryParameters{Oldest: ts["m2"]}, []string{"m5", "m4", "m3"}, false},
		{"oldest inclusive", slack.GetConversationHistoryParameters{Oldest: ts["m2"], Inclusive: true}, []string{"m5", "m4", "m3", "m2"}, false},
		{"latest", slack.GetConversationHistoryParameters{Latest: ts["m4"]}, []string{"m3", "m2", "m1"}, false},
		{"both inclusive", slack.GetConversationHistoryParameters{Oldest: ts["m2"], Latest: ts["m4"], Inclusive: true}, []string{"m4", "m3", "m2"}, false},
		{"both exclusive", slack.GetConversationHistoryParameters{Oldest: ts["m2"], Latest: ts["m4"]}, []string{"m3"}, false},
		{"whole seconds", slack.GetConversationHistoryParameters{Oldest: "1790845203", Latest: "1790845204.5"}, []string{"m4"}, false},
		{"limit with range", slack.GetConversationHistoryParameters{Oldest: ts["m1"], Limit: 3}, []string{"m5", "m4", "m3"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			p.ChannelID = duo
			h, err := api.GetConversationHistoryContext(ctx, &p)
			if err != nil {
				t.Fatal(err)
			}
			if got := texts(h.Messages); !slices.Equal(got, tc.want) || h.HasMore != tc.hasMore || (h.ResponseMetaData.NextCursor != "") != tc.hasMore {
				t.Errorf("got %v has_more %v cursor %q; want %v has_more %v", got, h.HasMore, h.ResponseMetaData.NextCursor, tc.want, tc.hasMore)
			}
		})
	}

	// The thread parent carries its thread's summary.
	h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: duo, Oldest: ts["m1"], Latest: ts["m3"]})
	if err != nil || len(h.Messages) != 1 {
		t.Fatalf("history = %+v, %v", h, err)
	}
	if p := h.Messages[0]; p.Text != "m2" || p.ReplyCount != 1 || p.ThreadTimestamp != ts["m2"] || !slices.Equal(p.ReplyUsers, []string{bot}) ||
		p.LatestReply == "" || p.BotID != "B07MNTRBOT" || p.User != bot || p.Timestamp != ts["m2"] {
		t.Errorf("parent = %+v", p)
	}

	// Pages follow next_cursor, and a message posted meanwhile does not
	// shift them.
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("too many pages")
		}
		h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: duo, Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, texts(h.Messages)...)
		if pages == 0 {
			clk.Advance(time.Second)
			if _, _, err := api.PostMessageContext(ctx, duo, slack.MsgOptionText("m6", false)); err != nil {
				t.Fatal(err)
			}
		}
		if cursor = h.ResponseMetaData.NextCursor; cursor == "" {
			break
		}
	}
	if want := []string{"m5", "m4", "m3", "m2", "m1"}; !slices.Equal(got, want) {
		t.Errorf("paged = %v, want %v", got, want)
	}
}

func TestConversationsHistoryErrors(t *testing.T) {
	srv, general, duo := workspace(t)
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	secret := slackfaketest.MustChannel(t, srv, slackfake.Channel{Name: "secret", Private: true, Members: []string{alice}})
	lobby := slackfaketest.MustChannel(t, srv, slackfake.Channel{Name: "lobby", Members: []string{alice}})
	im, _, err := api.PostMessageContext(ctx, alice, slack.MsgOptionText("hello", false))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		p    slack.GetConversationHistoryParameters
		code string
	}{
		{"unknown", slack.GetConversationHistoryParameters{ChannelID: "C0NOWHERE"}, "channel_not_found"},
		{"private, bot not in it", slack.GetConversationHistoryParameters{ChannelID: secret.ID}, "channel_not_found"},
		{"public, bot not in it", slack.GetConversationHistoryParameters{ChannelID: lobby.ID}, "not_in_channel"},
		{"the bot's IM", slack.GetConversationHistoryParameters{ChannelID: im}, ""},
		{"public member", slack.GetConversationHistoryParameters{ChannelID: general}, ""},
		{"bad oldest", slack.GetConversationHistoryParameters{ChannelID: duo, Oldest: "yesterday"}, "invalid_ts_oldest"},
		{"bad latest", slack.GetConversationHistoryParameters{ChannelID: duo, Latest: "1.2.3"}, "invalid_ts_latest"},
		{"bad cursor", slack.GetConversationHistoryParameters{ChannelID: duo, Cursor: "nope"}, "invalid_cursor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			if _, err := api.GetConversationHistoryContext(ctx, &p); slackErr(err) != tc.code {
				t.Errorf("err = %v, want %q", err, tc.code)
			}
		})
	}
}

// Joins are in the history (they are messages); ephemerals are not.
func TestConversationsHistoryHasJoins(t *testing.T) {
	srv, _, duo := workspace(t)
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	if _, err := api.InviteUsersToConversationContext(ctx, duo, carol); err != nil {
		t.Fatal(err)
	}
	if _, err := api.PostEphemeralContext(ctx, duo, carol, slack.MsgOptionText("psst", false)); err != nil {
		t.Fatal(err)
	}
	h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: duo})
	if err != nil || len(h.Messages) != 1 {
		t.Fatalf("history = %+v, %v", h, err)
	}
	if j := h.Messages[0]; j.SubType != "channel_join" || j.User != carol || j.Inviter != bot {
		t.Errorf("join = %+v", j)
	}
}

func TestConversationsHistoryLimitIsClamped(t *testing.T) {
	if testing.Short() {
		t.Skip("posts 1000 messages")
	}
	srv, general, _ := workspace(t, func(o *slackfake.Options) { o.EchoBotMessages = false })
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	for range 1000 {
		if _, _, err := api.PostMessageContext(ctx, general, slack.MsgOptionText("x", false)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ limit, want int }{{0, 100}, {1000, 999}, {5000, 999}, {999, 999}} {
		h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: general, Limit: tc.limit})
		if err != nil || len(h.Messages) != tc.want || !h.HasMore {
			t.Errorf("limit %d: %d messages (has_more %v), want %d: %v", tc.limit, len(h.Messages), h.HasMore, tc.want, err)
		}
	}
}
