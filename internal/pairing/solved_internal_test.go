package pairing

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

// A round's kept optimiser gives the same optimum as a solve from scratch after
// every kind of click and every change a sign-up can make meanwhile (a fresh
// service, with nothing kept, is the reference: same number of pairs, same total
// points), and it is really used: between outside changes the optimiser stays the
// one kept.
func TestTheKeptOptimiserGivesTheOptimumOfASolveFromScratch(t *testing.T) {
	ctx := context.Background()
	store := redistest.New(t).Store()
	clk := clock.NewSettable(time.Date(2026, time.October, 5, 9, 0, 0, 0, time.UTC))
	c := mentor.DefaultCycle(clk.Now())
	c.ID = "c2026"
	rnd := rand.New(rand.NewPCG(7, 8))
	areas := []string{"experience", "grants", "career", "research", "resume", "development"}
	save := func(p mentor.Participant) error {
		p.CycleID, p.Name = c.ID, "Person "+p.UserID
		p.Stage, p.Methods, p.Frequency, p.HoursPerMonth = mentor.StageStudent, []string{"email"}, "monthly", 2
		p.Areas = []string{areas[rnd.IntN(len(areas))], areas[rnd.IntN(len(areas))]}
		if p.Role == mentor.RoleMentor {
			p.Stage, p.Offer = mentor.StageSenior, "Offer of "+p.UserID
		} else {
			p.Needs = "Needs of " + p.UserID
		}
		now := clk.Advance(time.Minute)
		p.CreatedAt = now
		return store.SaveSignup(ctx, p, now)
	}
	signUp := func(p mentor.Participant) {
		t.Helper()
		if err := save(p); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 50 {
		signUp(mentor.Participant{UserID: fmt.Sprintf("U0E%02d", i), Role: mentor.RoleMentee})
	}
	for i := range 12 {
		signUp(mentor.Participant{UserID: fmt.Sprintf("U0R%02d", i), Role: mentor.RoleMentor, Capacity: 1 + i%3})
	}
	svc := New(store, clk)
	r, err := svc.Propose(ctx, c, "U0COMMITTEE")
	if err != nil {
		t.Fatal(err)
	}
	kept := svc.solved.get(r.ID)
	reused := 0
	for step := range 80 {
		r, err = svc.Round(ctx, c.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		i := rnd.IntN(len(r.Proposals))
		k := rnd.IntN(14)
		if k == 5 || k == 6 { // choose again for a proposal chosen before, when there is one
			for j, pr := range r.Proposals {
				if pr.Pinned && pr.State == mentor.ProposalOpen {
					i = j
				}
			}
		}
		pr := r.Proposals[i]
		outside := false
		var what string
		switch {
		case k < 4 && pr.MentorID != "" && pr.State != mentor.ProposalApproved:
			what = "approve"
			if _, err := svc.Approve(ctx, c, r.ID, i, "U0COMMITTEE", ""); err != nil && mentor.ErrorCode(err) != mentor.ECONFLICT {
				t.Fatal(err)
			}
			_, err = svc.Reoptimise(ctx, c, r.ID, "an approval")
		case k < 7 && pr.State != mentor.ProposalApproved:
			what = "another mentor"
			alts, aerr := svc.Alternatives(ctx, c.ID, pr.MenteeID, 5)
			if aerr != nil || len(alts) == 0 {
				continue
			}
			_, err = svc.ChangeMentor(ctx, c.ID, r.ID, i, alts[rnd.IntN(len(alts))].MentorID)
			if mentor.ErrorCode(err) == mentor.ECONFLICT || mentor.ErrorCode(err) == mentor.EINVALID {
				err = nil
			}
		case k < 8 && pr.MentorID != "":
			what = "skip"
			if _, err := svc.Skip(ctx, c.ID, r.ID, i, "U0COMMITTEE"); err != nil {
				t.Fatal(err)
			}
			_, err = svc.Reoptimise(ctx, c, r.ID, "a skip")
		case k < 9:
			what, outside = "a mentee leaves", true
			if _, _, werr := store.Withdraw(ctx, c.ID, pr.MenteeID, clk.Now()); werr != nil {
				t.Fatal(werr)
			}
			_, err = svc.Reoptimise(ctx, c, r.ID, "a departure")
		case k == 10 && pr.MentorID != "":
			what, outside = "a mentor leaves", true
			if _, _, werr := store.Withdraw(ctx, c.ID, pr.MentorID, clk.Now()); werr != nil {
				t.Fatal(werr)
			}
			_, err = svc.Reoptimise(ctx, c, r.ID, "a departure")
		case k == 11:
			what, outside = "a duo made outside the round", true
			p, perr := New(store, clk).pool(ctx, c.ID)
			if perr != nil {
				t.Fatal(perr)
			}
			if len(p.mentees) > 0 && len(p.mentors) > 0 {
				e, m := p.mentees[rnd.IntN(len(p.mentees))], p.mentors[rnd.IntN(len(p.mentors))]
				if _, _, derr := store.CreateDuo(ctx, mentor.Duo{ID: fmt.Sprintf("outside-%d", step), CycleID: c.ID,
					MenteeID: e.UserID, MentorID: m.UserID, CreatedAt: clk.Now()}); derr != nil && mentor.ErrorCode(derr) != mentor.ECONFLICT {
					t.Fatal(derr)
				}
			}
			_, err = svc.Reoptimise(ctx, c, r.ID, "a duo made elsewhere")
		case k == 13:
			what, outside = "a mentee edits their sign-up", true
			if serr := save(mentor.Participant{UserID: pr.MenteeID, Role: mentor.RoleMentee}); serr != nil && mentor.ErrorCode(serr) != mentor.ECONFLICT {
				t.Fatal(serr) // ECONFLICT: in a duo, they can't edit
			}
			_, err = svc.Reoptimise(ctx, c, r.ID, "an edit")
		case k == 12:
			what, outside = "a mentor joins", true
			signUp(mentor.Participant{UserID: fmt.Sprintf("U0N%02d", step), Role: mentor.RoleMentor, Capacity: 1})
			_, err = svc.Reoptimise(ctx, c, r.ID, "a new mentor")
		default:
			what = "nothing new"
			_, err = svc.Reoptimise(ctx, c, r.ID, "nothing")
		}
		if err != nil {
			t.Fatalf("step %d (%s): %v", step, what, err)
		}
		now := svc.solved.get(r.ID)
		if now == kept && !outside {
			reused++
		}
		kept = now

		// The reference: a service that keeps nothing solves the round's
		// request from scratch.
		r, err = svc.Round(ctx, c.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		fresh := New(store, clk)
		p, err := fresh.pool(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		open, pins := p.request(&r)
		ref, err := fresh.solve(&p, &mentor.PairingRound{ID: "reference"}, open, pins)
		if err != nil {
			t.Fatal(err)
		}
		refPairs, refTotal := 0, 0
		for _, pair := range ref.pairs {
			refPairs, refTotal = refPairs+1, refTotal+pair.Score.Points
		}
		gotPairs, gotTotal := 0, 0
		for _, e := range open {
			for _, pr := range r.Proposals {
				if pr.MenteeID == e.UserID && pr.MentorID != "" {
					gotPairs, gotTotal = gotPairs+1, gotTotal+pr.Score
				}
			}
		}
		// Nobody is proposed beyond their free places, the committee's choices
		// included.
		load := map[string]int{}
		for _, pin := range pins {
			load[pin.MentorID]++
		}
		for _, e := range open {
			for _, pr := range r.Proposals {
				if pr.MenteeID == e.UserID && pr.MentorID != "" {
					load[pr.MentorID]++
				}
			}
		}
		for m, n := range load {
			if free := p.byID[m].FreeSlots(); n > free {
				t.Fatalf("step %d (%s): %s is proposed %d mentees with %d free places", step, what, m, n, free)
			}
		}
		if gotPairs != refPairs || gotTotal != refTotal {
			t.Fatalf("step %d (%s): the round proposes %d pairs for %d points, a solve from scratch %d for %d",
				step, what, gotPairs, gotTotal, refPairs, refTotal)
		}
	}
	if reused < 20 {
		t.Fatalf("the kept optimiser was reused after %d clicks of 80: it is not really used", reused)
	}
}

// Before a round's optimiser is built, the ones kept make room for it, least
// recently used first, so that two of the largest are never in memory at once.
func TestKeptOptimisersMakeRoomBeforeANewOneIsBuilt(t *testing.T) {
	sized := func(id string, mentees, mentors int) *solvedRound {
		sr := &solvedRound{roundID: id, at: map[string]int{}, capacity: map[string]int{}}
		for i := range mentees {
			sr.at[fmt.Sprint("e", i)] = i
		}
		for j := range mentors {
			sr.capacity[fmt.Sprint("r", j)] = 1
		}
		return sr
	}
	var c solvedCache
	c.put(sized("old", 1000, 1000)) // 1M cells each
	c.put(sized("used", 1000, 1000))
	c.get("old") // "used" is now the least recently used
	c.makeRoom("new", maxSolvedCells-1_500_000)
	if c.get("used") != nil || c.get("old") == nil {
		t.Fatalf("kept %d optimisers; want the least recently used one gone and the other kept", len(c.rounds))
	}
	c.makeRoom("new", maxSolvedCells)
	if len(c.rounds) != 0 {
		t.Fatalf("kept %d optimisers beside one that fills the budget alone", len(c.rounds))
	}
}

// Clicks on one round at once on one replica share its optimiser safely (run with
// -race): one solving from scratch while another pins into what the first just
// kept, and both end with the round's optimum.
func TestConcurrentClicksShareTheRoundsOptimiserSafely(t *testing.T) {
	ctx := context.Background()
	store := redistest.New(t).Store()
	clk := clock.NewSettable(time.Date(2026, time.October, 5, 9, 0, 0, 0, time.UTC))
	c := mentor.DefaultCycle(clk.Now())
	c.ID = "c2026"
	for i := range 62 {
		p := mentor.Participant{UserID: fmt.Sprintf("U0E%02d", i), CycleID: c.ID, Name: "Person", Role: mentor.RoleMentee,
			Stage: mentor.StageStudent, Areas: []string{[]string{"career", "grants", "research"}[i%3]}, Needs: "Needs",
			Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 2}
		if i >= 50 {
			p.UserID, p.Role, p.Stage, p.Needs, p.Offer, p.Capacity = fmt.Sprintf("U0R%02d", i), mentor.RoleMentor, mentor.StageSenior, "", "Offer", 2
		}
		if err := store.SaveSignup(ctx, p, clk.Advance(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	svc := New(store, clk)
	r, err := svc.Propose(ctx, c, "U0COMMITTEE")
	if err != nil {
		t.Fatal(err)
	}
	// One click solves from scratch (its optimiser was dropped) while another
	// pins one more proposal into whatever optimiser the round has: the second's
	// round is the first's with that proposal chosen.
	p, err := svc.pool(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	chosen := r
	chosen.Proposals = slices.Clone(r.Proposals)
	chosen.Proposals[0].MentorID, chosen.Proposals[0].Pinned = "U0R55", true
	open, pins := p.request(&r)
	open2, pins2 := p.request(&chosen)
	var wg sync.WaitGroup
	wg.Add(2)
	solving := make(chan struct{})
	go func() {
		defer wg.Done()
		defer close(solving)
		for range 30 {
			svc.solved.makeRoom(r.ID, 0)
			if _, err := svc.solve(&p, &r, open, pins); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-solving:
				return
			default:
			}
			if sr := svc.solved.get(r.ID); sr != nil {
				sr.resolve(&p, &chosen, open2, pins2)
			}
		}
	}()
	wg.Wait()
	if _, err := svc.Reoptimise(ctx, c, r.ID, "a test"); err != nil {
		t.Fatal(err)
	}
	if r, err = svc.Round(ctx, c.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	fresh := New(store, clk)
	if p, err = fresh.pool(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	open, pins = p.request(&r)
	ref, err := fresh.solve(&p, &mentor.PairingRound{ID: "reference"}, open, pins)
	if err != nil {
		t.Fatal(err)
	}
	refTotal, gotTotal := 0, 0
	for _, pair := range ref.pairs {
		refTotal += pair.Score.Points
	}
	for _, e := range open {
		for _, pr := range r.Proposals {
			if pr.MenteeID == e.UserID && pr.MentorID != "" {
				gotTotal += pr.Score
			}
		}
	}
	if gotTotal != refTotal {
		t.Fatalf("after concurrent choices the round proposes %d points, a solve from scratch %d", gotTotal, refTotal)
	}
}
