package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot"
	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/pairing"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// The four kinds of people every route is tried by.
const (
	byCommittee   = "committee member"
	byDuo         = "duo member"
	byParticipant = "other participant"
	byStranger    = "stranger"
)

var kinds = []string{byCommittee, byDuo, byParticipant, byStranger}

// stranger is in the workspace and in #general, and never signed up; hedy is one
// more mentor, with places to spare.
const (
	stranger = "U07GRACE07"
	hedy     = "U08HEDY008"
)

// permWorld is one cycle with a duo (its mentee is the duo member), a pending
// participant, a pending mentor who can be forgotten, an agreement waiting for
// signatures, an open concern and a pairing round.
type permWorld struct {
	h       *harness
	c       mentor.Cycle
	d       mentor.Duo
	concern string
	round   mentor.PairingRound
	who     map[string]string
	forms   int
	mine    map[string]bool // ids of the modals the test opened itself
	open    int             // index of an open proposal of round
	alt     string          // a mentor other than the one it proposes
	stale   int             // a revision of the cycle since replaced
}

// forge opens modal for user as a forged payload would carry it, and remembers it
// as the test's own.
func (w *permWorld) forge(user string, modal any) slackfake.View {
	var v slackfake.View
	switch m := modal.(type) {
	case *slack.ModalViewRequest:
		v = w.h.forgeModal(user, m)
	default:
		w.h.t.Fatalf("forge %T", modal)
	}
	w.mine[v.ID] = true
	return v
}

// permRow is one route: who may act, what the allowed get for it (an error code;
// "" for success), when its allowed actors run (destructive ones last), and how
// it is played.
type permRow struct {
	allowed []string
	code    string
	phase   int
	play    func(w *permWorld, user string)
}

