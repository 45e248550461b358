package pairing_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/pairing"
)

// Steps of opening a duo, as the fake workspace names them.
const (
	stepCreate    = "create"
	stepInvite    = "invite"
	stepWelcome   = "welcome"
	stepTellAda   = "tell U0ADA"
	stepTellGrace = "tell U0GRACE"
	stepCommittee = "committee"
)

var errSlackDown = errors.New("slack: service_unavailable")

// fakeWorkspace is an in-memory Slack: it records every call, fails the steps it is
// told to, answers name_taken for names in use, and can hold channel creation until
// released.
type fakeWorkspace struct {
	mu       sync.Mutex
	attempts map[string]int    // calls per step, failed ones included
	done     map[string]int    // successful calls per step
	fail     map[string]int    // step → failures still to give
	taken    map[string]bool   // channel names in use
	ours     map[string]string // channels this workspace made: name → id
	// lostAfterCreate makes the next successful create answer an error, as when
	// the process dies (or Redis fails) right after Slack made the channel.
	lostAfterCreate bool
	tried           []string // channel names asked for, in order
	invited         map[string][]string
	names           map[string]string

	entered chan struct{} // when set, the first CreatePrivateChannel signals here…
	release chan struct{} // …and waits for this
}

func newWorkspace() *fakeWorkspace {
	return &fakeWorkspace{
		attempts: map[string]int{}, done: map[string]int{}, fail: map[string]int{}, taken: map[string]bool{}, ours: map[string]string{},
		invited: map[string][]string{}, names: map[string]string{"U0ADA": "Ada Lovelace", "U0GRACE": "Grace Hopper"},
	}
}

// step records an attempt at step and returns the failure to give, if any.
func (w *fakeWorkspace) step(step string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.attempts[step]++
	if w.fail[step] > 0 {
		w.fail[step]--
		return errSlackDown
	}
	return nil
}

func (w *fakeWorkspace) succeeded(step string) {
	w.mu.Lock()
	w.done[step]++
	w.mu.Unlock()
}

func (w *fakeWorkspace) CreatePrivateChannel(ctx context.Context, name string) (string, error) {
	w.mu.Lock()
	entered, release := w.entered, w.release
	w.entered = nil // only the first call is held
	w.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
		<-release
	}
	if err := w.step(stepCreate); err != nil {
		return "", err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tried = append(w.tried, name)
	if w.taken[name] {
		return "", fmt.Errorf("conversations.create: %w", pairing.ErrNameTaken)
	}
	w.taken[name] = true
	w.done[stepCreate]++
	id := fmt.Sprintf("C%03d", len(w.taken))
	w.ours[name] = id
	if w.lostAfterCreate {
		w.lostAfterCreate = false
		return "", errSlackDown
	}
	return id, nil
}

func (w *fakeWorkspace) FindChannel(ctx context.Context, name string, members ...string) (string, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	id, ok := w.ours[name]
	return id, ok, nil
}

func (w *fakeWorkspace) Invite(ctx context.Context, channelID string, userIDs ...string) error {
	if err := w.step(stepInvite); err != nil {
		return err
	}
	w.mu.Lock()
	w.invited[channelID] = append(w.invited[channelID], userIDs...)
	w.mu.Unlock()
	w.succeeded(stepInvite)
	return nil
}

func (w *fakeWorkspace) PostWelcome(ctx context.Context, c mentor.Cycle, d mentor.Duo) (string, error) {
	if d.ChannelID == "" {
		return "", errors.New("welcome posted before the channel exists")
	}
	if err := w.step(stepWelcome); err != nil {
		return "", err
	}
	w.succeeded(stepWelcome)
	return "1700000000.000100", nil
}

func (w *fakeWorkspace) TellMember(ctx context.Context, c mentor.Cycle, d mentor.Duo, userID string) error {
	if err := w.step("tell " + userID); err != nil {
		return err
	}
	w.succeeded("tell " + userID)
	return nil
}

func (w *fakeWorkspace) TellCommittee(ctx context.Context, c mentor.Cycle, d mentor.Duo) error {
	if err := w.step(stepCommittee); err != nil {
		return err
	}
	w.succeeded(stepCommittee)
	return nil
}

