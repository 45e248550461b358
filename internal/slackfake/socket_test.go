package slackfake_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/mentorbot/mentorbot/internal/slackfake"
	"github.com/mentorbot/mentorbot/internal/slackfake/slackfaketest"
)

func TestSlashCommandReachesRealSocketModeClient(t *testing.T) {
	srv, general, _ := workspace(t)
	var cmds capture[slack.SlashCommand]
	b := connected(t, srv, func(evt socketmode.Event, _ *slack.Client) (any, bool) {
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			t.Errorf("slash command arrived as %T", evt.Data)
			return nil, true
		}
		cmds.add(cmd)
		return map[string]any{"response_type": "ephemeral", "text": "You're in."}, true
	})
	ctx := slackfaketest.Ctx(t)

	ack, err := srv.SlashCommand(ctx, alice, general, "join now")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.seen(socketmode.EventTypeHello)) != 1 {
		t.Errorf("hello events = %d, want 1", len(b.seen(socketmode.EventTypeHello)))
	}
	cmd := cmds.last(t)
	want := slack.SlashCommand{TeamID: "T0ACME0001", TeamDomain: "acme", ChannelID: general, ChannelName: "general",
		UserID: alice, UserName: "alice", Command: "/mentorship", Text: "join now", APIAppID: "A07MNTRBOT"}
	got := cmd
	got.Token, got.ResponseURL, got.TriggerID = "", "", ""
	if got != want {
		t.Errorf("slash command = %+v\nwant %+v", got, want)
	}
	if !strings.HasPrefix(cmd.ResponseURL, srv.URL()+"/hooks/commands/") || cmd.TriggerID == "" || cmd.Token == "" {
		t.Errorf("response_url %q, trigger_id %q, token %q", cmd.ResponseURL, cmd.TriggerID, cmd.Token)
	}
	if !json.Valid(ack.Payload) || !strings.Contains(string(ack.Payload), "You're in.") || ack.Latency <= 0 {
		t.Errorf("ack = %s (latency %v)", ack.Payload, ack.Latency)
	}
	eph := srv.Ephemerals(alice)
	if len(eph) != 1 || eph[0].Text != "You're in." || eph[0].Source != "slash_ack" || eph[0].Channel != general {
		t.Errorf("ephemerals = %+v", eph)
	}

	// The response_url takes a later in_channel reply (slack-go's PostWebhook).
	err = slack.PostWebhookContext(ctx, cmd.ResponseURL, &slack.WebhookMessage{ResponseType: "in_channel", Text: "Alice joined"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.WaitForMessage(ctx, general, func(m slackfake.Message) bool { return m.Text == "Alice joined" }); err != nil {
		t.Fatal(err)
	}
	recs := srv.Envelopes()
	if len(recs) != 1 || recs[0].Type != "slash_commands" || !recs[0].Acked || len(recs[0].Deliveries) != 1 {
		t.Errorf("envelopes = %+v", recs)
	}
	if l := srv.AckLatencies(); len(l) != 1 || l[0] != ack.Latency {
		t.Errorf("latencies %v, ack latency %v", l, ack.Latency)
	}
}

func TestSlashAckWithInvalidBlocksIsAViolation(t *testing.T) {
	srv, general, _ := workspace(t)
	srv.AllowViolations()
	connected(t, srv, func(evt socketmode.Event, _ *slack.Client) (any, bool) {
		return json.RawMessage(`{"text":"x","blocks":[{"type":"header","text":{"type":"mrkdwn","text":"*no*"}}]}`), true
	})
	if _, err := srv.SlashCommand(slackfaketest.Ctx(t), alice, general, "help"); err != nil {
		t.Fatal(err)
	}
	v := srv.Violations()
	if len(v) != 1 || v[0].Method != "ack:slash_commands" || !strings.Contains(v[0].Detail, "blocks[0].text.type: must be plain_text") {
		t.Errorf("violations = %v", v)
	}
	if n := len(srv.Ephemerals(alice)); n != 0 {
		t.Errorf("an invalid reply was shown: %d ephemerals", n)
	}
}

func TestEventsDecodeWithSlackevents(t *testing.T) {
	srv, general, duo := workspace(t, func(o *slackfake.Options) {
		o.Events = append(o.Events, "message.channels")
	})
	var evs capture[slackevents.EventsAPIEvent]
	b := connected(t, srv, func(evt socketmode.Event, _ *slack.Client) (any, bool) {
		if e, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			evs.add(e)
		}
		return nil, true
	})
	ctx := slackfaketest.Ctx(t)
	api := b.api

	// A person's message in a private channel: channel_type "group".
	if _, err := srv.UserMessage(ctx, alice, duo, "Shall we meet Thursday?"); err != nil {
		t.Fatal(err)
	}
	msg, ok := evs.last(t).InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		t.Fatalf("inner event is %T", evs.last(t).InnerEvent.Data)
	}
	if msg.User != alice || msg.Channel != duo || msg.ChannelType != "group" || msg.Text != "Shall we meet Thursday?" ||
		msg.ClientMsgID == "" || msg.BotID != "" || msg.SubType != "" || msg.TimeStamp == "" {
		t.Errorf("message event = %+v", msg)
	}
	outer := evs.last(t)
	if cb, ok := outer.Data.(*slackevents.EventsAPICallbackEvent); !ok || !strings.HasPrefix(cb.EventID, "Ev") || cb.TeamID != "T0ACME0001" {
		t.Errorf("outer event = %#v", outer.Data)
	}
	if _, err := srv.UserMessage(ctx, bob, general, "hi all"); err != nil {
		t.Fatal(err)
	}
	if m := evs.last(t).InnerEvent.Data.(*slackevents.MessageEvent); m.ChannelType != "channel" {
		t.Errorf("public channel_type = %q", m.ChannelType)
	}

	// The bot's own post echoes back with bot_id; invites echo channel_join.
	n := len(evs.all())
	if _, _, err := api.PostMessageContext(ctx, duo, slack.MsgOptionText("Reminder", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := api.InviteUsersToConversationContext(ctx, duo, carol); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(ctx, func() bool { return len(evs.all()) >= n+2 }); err != nil {
		t.Fatal(err)
	}
	echo := evs.all()[n].InnerEvent.Data.(*slackevents.MessageEvent)
	join := evs.all()[n+1].InnerEvent.Data.(*slackevents.MessageEvent)
	if echo.BotID != "B07MNTRBOT" || echo.User != bot || echo.Text != "Reminder" {
		t.Errorf("echo = %+v", echo)
	}
	if join.SubType != "channel_join" || join.User != carol {
		t.Errorf("join = %+v", join)
	}

	// app_home_opened: no view until one was published.
	if _, err := srv.OpenHome(ctx, alice); err != nil {
		t.Fatal(err)
	}
	home := evs.last(t).InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if home.User != alice || home.Tab != "home" || home.View != nil || !strings.HasPrefix(home.Channel, "D") {
		t.Errorf("app_home_opened = %+v", home)
	}
	pub, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: alice, View: slack.HomeTabViewRequest{
		Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "Hi *Alice*", false, false), nil, nil)}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.OpenHome(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if home := evs.last(t).InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); home.View == nil || home.View.ID != pub.ID || home.View.Type != slack.VTHomeTab {
		t.Errorf("second app_home_opened view = %+v, published %s", home.View, pub.ID)
	}

	// member_left_channel uses the letter channel types.
	if _, err := srv.MemberLeft(ctx, bob, duo); err != nil {
		t.Fatal(err)
	}
	var left *slackevents.MemberLeftChannelEvent
	for _, e := range evs.all() {
		if l, ok := e.InnerEvent.Data.(*slackevents.MemberLeftChannelEvent); ok {
			left = l
		}
	}
	if left == nil || left.User != bob || left.Channel != duo || left.ChannelType != "G" {
		t.Errorf("member_left_channel = %+v", left)
	}
	if slices.Contains(srv.Members(duo), bob) {
		t.Errorf("bob still a member: %v", srv.Members(duo))
	}
	if ebm := b.seen(socketmode.EventTypeErrorBadMessage); len(ebm) > 0 {
		t.Errorf("slack-go could not decode %d frames: %+v", len(ebm), ebm[0].Data)
	}
}

