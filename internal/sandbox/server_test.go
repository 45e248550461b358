package sandbox

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/slackfake"
	"github.com/mentorbot/mentorbot/internal/slackfake/slackfaketest"
)

// The page's handlers are tested against slackfake and a stand-in bot on
// slack-go's real Socket Mode client, which records what reached it and answers
// as each test says. The real bot walks through the page in cmd/mentorbot's
// browser test.

type standIn struct {
	api *slack.Client
	mu  sync.Mutex
	got []socketmode.Request
	// answer returns the ack payload of a request (nil: a plain ack).
	answer func(socketmode.Request, *slack.Client) any
}

func (b *standIn) requests() []socketmode.Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]socketmode.Request(nil), b.got...)
}

type fixture struct {
	srv   *slackfake.Server
	clk   *clock.Shifted
	page  *httptest.Server
	cast  []Person
	ws    Workspace
	bot   *standIn
	moved []time.Time
	mu    sync.Mutex
}

func (f *fixture) person(role string) Person {
	for _, p := range f.cast {
		if p.Role == role {
			return p
		}
	}
	panic("no " + role)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{clk: clock.NewShifted(0), bot: &standIn{}}
	f.srv = slackfaketest.New(t, func(o *slackfake.Options) { o.Now = f.clk.Now })
	cast, err := LoadCast("", nil, f.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	f.cast = cast
	if f.ws, err = Populate(f.srv, cast, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	page, err := New(Config{Slack: f.srv, Clock: f.clk, Cast: cast, Workspace: f.ws, ActTimeout: 5 * time.Second,
		ClockMoved: func(now time.Time) { f.mu.Lock(); f.moved = append(f.moved, now); f.mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	f.page = httptest.NewServer(page.Handler())
	t.Cleanup(f.page.Close)

	opts := f.srv.Options()
	f.bot.api = slack.New(opts.BotToken, slack.OptionAPIURL(f.srv.APIURL()), slack.OptionAppLevelToken(opts.AppToken))
	smc := socketmode.New(f.bot.api)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = smc.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-smc.Events:
				if evt.Request == nil || evt.Type == socketmode.EventTypeHello {
					continue
				}
				f.bot.mu.Lock()
				f.bot.got = append(f.bot.got, *evt.Request)
				answer := f.bot.answer
				f.bot.mu.Unlock()
				var payload any
				if answer != nil {
					payload = answer(*evt.Request, f.bot.api)
				}
				_ = smc.Ack(*evt.Request, payload)
			}
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	if err := f.srv.WaitConnected(slackfaketest.Ctx(t), 1); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(f.page.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// act posts an act as person and decodes the answer.
func (f *fixture) act(t *testing.T, path string, as Person, form url.Values) actResult {
	t.Helper()
	form.Set("as", as.ID)
	resp, err := http.PostForm(f.page.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r actResult
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("%s: answer is not JSON: %v", path, err)
	}
	return r
}

func TestPageShowsTheCastAndOnlyTheChannelsOfThePerson(t *testing.T) {
	f := newFixture(t)
	resp, body := f.get(t, "/")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("Content-Security-Policy = %q, want scripts and images from the sandbox only", csp)
	}
	if len(f.cast) < 12 {
		t.Errorf("cast of %d, want a committee of two and about a dozen mentors and mentees", len(f.cast))
	}
	for _, p := range f.cast {
		if !strings.Contains(body, p.Name) {
			t.Errorf("the chooser does not offer %s", p.Name)
		}
	}
	committee, mentee := f.person("committee"), f.person("mentee")
	_, page := f.get(t, "/?as="+committee.ID)
	if !strings.Contains(page, "#mentorship-committee") || !strings.Contains(page, "#general") {
		t.Errorf("a committee member's sidebar lacks #general or the committee channel")
	}
	_, page = f.get(t, "/?as="+mentee.ID+"&c="+f.ws.Committee)
	if strings.Contains(page, "#mentorship-committee") {
		t.Errorf("a mentee sees the private committee channel")
	}
	if !strings.Contains(page, `data-channel="`+f.ws.General+`"`) {
		t.Errorf("a mentee asking for the committee channel is not shown #general instead")
	}
	if c, _ := f.srv.Channel(f.ws.Committee); !c.IsMember(f.srv.Options().BotUserID) {
		t.Errorf("the bot is not in the committee channel: it could not read its members or post there")
	}
}

func TestComposerRunsTheCommandOrPostsAMessage(t *testing.T) {
	f := newFixture(t)
	committee := f.person("committee")
	if r := f.act(t, "/act/send", committee, url.Values{"c": {f.ws.Committee}, "text": {"/mentorship match now"}}); !r.OK {
		t.Fatalf("send command: %+v", r)
	}
	reqs := f.bot.requests()
	if len(reqs) != 1 || reqs[0].Type != "slash_commands" {
		t.Fatalf("the bot got %d requests, want one slash command: %+v", len(reqs), reqs)
	}
	var cmd slack.SlashCommand
	_ = json.Unmarshal(reqs[0].Payload, &cmd)
	if cmd.Command != "/mentorship" || cmd.Text != "match now" || cmd.ChannelID != f.ws.Committee || cmd.UserID != committee.ID {
		t.Errorf("slash command = %+v, want /mentorship \"match now\" by %s in the committee channel", cmd, committee.ID)
	}

	// A plain message in a private channel is a message event the bot reads.
	if r := f.act(t, "/act/send", committee, url.Values{"c": {f.ws.Committee}, "text": {"<b>hello</b> all"}}); !r.OK {
		t.Fatalf("send message: %+v", r)
	}
	reqs = f.bot.requests()
	if len(reqs) != 2 || reqs[1].Type != "events_api" || !strings.Contains(string(reqs[1].Payload), `"text":"\u003cb\u003ehello\u003c/b\u003e all"`) {
		t.Fatalf("the bot did not get the message event: %+v", reqs)
	}
	// The page shows it as typed, markup and all, never as markup.
	_, page := f.get(t, "/?as="+committee.ID+"&c="+f.ws.Committee)
	if !strings.Contains(page, "&lt;b&gt;hello&lt;/b&gt; all") || strings.Contains(page, "<b>hello</b>") {
		t.Errorf("the message is not shown escaped")
	}
	// In #general (the app does not subscribe to public channels) the message is
	// posted and no event goes out, as in Slack.
	if r := f.act(t, "/act/send", committee, url.Values{"c": {f.ws.General}, "text": {"hi"}}); !r.OK {
		t.Fatalf("send in general: %+v", r)
	}
	if n := len(f.bot.requests()); n != 2 {
		t.Errorf("%d requests after a message in #general, want still 2", n)
	}
	if r := f.act(t, "/act/send", committee, url.Values{"c": {f.ws.General}, "text": {"/giphy cats"}}); r.Error == "" {
		t.Errorf("another slash command was taken: %+v", r)
	}
	before := len(f.bot.requests())
	if r := f.act(t, "/act/send", f.person("mentee"), url.Values{"c": {f.ws.Committee}, "text": {"/mentorship match"}}); r.Error == "" {
		t.Errorf("a mentee ran a command in the committee channel she is not in: %+v", r)
	}
	if n := len(f.bot.requests()); n != before {
		t.Errorf("the bot heard from a channel the person is not in")
	}
}

// openModal makes the stand-in open view for person when they run any command.
func (f *fixture) openModal(t *testing.T, person Person, view string) slackfake.View {
	t.Helper()
	f.bot.mu.Lock()
	f.bot.answer = func(req socketmode.Request, api *slack.Client) any {
		if req.Type == "slash_commands" {
			var cmd slack.SlashCommand
			_ = json.Unmarshal(req.Payload, &cmd)
			var mv slack.ModalViewRequest
			if err := json.Unmarshal([]byte(view), &mv); err != nil {
				t.Errorf("view: %v", err)
			}
			if _, err := api.OpenView(cmd.TriggerID, mv); err != nil {
				t.Errorf("views.open: %v", err)
			}
		}
		return nil
	}
	f.bot.mu.Unlock()
	f.act(t, "/act/send", person, url.Values{"c": {f.ws.General}, "text": {"/mentorship join"}})
	v, err := f.srv.WaitForView(slackfaketest.Ctx(t), person.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const joinView = `{"type":"modal","callback_id":"join","title":{"type":"plain_text","text":"Join"},
 "submit":{"type":"plain_text","text":"Sign up"},"blocks":[
 {"type":"input","block_id":"needs","label":{"type":"plain_text","text":"Needs"},"element":{"type":"plain_text_input","action_id":"needs","multiline":true}},
 {"type":"input","block_id":"cv","optional":true,"label":{"type":"plain_text","text":"CV"},"element":{"type":"plain_text_input","action_id":"cv","initial_value":"https://old.example"}},
 {"type":"input","block_id":"areas","optional":true,"label":{"type":"plain_text","text":"Areas"},"element":{"type":"checkboxes","action_id":"areas",
  "options":[{"text":{"type":"plain_text","text":"A"},"value":"a"},{"text":{"type":"plain_text","text":"B"},"value":"b"}],
  "initial_options":[{"text":{"type":"plain_text","text":"A"},"value":"a"}]}},
 {"type":"input","block_id":"stage","label":{"type":"plain_text","text":"Stage"},"element":{"type":"static_select","action_id":"stage",
  "options":[{"text":{"type":"plain_text","text":"New"},"value":"new"}]}},
 {"type":"input","block_id":"from","label":{"type":"plain_text","text":"From"},"element":{"type":"datepicker","action_id":"from"}}]}`

func TestSubmitSendsTheFormAndShowsErrorsUnderTheirInputs(t *testing.T) {
	f := newFixture(t)
	mentee := f.person("mentee")
	v := f.openModal(t, mentee, joinView)
	submits := func() int {
		n := 0
		for _, r := range f.bot.requests() {
			if strings.Contains(string(r.Payload), `"type":"view_submission"`) {
				n++
			}
		}
		return n
	}

	// Required inputs left empty are refused before anything reaches the bot,
	// as Slack's client does.
	r := f.act(t, "/act/submit", mentee, url.Values{"view": {v.ID}, "b.needs.needs": {"  "}, "b.stage.stage": {""}})
	if r.Errors["needs"] == "" || r.Errors["stage"] == "" || r.Errors["from"] == "" || r.Errors["cv"] != "" {
		t.Errorf("errors = %v, want needs, stage and from (required, empty), not cv (optional)", r.Errors)
	}
	if n := submits(); n != 0 {
		t.Fatalf("%d submissions reached the bot with required inputs empty", n)
	}

	// The bot's own errors come back for the page to show inline.
	f.bot.mu.Lock()
	f.bot.answer = func(req socketmode.Request, _ *slack.Client) any {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"cv": "Give a web link."})
	}
	f.bot.mu.Unlock()
	r = f.act(t, "/act/submit", mentee, url.Values{"view": {v.ID}, "b.needs.needs": {"Grant writing"}, "b.cv.cv": {""},
		"b.stage.stage": {"new"}, "b.from.from": {"2026-10-01"}})
	if r.Errors["cv"] != "Give a web link." || len(r.Errors) != 1 {
		t.Fatalf("answer = %+v, want the bot's error under cv", r)
	}
	var cb slack.InteractionCallback
	reqs := f.bot.requests()
	_ = json.Unmarshal(reqs[len(reqs)-1].Payload, &cb)
	vals := cb.View.State.Values
	if got := vals["needs"]["needs"].Value; got != "Grant writing" {
		t.Errorf("needs = %q", got)
	}
	if got := vals["cv"]["cv"].Value; got != "" {
		t.Errorf("cv = %q, want the emptied field sent empty, not its initial value", got)
	}
	if got := vals["areas"]["areas"].SelectedOptions; len(got) != 0 {
		t.Errorf("areas = %v, want the unticked boxes sent empty, not their initial option", got)
	}
	if got := vals["stage"]["stage"].SelectedOption.Value; got != "new" {
		t.Errorf("stage = %q", got)
	}
	if got := vals["from"]["from"].SelectedDate; got != "2026-10-01" {
		t.Errorf("from = %q", got)
	}
	if top, ok := f.srv.TopView(mentee.ID); !ok || top.ID != v.ID {
		t.Errorf("the modal closed on errors")
	}

	// Accepted: the modal closes.
	f.bot.mu.Lock()
	f.bot.answer = nil
	f.bot.mu.Unlock()
	r = f.act(t, "/act/submit", mentee, url.Values{"view": {v.ID}, "b.needs.needs": {"Grant writing"}, "b.cv.cv": {"https://example.org"},
		"b.stage.stage": {"new"}, "b.from.from": {"2026-10-01"}, "b.areas.areas": {"a", "b"}})
	if !r.OK {
		t.Fatalf("submit: %+v", r)
	}
	if _, ok := f.srv.TopView(mentee.ID); ok {
		t.Errorf("the modal is still open after an empty ack")
	}
}

func TestClicksAndChoicesSendBlockActions(t *testing.T) {
	f := newFixture(t)
	committee := f.person("committee")
	_, ts, err := f.bot.api.PostMessage(f.ws.Committee, slack.MsgOptionBlocks(
		slack.NewActionBlock("acts",
			slack.NewButtonBlockElement("approve", "pair-7", slack.NewTextBlockObject("plain_text", "Approve", false, false)),
			slack.NewOptionsSelectBlockElement("static_select", nil, "mentor",
				slack.NewOptionBlockObject("m1", slack.NewTextBlockObject("plain_text", "Wei", false, false), nil),
				slack.NewOptionBlockObject("m2", slack.NewTextBlockObject("plain_text", "Grace", false, false), nil)))))
	if err != nil {
		t.Fatal(err)
	}
	at := url.Values{"where": {"message"}, "channel": {f.ws.Committee}, "ts": {ts}, "block": {"acts"}}
	with := func(extra url.Values) url.Values {
		v := url.Values{}
		for k, x := range at {
			v[k] = x
		}
		for k, x := range extra {
			v[k] = x
		}
		return v
	}
	if r := f.act(t, "/act/click", committee, with(url.Values{"action": {"approve"}})); !r.OK {
		t.Fatalf("click: %+v", r)
	}
	if r := f.act(t, "/act/change", committee, with(url.Values{"action": {"mentor"}, "value": {"m2"}})); !r.OK {
		t.Fatalf("choose: %+v", r)
	}
	var reqs []socketmode.Request
	for _, r := range f.bot.requests() {
		if r.Type == "interactive" {
			reqs = append(reqs, r)
		}
	}
	if len(reqs) != 2 {
		t.Fatalf("%d interactions, want a click and a choice", len(reqs))
	}
	var click, choice slack.InteractionCallback
	_ = json.Unmarshal(reqs[0].Payload, &click)
	_ = json.Unmarshal(reqs[1].Payload, &choice)
	if a := click.ActionCallback.BlockActions; len(a) != 1 || a[0].ActionID != "approve" || a[0].Value != "pair-7" || click.User.ID != committee.ID {
		t.Errorf("click = %+v by %s", a, click.User.ID)
	}
	if a := choice.ActionCallback.BlockActions; len(a) != 1 || a[0].ActionID != "mentor" || a[0].SelectedOption.Value != "m2" {
		t.Errorf("choice = %+v", a)
	}
	if r := f.act(t, "/act/change", committee, with(url.Values{"action": {"mentor"}, "value": {"m9"}})); r.Error == "" {
		t.Errorf("a value that is no option was sent: %+v", r)
	}
	mentee := f.person("mentee")
	if r := f.act(t, "/act/click", mentee, with(url.Values{"action": {"approve"}})); r.Error == "" {
		t.Errorf("a mentee clicked in the committee channel she cannot see: %+v", r)
	}
}

func TestClockMovesForwardOnly(t *testing.T) {
	f := newFixture(t)
	p := f.person("mentor")
	start := f.clk.Now()
	if r := f.act(t, "/act/clock", p, url.Values{"move": {"week"}}); !r.OK {
		t.Fatalf("+1 week: %+v", r)
	}
	if d := f.clk.Now().Sub(start); d < 7*24*time.Hour || d > 7*24*time.Hour+time.Minute {
		t.Errorf("+1 week moved the clock by %v", d)
	}
	if r := f.act(t, "/act/clock", p, url.Values{"move": {"day"}}); !r.OK {
		t.Fatalf("+1 day: %+v", r)
	}
	before := f.clk.Now()
	if r := f.act(t, "/act/clock", p, url.Values{"move": {"hour"}}); !r.OK {
		t.Fatalf("+1 hour: %+v", r)
	}
	if d := f.clk.Now().Sub(before); d < time.Hour || d > time.Hour+time.Minute {
		t.Errorf("+1 hour moved the clock by %v", d)
	}
	target := start.UTC().AddDate(0, 2, 0)
	if r := f.act(t, "/act/clock", p, url.Values{"move": {"date"}, "date": {target.Format("2006-01-02")}}); !r.OK {
		t.Fatalf("go to date: %+v", r)
	}
	if got := f.clk.Now().UTC(); got.Format("2006-01-02") != target.Format("2006-01-02") {
		t.Errorf("after go to %s the clock reads %s", target.Format("2006-01-02"), got)
	}
	f.mu.Lock()
	moved := len(f.moved)
	f.mu.Unlock()
	if moved != 4 {
		t.Errorf("ClockMoved called %d times, want 4 (once a move)", moved)
	}
	if r := f.act(t, "/act/clock", p, url.Values{"move": {"date"}, "date": {start.Format("2006-01-02")}}); r.Error == "" {
		t.Errorf("the clock went back: %+v", r)
	}
	_, page := f.get(t, "/?as="+p.ID)
	if !strings.Contains(page, f.clk.Now().UTC().Format("Mon 2 Jan 2006")) {
		t.Errorf("the page does not show the moved clock")
	}
}

func TestActsFromOtherSitesAreRefused(t *testing.T) {
	f := newFixture(t)
	req, _ := http.NewRequest(http.MethodPost, f.page.URL+"/act/clock", strings.NewReader(url.Values{"as": {f.cast[0].ID}, "move": {"week"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	start := f.clk.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status %d, want 403", resp.StatusCode)
	}
	if f.clk.Now().Sub(start) > time.Hour {
		t.Errorf("the clock moved on another site's say-so")
	}
	if r := f.act(t, "/act/send", Person{ID: "U0NOBODY"}, url.Values{"text": {"hi"}}); r.Error == "" {
		t.Errorf("someone outside the cast acted")
	}
}

func TestFragmentsFollowTheWorkspace(t *testing.T) {
	f := newFixture(t)
	mentee := f.person("mentee")
	dm, _ := f.srv.DMChannel(mentee.ID)
	if _, _, err := f.bot.api.PostMessage(mentee.ID, slack.MsgOptionText("Your first step: *say hello*", false)); err != nil {
		t.Fatal(err)
	}
	resp, body := f.get(t, "/frag?as="+mentee.ID+"&c="+dm)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var fr Fragments
	if err := json.Unmarshal([]byte(body), &fr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(fr.Main), "Your first step: <b>say hello</b>") {
		t.Errorf("the DM does not show the bot's message:\n%s", fr.Main)
	}
	if fr.Modal != "" || fr.ModalKey != "" {
		t.Errorf("a modal shows while none is open")
	}
	v := f.openModal(t, mentee, joinView)
	_, body = f.get(t, "/frag?as="+mentee.ID+"&c="+dm)
	_ = json.Unmarshal([]byte(body), &fr)
	if fr.ModalKey != v.ID+"/"+v.Hash || !strings.Contains(string(fr.Modal), "Sign up") {
		t.Errorf("modal key %q, want %s/%s, and the modal with its submit button", fr.ModalKey, v.ID, v.Hash)
	}
}

func TestFilesShowToTheirChannelOnly(t *testing.T) {
	f := newFixture(t)
	csv := "mentee,mentor\nAmy Chen,Wei Zhang\n"
	if _, err := f.bot.api.UploadFile(slack.UploadFileParameters{Channel: f.ws.Committee, Filename: "duos.csv",
		Title: "Duos", Content: csv, FileSize: len(csv)}); err != nil {
		t.Fatal(err)
	}
	committee, mentee := f.person("committee"), f.person("mentee")
	var fr Fragments
	_, body := f.get(t, "/frag?as="+committee.ID+"&c="+f.ws.Committee)
	_ = json.Unmarshal([]byte(body), &fr)
	var id string
	for _, file := range f.srv.Files() {
		id = file.ID
	}
	link := "/file?as=" + committee.ID + "&amp;id=" + id
	if !strings.Contains(string(fr.Main), link) || !strings.Contains(string(fr.Main), "Duos") {
		t.Fatalf("the committee channel shows no link %s to the file:\n%s", link, fr.Main)
	}
	resp, got := f.get(t, "/file?as="+committee.ID+"&id="+id)
	if resp.StatusCode != http.StatusOK || got != csv || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %q %q, want the CSV as an attachment", resp.StatusCode, got, resp.Header.Get("Content-Disposition"))
	}
	if resp, _ := f.get(t, "/file?as="+mentee.ID+"&id="+id); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a mentee got the committee's file: status %d", resp.StatusCode)
	}
}
