package slackfake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/mentorbot/mentorbot/internal/slackfake"
	"github.com/mentorbot/mentorbot/internal/slackfake/slackfaketest"
)

func txt(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject("plain_text", s, false, false)
}

func opt(value, text string) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(value, txt(text), nil)
}

// signupModal is a modal with one input of each common kind.
func signupModal() slack.ModalViewRequest {
	track := slack.NewOptionsSelectBlockElement("static_select", txt("Pick one"), "track_select",
		opt("backend", "Backend"), opt("frontend", "Frontend"))
	skills := slack.NewCheckboxGroupsBlockElement("skills_check", opt("go", "Go"), opt("sql", "SQL"))
	start := slack.NewDatePickerBlockElement("start_date")
	start.InitialDate = "2026-10-01"
	mentor := slack.NewOptionsSelectBlockElement("users_select", txt("Anyone"), "mentor_pick")
	mentorBlock := slack.NewInputBlock("mentor", txt("Mentor"), nil, mentor)
	mentorBlock.Optional = true
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: txt("Join mentorship"), Submit: txt("Join"), Close: txt("Cancel"),
		CallbackID: "join_program", PrivateMetadata: `{"cycle":"2026"}`,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("goals", txt("Your goals"), nil, slack.NewPlainTextInputBlockElement(nil, "goals_input")),
			slack.NewInputBlock("track", txt("Track"), nil, track),
			slack.NewInputBlock("skills", txt("Skills"), nil, skills),
			slack.NewInputBlock("start", txt("Start"), nil, start),
			mentorBlock,
		}},
	}
}

// modalBot opens modal on every slash command and answers each
// view_submission with the next of answers (nil: empty ack).
func modalBot(t *testing.T, srv *slackfake.Server, modal slack.ModalViewRequest, answers ...any) (*testBot, *capture[slack.InteractionCallback]) {
	var subs capture[slack.InteractionCallback]
	b := connected(t, srv, func(evt socketmode.Event, api *slack.Client) (any, bool) {
		switch data := evt.Data.(type) {
		case slack.SlashCommand:
			if _, err := api.OpenViewContext(context.Background(), data.TriggerID, modal); err != nil {
				t.Errorf("views.open: %v", err)
			}
		case slack.InteractionCallback:
			subs.add(data)
			if data.Type == slack.InteractionTypeViewSubmission {
				i := len(subs.all()) - 1
				if i < len(answers) {
					return answers[i], true
				}
			}
		}
		return nil, true
	})
	return b, &subs
}