func TestUnsubscribedEventsAreNotSent(t *testing.T) {
	srv, general, _ := workspace(t) // default: no message.channels, no message.im
	connected(t, srv, nil)
	ctx := slackfaketest.Ctx(t)
	_, err := srv.UserMessage(ctx, alice, general, "public hello")
	if !errors.Is(err, slackfake.ErrNotSubscribed) {
		t.Fatalf("err = %v, want ErrNotSubscribed", err)
	}
	if _, err := srv.UserDM(ctx, alice, "hello bot"); !errors.Is(err, slackfake.ErrNotSubscribed) {
		t.Fatalf("DM err = %v", err)
	}
	if len(srv.Messages(general)) != 1 || len(srv.DM(alice)) != 1 || len(srv.Envelopes()) != 0 {
		t.Errorf("messages %d/%d, envelopes %d", len(srv.Messages(general)), len(srv.DM(alice)), len(srv.Envelopes()))
	}
}

func TestRedeliveryKeepsEventID(t *testing.T) {
	srv, _, duo := workspace(t)
	var reqs capture[socketmode.Request]
	connected(t, srv, func(evt socketmode.Event, _ *slack.Client) (any, bool) {
		reqs.add(*evt.Request)
		return nil, true
	})
	ctx := slackfaketest.Ctx(t)
	ack, err := srv.UserMessage(ctx, alice, duo, "hello")
	if err != nil {
		t.Fatal(err)
	}
	again, err := srv.Redeliver(ctx, ack.EnvelopeID)
	if err != nil {
		t.Fatal(err)
	}
	rs := reqs.all()
	if len(rs) != 2 {
		t.Fatalf("bot saw %d requests", len(rs))
	}
	id := func(r socketmode.Request) string {
		var p struct {
			EventID string `json:"event_id"`
		}
		_ = json.Unmarshal(r.Payload, &p)
		return p.EventID
	}
	if id(rs[0]) == "" || id(rs[0]) != id(rs[1]) {
		t.Errorf("event ids %q, %q", id(rs[0]), id(rs[1]))
	}
	if rs[0].RetryAttempt != 0 || rs[1].RetryAttempt != 1 || rs[1].RetryReason != "timeout" || rs[0].EnvelopeID == rs[1].EnvelopeID {
		t.Errorf("deliveries = %+v / %+v", rs[0], rs[1])
	}
	if again.EnvelopeID != rs[1].EnvelopeID {
		t.Errorf("redelivery ack names %s", again.EnvelopeID)
	}
	rec := srv.Envelopes()[0]
	if len(rec.Deliveries) != 2 || !rec.Deliveries[1].Acked || rec.EventID != id(rs[0]) {
		t.Errorf("record = %+v", rec)
	}
}