// permRows has a row for every route of bot.RouteIDs: "command <sub>", "view
// <callback>", "action <id>".
func permRows() map[string]permRow {
	all := kinds
	committee := []string{byCommittee}
	duo := []string{byDuo}
	cmd := func(allowed []string, sub string, phase int) permRow {
		return permRow{allowed: allowed, phase: phase, play: func(w *permWorld, u string) { w.h.command(u, sub) }}
	}
	click := func(allowed []string, action string, value func(w *permWorld) string, phase int) permRow {
		return permRow{allowed: allowed, phase: phase, play: func(w *permWorld, u string) { w.h.forgeClick(u, general, action, value(w)) }}
	}
	cycleValue := func(w *permWorld) string { return w.c.ID }
	duoValue := func(w *permWorld) string { return w.c.ID + "|" + w.d.ID }
	concernValue := func(w *permWorld) string { return w.c.ID + "|" + w.concern }
	openConcernValue := func(w *permWorld) string {
		open, _, err := w.h.store().OpenConcerns(w.h.ctx, w.c.ID, 0)
		if err != nil || len(open) == 0 {
			return concernValue(w)
		}
		return w.c.ID + "|" + open[len(open)-1].ID
	}
	page := func(*permWorld) string { return "1" }
	pairing := func(action string, phase int, selected string) permRow {
		return permRow{allowed: committee, phase: phase, play: func(w *permWorld, u string) {
			alts := map[string][]pairing.Alternative{}
			alts[w.round.Proposals[w.open].MenteeID] = []pairing.Alternative{{MentorID: w.alt, Score: 1, Free: 1, Reasons: "free"}}
			m := views.PairingPage(w.c, w.round, 0, map[string]string{erin: "Erin"}, alts)
			raw, _ := json.Marshal(m)
			if !strings.Contains(string(raw), `"action_id":"`+action+`"`) {
				// Not on this page (a page button): the same modal with the button.
				m.Blocks.BlockSet = append(m.Blocks.BlockSet, slack.NewActionBlock("perm",
					slack.NewButtonBlockElement(action, "0", slack.NewTextBlockObject(slack.PlainTextType, "Go", false, false))))
			}
			v := w.forge(u, m)
			target := slackfake.InView(v.ID)
			if action == views.ActionPairApprove || action == views.ActionPairSkip || action == views.ActionPairChange {
				target.BlockID = fmt.Sprintf("a%d", w.open)
			}
			var err error
			if selected != "" {
				_, err = w.h.slack.SelectOption(w.h.ctx, u, target, action, w.alt)
			} else {
				_, err = w.h.slack.ClickButton(w.h.ctx, u, target, action)
			}
			if err != nil {
				w.h.t.Fatalf("%s in a pairing modal: %v", action, err)
			}
		}}
	}
	submit := func(allowed []string, phase int, modal func(w *permWorld, u string) any, form func(w *permWorld) slackfake.Values) permRow {
		return permRow{allowed: allowed, phase: phase, play: func(w *permWorld, u string) {
			v := w.forge(u, modal(w, u))
			if _, err := w.h.slack.SubmitView(w.h.ctx, u, v.ID, form(w)); err != nil {
				w.h.t.Fatalf("submit: %v", err)
			}
		}}
	}
	none := func(*permWorld) slackfake.Values { return slackfake.Values{} }
	rows := map[string]permRow{
		"command help":      cmd(all, "help", 0),
		"command join":      cmd([]string{byCommittee, byParticipant, byStranger}, "join", 0),
		"command status":    cmd(all, "status", 0),
		"command agreement": cmd(duo, "agreement", 0),
		"command concern":   cmd(duo, "concern", 0),
		"command evaluate":  cmd(duo, "evaluate", 0),
		"command leave":     cmd([]string{byDuo, byParticipant}, "leave", 0),
		"command program":   cmd(committee, "program", 0),
		"command match":     cmd(committee, "match", 0),
		"command report":    cmd(committee, "report", 0),

		"view program": submit(committee, 4, func(w *permWorld, _ string) any {
			_, rev, _ := w.h.store().Cycle(w.h.ctx, w.c.ID)
			return views.ProgramModal(w.c, rev)
		}, none),
		"view join": submit([]string{byCommittee, byParticipant, byStranger}, 1, func(w *permWorld, _ string) any {
			return views.JoinModal(w.c, mentor.Participant{CycleID: w.c.ID, Role: mentor.RoleMentee}, false)
		}, func(*permWorld) slackfake.Values { return menteeForm("Preparing for interviews at academic libraries") }),
		"view leave": submit([]string{byDuo, byParticipant}, 6, func(w *permWorld, u string) any {
			return views.LeaveModal(mentor.Participant{CycleID: w.c.ID, UserID: u})
		}, none),
		"view agreement": submit(duo, 3, func(w *permWorld, _ string) any {
			return views.AgreementModal(w.c, mentor.Agreement{}, views.AgreementMeta{DuoID: w.d.ID}, nil)
		}, func(*permWorld) slackfake.Values { return agreementForm("Our second version of the goal") }),
		"view concern": submit(duo, 3, func(w *permWorld, _ string) any {
			w.forms++
			return views.ConcernModal(views.ConcernMeta{CycleID: w.c.ID, DuoID: w.d.ID, ID: fmt.Sprintf("perm-%d", w.forms)}, nil)
		}, func(*permWorld) slackfake.Values {
			return slackfake.Values{"text": {"text": slackfake.Text("We have not met once this month.")}, "new_match": {"new_match": slackfake.Option("no")}}
		}),
		"view evaluation": submit(duo, 3, func(w *permWorld, u string) any {
			return views.EvaluationModal(w.c, mentor.Evaluation{}, mentor.RoleMentee, views.EvaluationMeta{})
		}, func(*permWorld) slackfake.Values { return evaluationForm("perm") }),
		"view match_settings": submit(committee, 0, func(w *permWorld, _ string) any {
			s, rev, _ := w.h.store().MatchSettings(w.h.ctx, w.c.ID)
			return views.MatchSettingsModal(w.c, s, rev)
		}, none),
		"view forget": submit(committee, 8, func(*permWorld, string) any { return views.ForgetModal() },
			func(w *permWorld) slackfake.Values {
				return slackfake.Values{views.BlockForgetUser: {views.BlockForgetUser: slackfake.UserID(w.victimNow())}}
			}),

		"action join_role": {allowed: all, play: func(w *permWorld, u string) {
			v := w.forge(u, views.JoinModal(w.c, mentor.Participant{CycleID: w.c.ID}, false))
			if _, err := w.h.slack.SelectOption(w.h.ctx, u, slackfake.InView(v.ID), views.ActionJoinRole, "mentor"); err != nil {
				w.h.t.Fatal(err)
			}
		}},
		"action leave_confirm":     click([]string{byDuo, byParticipant}, views.ActionLeaveConfirm, cycleValue, 6),
		"action leave_cancel":      click(all, views.ActionLeaveCancel, cycleValue, 0),
		"action home_join":         click([]string{byCommittee, byParticipant, byStranger}, views.ActionHomeJoin, func(*permWorld) string { return "join" }, 0),
		"action home_leave":        click([]string{byDuo, byParticipant}, views.ActionHomeLeave, func(*permWorld) string { return "leave" }, 0),
		"action home_refresh":      click(all, views.ActionHomeStatus, func(*permWorld) string { return "refresh" }, 0),
		"action home_program":      click(committee, views.ActionHomeProgram, func(*permWorld) string { return "edit" }, 0),
		"action home_match":        click(committee, views.ActionHomeMatch, func(*permWorld) string { return "match" }, 0),
		"action home_prev":         click(committee, views.ActionHomePrev, page, 0),
		"action home_next":         click(committee, views.ActionHomeNext, page, 0),
		"action home_duo_prev":     click(committee, views.ActionHomeDuoPrev, page, 0),
		"action home_duo_next":     click(committee, views.ActionHomeDuoNext, page, 0),
		"action home_evaluate":     click(duo, views.ActionHomeEvaluate, cycleValue, 0),
		"action home_forget":       click(committee, views.ActionHomeForget, func(*permWorld) string { return "forget" }, 0),
		"action nudge_evaluate":    click(duo, views.ActionNudgeEvaluate, cycleValue, 0),
		"action pair_approve":      pairing(views.ActionPairApprove, 2, ""),
		"action pair_approve_all":  pairing(views.ActionPairApproveAll, 2, ""),
		"action pair_skip":         pairing(views.ActionPairSkip, 1, ""),
		"action pair_change":       pairing(views.ActionPairChange, 1, erin),
		"action pair_prev":         pairing(views.ActionPairPrev, 0, ""),
		"action pair_next":         pairing(views.ActionPairNext, 0, ""),
		"action pair_refresh":      pairing(views.ActionPairRefresh, 0, ""),
		"action pair_finish":       pairing(views.ActionPairFinish, 2, ""),
		"action pair_settings":     click(committee, views.ActionPairSettings, cycleValue, 0),
		"action duo_tick":          click(duo, views.ActionDuoTick, func(w *permWorld) string { return duoValue(w) + "|mentee.contact|1" }, 3),
		"action duo_retry":         click(committee, views.ActionDuoRetry, duoValue, 4),
		"action agreement_open":    click(duo, views.ActionAgreementOpen, duoValue, 0),
		"action agreement_edit":    click(duo, views.ActionAgreementEdit, duoValue, 0),
		"action nudge_agreement":   click(duo, views.ActionNudgeAgreement, duoValue, 0),
		"action agreement_sign":    click(duo, views.ActionAgreementSign, func(w *permWorld) string { return duoValue(w) + "|1" }, 2),
		"action concern_handled":   click(committee, views.ActionConcernHandled, concernValue, 5),
		"action concern_dissolve":  click(committee, views.ActionConcernDissolve, openConcernValue, 7),
		"action closeout_continue": {allowed: duo, code: mentor.ECONFLICT, play: click(nil, views.ActionCloseoutContinue, duoValue, 0).play},
		"action closeout_close":    {allowed: duo, code: mentor.ECONFLICT, play: click(nil, views.ActionCloseoutClose, duoValue, 0).play},
		// The rematch buttons (in the DM after a dissolved duo) act on the person
		// who clicks, never on anyone else: a participant outside a duo who clicks
		// "no" leaves the pool (as leave would), "yes" returns to it.
		"action rematch_yes": click([]string{byParticipant}, views.ActionRematchYes, cycleValue, 0),
		"action rematch_no":  click([]string{byParticipant}, views.ActionRematchNo, cycleValue, 0),
	}
	return rows
}