func TestSubmitViewAppliesAcks(t *testing.T) {
	srv, general, _ := workspace(t)
	done := slack.ModalViewRequest{Type: slack.VTModal, Title: txt("Join mentorship"), Close: txt("Close"), Submit: txt("Finish"),
		CallbackID: "join_done", Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "Thanks! We'll match you on *Monday*.", false, false), nil, nil)}}}
	_, subs := modalBot(t, srv, signupModal(),
		slack.NewErrorsViewSubmissionResponse(map[string]string{"goals": "Tell us at least one goal."}),
		slack.NewUpdateViewSubmissionResponse(&done),
		slack.NewClearViewSubmissionResponse())
	ctx := slackfaketest.Ctx(t)
	if _, err := srv.SlashCommand(ctx, alice, general, "join"); err != nil {
		t.Fatal(err)
	}
	v, err := srv.WaitForView(ctx, alice, func(v slackfake.View) bool { return v.CallbackID == "join_program" })
	if err != nil {
		t.Fatal(err)
	}

	// 1. Refused with field errors: the view stays.
	res, err := srv.SubmitView(ctx, alice, v.ID, slackfake.Values{
		"goals":  {"goals_input": slackfake.Text("System design")},
		"track":  {"track_select": slackfake.Option("backend")},
		"skills": {"skills_check": slackfake.OptionValues("go", "sql")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Closed || res.Errors["goals"] != "Tell us at least one goal." || res.View == nil || res.View.ID != v.ID {
		t.Errorf("result = %+v", res)
	}
	cb := subs.last(t)
	st := cb.View.State.Values
	if cb.Type != slack.InteractionTypeViewSubmission || cb.User.ID != alice || cb.View.ID != v.ID ||
		cb.View.Hash != v.Hash || cb.View.CallbackID != "join_program" || cb.View.PrivateMetadata != `{"cycle":"2026"}` ||
		cb.TriggerID == "" || cb.Team.ID != "T0ACME0001" || len(cb.View.Blocks.BlockSet) != 5 {
		t.Errorf("callback = %+v", cb)
	}
	if st["goals"]["goals_input"].Value != "System design" ||
		st["track"]["track_select"].SelectedOption.Value != "backend" ||
		st["track"]["track_select"].SelectedOption.Text.Text != "Backend" ||
		len(st["skills"]["skills_check"].SelectedOptions) != 2 ||
		st["start"]["start_date"].SelectedDate != "2026-10-01" || // initial value
		st["mentor"]["mentor_pick"].Type != "users_select" || st["mentor"]["mentor_pick"].SelectedUser != "" {
		t.Errorf("state = %+v", st)
	}

	// 2. Accepted with an update: the same view, new content; earlier
	// entries are still in the form.
	res, err = srv.SubmitView(ctx, alice, v.ID, slackfake.Values{"mentor": {"mentor_pick": slackfake.UserID(bob)}})
	if err != nil {
		t.Fatal(err)
	}
	st = subs.last(t).View.State.Values
	if st["goals"]["goals_input"].Value != "System design" || st["mentor"]["mentor_pick"].SelectedUser != bob {
		t.Errorf("second state = %+v", st)
	}
	if res.Closed || res.View == nil || res.View.ID != v.ID || res.View.CallbackID != "join_done" || res.View.Hash == v.Hash ||
		!strings.Contains(res.View.AllText(), "Monday") {
		t.Errorf("after update = %+v", res.View)
	}

	// 3. Clear closes everything.
	res, err = srv.SubmitView(ctx, alice, v.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Closed || res.View != nil || len(srv.OpenViews(alice)) != 0 {
		t.Errorf("after clear = %+v, open %v", res, srv.OpenViews(alice))
	}
}

func TestSubmitViewRefusesWhatSlackWouldNotSend(t *testing.T) {
	srv, general, _ := workspace(t)
	modalBot(t, srv, signupModal())
	ctx := slackfaketest.Ctx(t)
	if _, err := srv.SlashCommand(ctx, alice, general, "join"); err != nil {
		t.Fatal(err)
	}
	v, err := srv.WaitForView(ctx, alice, nil)
	if err != nil {
		t.Fatal(err)
	}
	full := func(extra slackfake.Values) slackfake.Values {
		vals := slackfake.Values{
			"goals":  {"goals_input": slackfake.Text("x")},
			"track":  {"track_select": slackfake.Option("backend")},
			"skills": {"skills_check": slackfake.OptionValues("go")},
		}
		for k, v := range extra {
			vals[k] = v
		}
		return vals
	}
	for name, tc := range map[string]struct {
		viewID string
		vals   slackfake.Values
		want   string
	}{
		"unknown block":   {v.ID, full(slackfake.Values{"nope": {"x": slackfake.Text("x")}}), `no block "nope"`},
		"unknown action":  {v.ID, full(slackfake.Values{"goals": {"oops": slackfake.Text("x")}}), `no action_id "oops" (has: goals_input)`},
		"wrong kind":      {v.ID, full(slackfake.Values{"start": {"start_date": slackfake.Text("soon")}}), "a datepicker takes Date, not Text"},
		"bad date":        {v.ID, full(slackfake.Values{"start": {"start_date": slackfake.Date("2026-13-01")}}), "not a YYYY-MM-DD date"},
		"not an option":   {v.ID, full(slackfake.Values{"track": {"track_select": slackfake.Option("ops")}}), `"ops" is not an option`},
		"unknown user":    {v.ID, full(slackfake.Values{"mentor": {"mentor_pick": slackfake.UserID("U0NOBODY")}}), "no user U0NOBODY"},
		"required empty":  {v.ID, slackfake.Values{"goals": {"goals_input": slackfake.Text("x")}}, "track.track_select: required input is empty"},
		"not the top one": {"V0NOWHERE", full(nil), "is not the top modal"},
	} {
		_, err := srv.SubmitView(ctx, alice, tc.viewID, tc.vals)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
	for _, e := range srv.Envelopes() {
		if e.Kind == "view_submission" {
			t.Errorf("a refused submission was sent")
		}
	}
}

func TestViewWithoutSubmitCannotBeSubmitted(t *testing.T) {
	srv, _, _ := workspace(t)
	b := connected(t, srv, nil)
	ctx := slackfaketest.Ctx(t)
	tr, _ := srv.NewTriggerID(alice)
	info := slack.ModalViewRequest{Type: slack.VTModal, Title: txt("Status"), Close: txt("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}
	v, err := b.api.OpenViewContext(ctx, tr, info)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.SubmitView(ctx, alice, v.ID, nil); err == nil || !strings.Contains(err.Error(), "no submit button") {
		t.Errorf("err = %v", err)
	}
	if ack, err := srv.CloseView(ctx, alice, v.ID); ack != nil || err != nil || len(srv.OpenViews(alice)) != 0 {
		t.Errorf("close without notify_on_close: %v %v", ack, err)
	}
}

func TestPickersInAMessage(t *testing.T) {
	srv, _, duo := workspace(t)
	var acts capture[*slack.BlockAction]
	b := connected(t, srv, func(evt socketmode.Event, _ *slack.Client) (any, bool) {
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			acts.add(cb.ActionCallback.BlockActions[0])
		}
		return nil, true
	})
	ctx := slackfaketest.Ctx(t)
	date := slack.NewDatePickerBlockElement("meet_date")
	who := slack.NewOptionsSelectBlockElement("users_select", txt("Who"), "who")
	topics := slack.NewCheckboxGroupsBlockElement("topics", opt("cv", "CV"), opt("jobs", "Jobs"))
	_, ts, err := b.api.PostMessageContext(ctx, duo, slack.MsgOptionText("Plan", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("plan", date, who, topics,
			slack.NewOptionsMultiSelectBlockElement("multi_conversations_select", txt("Where"), "where"))))
	if err != nil {
		t.Fatal(err)
	}
	target := slackfake.InMessage(duo, ts)
	if _, err := srv.PickDate(ctx, alice, target, "meet_date", "2026-11-05"); err != nil {
		t.Fatal(err)
	}
	if a := acts.last(t); a.SelectedDate != "2026-11-05" || a.Type != "datepicker" {
		t.Errorf("datepicker action = %+v", a)
	}
	if _, err := srv.SelectUser(ctx, alice, target, "who", bob); err != nil {
		t.Fatal(err)
	}
	if a := acts.last(t); a.SelectedUser != bob {
		t.Errorf("users_select action = %+v", a)
	}
	if _, err := srv.Interact(ctx, alice, target, "topics", slackfake.OptionValues("cv", "jobs")); err != nil {
		t.Fatal(err)
	}
	if a := acts.last(t); len(a.SelectedOptions) != 2 || a.SelectedOptions[1].Text.Text != "Jobs" {
		t.Errorf("checkboxes action = %+v", a)
	}
	if _, err := srv.Interact(ctx, alice, target, "where", slackfake.ConversationIDs(duo)); err != nil {
		t.Fatal(err)
	}
	if a := acts.last(t); len(a.SelectedConversations) != 1 || a.SelectedConversations[0] != duo {
		t.Errorf("multi_conversations_select action = %+v", a)
	}
	if _, err := srv.PickDate(ctx, alice, target, "who", "2026-11-05"); err == nil {
		t.Errorf("a date into a users_select was accepted")
	}
}

func TestErrorsAckNamingNoInputIsAViolation(t *testing.T) {
	srv, general, _ := workspace(t)
	srv.AllowViolations()
	modalBot(t, srv, signupModal(), slack.NewErrorsViewSubmissionResponse(map[string]string{"goalz": "typo"}))
	ctx := slackfaketest.Ctx(t)
	if _, err := srv.SlashCommand(ctx, alice, general, "join"); err != nil {
		t.Fatal(err)
	}
	v, _ := srv.WaitForView(ctx, alice, nil)
	_, err := srv.SubmitView(ctx, alice, v.ID, slackfake.Values{
		"goals": {"goals_input": slackfake.Text("x")}, "track": {"track_select": slackfake.Option("backend")},
		"skills": {"skills_check": slackfake.OptionValues("go")}})
	if err != nil {
		t.Fatal(err)
	}
	viol := srv.Violations()
	if len(viol) != 1 || viol[0].Reason != "invalid_errors_key" || !strings.Contains(viol[0].Detail, `errors["goalz"]`) {
		t.Errorf("violations = %v", viol)
	}
}

func TestPushAckAndEmptyAckPop(t *testing.T) {
	srv, general, _ := workspace(t)
	step := slack.ModalViewRequest{Type: slack.VTModal, Title: txt("Confirm"), Submit: txt("OK"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}
	modalBot(t, srv, signupModal(), slack.NewPushViewSubmissionResponse(&step))
	ctx := slackfaketest.Ctx(t)
	if _, err := srv.SlashCommand(ctx, alice, general, "join"); err != nil {
		t.Fatal(err)
	}
	v, _ := srv.WaitForView(ctx, alice, nil)
	res, err := srv.SubmitView(ctx, alice, v.ID, slackfake.Values{
		"goals": {"goals_input": slackfake.Text("x")}, "track": {"track_select": slackfake.Option("backend")},
		"skills": {"skills_check": slackfake.OptionValues("go")}})
	if err != nil {
		t.Fatal(err)
	}
	if res.View == nil || res.View.PreviousViewID != v.ID || res.View.RootViewID != v.ID || len(srv.OpenViews(alice)) != 2 {
		t.Fatalf("after push = %+v", res.View)
	}
	// Empty ack: the pushed view closes, the first is on top again.
	res, err = srv.SubmitView(ctx, alice, res.View.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Closed || res.View == nil || res.View.ID != v.ID {
		t.Errorf("after empty ack = %+v", res)
	}
}

func TestButtonInMessageAndResponseURL(t *testing.T) {
	srv, _, duo := workspace(t)
	var cbs capture[slack.InteractionCallback]
	b := connected(t, srv, func(evt socketmode.Event, _ *slack.Client) (any, bool) {
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			cbs.add(cb)
			err := slack.PostWebhookContext(context.Background(), cb.ResponseURL,
				&slack.WebhookMessage{ReplaceOriginal: true, Text: "Thanks, noted!"})
			if err != nil {
				t.Errorf("response_url: %v", err)
			}
		}
		return nil, true
	})
	ctx := slackfaketest.Ctx(t)
	btn := slack.NewButtonBlockElement("duo_met", "duo:42", txt("We met"))
	_, ts, err := b.api.PostMessageContext(ctx, duo, slack.MsgOptionText("You are a duo", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("duo_actions", btn)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.ClickButton(ctx, carol, slackfake.InMessage(duo, ts), "duo_met"); err == nil {
		t.Errorf("carol is not in the duo channel but clicked")
	}
	if _, err := srv.ClickButton(ctx, bob, slackfake.InMessage(duo, ts), "nope"); err == nil || !strings.Contains(err.Error(), "action_ids: duo_met") {
		t.Errorf("missing action: %v", err)
	}
	if _, err := srv.ClickButton(ctx, bob, slackfake.InMessage(duo, ts), "duo_met"); err != nil {
		t.Fatal(err)
	}
	cb := cbs.last(t)
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) != 1 {
		t.Fatalf("callback = %+v", cb)
	}
	a := cb.ActionCallback.BlockActions[0]
	if a.ActionID != "duo_met" || a.BlockID != "duo_actions" || a.Value != "duo:42" || a.Type != "button" || a.Text.Text != "We met" ||
		cb.Container.Type != "message" || cb.Container.ChannelID != duo || cb.Container.MessageTs != ts ||
		cb.Channel.ID != duo || cb.Channel.Name != "duo-alice-bob" || cb.Message.Timestamp != ts || cb.Message.BotID != "B07MNTRBOT" ||
		cb.User.ID != bob || cb.TriggerID == "" || cb.BlockActionState == nil {
		t.Errorf("callback = %+v\naction = %+v", cb, a)
	}
	if m, err := srv.WaitForMessage(ctx, duo, func(m slackfake.Message) bool { return m.Edited }); err != nil || m.Text != "Thanks, noted!" || m.TS != ts {
		t.Errorf("replaced message = %+v, %v", m, err)
	}
}

func TestButtonInEphemeralDeleteOriginal(t *testing.T) {
	srv, general, _ := workspace(t)
	b := connected(t, srv, func(evt socketmode.Event, api *slack.Client) (any, bool) {
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			_, _, err := api.PostMessageContext(context.Background(), "", slack.MsgOptionDeleteOriginal(cb.ResponseURL))
			if err != nil {
				t.Errorf("delete_original: %v", err)
			}
		}
		return nil, true
	})
	ctx := slackfaketest.Ctx(t)
	ts, err := b.api.PostEphemeralContext(ctx, general, alice, slack.MsgOptionText("Leave the program?", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("confirm", slack.NewButtonBlockElement("leave_yes", "yes", txt("Yes")))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.ClickButton(ctx, alice, slackfake.InEphemeral(ts), "leave_yes"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(ctx, func() bool { return len(srv.Ephemerals(alice)) == 0 }); err != nil {
		t.Errorf("ephemeral not deleted: %v", srv.Ephemerals(alice))
	}
}

func TestActionsInsideAView(t *testing.T) {
	srv, _, _ := workspace(t)
	track := slack.NewOptionsSelectBlockElement("static_select", txt("Pick"), "track_select", opt("backend", "Backend"), opt("data", "Data"))
	trackBlock := slack.NewInputBlock("track", txt("Track"), nil, track)
	trackBlock.DispatchAction = true
	freq := slack.NewRadioButtonsBlockElement("freq_radio", opt("weekly", "Weekly"), opt("monthly", "Monthly"))
	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: txt("Agreement"), Submit: txt("Save"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{trackBlock,
			slack.NewInputBlock("freq", txt("How often"), nil, freq)}}}
	var cbs capture[slack.InteractionCallback]
	b := connected(t, srv, func(evt socketmode.Event, api *slack.Client) (any, bool) {
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			return nil, true
		}
		cbs.add(cb)
		if cb.Type == slack.InteractionTypeBlockActions {
			// Re-render with the view's hash, as a careful bot does.
			if _, err := api.UpdateViewContext(context.Background(), modal, "", cb.View.Hash, cb.View.ID); err != nil {
				t.Errorf("views.update: %v", err)
			}
		}
		return nil, true
	})
	ctx := slackfaketest.Ctx(t)
	tr, _ := srv.NewTriggerID(alice)
	v, err := b.api.OpenViewContext(ctx, tr, modal)
	if err != nil {
		t.Fatal(err)
	}

	// A radio in a plain input block sends nothing; it only fills the form.
	if ack, err := srv.SelectOption(ctx, alice, slackfake.InView(v.ID), "freq_radio", "monthly"); ack != nil || err != nil {
		t.Fatalf("non-dispatching radio: %v, %v", ack, err)
	}
	if _, err := srv.SelectOption(ctx, alice, slackfake.InView(v.ID), "track_select", "data"); err != nil {
		t.Fatal(err)
	}
	cb := cbs.last(t)
	a := cb.ActionCallback.BlockActions[0]
	if cb.Container.Type != "view" || cb.Container.ViewID != v.ID || cb.View.ID != v.ID || cb.ResponseURL != "" ||
		a.ActionID != "track_select" || a.SelectedOption.Value != "data" || a.SelectedOption.Text.Text != "Data" ||
		cb.View.State.Values["track"]["track_select"].SelectedOption.Value != "data" ||
		cb.View.State.Values["freq"]["freq_radio"].SelectedOption.Value != "monthly" {
		t.Errorf("callback = %+v\nstate %+v", cb, cb.View.State)
	}
	// The choices survive the bot's views.update and reach the submission.
	if _, err := srv.SubmitView(ctx, alice, v.ID, nil); err != nil {
		t.Fatal(err)
	}
	st := cbs.last(t).View.State.Values
	if st["track"]["track_select"].SelectedOption.Value != "data" || st["freq"]["freq_radio"].SelectedOption.Value != "monthly" {
		t.Errorf("submitted state = %+v", st)
	}
	if _, err := srv.ClickButton(ctx, alice, slackfake.InView(v.ID), "track_select"); err == nil {
		t.Errorf("clicking a select as a button succeeded")
	}
}

func TestCloseViewNotifies(t *testing.T) {
	srv, _, _ := workspace(t)
	var cbs capture[slack.InteractionCallback]
	b := connected(t, srv, func(evt socketmode.Event, _ *slack.Client) (any, bool) {
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			cbs.add(cb)
		}
		return nil, true
	})
	ctx := slackfaketest.Ctx(t)
	m := signupModal()
	m.NotifyOnClose = true
	tr, _ := srv.NewTriggerID(alice)
	v, err := b.api.OpenViewContext(ctx, tr, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.CloseView(ctx, alice, v.ID); err != nil {
		t.Fatal(err)
	}
	if cb := cbs.last(t); cb.Type != slack.InteractionTypeViewClosed || cb.View.ID != v.ID || len(srv.OpenViews(alice)) != 0 {
		t.Errorf("view_closed = %+v", cb)
	}
}

// Many people at once over three bot connections, with inspection running
// alongside: the fake must stay consistent (and -race quiet).
func TestConcurrentPeople(t *testing.T) {
	srv, general, _ := workspace(t)
	const people = 20
	var ids []string
	for i := range people {
		u := srv.AddUser(slackfake.User{Name: "p" + string(rune('a'+i))})
		ids = append(ids, u.ID)
	}
	if err := srv.SetMembers(general, append(ids, bot)...); err != nil {
		t.Fatal(err)
	}
	modal := signupModal()
	h := func(evt socketmode.Event, api *slack.Client) (any, bool) {
		switch d := evt.Data.(type) {
		case slack.SlashCommand:
			if _, err := api.OpenViewContext(context.Background(), d.TriggerID, modal); err != nil {
				t.Errorf("views.open: %v", err)
			}
		case slack.InteractionCallback:
			if _, _, err := api.PostMessageContext(context.Background(), d.User.ID, slack.MsgOptionText("You're in", false)); err != nil {
				t.Errorf("DM: %v", err)
			}
		}
		return nil, true
	}
	for range 3 {
		startBot(t, srv, h)
	}
	ctx := slackfaketest.Ctx(t)
	if err := srv.WaitConnected(ctx, 3); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, people)
	for _, id := range ids {
		go func() {
			errs <- func() error {
				if _, err := srv.SlashCommand(ctx, id, general, "join"); err != nil {
					return err
				}
				v, err := srv.WaitForView(ctx, id, nil)
				if err != nil {
					return err
				}
				_, err = srv.SubmitView(ctx, id, v.ID, slackfake.Values{
					"goals": {"goals_input": slackfake.Text("x")}, "track": {"track_select": slackfake.Option("backend")},
					"skills": {"skills_check": slackfake.OptionValues("go")}})
				if err != nil {
					return err
				}
				_, err = srv.WaitForDM(ctx, id, nil)
				return err
			}()
		}()
	}
	for range people {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		_ = srv.Envelopes()
		_ = srv.AllCalls()
	}
	if n := srv.CallCount("views.open"); n != people {
		t.Errorf("views.open calls = %d", n)
	}
}