func (w *fakeWorkspace) Name(ctx context.Context, cycleID, userID string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.names[userID]
}

func (w *fakeWorkspace) counts() (attempts, done map[string]int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a, d := map[string]int{}, map[string]int{}
	for k, v := range w.attempts {
		a[k] = v
	}
	for k, v := range w.done {
		d[k] = v
	}
	return a, d
}

// mustEachStepDoneOnce fails unless every step succeeded exactly once.
func (w *fakeWorkspace) mustEachStepDoneOnce(t *testing.T) {
	t.Helper()
	_, done := w.counts()
	for _, s := range []string{stepCreate, stepInvite, stepWelcome, stepTellAda, stepTellGrace, stepCommittee} {
		if done[s] != 1 {
			t.Errorf("step %q done %d times, want once (all: %v)", s, done[s], done)
		}
	}
}

// setupFlags lists a duo's setup flags in the order Open runs the steps.
func setupFlags(s mentor.DuoSetup) []bool {
	return []bool{s.ChannelCreated, s.Invited, s.WelcomePosted, s.MenteeTold, s.MentorTold, s.CommitteeTold}
}

func mustBeOpened(t *testing.T, d mentor.Duo, now time.Time) {
	t.Helper()
	if !d.Setup.Done() || d.Setup.LastError != "" || !d.Setup.CompletedAt.Equal(now) {
		t.Fatalf("setup = %+v, want every step done, no error, completed at %v", d.Setup, now)
	}
	if d.ChannelID == "" || d.ChannelName == "" || d.Setup.WelcomeTS != "1700000000.000100" {
		t.Fatalf("duo = %+v, want its channel and welcome recorded", d)
	}
}

func TestOpenDoesEveryStepOnce(t *testing.T) {
	e := newEnv(t)
	d := e.mustApprovedDuo()
	ws := newWorkspace()
	got, err := e.svc.Open(e.ctx, e.cycle, d.ID, ws)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	mustBeOpened(t, got, e.clock.Now())
	ws.mustEachStepDoneOnce(t)
	wantName := pairing.ChannelName(e.cycle.Name, "Ada Lovelace", "Grace Hopper", "U0ADA", "U0GRACE", 1)
	if got.ChannelName != wantName || wantName != "duo-2026-2027-ada-grace" {
		t.Errorf("channel name = %q, want %q", got.ChannelName, wantName)
	}
	if inv := ws.invited[got.ChannelID]; len(inv) != 2 || inv[0] != "U0ADA" || inv[1] != "U0GRACE" {
		t.Errorf("invited %v to %s, want both", inv, got.ChannelID)
	}
	stored := e.mustDuo(d.ID)
	if stored.ChannelID != got.ChannelID || !stored.Setup.Done() {
		t.Errorf("stored duo = %+v, want the opened one", stored)
	}

	// Opening an opened duo again (a retry click, a redelivery) does nothing.
	if _, err := e.svc.Open(e.ctx, e.cycle, d.ID, ws); err != nil {
		t.Fatal(err)
	}
	ws.mustEachStepDoneOnce(t)
	if a, _ := ws.counts(); a[stepCreate] != 1 {
		t.Errorf("attempts after a second open = %v", a)
	}
}

