package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redistest"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// runForgetCLI runs `mentorbot args…` with env and returns stdout, stderr and the exit
// status main would use.
func runForgetCLI(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	if err != nil {
		return out.String(), errb.String() + "mentorbot: " + err.Error() + "\n", exitCode(err)
	}
	return out.String(), errb.String(), 0
}

func TestForgetCommandUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{"forget", "--bogus"},
		{"forget"},
		{"forget", "--user", "bob"},
		{"forget", "--user", "U0BOB", "extra"},
	} {
		_, stderr, status := runForgetCLI(t, map[string]string{}, args...)
		if status != 2 || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: status %d, stderr %q; want 2 and one line", args, status, stderr)
		}
	}
	if out, _, status := runForgetCLI(t, nil, "forget", "-h"); status != 0 || !strings.Contains(out, "--user U…") {
		t.Errorf("forget -h: status %d, %q", status, out)
	}
}

func TestForgetCommandWithoutRedisSaysSoInOneLine(t *testing.T) {
	env := map[string]string{"REDIS_URL": "redis://:hunter2secret@127.0.0.1:" + freePort(t) + "/0"}
	stdout, stderr, status := runForgetCLI(t, env, "forget", "--user", "U0BOB")
	if status != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "cannot reach Redis") ||
		!strings.Contains(stderr, "nothing was forgotten") {
		t.Errorf("status %d, stdout %q, stderr %q; want 1 and one clear line", status, stdout, stderr)
	}
	if strings.Contains(stderr, "hunter2secret") {
		t.Errorf("the Redis password reached the output: %q", stderr)
	}
}

func TestForgetCommandSaysWhatItRemovedThenThatNothingIsLeft(t *testing.T) {
	r := redistest.New(t)
	s := r.Store()
	ctx := context.Background()
	now := time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)
	c := mentor.DefaultCycle(now)
	c.ID, c.CreatedAt = "2026", now
	if _, err := s.CreateCycle(ctx, c); err != nil {
		t.Fatal(err)
	}
	p := mentor.Participant{UserID: bob, CycleID: c.ID, Name: "bob", Role: mentor.RoleMentee, Stage: mentor.StageStudent,
		Areas: []string{"career"}, Needs: "Help with my first job search", Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 2}
	if err := s.SaveSignup(ctx, p, now); err != nil {
		t.Fatal(err)
	}
	e := mentor.Evaluation{CycleID: c.ID, UserID: bob, Role: mentor.RoleMentee, Achieved: "Nothing yet", Value: "Some", Overall: 3, NeedsMet: 3, Communication: 3, SubmittedAt: now}
	if _, _, err := s.SaveEvaluation(ctx, e); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"REDIS_URL": r.URL, "MENTORBOT_KEY_PREFIX": r.Prefix}

	stdout, stderr, status := runForgetCLI(t, env, "forget", "--user", bob)
	if status != 0 || stderr != "" {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	for _, want := range []string{"Forgetting " + bob + " in 1 cycle(s): 2026", "sign-ups: 1 sign-up removed", "evaluations: 1 evaluation removed",
		"concerns: the text of 0 concerns removed", "duos: 0 duos anonymised"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := s.Participant(ctx, c.ID, bob); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Errorf("sign-up still there: %v", err)
	}
	if n, _ := s.Counts(ctx, c.ID); n.Withdrawn != 1 {
		t.Errorf("counts after forgetting = %+v; want the sign-up counted as withdrawn", n)
	}

	stdout, _, status = runForgetCLI(t, env, "forget", "--user", bob, "--cycle", c.ID)
	if status != 0 || !strings.Contains(stdout, "Nothing left to forget (1 cycle searched)") {
		t.Errorf("again: status %d, %q", status, stdout)
	}
	_, stderr, status = runForgetCLI(t, env, "forget", "--user", bob, "--cycle", "1999")
	if status != 1 || !strings.Contains(stderr, `no program cycle "1999"`) {
		t.Errorf("unknown cycle: status %d, %q", status, stderr)
	}
}

// forgeModal opens view for user as the bot would, without the bot: a modal the bot
// never offered them, as a forged payload would carry.
func (h *harness) forgeModal(user string, view *slack.ModalViewRequest) slackfake.View {
	h.t.Helper()
	trigger, err := h.slack.NewTriggerID(user)
	if err != nil {
		h.t.Fatal(err)
	}
	api := slack.New(h.env["SLACK_BOT_TOKEN"], slack.OptionAPIURL(h.slack.APIURL()))
	v, err := api.OpenViewContext(h.ctx, trigger, *view)
	if err != nil {
		h.t.Fatal(err)
	}
	got, ok := h.slack.View(v.ID)
	if !ok {
		h.t.Fatalf("forged view %s not found", v.ID)
	}
	return got
}

