package views_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/nudges"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// fuzzBlocks are the input block ids of every modal: a fuzzed state puts its value
// in each, in every shape an element can have.
var fuzzBlocks = []string{
	"role", "join_role", "stage", "areas", "other_areas", "needs", "offer", "cv_url", "methods", "frequency", "hours", "capacity", "avoid",
	"name", "start", "end", "evaluation_due", "annual_meeting", "topics", "nudge_hours", "welcome_days", "contact_days",
	views.BlockDuo, views.BlockConcernText, views.BlockConcernNewMatch, views.BlockForgetUser,
	views.BlockEvaluationAchieved, views.BlockEvaluationValue, views.BlockEvaluationLiked, views.BlockEvaluationSuggestions,
	views.BlockEvaluationAgain, views.BlockEvaluationRecommend, views.BlockEvaluationOverall, views.BlockEvaluationNeedsMet,
	views.BlockEvaluationCommunication, views.BlockEvaluationActivities, views.BlockEvaluationOtherActivities,
	"goal", "activities", "other_activities", "mentor_hours", "mentee_hours", "from", "until", "share", "annual",
}

// fuzzView is a submitted view carrying meta as private_metadata and, as its state,
// stateJSON when it decodes as one, else text in every input of fuzzBlocks.
func fuzzView(meta string, stateJSON []byte, text string) slack.View {
	v := slack.View{PrivateMetadata: meta, State: &slack.ViewState{}}
	if json.Unmarshal(stateJSON, v.State) == nil && v.State.Values != nil {
		return v
	}
	v.State.Values = map[string]map[string]slack.BlockAction{}
	opt := slack.OptionBlockObject{Value: text}
	for _, id := range fuzzBlocks {
		v.State.Values[id] = map[string]slack.BlockAction{id: {
			Value: text, SelectedOption: opt, SelectedOptions: []slack.OptionBlockObject{opt, opt},
			SelectedUser: text, SelectedUsers: []string{text}, SelectedDate: text,
		}}
	}
	return v
}

// mustBeReadableError fails unless err is nil, field errors, or a person-facing
// error: a parser never fails as a bug would, whatever it is sent.
func mustBeReadableError(t *testing.T, parser string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var fe mentor.FieldErrors
	if errors.As(err, &fe) {
		for k, msg := range fe {
			if k == "" || msg == "" {
				t.Fatalf("%s: field error %q: %q", parser, k, msg)
			}
		}
		return
	}
	var me *mentor.Error
	if !errors.As(err, &me) || me.Code != mentor.EINVALID || me.Message == "" {
		t.Fatalf("%s: error %v is not one a person can read", parser, err)
	}
}

// FuzzParseViews feeds every modal's view-state parser arbitrary private_metadata
// and state: none panics, and each answers with what it read or an error a person
// can act on; what they read goes through the rules without panicking either.
func FuzzParseViews(f *testing.F) {
	f.Add(`{"cycle":"c2026"}`, []byte(`{"values":{"needs":{"needs":{"type":"plain_text_input","value":"help"}}}}`), "mentee")
	f.Add(`{"cycle":"c2026","duo":"d1","id":"k1"}`, []byte(`null`), "<!channel> & <@U1>")
	f.Add(`{"cycle":"c2026","rev":2,"previous":"c2025"}`, []byte(`{}`), "2026-13-45")
	f.Add(`{"cycle":"c2026","round":"r1","page":-1}`, []byte(`[`), "U0ADA")
	f.Add(`not json`, []byte(`{"values":{"hours":{"x":{"value":"99999999999999999999"}}}}`), "-1")
	c := cycle()
	f.Fuzz(func(t *testing.T, meta string, stateJSON []byte, text string) {
		v := fuzzView(meta, stateJSON, text)
		p, _, err := views.ParseJoin(v)
		mustBeReadableError(t, "ParseJoin", err)
		if err == nil {
			_ = p.ValidateIn(c)
		}
		k, _, err := views.ParseConcern(v)
		mustBeReadableError(t, "ParseConcern", err)
		if err == nil {
			_ = k.Validate()
		}
		e, _, err := views.ParseEvaluation(v)
		mustBeReadableError(t, "ParseEvaluation", err)
		if err == nil {
			_ = e.Validate(c)
		}
		a, _, err := views.ParseAgreement(v)
		mustBeReadableError(t, "ParseAgreement", err)
		if err == nil {
			_ = a.Validate(c)
		}
		pc, _, err := views.ParseProgram(v, c)
		mustBeReadableError(t, "ParseProgram", views.ProgramErrors(err))
		if err == nil {
			_ = pc.Validate()
		}
		_, err = views.ParseProgramMeta(v)
		mustBeReadableError(t, "ParseProgramMeta", err)
		_, err = views.ParsePairingMeta(meta)
		mustBeReadableError(t, "ParsePairingMeta", err)
		if u, err := views.ParseForget(v); err == nil && !mentor.ValidUserID(u) {
			t.Fatalf("ParseForget accepted %q", u)
		} else {
			mustBeReadableError(t, "ParseForget", err)
		}
		for _, o := range views.ParseTopics(text, c.Topics) {
			if o.Value == "" || o.Label == "" {
				t.Fatalf("ParseTopics(%q) made an empty topic %+v", text, o)
			}
		}
	})
}