func TestOpenResumesAfterAFailedStep(t *testing.T) {
	steps := []struct {
		key, name string
	}{
		{stepCreate, "create the channel"},
		{stepInvite, "invite both"},
		{stepWelcome, "post the welcome"},
		{stepTellAda, "tell the mentee"},
		{stepTellGrace, "tell the mentor"},
		{stepCommittee, "tell the committee"},
	}
	for at, failing := range steps {
		t.Run(failing.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.mustApprovedDuo()
			ws := newWorkspace()
			ws.fail[failing.key] = 1

			failedAt := e.clock.Now()
			got, err := e.svc.Open(e.ctx, e.cycle, d.ID, ws)
			if err == nil || !errors.Is(err, errSlackDown) || !strings.Contains(err.Error(), failing.name) {
				t.Fatalf("open = %v, want the Slack failure at %q", err, failing.name)
			}
			for _, duo := range []mentor.Duo{got, e.mustDuo(d.ID)} {
				if !strings.HasPrefix(duo.Setup.LastError, failing.name+":") || !duo.Setup.LastErrorAt.Equal(failedAt) {
					t.Errorf("last error = %q at %v, want %q… at %v", duo.Setup.LastError, duo.Setup.LastErrorAt, failing.name, failedAt)
				}
				for i, flag := range setupFlags(duo.Setup) {
					if want := i < at; flag != want {
						t.Errorf("step %q done = %v, want %v (setup %+v)", steps[i].name, flag, want, duo.Setup)
					}
				}
				if !duo.Setup.CompletedAt.IsZero() {
					t.Errorf("completed at %v after a failure", duo.Setup.CompletedAt)
				}
			}

			e.clock.Advance(time.Minute)
			got, err = e.svc.Open(e.ctx, e.cycle, d.ID, ws)
			if err != nil {
				t.Fatalf("second open: %v", err)
			}
			mustBeOpened(t, got, e.clock.Now())
			ws.mustEachStepDoneOnce(t)
			attempts, _ := ws.counts()
			for i, s := range steps {
				want := 1
				if i == at {
					want = 2 // the failed try and the retry
				}
				if attempts[s.key] != want {
					t.Errorf("step %q tried %d times, want %d", s.name, attempts[s.key], want)
				}
			}
		})
	}
}

func TestOpenTakesTheNextNameWhenOneIsTaken(t *testing.T) {
	e := newEnv(t)
	d := e.mustApprovedDuo()
	ws := newWorkspace()
	name := func(suffix int) string {
		return pairing.ChannelName(e.cycle.Name, "Ada Lovelace", "Grace Hopper", "U0ADA", "U0GRACE", suffix)
	}
	ws.taken[name(1)], ws.taken[name(2)] = true, true // e.g. archived duos of other cycles

	got, err := e.svc.Open(e.ctx, e.cycle, d.ID, ws)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{name(1), name(2), name(3)}; strings.Join(ws.tried, " ") != strings.Join(want, " ") {
		t.Fatalf("names tried = %v, want %v", ws.tried, want)
	}
	if got.ChannelName != "duo-2026-2027-ada-grace-3" || got.Setup.ChannelNameSuffix != 3 {
		t.Fatalf("channel = %q suffix %d, want %q suffix 3", got.ChannelName, got.Setup.ChannelNameSuffix, name(3))
	}
	if stored := e.mustDuo(d.ID); stored.ChannelName != got.ChannelName || stored.Setup.ChannelNameSuffix != 3 {
		t.Fatalf("stored channel = %q suffix %d", stored.ChannelName, stored.Setup.ChannelNameSuffix)
	}
	mustBeOpened(t, got, e.clock.Now())
}

func TestOpenAdoptsTheChannelAnAttemptMadeButNeverRecorded(t *testing.T) {
	e := newEnv(t)
	d := e.mustApprovedDuo()
	ws := newWorkspace()
	ws.lostAfterCreate = true
	if _, err := e.svc.Open(e.ctx, e.cycle, d.ID, ws); err == nil {
		t.Fatal("the first attempt did not fail")
	}
	if stored := e.mustDuo(d.ID); stored.Setup.ChannelCreated || stored.Setup.IntendedName == "" {
		t.Fatalf("after the lost create: %+v, want the intended name recorded and no channel", stored.Setup)
	}
	got, err := e.svc.Open(e.ctx, e.cycle, d.ID, ws)
	if err != nil {
		t.Fatal(err)
	}
	if got.ChannelName != "duo-2026-2027-ada-grace" || got.ChannelID != ws.ours["duo-2026-2027-ada-grace"] {
		t.Fatalf("channel = %s %q, want the first attempt's channel adopted, not a -2", got.ChannelID, got.ChannelName)
	}
	if len(ws.ours) != 1 {
		t.Fatalf("%d channels made, want 1: %v", len(ws.ours), ws.ours)
	}
	mustBeOpened(t, got, e.clock.Now())
}