func TestAutomaticRedeliveryOfUnackedEvent(t *testing.T) {
	srv, _, duo := workspace(t, func(o *slackfake.Options) { o.RedeliverAfter = 100 * time.Millisecond })
	var attempts capture[int]
	connected(t, srv, func(evt socketmode.Event, _ *slack.Client) (any, bool) {
		attempts.add(evt.Request.RetryAttempt)
		return nil, evt.Request.RetryAttempt > 0 // drop the first delivery on the floor
	})
	ack, err := srv.UserMessage(slackfaketest.Ctx(t), alice, duo, "hello")
	if err != nil {
		t.Fatal(err)
	}
	// A slow machine may see a third attempt; the first two are certain.
	if got := attempts.all(); len(got) < 2 || got[0] != 0 || got[1] != 1 {
		t.Errorf("attempts = %v", got)
	}
	rec := srv.Envelopes()[0]
	if rec.Deliveries[0].Acked || rec.AckEnvelopeID != ack.EnvelopeID || rec.AckEnvelopeID == rec.ID ||
		rec.Deliveries[1].RetryReason != "timeout" {
		t.Errorf("record = %+v", rec)
	}
}

func TestSendEventAndKick(t *testing.T) {
	srv, _, duo := workspace(t)
	var evs capture[slackevents.EventsAPIInnerEvent]
	b := connected(t, srv, func(evt socketmode.Event, _ *slack.Client) (any, bool) {
		if e, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			evs.add(e.InnerEvent)
		}
		return nil, true
	})
	ctx := slackfaketest.Ctx(t)
	_, err := srv.SendEvent(ctx, map[string]any{"type": "app_mention", "user": alice, "channel": duo,
		"text": "<@U07MNTRBOT> help", "ts": "1.000001", "event_ts": "1.000001"})
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := evs.last(t).Data.(*slackevents.AppMentionEvent); !ok || m.User != alice || m.Text != "<@U07MNTRBOT> help" {
		t.Errorf("app_mention = %#v", evs.last(t).Data)
	}
	if err := b.api.KickUserFromConversationContext(ctx, duo, bob); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(ctx, func() bool {
		for _, e := range evs.all() {
			if l, ok := e.Data.(*slackevents.MemberLeftChannelEvent); ok && l.User == bob {
				return true
			}
		}
		return false
	}); err != nil {
		t.Errorf("no member_left_channel after kick: %v", err)
	}
	if slices.Contains(srv.Members(duo), bob) {
		t.Errorf("bob still a member")
	}
}