// TestEveryRouteActsOnlyForWhoMayUseIt plays every subcommand, modal submission and
// button, as listed in the bot's routes, by a committee member, a duo member,
// another participant and a stranger, with payloads the bot never offered them
// (another duo's button, a modal with another duo's metadata). Those who may not
// use a route change nothing in Redis and get no form; those who may, succeed. A
// route added to routes.go without a row here fails the test.
func TestEveryRouteActsOnlyForWhoMayUseIt(t *testing.T) {
	subs, viewIDs, actionIDs := bot.RouteIDs()
	rows := permRows()
	var routes []string
	for _, s := range subs {
		routes = append(routes, "command "+s)
	}
	for _, v := range viewIDs {
		routes = append(routes, "view "+v)
	}
	for _, a := range actionIDs {
		routes = append(routes, "action "+a)
	}
	for _, r := range routes {
		if _, ok := rows[r]; !ok {
			t.Errorf("route %q has no row in permRows: say who may use it", r)
		}
	}
	for r := range rows {
		if !slices.Contains(routes, r) {
			t.Errorf("permRows has %q, which the bot does not route", r)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	w := newPermWorld(t)
	// Everyone who may not use a route tries it first, on the world as set up.
	for _, r := range routes {
		for _, k := range kinds {
			if slices.Contains(rows[r].allowed, k) {
				continue
			}
			code, acted := w.try(r, w.who[k], rows[r].play)
			if acted != "" {
				t.Errorf("%s: a %s acted (%s; handler code %q)", r, k, acted, code)
			}
		}
	}
	// Then those who may, the routes that change most last.
	sort.SliceStable(routes, func(i, j int) bool { return rows[routes[i]].phase < rows[routes[j]].phase })
	for _, r := range routes {
		for _, k := range rows[r].allowed {
			if code, _ := w.try(r, w.who[k], rows[r].play); code != rows[r].code {
				t.Errorf("%s: a %s was answered with code %q, want %q", r, k, code, rows[r].code)
			}
		}
	}
}

func newPermWorld(t *testing.T) *permWorld {
	h := startBot(t)
	h.slack.AddUser(slackfake.User{ID: stranger, Name: "grace", RealName: "Grace Stranger", TZ: "UTC"})
	h.slack.AddUser(slackfake.User{ID: hedy, Name: "hedy", RealName: "Hedy Mentor", TZ: "UTC"})
	if err := h.slack.SetMembers(general, append(h.slack.Members(general), stranger, hedy)...); err != nil {
		t.Fatal(err)
	}
	duos := h.openDuos(1)
	if res := h.join(hedy, mentor.RoleMentor, mentorForm("Grant writing, interviews and research topics", "3")); len(res.Errors) > 0 {
		t.Fatalf("hedy's sign-up: %v", res.Errors)
	}
	w := &permWorld{h: h, c: mustActive(t, h), d: duos[0], mine: map[string]bool{}}
	ps, err := h.store().Participants(h.ctx, w.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var pending string
	for _, p := range ps {
		if p.Role == mentor.RoleMentee && p.Status == mentor.StatusPending {
			pending = p.UserID
			break
		}
	}
	if pending == "" || w.d.MentorID == erin {
		t.Fatalf("the world needs a pending mentee and erin pending: %+v", ps)
	}
	w.who = map[string]string{byCommittee: alice, byDuo: w.d.MenteeID, byParticipant: pending, byStranger: stranger}

	h.submitAgreement(w.d.MenteeID, w.d, "A first grant proposal")
	h.agreementPost(w.d, 1)
	h.raiseConcern(w.d.MenteeID, "We have not managed to meet once.", false)
	cs, err := h.store().ConcernsOf(h.ctx, w.c.ID, w.d.ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("concerns = %v, %v", cs, err)
	}
	w.concern = cs[0].ID
	pv := h.openPairing(alice)
	var meta views.PairingMeta
	mustJSON(t, []byte(pv.PrivateMetadata), &meta)
	if w.round, err = h.store().Round(h.ctx, w.c.ID, meta.RoundID); err != nil {
		t.Fatal(err)
	}
	w.open = slices.IndexFunc(w.round.Proposals, func(p mentor.Proposal) bool { return p.MentorID != "" && p.State == mentor.ProposalOpen })
	if w.open < 0 {
		t.Fatalf("no open proposal in %+v", w.round)
	}
	w.alt = hedy
	if w.round.Proposals[w.open].MentorID == hedy {
		w.alt = erin
	}
	h.settle()
	for _, u := range w.who {
		w.closeViews(u)
	}
	return w
}

// victimNow is whom the forget modal chooses: erin while she is pending, else the
// stranger (who signed up meanwhile).
func (w *permWorld) victimNow() string {
	p, err := w.h.store().Participant(w.h.ctx, w.c.ID, erin)
	if err == nil && len(p.Duos) == 0 {
		return erin
	}
	return stranger
}

// closeViews closes every modal user has open, so the next one starts clean.
func (w *permWorld) closeViews(user string) {
	vs := w.h.slack.OpenViews(user)
	for i := len(vs) - 1; i >= 0; i-- {
		if _, err := w.h.slack.CloseView(w.h.ctx, user, vs[i].ID); err != nil {
			v := vs[i]
			w.h.t.Fatalf("close %s: %v", v.CallbackID, err)
		}
	}
}

var doneLine = regexp.MustCompile(`"msg":"handler done","route":"([^"]*)","code":"([^"]*)"`)

// handlerDone returns the codes of every finished run of route so far.
func (w *permWorld) handlerDone(route string) []string {
	var codes []string
	for _, m := range doneLine.FindAllStringSubmatch(w.h.logs.String(), -1) {
		if m[1] == route {
			codes = append(codes, m[2])
		}
	}
	return codes
}

// try plays route as user and waits for its handler to finish. It returns the
// handler's error code and, if the person acted, how: Redis changed, or a form
// (not an error) opened for them.
func (w *permWorld) try(route, user string, play func(*permWorld, string)) (code, acted string) {
	w.h.t.Helper()
	w.closeViews(user)
	before := w.digest()
	handled := route
	if strings.HasPrefix(route, "command ") {
		handled = "command " + bot.Command
	}
	n := len(w.handlerDone(handled))
	play(w, user)
	w.h.eventually(route+" handled", func() bool { return len(w.handlerDone(handled)) > n })
	code = w.handlerDone(handled)[n]
	var how []string
	if after := w.digest(); after != before {
		how = append(how, "Redis changed: "+diffKeys(before, after))
	}
	for _, v := range w.h.slack.OpenViews(user) {
		if !strings.Contains(viewText(v), "Couldn't save") && v.CallbackID != "" && !w.forged(v) {
			how = append(how, "the "+v.CallbackID+" form opened")
		}
	}
	return code, strings.Join(how, "; ")
}

// forged reports whether v is a modal the test opened itself.
func (w *permWorld) forged(v slackfake.View) bool { return w.mine[v.ID] }

// digest is the program's state in Redis, one line a key, without what changes by
// itself (the scheduler's bookkeeping and leases, event de-duplication marks).
func (w *permWorld) digest() string {
	rdb := w.h.redis.Client()
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, w.h.redis.Prefix+"*").Result()
	if err != nil {
		w.h.t.Fatal(err)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if strings.Contains(k, "{sched}") || strings.Contains(k, ":seen:") || strings.Contains(k, "lock:") {
			continue
		}
		var v any
		switch rdb.Type(ctx, k).Val() {
		case "string":
			v = rdb.Get(ctx, k).Val()
		case "hash":
			v = rdb.HGetAll(ctx, k).Val()
		case "set":
			m := rdb.SMembers(ctx, k).Val()
			sort.Strings(m)
			v = m
		case "zset":
			v = rdb.ZRangeWithScores(ctx, k, 0, -1).Val()
		}
		raw, _ := json.Marshal(v)
		fmt.Fprintf(&b, "%s=%s\n", strings.TrimPrefix(k, w.h.redis.Prefix), raw)
	}
	return b.String()
}

// diffKeys names the keys whose lines differ.
func diffKeys(before, after string) string {
	a, b := strings.Split(before, "\n"), strings.Split(after, "\n")
	var out []string
	for _, l := range b {
		if !slices.Contains(a, l) {
			out = append(out, strings.SplitN(l, "=", 2)[0])
		}
	}
	for _, l := range a {
		if !slices.Contains(b, l) {
			out = append(out, "-"+strings.SplitN(l, "=", 2)[0])
		}
	}
	return strings.Join(out, ", ")
}

// TestTamperedAndStalePayloadsChangeNothing plays payloads whose metadata or values
// were edited or have gone stale, each by someone otherwise allowed: each is refused
// with the error that says why, and nothing changes.
func TestTamperedAndStalePayloadsChangeNothing(t *testing.T) {
	w := newPermWorld(t)
	mentee := w.who[byDuo]
	cases := []struct {
		name, route, user, code string
		play                    func(w *permWorld, u string)
	}{
		{"a pairing modal naming a round that does not exist", "action pair_approve", alice, mentor.ENOTFOUND, func(w *permWorld, u string) {
			m := views.PairingPage(w.c, w.round, 0, nil, nil)
			raw, _ := json.Marshal(views.PairingMeta{CycleID: w.c.ID, RoundID: "no-such-round"})
			m.PrivateMetadata = string(raw)
			v := w.forge(u, m)
			target := slackfake.InView(v.ID)
			target.BlockID = fmt.Sprintf("a%d", w.open)
			if _, err := w.h.slack.ClickButton(w.h.ctx, u, target, views.ActionPairApprove); err != nil {
				t.Fatal(err)
			}
		}},
		{"a program form of a revision since replaced", "view program", alice, mentor.ECONFLICT, func(w *permWorld, u string) {
			v := w.forge(u, views.ProgramModal(w.c, w.stale))
			if _, err := w.h.slack.SubmitView(w.h.ctx, u, v.ID, slackfake.Values{}); err != nil {
				t.Fatal(err)
			}
		}},
		{"a concern form whose metadata names another cycle", "view concern", mentee, "", func(w *permWorld, u string) {
			v := w.forge(u, views.ConcernModal(views.ConcernMeta{CycleID: "no-such-cycle", DuoID: w.d.ID, ID: "tampered"}, nil))
			if _, err := w.h.slack.SubmitView(w.h.ctx, u, v.ID, slackfake.Values{"text": {"text": slackfake.Text("We have not met once.")}, "new_match": {"new_match": slackfake.Option("no")}}); err != nil {
				t.Fatal(err)
			}
		}},
		{"a Sign button for a version that does not exist", "action agreement_sign", mentee, mentor.ENOTFOUND, func(w *permWorld, u string) {
			w.h.forgeClick(u, general, views.ActionAgreementSign, w.c.ID+"|"+w.d.ID+"|99")
		}},
		{"a mentee ticking the mentor's item", "action duo_tick", mentee, mentor.EFORBIDDEN, func(w *permWorld, u string) {
			w.h.forgeClick(u, general, views.ActionDuoTick, w.c.ID+"|"+w.d.ID+"|mentor.welcome|1")
		}},
		{"a button value cut short", "action agreement_sign", mentee, mentor.EINVALID, func(w *permWorld, u string) {
			w.h.forgeClick(u, general, views.ActionAgreementSign, w.c.ID)
		}},
	}
	// The program form as read now, then saved by someone else: it is stale.
	_, w.stale, _ = w.h.store().Cycle(w.h.ctx, w.c.ID)
	w.h.openCycle(alice)
	w.h.settle()
	for _, tc := range cases {
		code, acted := w.try(tc.route, tc.user, tc.play)
		if acted != "" || code == "" || (tc.code != "" && code != tc.code) {
			t.Errorf("%s: handler code %q (want %q), acted: %q", tc.name, code, tc.code, acted)
		}
	}
}
