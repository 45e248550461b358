package slackfake_test

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/slackfake"
	"github.com/mentorbot/mentorbot/internal/slackfake/slackfaketest"
)

// slackErr returns the Slack error code of err ("" if none).
func slackErr(err error) string {
	var e slack.SlackErrorResponse
	if errors.As(err, &e) {
		return e.Err
	}
	if err != nil {
		return "not a Slack error: " + err.Error()
	}
	return ""
}

func joinModal(title string) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		Title:      slack.NewTextBlockObject("plain_text", title, false, false),
		Submit:     slack.NewTextBlockObject("plain_text", "Join", false, false),
		Close:      slack.NewTextBlockObject("plain_text", "Cancel", false, false),
		CallbackID: "join_program",
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("goals", slack.NewTextBlockObject("plain_text", "Your goals", false, false), nil,
				slack.NewPlainTextInputBlockElement(nil, "goals_input")),
		}},
	}
}

func TestAuth(t *testing.T) {
	srv, general, _ := workspace(t)
	ctx := slackfaketest.Ctx(t)
	at, err := apiClient(srv).AuthTestContext(ctx)
	if err != nil || at.UserID != bot || at.BotID != "B07MNTRBOT" || at.TeamID != "T0ACME0001" {
		t.Errorf("auth.test = %+v, %v", at, err)
	}
	wrong := slack.New("xoxb-wrong", slack.OptionAPIURL(srv.APIURL()))
	if _, _, err := wrong.PostMessageContext(ctx, general, slack.MsgOptionText("x", false)); slackErr(err) != "invalid_auth" {
		t.Errorf("wrong token: %v", err)
	}
	if _, err := slack.New("", slack.OptionAPIURL(srv.APIURL())).AuthTestContext(ctx); slackErr(err) != "not_authed" {
		t.Errorf("no token: %v", err)
	}
	appOnly := slack.New("xapp-test-token", slack.OptionAPIURL(srv.APIURL()))
	if _, err := appOnly.AuthTestContext(ctx); slackErr(err) != "not_allowed_token_type" {
		t.Errorf("app token on auth.test: %v", err)
	}
	botAsApp := slack.New("xoxb-test-token", slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken("xoxb-test-token"))
	if _, _, err := botAsApp.StartSocketModeContext(ctx); slackErr(err) != "not_allowed_token_type" {
		t.Errorf("bot token on apps.connections.open: %v", err)
	}
	resp, err := http.Post(srv.APIURL()+"nope.never", "application/x-www-form-urlencoded", strings.NewReader("token=xoxb-test-token"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c := srv.Calls("nope.never"); len(c) != 1 || c[0].Error != "unknown_method" || c[0].Status != 200 {
		t.Errorf("unknown method call = %+v", c)
	}
	if c := srv.Calls("chat.postMessage"); len(c) != 1 || c[0].Token != slackfake.TokenInvalid || c[0].Param("channel") != general {
		t.Errorf("recorded = %+v", c)
	}
}

func TestFaultInjection(t *testing.T) {
	srv, general, _ := workspace(t)
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	srv.RateLimitNext("chat.postMessage", 1500*time.Millisecond)
	srv.FailNext("chat.postMessage", "fatal_error")
	_, _, err := api.PostMessageContext(ctx, general, slack.MsgOptionText("x", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Errorf("want RateLimitedError(2s), got %v", err)
	}
	if _, _, err := api.PostMessageContext(ctx, general, slack.MsgOptionText("x", false)); slackErr(err) != "fatal_error" {
		t.Errorf("FailNext: %v", err)
	}
	if _, _, err := api.PostMessageContext(ctx, general, slack.MsgOptionText("x", false)); err != nil {
		t.Errorf("third call: %v", err)
	}
	calls := srv.Calls("chat.postMessage")
	if len(calls) != 3 || calls[0].Status != 429 || calls[0].Error != "ratelimited" || !calls[2].OK {
		t.Errorf("calls = %+v", calls)
	}
	if len(srv.Messages(general)) != 1 {
		t.Errorf("failed calls posted messages")
	}
}

func TestChat(t *testing.T) {
	srv, general, duo := workspace(t)
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	secret := slackfaketest.MustChannel(t, srv, slackfake.Channel{Name: "secret", Private: true, Members: []string{alice}})
	lobby := slackfaketest.MustChannel(t, srv, slackfake.Channel{Name: "lobby", Members: []string{alice}})

	if _, _, err := api.PostMessageContext(ctx, lobby.ID, slack.MsgOptionText("x", false)); slackErr(err) != "not_in_channel" {
		t.Errorf("public, not a member: %v", err)
	}
	if _, _, err := api.PostMessageContext(ctx, secret.ID, slack.MsgOptionText("x", false)); slackErr(err) != "channel_not_found" {
		t.Errorf("private, not a member: %v", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C0NOWHERE", slack.MsgOptionText("x", false)); slackErr(err) != "channel_not_found" {
		t.Errorf("unknown: %v", err)
	}
	if _, _, err := api.PostMessageContext(ctx, general); slackErr(err) != "no_text" {
		t.Errorf("empty: %v", err)
	}

	// To a user ID: the bot's IM with them.
	ch, ts, err := api.PostMessageContext(ctx, alice, slack.MsgOptionText("Welcome!", false))
	if err != nil || !strings.HasPrefix(ch, "D") {
		t.Fatalf("DM: %s %s %v", ch, ts, err)
	}
	if dm := srv.DM(alice); len(dm) != 1 || dm[0].Text != "Welcome!" || dm[0].TS != ts || dm[0].BotID != "B07MNTRBOT" {
		t.Errorf("DM = %+v", dm)
	}
	if c, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{alice}}); err != nil || c.ID != ch {
		t.Errorf("conversations.open = %v, %v; want %s", c, err, ch)
	}

	// Blocks, update, delete.
	btn := slack.NewButtonBlockElement("duo_met", "duo:42", slack.NewTextBlockObject("plain_text", "We met", false, false))
	_, ts, err = api.PostMessageContext(ctx, duo, slack.MsgOptionText("You are a duo", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("", btn)))
	if err != nil {
		t.Fatal(err)
	}
	m := srv.Messages(duo)[0]
	if !strings.Contains(string(m.Blocks), `"block_id"`) || !strings.Contains(m.AllText(), "We met") {
		t.Errorf("stored blocks lack a generated block_id or text: %s", m.Blocks)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, duo, ts, slack.MsgOptionText("You are a duo!", false)); err != nil {
		t.Fatal(err)
	}
	if m := srv.Messages(duo)[0]; m.Text != "You are a duo!" || !m.Edited || len(m.Blocks) == 0 {
		t.Errorf("updated = %+v", m)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, duo, "1.000001", slack.MsgOptionText("x", false)); slackErr(err) != "message_not_found" {
		t.Errorf("update missing: %v", err)
	}
	if _, _, err := api.DeleteMessageContext(ctx, duo, ts); err != nil || len(srv.Messages(duo)) != 0 {
		t.Errorf("delete: %v, %d left", err, len(srv.Messages(duo)))
	}

	// Ephemerals need the person in the channel.
	if _, err := api.PostEphemeralContext(ctx, duo, carol, slack.MsgOptionText("psst", false)); slackErr(err) != "user_not_in_channel" {
		t.Errorf("ephemeral to non-member: %v", err)
	}
	ets, err := api.PostEphemeralContext(ctx, duo, bob, slack.MsgOptionText("psst", false))
	if err != nil {
		t.Fatal(err)
	}
	if e := srv.Ephemerals(bob); len(e) != 1 || e[0].TS != ets || e[0].Recipient != bob || e[0].Channel != duo {
		t.Errorf("ephemerals = %+v", e)
	}
	if _, err := api.PostEphemeralContext(ctx, ch, alice, slack.MsgOptionText("in DM", false)); err != nil {
		t.Errorf("ephemeral in DM: %v", err)
	}
}

func TestInvalidBlocksAreRejectedAndRecorded(t *testing.T) {
	srv, general, _ := workspace(t)
	srv.AllowViolations()
	long := strings.Repeat("x", 3001)
	_, _, err := apiClient(srv).PostMessageContext(slackfaketest.Ctx(t), general,
		slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", long, false, false), nil, nil)))
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "invalid_blocks" || len(se.ResponseMetadata.Messages) != 1 ||
		!strings.Contains(se.ResponseMetadata.Messages[0], "blocks[0].text.text: 3001 chars > 3000") {
		t.Fatalf("err = %#v", err)
	}
	v := srv.Violations()
	if len(v) != 1 || v[0].Method != "chat.postMessage" || v[0].Reason != "invalid_blocks" {
		t.Errorf("violations = %v", v)
	}
	if len(srv.Messages(general)) != 0 {
		t.Errorf("invalid message was posted")
	}
}

func TestConversations(t *testing.T) {
	srv, _, _ := workspace(t)
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	create := func(name string) (*slack.Channel, error) {
		return api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name, IsPrivate: true})
	}
	for name, code := range map[string]string{
		"":                        "invalid_name_required",
		"Duo-Alice":               "invalid_name_specials",
		"duo alice":               "invalid_name_specials",
		"duo.alice":               "invalid_name_specials",
		"é":                       "invalid_name_specials",
		strings.Repeat("a", 81):   "invalid_name_maxlength",
		"duo-alice-bob":           "name_taken",
		strings.Repeat("a", 80):   "",
		"duo_2025-q2-alice-carol": "",
	} {
		c, err := create(name)
		if got := slackErr(err); got != code {
			t.Errorf("create %q: error %q, want %q", name, got, code)
		}
		if code == "" && (c == nil || !c.IsPrivate || !c.IsMember || c.Creator != bot || c.Name != name || !strings.HasPrefix(c.ID, "C")) {
			t.Errorf("created = %+v", c)
		}
	}
	c, err := create("duo-alice-carol")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.InviteUsersToConversationContext(ctx, c.ID, alice, carol); err != nil {
		t.Fatal(err)
	}
	if got := srv.Members(c.ID); !slices.Equal(got, []string{bot, alice, carol}) {
		t.Errorf("members = %v", got)
	}
	// One bad user fails the whole call (Slack's "partially failed calls");
	// force invites the valid ones.
	if _, err := api.InviteUsersToConversationContext(ctx, c.ID, alice, bob); slackErr(err) != "already_in_channel" {
		t.Errorf("invite with a member: %v", err)
	}
	if slices.Contains(srv.Members(c.ID), bob) {
		t.Errorf("bob joined through a failed call")
	}
	if _, err := api.ForceInviteUsersToConversationContext(ctx, c.ID, alice, bob); err != nil {
		t.Errorf("forced invite: %v", err)
	}
	if _, err := api.InviteUsersToConversationContext(ctx, c.ID, "U0NOBODY"); slackErr(err) != "user_not_found" {
		t.Errorf("unknown user: %v", err)
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = alice
	}
	if _, err := api.InviteUsersToConversationContext(ctx, c.ID, many...); slackErr(err) != "too_many_users" {
		t.Errorf("101 users: %v", err)
	}
	lobby := slackfaketest.MustChannel(t, srv, slackfake.Channel{Name: "lobby", Members: []string{alice}})
	if _, err := api.InviteUsersToConversationContext(ctx, lobby.ID, bob); slackErr(err) != "not_in_channel" {
		t.Errorf("bot not in channel: %v", err)
	}

	// Pagination through slack-go.
	var all []string
	cursor := ""
	pages := 0
	for {
		page, next, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: c.ID, Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if pages != 2 || !slices.Equal(all, []string{bot, alice, carol, bob}) {
		t.Errorf("%d pages: %v", pages, all)
	}
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: c.ID, IncludeNumMembers: true})
	if err != nil || info.NumMembers != 4 || info.Name != "duo-alice-carol" {
		t.Errorf("info = %+v, %v", info, err)
	}

	// Archived names stay taken.
	if err := api.ArchiveConversationContext(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := create("duo-alice-carol"); slackErr(err) != "name_taken" {
		t.Errorf("archived name: %v", err)
	}
	if _, _, err := api.PostMessageContext(ctx, c.ID, slack.MsgOptionText("x", false)); slackErr(err) != "is_archived" {
		t.Errorf("post to archived: %v", err)
	}
}

func TestUsersInfo(t *testing.T) {
	srv, _, _ := workspace(t)
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	u, err := api.GetUserInfoContext(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if u.TZ != "Europe/Berlin" || u.TZOffset != 7200 || u.TZLabel != "Central European Summer Time" ||
		u.RealName != "Alice Example" || u.Profile.Email != "alice@example.com" || u.Name != "alice" {
		t.Errorf("user = %+v", u)
	}
	if _, err := api.GetUserInfoContext(ctx, "U0NOBODY"); slackErr(err) != "user_not_found" {
		t.Errorf("unknown: %v", err)
	}
	users, err := api.GetUsersContext(ctx, slack.GetUsersOptionLimit(2))
	if err != nil || len(users) != 4 {
		t.Errorf("users.list: %d users, %v", len(users), err)
	}
}

func TestFileUpload(t *testing.T) {
	srv, _, _ := workspace(t)
	committee := slackfaketest.MustChannel(t, srv, slackfake.Channel{Name: "committee", Private: true, Members: []string{alice, bot}})
	csv := "duo,mentor,mentee\n1,U02BOB0002,U01ALICE01\n"
	f, err := apiClient(srv).UploadFileContext(slackfaketest.Ctx(t), slack.UploadFileParameters{
		Filename: "duos.csv", Title: "Duos report", Content: csv, FileSize: len(csv),
		Channel: committee.ID, InitialComment: "Weekly report"})
	if err != nil {
		t.Fatal(err)
	}
	files := srv.Files()
	if len(files) != 1 || files[0].ID != f.ID || f.Title != "Duos report" || string(files[0].Content) != csv ||
		files[0].Channel != committee.ID || files[0].Name != "duos.csv" {
		t.Errorf("files = %+v (summary %+v)", files, f)
	}
	msgs := srv.Messages(committee.ID)
	if len(msgs) != 1 || msgs[0].Text != "Weekly report" || len(msgs[0].Files) != 1 || string(msgs[0].Files[0].Content) != csv {
		t.Errorf("messages = %+v", msgs)
	}
	if c := srv.Calls("files.getUploadURLExternal"); len(c) != 1 || c[0].Param("length") != strconv.Itoa(len(csv)) {
		t.Errorf("getUploadURLExternal calls = %+v", c)
	}
}

func TestViewsOpenPushUpdatePublish(t *testing.T) {
	clk := clock.NewSettable(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	srv, _, _ := workspace(t, func(o *slackfake.Options) { o.Now = clk.Now })
	api := apiClient(srv)
	ctx := slackfaketest.Ctx(t)
	trig := func() string {
		id, err := srv.NewTriggerID(alice)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}

	if _, err := api.OpenViewContext(ctx, "1.2.3", joinModal("Join")); slackErr(err) != "invalid_trigger_id" {
		t.Errorf("unknown trigger: %v", err)
	}
	old := trig()
	clk.Advance(3*time.Second + time.Millisecond)
	if _, err := api.OpenViewContext(ctx, old, joinModal("Join")); slackErr(err) != "expired_trigger_id" {
		t.Errorf("expired trigger: %v", err)
	}
	tr := trig()
	resp, err := api.OpenViewContext(ctx, tr, joinModal("Join mentorship"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.ID, "V") || resp.Hash == "" || resp.RootViewID != resp.ID || resp.State == nil ||
		resp.CallbackID != "join_program" || resp.Title.Text != "Join mentorship" || resp.AppID != "A07MNTRBOT" {
		t.Errorf("view = %+v", resp.View)
	}
	if _, err := api.OpenViewContext(ctx, tr, joinModal("Join")); slackErr(err) != "exchanged_trigger_id" {
		t.Errorf("reused trigger: %v", err)
	}
	if vs := srv.OpenViews(alice); len(vs) != 1 || vs[0].ID != resp.ID || vs[0].Title() != "Join mentorship" {
		t.Errorf("open views = %+v", vs)
	}

	// Update with the current hash, then with the stale one.
	up, err := api.UpdateViewContext(ctx, joinModal("Join (step 2)"), "", resp.Hash, resp.ID)
	if err != nil || up.ID != resp.ID || up.Hash == resp.Hash {
		t.Fatalf("update = %+v, %v", up, err)
	}
	if _, err := api.UpdateViewContext(ctx, joinModal("Join"), "", resp.Hash, resp.ID); slackErr(err) != "hash_conflict" {
		t.Errorf("stale hash: %v", err)
	}
	if _, err := api.UpdateViewContext(ctx, joinModal("Join"), "", "", "V0NOWHERE"); slackErr(err) != "not_found" {
		t.Errorf("unknown view: %v", err)
	}
	ext := joinModal("Ext")
	ext.ExternalID = "join-alice"
	if _, err := api.UpdateViewContext(ctx, ext, "", "", resp.ID); err != nil {
		t.Fatal(err)
	}
	if v, err := api.UpdateViewContext(ctx, joinModal("By external id"), "join-alice", "", ""); err != nil || v.ID != resp.ID {
		t.Errorf("update by external_id: %v %v", v, err)
	}

	// Push up to 3 views.
	for i := range 3 {
		pushed, err := api.PushViewContext(ctx, trig(), joinModal("Step"))
		switch {
		case i < 2 && (err != nil || pushed.PreviousViewID == "" || pushed.RootViewID != resp.ID):
			t.Errorf("push %d: %+v %v", i, pushed, err)
		case i == 2 && slackErr(err) != "push_limit_reached":
			t.Errorf("4th view: %v", err)
		}
	}
	if n := len(srv.OpenViews(alice)); n != 3 {
		t.Errorf("stack = %d", n)
	}

	// Home tab.
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}
	h1, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: bob, View: home})
	if err != nil {
		t.Fatal(err)
	}
	stale := h1.Hash
	h2, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: bob, View: home, Hash: &stale})
	if err != nil || h2.ID != h1.ID {
		t.Errorf("republish = %v %v", h2, err)
	}
	if _, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: bob, View: home, Hash: &stale}); slackErr(err) != "hash_conflict" {
		t.Errorf("stale publish: %v", err)
	}
	if hv, ok := srv.HomeView(bob); !ok || hv.ID != h1.ID || hv.Type != "home" {
		t.Errorf("home view = %+v", hv)
	}
}

func TestInvalidViewIsRejected(t *testing.T) {
	srv, _, _ := workspace(t)
	srv.AllowViolations()
	tr, _ := srv.NewTriggerID(alice)
	m := joinModal("A title much longer than twenty-four characters")
	m.Submit = nil
	_, err := apiClient(srv).OpenViewContext(slackfaketest.Ctx(t), tr, m)
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "invalid_arguments" || len(se.ResponseMetadata.Messages) != 2 {
		t.Fatalf("err = %#v", err)
	}
	v := srv.Violations()
	if len(v) != 1 || !strings.Contains(v[0].Detail, "title.text: 47 chars > 24") || !strings.Contains(v[0].Detail, "submit: required") {
		t.Errorf("violations = %v", v)
	}
	// The trigger was not spent on the failed call.
	if _, err := apiClient(srv).OpenViewContext(slackfaketest.Ctx(t), tr, joinModal("Join")); err != nil {
		t.Errorf("retry with the same trigger: %v", err)
	}
}