// TestForgetButtonIsForTheCommitteeOnly forgets a person from the committee's App
// Home, end to end; a forged click or submission by anyone else forgets nothing.
func TestForgetButtonIsForTheCommitteeOnly(t *testing.T) {
	h := startBot(t)
	h.openCycle(alice)
	if res := h.join(bob, mentor.RoleMentee, menteeForm("Preparing for academic library interviews")); len(res.Errors) > 0 {
		t.Fatalf("join: %v", res.Errors)
	}
	c := mustActive(t, h)

	// Someone outside the committee: the button is not on their Home, and a forged
	// click opens nothing.
	h.forgeClick(dave, general, "home_forget", "")
	h.ephemeral(dave, "for the mentorship committee")
	if vs := h.slack.OpenViews(dave); len(vs) != 0 {
		t.Fatalf("a non-member got a modal: %v", vs[0].CallbackID)
	}

	// The committee member: Home → Forget a person… → choose → Forget.
	if _, err := h.slack.OpenHome(h.ctx, alice); err != nil {
		t.Fatal(err)
	}
	home := h.home(alice, "Forget a person")
	if _, err := h.slack.ClickButton(h.ctx, alice, slackfake.InView(home.ID), "home_forget"); err != nil {
		t.Fatal(err)
	}
	v := h.view(alice, "forget", nil)

	// The same modal in the hands of someone else (a view the bot never opened for
	// them, forged) forgets nothing when submitted.
	forged := h.forgeModal(dave, views.ForgetModal())
	if res, err := h.slack.SubmitView(h.ctx, dave, forged.ID, slackfake.Values{"forget_user": {"forget_user": slackfake.UserID(bob)}}); err != nil || res.View == nil || !strings.Contains(viewText(*res.View), "for the mentorship committee") {
		t.Errorf("a non-member's forged submission was not refused: %+v, %v", res, err)
	}
	if _, err := h.store().Participant(h.ctx, c.ID, bob); err != nil {
		t.Fatalf("a non-member's submission forgot bob: %v", err)
	}

	res, err := h.slack.SubmitView(h.ctx, alice, v.ID, slackfake.Values{"forget_user": {"forget_user": slackfake.UserID(bob)}})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("submit: %v %v", res, err)
	}
	done := h.view(alice, "forget_done", nil)
	if txt := viewText(done); !strings.Contains(txt, "sign-ups: 1 sign-up removed") {
		t.Errorf("the answer does not say what was removed: %s", txt)
	}
	if _, err := h.store().Participant(h.ctx, c.ID, bob); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Errorf("bob's sign-up is still there: %v", err)
	}
}

// TestForgetCommandRefusesACycleWhereTheDuoRuns forgets a person in the cycles before
// the one where they are in a running duo, says so, and exits 1.
func TestForgetCommandRefusesACycleWhereTheDuoRuns(t *testing.T) {
	r := redistest.New(t)
	s := r.Store()
	ctx := context.Background()
	now := time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)
	signup := func(cycle, user string, role mentor.Role) {
		p := mentor.Participant{UserID: user, CycleID: cycle, Name: user, Role: role, Stage: mentor.StageSenior, Areas: []string{"career"},
			Needs: "Help with my first job search", Offer: "Twenty years of it", Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 2, Capacity: 1}
		if err := s.SaveSignup(ctx, p, now); err != nil {
			t.Fatal(err)
		}
	}
	for i, id := range []string{"2025", "2026"} {
		c := mentor.DefaultCycle(now)
		c.ID, c.CreatedAt = id, now.AddDate(-1+i, 0, 0)
		if i == 1 {
			c.Previous = "2025"
		}
		if _, err := s.CreateCycle(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	signup("2025", bob, mentor.RoleMentee)
	signup("2026", bob, mentor.RoleMentee)
	signup("2026", carol, mentor.RoleMentor)
	if _, _, err := s.CreateDuo(ctx, mentor.Duo{ID: "d1", CycleID: "2026", MentorID: carol, MenteeID: bob, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"REDIS_URL": r.URL, "MENTORBOT_KEY_PREFIX": r.Prefix}

	stdout, stderr, status := runForgetCLI(t, env, "forget", "--user", bob)
	if status != 1 || !strings.Contains(stdout, "Forgetting "+bob+" in 1 cycle(s): 2025") || !strings.Contains(stdout, "sign-ups: 1 sign-up removed") ||
		!strings.Contains(stderr, "still running in cycle 2026") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("status %d\nstdout %s\nstderr %s", status, stdout, stderr)
	}
	if _, err := s.Participant(ctx, "2025", bob); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Errorf("2025 sign-up still there: %v", err)
	}
	if _, err := s.Participant(ctx, "2026", bob); err != nil {
		t.Errorf("the refused cycle changed: %v", err)
	}
}