// legit are the mentions and channel links the builders make themselves, from the
// ids of the fixtures; anything else that Slack would parse came from typed text.
var legit = strings.NewReplacer("<@U0ADA>", "", "<@U0GRACE>", "", "<@U0CHAIR>", "", "<@U0FUZZ>", "", "<#C0DUO>", "")

// mustBeEscaped fails if typed text reached mrkdwn unescaped: after the builders'
// own mentions, no '<' or '>' is left, and every '&' starts an entity.
func mustBeEscaped(t *testing.T, name string, d doc) {
	t.Helper()
	for _, s := range d.mrkdwn() {
		rest := legit.Replace(s)
		if strings.ContainsAny(rest, "<>") {
			t.Fatalf("%s: unescaped text reaches Slack in %q", name, s)
		}
		for i := strings.IndexByte(rest, '&'); i >= 0; i = strings.IndexByte(rest, '&') {
			rest = rest[i:]
			if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
				t.Fatalf("%s: a bare '&' reaches Slack in %q", name, s)
			}
			rest = rest[1:]
		}
	}
}

// FuzzBuildersEscapeTypedText puts arbitrary text in every field a person types
// (names, sign-ups, the cycle's name and topics, agreements, concerns, evaluations,
// setup errors) and checks every message, modal and Home built from them: valid
// Block Kit within Slack's limits, and escaped.
func FuzzBuildersEscapeTypedText(f *testing.F) {
	for _, s := range []string{payload, "", "&amp; &lt; already escaped", "*bold* _it_ `code` ~x~ > quote", "\x00\xff\n\t"} {
		f.Add(s)
	}
	f.Fuzz(checkBuilders)
}