func TestRoundRobinOverTwoConnections(t *testing.T) {
	srv, _, duo := workspace(t)
	var first, second capture[string]
	startBot(t, srv, func(evt socketmode.Event, _ *slack.Client) (any, bool) {
		first.add(evt.Request.EnvelopeID)
		return nil, true
	})
	startBot(t, srv, func(evt socketmode.Event, _ *slack.Client) (any, bool) {
		second.add(evt.Request.EnvelopeID)
		return nil, true
	})
	ctx := slackfaketest.Ctx(t)
	if err := srv.WaitConnected(ctx, 2); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if _, err := srv.UserMessage(ctx, alice, duo, "msg "+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if len(first.all()) != 2 || len(second.all()) != 2 {
		t.Errorf("bot 1 got %d, bot 2 got %d; want 2 each", len(first.all()), len(second.all()))
	}
	conns := map[int]int{}
	for _, e := range srv.Envelopes() {
		conns[e.Deliveries[0].Connection]++
	}
	if len(conns) != 2 {
		t.Errorf("deliveries per connection = %v", conns)
	}
}

func TestDisconnectMakesClientReconnectWithFreshTicket(t *testing.T) {
	srv, general, _ := workspace(t)
	connected(t, srv, nil)
	ctx := slackfaketest.Ctx(t)
	firstURL := struct {
		URL string `json:"url"`
	}{}
	_ = json.Unmarshal(srv.Calls("apps.connections.open")[0].Response, &firstURL)

	srv.Disconnect("refresh_requested")
	err := srv.Wait(ctx, func() bool { return srv.CallCount("apps.connections.open") == 2 && srv.Connections() == 1 })
	if err != nil {
		t.Fatalf("no reconnect: %v (calls %d, conns %d)", err, srv.CallCount("apps.connections.open"), srv.Connections())
	}
	calls := srv.Calls("apps.connections.open")
	if calls[0].Token != slackfake.TokenApp || string(calls[0].Response) == string(calls[1].Response) {
		t.Errorf("connections.open calls = %+v", calls)
	}
	if _, err := srv.SlashCommand(ctx, alice, general, "help"); err != nil {
		t.Fatalf("after reconnect: %v", err)
	}

	// The first ticket was used: dialing it again is refused.
	_, resp, err := websocket.DefaultDialer.DialContext(ctx, firstURL.URL, http.Header{"Origin": {"https://api.slack.com"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("reused ticket: err %v, resp %v", err, resp)
	}
}

// rawConn opens a Socket Mode connection by hand (no slack-go client), to
// watch frames the client library hides.
func rawConn(t *testing.T, srv *slackfake.Server, onPing func()) *websocket.Conn {
	t.Helper()
	ctx := slackfaketest.Ctx(t)
	_, url, err := apiClient(srv).StartSocketModeContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := websocket.DefaultDialer.DialContext(ctx, url, http.Header{"Origin": {"https://api.slack.com"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if onPing != nil {
		c.SetPingHandler(func(string) error { onPing(); return nil })
	}
	return c
}

func readFrame(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m map[string]any
	if err := c.ReadJSON(&m); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	return m
}

func TestHelloAndPings(t *testing.T) {
	srv := slackfaketest.New(t, func(o *slackfake.Options) { o.PingInterval = 10 * time.Millisecond })
	pings := make(chan struct{}, 10)
	c := rawConn(t, srv, func() {
		select {
		case pings <- struct{}{}:
		default:
		}
	})
	hello := readFrame(t, c)
	if hello["type"] != "hello" || hello["num_connections"] != float64(1) {
		t.Errorf("hello = %v", hello)
	}
	go func() {
		for { // reading runs the ping handler
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}()
	ctx := slackfaketest.Ctx(t)
	for range 2 {
		select {
		case <-pings:
		case <-ctx.Done():
			t.Fatal("no ping frames")
		}
	}
}

func TestDroppedConnectionRedeliversUnackedEvents(t *testing.T) {
	srv, _, duo := workspace(t)
	c1 := rawConn(t, srv, nil)
	readFrame(t, c1) // hello
	ctx := slackfaketest.Ctx(t)
	done := make(chan error, 1)
	go func() { _, err := srv.UserMessage(ctx, alice, duo, "are you there?"); done <- err }()
	first := readFrame(t, c1) // read, never acked
	srv.DropConnections()

	c2 := rawConn(t, srv, nil)
	readFrame(t, c2) // hello
	retry := readFrame(t, c2)
	ev := func(m map[string]any) string { return m["payload"].(map[string]any)["event_id"].(string) }
	if ev(first) != ev(retry) || retry["retry_attempt"] != float64(1) || retry["envelope_id"] == first["envelope_id"] {
		t.Errorf("first %v\nretry %v", first, retry)
	}
	if err := c2.WriteJSON(map[string]any{"envelope_id": retry["envelope_id"]}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestAckDeadline(t *testing.T) {
	srv, general, _ := workspace(t, func(o *slackfake.Options) { o.AckDeadline = time.Nanosecond })
	connected(t, srv, func(socketmode.Event, *slack.Client) (any, bool) {
		return map[string]any{"text": "too late"}, true
	})
	ack, err := srv.SlashCommand(slackfaketest.Ctx(t), alice, general, "help")
	if !errors.Is(err, slackfake.ErrLateAck) || ack == nil {
		t.Fatalf("ack %v, err %v", ack, err)
	}
	if len(srv.Ephemerals(alice)) != 0 {
		t.Errorf("a late ack's payload was shown")
	}
}

func TestSlashAckWithSlackMsgInChannel(t *testing.T) {
	srv, general, _ := workspace(t)
	connected(t, srv, func(socketmode.Event, *slack.Client) (any, bool) {
		// slack.Msg also sends "blocks": null, replace_original, metadata.
		return slack.Msg{ResponseType: slack.ResponseTypeInChannel, Text: "Matching happens Monday."}, true
	})
	if _, err := srv.SlashCommand(slackfaketest.Ctx(t), alice, general, "status"); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages(general)
	if len(msgs) != 1 || msgs[0].Text != "Matching happens Monday." || msgs[0].Source != "slash_ack" || msgs[0].BotID == "" {
		t.Errorf("messages = %+v", msgs)
	}
	if len(srv.Ephemerals(alice)) != 0 {
		t.Errorf("in_channel reply shown as ephemeral")
	}
}