func TestOpenDoesNotAdoptAnotherDuosChannel(t *testing.T) {
	e := newEnv(t)
	d := e.mustApprovedDuo()
	ws := newWorkspace()
	// A channel of that name, made by the bot and holding nobody else yet, belongs
	// to another duo (people of the same names, still being invited).
	name := pairing.ChannelName(e.cycle.Name, "Ada Lovelace", "Grace Hopper", "U0ADA", "U0GRACE", 1)
	ws.taken[name], ws.ours[name] = true, "C0OTHER"
	if err := e.store.IndexDuoChannel(e.ctx, "C0OTHER", e.cycle.ID, "another-duo"); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Open(e.ctx, e.cycle, d.ID, ws)
	if err != nil {
		t.Fatal(err)
	}
	if got.ChannelID == "C0OTHER" || got.ChannelName != name+"-2" {
		t.Fatalf("channel = %s %q, want a channel of its own (%s-2)", got.ChannelID, got.ChannelName, name)
	}
}

func TestOpenGivesUpAfterManyTakenNames(t *testing.T) {
	e := newEnv(t)
	d := e.mustApprovedDuo()
	ws := newWorkspace()
	for s := 1; s <= 100; s++ {
		ws.taken[pairing.ChannelName(e.cycle.Name, "Ada Lovelace", "Grace Hopper", "U0ADA", "U0GRACE", s)] = true
	}
	got, err := e.svc.Open(e.ctx, e.cycle, d.ID, ws)
	if err == nil || got.Setup.ChannelCreated || !strings.HasPrefix(got.Setup.LastError, "create the channel:") {
		t.Fatalf("open = %+v, %v; want a recorded failure to create the channel", got.Setup, err)
	}
	if a, _ := ws.counts(); a[stepCreate] > 100 || a[stepInvite] != 0 {
		t.Fatalf("attempts = %v, want a bounded number of names and nothing after", a)
	}
}

func TestOpenUnknownDuo(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.Open(e.ctx, e.cycle, "no-such-duo", newWorkspace())
	mustCode(t, err, mentor.ENOTFOUND)
}

func TestOpenWhileAnotherOpenIsRunningIsBusy(t *testing.T) {
	e := newEnv(t)
	d := e.mustApprovedDuo()
	ws := newWorkspace()
	entered, release := make(chan struct{}), make(chan struct{})
	ws.entered, ws.release = entered, release

	first := make(chan error, 1)
	go func() {
		_, err := e.svc.Open(e.ctx, e.cycle, d.ID, ws)
		first <- err
	}()
	<-entered // the first Open is creating the channel

	_, err := e.svc.Open(e.ctx, e.cycle, d.ID, ws)
	if !errors.Is(err, pairing.ErrBusy) {
		t.Fatalf("second open while the first runs = %v, want ErrBusy", err)
	}
	mustCode(t, err, mentor.ECONFLICT)

	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first open: %v", err)
	}
	ws.mustEachStepDoneOnce(t)

	// The lock is free again, and there is nothing left to do.
	if _, err := e.svc.Open(e.ctx, e.cycle, d.ID, ws); err != nil {
		t.Fatalf("open after the first finished: %v", err)
	}
	ws.mustEachStepDoneOnce(t)
}

func TestConcurrentOpensDoEachStepOnce(t *testing.T) {
	e := newEnv(t)
	d := e.mustApprovedDuo()
	ws := newWorkspace()
	const n = 8
	errs := make(chan error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := e.svc.Open(e.ctx, e.cycle, d.ID, ws)
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	finished := 0
	for err := range errs {
		switch {
		case err == nil:
			finished++
		case errors.Is(err, pairing.ErrBusy):
		default:
			t.Errorf("open: %v, want success or ErrBusy", err)
		}
	}
	if finished == 0 {
		t.Fatal("no open finished")
	}
	ws.mustEachStepDoneOnce(t)
	mustBeOpened(t, e.mustDuo(d.ID), e.clock.Now())
}