// checkBuilders is FuzzBuildersEscapeTypedText's check of one text.
func checkBuilders(t *testing.T, text string) {
	{
		c := cycle()
		c.Name = text
		c.Topics = append([]mentor.Option(nil), c.TopicOptions()...)
		c.Topics[len(c.Topics)-1] = mentor.Option{Value: "fuzz", Label: "t" + text} // at most 10, none empty
		p := menteeSignup()
		p.Name, p.OtherAreas, p.Needs, p.CVURL = text, text, text, text
		m := mentorSignup()
		m.Name, m.Offer, m.OtherAreas = text, text, text
		d := openedDuo()
		d.Setup.LastError, d.Reasons, d.ChannelName = text, text, text
		a := mentor.Agreement{CycleID: c.ID, DuoID: d.ID, Version: 2, Methods: []string{"email"}, Frequency: "monthly", Goal: text,
			Activities: []string{"fuzz"}, OtherActivities: text, MentorHours: 2, MenteeHours: 3, From: c.Start, Until: c.End, Author: d.MenteeID, CreatedAt: now}
		k := mentor.Concern{ID: "k1", CycleID: c.ID, DuoID: d.ID, From: d.MenteeID, Kind: mentor.ConcernRaised, Text: text, NewMatch: true, State: mentor.ConcernOpen, CreatedAt: now}
		e := mentor.Evaluation{CycleID: c.ID, UserID: d.MenteeID, Role: mentor.RoleMentee, Achieved: text, Value: text, Liked: text, Suggestions: text,
			Overall: 4, NeedsMet: 3, Communication: 5, Activities: []string{"fuzz"}, OtherActivities: text, SubmittedAt: now}
		st := views.Standing{Cycle: c, Participant: &p, Duos: []mentor.Duo{d}, Step: mentor.NextStep(c, &p, []mentor.Duo{d}, now)}
		ch := &views.CommitteeHome{Counts: mentor.Counts{Mentees: 1, Mentors: 1, PendingMentees: 1}, Pending: []mentor.Participant{p, m}, Total: 2,
			Duos: []mentor.Duo{d}, DuoTotal: 1, Opening: []mentor.Duo{d}, OpeningTotal: 1}
		choices := []views.DuoChoice{{DuoID: d.ID, Label: text}}
		r := mentor.PairingRound{ID: "r", CycleID: c.ID, Mentees: 1, Mentors: 1, Proposals: []mentor.Proposal{
			{MenteeID: "U0ADA", MentorID: "U0GRACE", Score: 3, Reasons: text, State: mentor.ProposalOpen}}}

		msgs := map[string]views.Message{
			"status": views.StatusMessage(st), "joined": views.Joined(c, p, true), "leave confirm": views.LeaveConfirm(p),
			"left": views.LeftMessage(c), "committee left": views.CommitteeLeftNotice(p, []mentor.Duo{d}), "unmatched": views.UnmatchedDM(c, m),
			"welcome": views.DuoWelcome(c, d), "told": views.DuoTold(c, d, d.MenteeID), "record": views.DuoRecord(d), "setup failed": views.DuoSetupFailed(c, d),
			"agreement": views.AgreementPost(c, d, a), "replaced": views.AgreementReplaced(c, d, a, 3), "agreement committee": views.AgreementForCommittee(c, d, a),
			"concern committee": views.ConcernForCommittee(c, d, k), "concern decided": views.ConcernDecided(c, d, k), "concern received": views.ConcernReceived(c),
			"dissolved": views.DuoDissolvedDM(c, d, d.MenteeID, true, true), "closeout": views.CloseoutMessage(c, d),
			"evaluation thanks": views.EvaluationThanks(c, e, true), "help": views.Help(nil, text),
		}
		for _, kind := range []mentor.NudgeKind{mentor.NudgeWelcome, mentor.NudgeContact, mentor.NudgeAgreement, mentor.NudgeAgreementOverdue,
			mentor.NudgeKeepInTouch, mentor.NudgeEvaluation, mentor.NudgeAnnualMeeting, mentor.NudgeDigest} {
			n := nudges.Nudge{Kind: kind, Cycle: c, Duo: &d, To: d.MenteeID, ID: "n1", DaysLeft: 3, QuietDays: 40,
				Digest: &nudges.Digest{Duos: 1, Stalled: []mentor.Duo{d}, MissingAgreements: []mentor.Duo{d}, MissingEvaluations: []string{d.MentorID}, EvaluationsDue: true}}
			if kind == mentor.NudgeEvaluation || kind == mentor.NudgeAnnualMeeting || kind == mentor.NudgeDigest {
				n.Duo = nil
			}
			if kind == mentor.NudgeDigest || kind == mentor.NudgeAgreementOverdue {
				n.To = ""
			}
			msgs["nudge "+string(kind)] = views.NudgeMessage(n)
		}
		for name, msg := range msgs {
			mustBeEscaped(t, name, mustValidMessage(t, msg))
		}
		modals := map[string]any{
			"home": views.Home(views.HomeInfo{Now: now, Standing: st, Committee: ch}),
			"join": views.JoinModal(c, p, true), "leave": views.LeaveModal(p), "program": views.ProgramModal(c, 2),
			"agreement modal": views.AgreementModal(c, a, views.AgreementMeta{CycleID: c.ID}, choices),
			"concern modal":   views.ConcernModal(views.ConcernMeta{CycleID: c.ID, ID: "k1"}, choices),
			"evaluation":      views.EvaluationModal(c, e, mentor.RoleMentee, views.EvaluationMeta{CycleID: c.ID}),
			"pairing":         views.PairingPage(c, r, 0, map[string]string{"U0GRACE": text}, nil),
			"forget done":     views.ForgetDone("U0FUZZ", []string{text}, text),
		}
		for name, v := range modals {
			raw, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if errs := slackfake.ValidateView(raw); len(errs) > 0 {
				t.Fatalf("%s: Slack would reject the view:\n%s", name, joinErrors(errs))
			}
			mustBeEscaped(t, name, decode(t, raw))
		}
	}
}
