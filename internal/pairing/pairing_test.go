package pairing_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/pairing"
)

func TestProposeConsidersPendingMenteesAndMentorsWithFreePlacesOnly(t *testing.T) {
	e := newEnv(t)
	e.mustSignUp(
		menteeP("U0M_MATCHED", "career"), mentorP("U0R_FULL", 1, "career"),
		menteeP("U0M_OLDDUO", "career"), mentorP("U0R_HALF", 2, "career"),
		menteeP("U0M_LEFT", "career"), mentorP("U0R_LEFT", 3, "career"),
		menteeP("U0M_ONE", "career"), menteeP("U0M_TWO", "career"),
		mentorP("U0R_FREE", 1, "career"),
	)
	e.mustPair("U0M_MATCHED", "U0R_FULL") // full: no place left
	e.mustPair("U0M_OLDDUO", "U0R_HALF")  // one place left of two
	e.mustWithdraw("U0M_LEFT")
	e.mustWithdraw("U0R_LEFT")

	r := e.mustPropose()
	if r.Mentees != 2 || r.Mentors != 2 {
		t.Fatalf("round considered %d mentees and %d mentors, want 2 pending mentees and 2 mentors with a free place", r.Mentees, r.Mentors)
	}
	if len(r.Proposals) != 2 {
		t.Fatalf("proposals = %+v, want one for each pending mentee", r.Proposals)
	}
	mentors := map[string]bool{}
	for i, p := range r.Proposals {
		if want := []string{"U0M_ONE", "U0M_TWO"}[i]; p.MenteeID != want {
			t.Errorf("proposal %d is for %s, want %s (sign-up order)", i, p.MenteeID, want)
		}
		if p.MentorID != "U0R_HALF" && p.MentorID != "U0R_FREE" {
			t.Errorf("proposal %d pairs %s with %q, who has no free place or left", i, p.MenteeID, p.MentorID)
		}
		if p.State != mentor.ProposalOpen || p.Reasons == "" || p.DuoID != "" {
			t.Errorf("proposal %d = %+v, want an open proposal with reasons", i, p)
		}
		mentors[p.MentorID] = true
	}
	if len(mentors) != 2 {
		t.Errorf("both mentees proposed to the same one-place mentor: %+v", r.Proposals)
	}
	if got := e.mustRound(r.ID); got.ID != r.ID || got.CycleID != e.cycle.ID || got.CreatedBy != "U0COMMITTEE" || len(got.Proposals) != 2 {
		t.Errorf("stored round = %+v, want the proposed one", got)
	}
}

func TestProposeMatchesAsManyMenteesAsPossibleThenTheBestTotal(t *testing.T) {
	e := newEnv(t)
	// Ada signed up first and would score best with Rosa; but Ben cannot be paired
	// with Sam, so the only way to pair both mentees is Ada with Sam, Ben with Rosa.
	// Cleo avoids every mentor and is listed last, without one.
	e.mustSignUp(
		menteeP("U0ADA", "career", "grants", "research"),
		avoiding(menteeP("U0BEN", "career", "grants", "research"), "U0SAM"),
		avoiding(menteeP("U0CLEO", "career"), "U0ROSA", "U0SAM"),
		mentorP("U0ROSA", 1, "career", "grants", "research"),
		mentorP("U0SAM", 1, "career"),
	)
	r := e.mustPropose()
	want := []struct{ mentee, mentor string }{{"U0ADA", "U0SAM"}, {"U0BEN", "U0ROSA"}, {"U0CLEO", ""}}
	if len(r.Proposals) != len(want) {
		t.Fatalf("proposals = %+v, want %v", r.Proposals, want)
	}
	for i, w := range want {
		if p := r.Proposals[i]; p.MenteeID != w.mentee || p.MentorID != w.mentor {
			t.Errorf("proposal %d = %s → %q, want %s → %q", i, p.MenteeID, p.MentorID, w.mentee, w.mentor)
		}
	}
	last := r.Proposals[2]
	if last.State != mentor.ProposalOpen || last.Score != 0 || last.Reasons == "" {
		t.Errorf("unmatched proposal = %+v, want open, no score, with a reason", last)
	}

	// With everyone free to pair, the total decides: Ada–Sam (2 shared areas) +
	// Ben–Rosa (2) beats Ada–Rosa (3) + Ben–Sam (0).
	e2 := newEnv(t)
	e2.mustSignUp(
		menteeP("U0ADA", "career", "grants", "research"),
		menteeP("U0BEN", "research", "resume"),
		mentorP("U0ROSA", 1, "career", "grants", "research", "resume"),
		mentorP("U0SAM", 1, "career", "grants"),
	)
	r2 := e2.mustPropose()
	if len(r2.Proposals) != 2 || r2.Proposals[0].MentorID != "U0SAM" || r2.Proposals[1].MentorID != "U0ROSA" {
		t.Fatalf("proposals = %+v, want Ada with Sam and Ben with Rosa (the best total, not Ada's best)", r2.Proposals)
	}
	if total := r2.Proposals[0].Score + r2.Proposals[1].Score; total <= 0 {
		t.Errorf("total score %d", total)
	}
	if !strings.Contains(r2.Proposals[1].Reasons, "shared:") {
		t.Errorf("reasons %q do not name the shared areas", r2.Proposals[1].Reasons)
	}
}

func TestProposeWithNobodyWaiting(t *testing.T) {
	e := newEnv(t)
	e.mustSignUp(mentorP("U0ROSA", 2, "career"))
	r := e.mustPropose()
	if len(r.Proposals) != 0 || r.Mentees != 0 || r.Mentors != 1 {
		t.Fatalf("round = %+v, want no proposals", r)
	}
}

func TestApproveMakesOneDuoExactlyOnce(t *testing.T) {
	e := newEnv(t)
	e.mustSignUp(menteeP("U0ADA", "career"), mentorP("U0GRACE", 2, "career"))
	r := e.mustPropose()

	first := e.mustApprove(r.ID, 0)
	if !first.Created || first.Duo.ID == "" || first.Duo.MenteeID != "U0ADA" || first.Duo.MentorID != "U0GRACE" {
		t.Fatalf("first approval = %+v, want a new duo of Ada and Grace", first)
	}
	if first.Proposal.State != mentor.ProposalApproved || first.Proposal.DuoID != first.Duo.ID || first.Proposal.DecidedBy != "U0COMMITTEE" {
		t.Errorf("proposal after approval = %+v", first.Proposal)
	}
	if !first.Duo.CreatedAt.Equal(e.clock.Now()) || first.Duo.ApprovedBy != "U0COMMITTEE" || first.Duo.Score != r.Proposals[0].Score {
		t.Errorf("duo = %+v, want created now by the committee member with the proposal's score", first.Duo)
	}

	again, err := e.svc.Approve(e.ctx, e.cycle, r.ID, 0, "U0OTHERMEMBER", "")
	if err != nil {
		t.Fatalf("second approval: %v", err)
	}
	if again.Created || again.Duo.ID != first.Duo.ID {
		t.Fatalf("second approval = created %v duo %s, want the same duo %s, not created", again.Created, again.Duo.ID, first.Duo.ID)
	}
	if again.Proposal.DecidedBy != "U0COMMITTEE" {
		t.Errorf("decided by %q after a second click, want the first approver", again.Proposal.DecidedBy)
	}
	if ids := e.mustDuoIDs(); len(ids) != 1 || ids[0] != first.Duo.ID {
		t.Fatalf("duos = %v, want just %s", ids, first.Duo.ID)
	}
	ada, grace := e.mustParticipant("U0ADA"), e.mustParticipant("U0GRACE")
	if ada.Status != mentor.StatusMatched || len(ada.Duos) != 1 || grace.Status != mentor.StatusMatched || grace.FreeSlots() != 1 {
		t.Errorf("after approval Ada = %s %v, Grace = %s with %d free; want both matched, Grace one place left",
			ada.Status, ada.Duos, grace.Status, grace.FreeSlots())
	}
}

func TestApproveRefusesWhatCanNoLongerBe(t *testing.T) {
	e := newEnv(t)
	e.mustSignUp(menteeP("U0ADA", "career"), avoiding(menteeP("U0CLEO", "career"), "U0GRACE"), mentorP("U0GRACE", 1, "career"))
	r := e.mustPropose()

	// No mentor proposed: nothing to approve.
	_, err := e.svc.Approve(e.ctx, e.cycle, r.ID, indexOf(t, r, "U0CLEO"), "U0COMMITTEE", "")
	mustCode(t, err, mentor.EINVALID)

	// Out of range, or an expired round.
	_, err = e.svc.Approve(e.ctx, e.cycle, r.ID, 7, "U0COMMITTEE", "")
	mustCode(t, err, mentor.ENOTFOUND)
	_, err = e.svc.Approve(e.ctx, e.cycle, "no-such-round", 0, "U0COMMITTEE", "")
	mustCode(t, err, mentor.ENOTFOUND)

	// The mentee left meanwhile: a conflict, and the proposal says why.
	e.mustWithdraw("U0ADA")
	i := indexOf(t, r, "U0ADA")
	a, err := e.svc.Approve(e.ctx, e.cycle, r.ID, i, "U0COMMITTEE", "")
	mustCode(t, err, mentor.ECONFLICT)
	if a.Proposal.State != mentor.ProposalFailed || !strings.Contains(a.Proposal.Note, "U0ADA") {
		t.Errorf("proposal = %+v, want failed with a note naming Ada", a.Proposal)
	}
	if got := e.mustRound(r.ID).Proposals[i]; got.State != mentor.ProposalFailed || got.Note == "" {
		t.Errorf("stored proposal = %+v, want failed with a note", got)
	}
	if ids := e.mustDuoIDs(); len(ids) != 0 {
		t.Errorf("duos = %v, want none", ids)
	}
}

// Two committee members work through two rounds that offer the same one-place mentor
// to different mentees, and everyone clicks Approve at once, many times.
func TestConcurrentApprovalsOfConflictingProposalsMakeOneDuo(t *testing.T) {
	e := newEnv(t)
	e.mustSignUp(menteeP("U0ADA", "career"), mentorP("U0ROSA", 1, "career"))
	r1 := e.mustPropose() // Ada → Rosa
	e.mustSignUp(menteeP("U0BEN", "career"))
	r2 := e.mustPropose()
	ben := indexOf(t, r2, "U0BEN")
	if r2.Proposals[ben].MentorID != "U0ROSA" {
		var err error
		if r2, err = e.svc.ChangeMentor(e.ctx, e.cycle.ID, r2.ID, ben, "U0ROSA"); err != nil {
			t.Fatalf("change Ben's mentor to Rosa: %v", err)
		}
	}
	ada := indexOf(t, r1, "U0ADA")
	if r1.Proposals[ada].MentorID != "U0ROSA" || r2.Proposals[ben].MentorID != "U0ROSA" {
		t.Fatalf("rounds do not conflict: %+v / %+v", r1.Proposals, r2.Proposals)
	}

	const clicks = 20
	type result struct {
		round string
		a     pairing.Approval
		err   error
	}
	results := make(chan result, 2*clicks)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, job := range []struct {
		round string
		i     int
		who   string
	}{{r1.ID, ada, "U0COMMITTEE1"}, {r2.ID, ben, "U0COMMITTEE2"}} {
		for range clicks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				a, err := e.svc.Approve(e.ctx, e.cycle, job.round, job.i, job.who, "")
				results <- result{job.round, a, err}
			}()
		}
	}
	close(start)
	wg.Wait()
	close(results)

	created := 0
	for res := range results {
		if res.err != nil && mentor.ErrorCode(res.err) != mentor.ECONFLICT {
			t.Errorf("approval in round %s failed with %v, want success or a conflict", res.round, res.err)
		}
		if res.a.Created {
			created++
		}
	}
	if created > 1 {
		t.Errorf("%d approvals report a new duo, want at most one", created)
	}

	ids := e.mustDuoIDs()
	if len(ids) != 1 {
		t.Fatalf("duos = %v, want exactly one", ids)
	}
	d := e.mustDuo(ids[0])
	winner, loser := r1.ID, r2.ID
	wi, li, loserMentee := ada, ben, "U0BEN"
	if d.MenteeID == "U0BEN" {
		winner, loser = r2.ID, r1.ID
		wi, li, loserMentee = ben, ada, "U0ADA"
	}
	if d.MentorID != "U0ROSA" {
		t.Fatalf("duo = %+v, want one with Rosa", d)
	}
	if p := e.mustRound(winner).Proposals[wi]; p.State != mentor.ProposalApproved || p.DuoID != d.ID {
		t.Errorf("winning proposal = %+v, want approved with duo %s", p, d.ID)
	}
	if p := e.mustRound(loser).Proposals[li]; p.State != mentor.ProposalFailed || !strings.Contains(p.Note, "U0ROSA") {
		t.Errorf("losing proposal = %+v, want failed with a note about Rosa", p)
	}
	rosa := e.mustParticipant("U0ROSA")
	if len(rosa.Duos) != 1 || rosa.FreeSlots() != 0 {
		t.Errorf("Rosa has duos %v, want exactly one", rosa.Duos)
	}
	if p := e.mustParticipant(loserMentee); p.Status != mentor.StatusPending || len(p.Duos) != 0 {
		t.Errorf("%s = %s with %v, want still pending", loserMentee, p.Status, p.Duos)
	}
	counts, err := e.store.Counts(e.ctx, e.cycle.ID)
	if err != nil || counts.FreeMentorCapacity != 0 || counts.MatchedMentees != 1 || counts.PendingMentees != 1 {
		t.Errorf("counts = %+v, %v", counts, err)
	}
}

func TestChangeMentor(t *testing.T) {
	e := newEnv(t)
	e.mustSignUp(
		avoiding(menteeP("U0ADA", "career"), "U0VIC"),
		mentorP("U0ROSA", 1, "career"), mentorP("U0SAM", 1, "grants"), mentorP("U0VIC", 1, "career"),
		menteeP("U0BEN", "research"),
	)
	r := e.mustPropose()
	i := indexOf(t, r, "U0ADA")

	// Someone on Ada's avoid list is refused, and the proposal stays as it was.
	_, err := e.svc.ChangeMentor(e.ctx, e.cycle.ID, r.ID, i, "U0VIC")
	mustCode(t, err, mentor.EINVALID)
	if got := e.mustRound(r.ID).Proposals[i]; got != r.Proposals[i] {
		t.Errorf("proposal changed by a refused change: %+v → %+v", r.Proposals[i], got)
	}
	// A mentee or a stranger is no mentor.
	_, err = e.svc.ChangeMentor(e.ctx, e.cycle.ID, r.ID, i, "U0BEN")
	mustCode(t, err, mentor.EINVALID)
	_, err = e.svc.ChangeMentor(e.ctx, e.cycle.ID, r.ID, i, "U0NOBODY")
	mustCode(t, err, mentor.EINVALID)
	_, err = e.svc.ChangeMentor(e.ctx, e.cycle.ID, r.ID, 99, "U0SAM")
	mustCode(t, err, mentor.ENOTFOUND)

	other := "U0SAM"
	if r.Proposals[i].MentorID == "U0SAM" {
		other = "U0ROSA"
	}
	got, err := e.svc.ChangeMentor(e.ctx, e.cycle.ID, r.ID, i, other)
	if err != nil {
		t.Fatalf("change to %s: %v", other, err)
	}
	p := got.Proposals[i]
	if p.MentorID != other || p.State != mentor.ProposalOpen || p.Reasons == "" {
		t.Fatalf("changed proposal = %+v, want %s, open, rescored", p, other)
	}
	a := e.mustApprove(r.ID, i)
	if a.Duo.MentorID != other {
		t.Fatalf("approved duo has mentor %s, want %s", a.Duo.MentorID, other)
	}
	_, err = e.svc.ChangeMentor(e.ctx, e.cycle.ID, r.ID, i, "U0ROSA")
	mustCode(t, err, mentor.ECONFLICT)
}

func TestSkipSetsAsideButStillApprovable(t *testing.T) {
	e := newEnv(t)
	e.mustSignUp(menteeP("U0ADA", "career"), mentorP("U0ROSA", 1, "career"))
	r := e.mustPropose()
	got, err := e.svc.Skip(e.ctx, e.cycle.ID, r.ID, 0, "U0COMMITTEE2")
	if err != nil {
		t.Fatal(err)
	}
	if p := got.Proposals[0]; p.State != mentor.ProposalSkipped || p.DecidedBy != "U0COMMITTEE2" {
		t.Fatalf("skipped proposal = %+v", p)
	}
	if ids := e.mustDuoIDs(); len(ids) != 0 {
		t.Fatalf("skipping made duos %v", ids)
	}
	a := e.mustApprove(r.ID, 0)
	if !a.Created || a.Proposal.State != mentor.ProposalApproved {
		t.Fatalf("approval after skip = %+v", a)
	}
	// Skipping an approved pair changes nothing.
	got, err = e.svc.Skip(e.ctx, e.cycle.ID, r.ID, 0, "U0COMMITTEE2")
	if err != nil || got.Proposals[0].State != mentor.ProposalApproved {
		t.Fatalf("skip after approval = %+v, %v; want still approved", got.Proposals[0], err)
	}
	_, err = e.svc.Skip(e.ctx, e.cycle.ID, r.ID, -1, "U0COMMITTEE2")
	mustCode(t, err, mentor.ENOTFOUND)
}

func TestAlternativesAreMentorsWithAFreePlaceBestFirst(t *testing.T) {
	e := newEnv(t)
	e.mustSignUp(
		avoiding(menteeP("U0ADA", "career", "grants"), "U0VIC"),
		mentorP("U0ROSA", 1, "career", "grants"), mentorP("U0SAM", 2, "career"), mentorP("U0VIC", 1, "career", "grants"),
		mentorP("U0LEFT", 1, "career", "grants"), mentorP("U0FULL", 1, "career", "grants"), menteeP("U0OLD", "career"),
	)
	e.mustWithdraw("U0LEFT")
	e.mustPair("U0OLD", "U0FULL")
	alts, people, err := e.svc.AlternativesFor(e.ctx, e.cycle.ID, []string{"U0ADA", "U0NOBODY"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := alts["U0ADA"]
	if len(got) != 2 || got[0].MentorID != "U0ROSA" || got[1].MentorID != "U0SAM" {
		t.Fatalf("alternatives = %+v, want Rosa then Sam", got)
	}
	if got[0].Name != "Mentor U0ROSA" || got[0].Free != 1 || got[1].Free != 2 || got[0].Score <= got[1].Score {
		t.Errorf("alternatives = %+v", got)
	}
	if len(alts["U0NOBODY"]) != 0 {
		t.Errorf("alternatives of a stranger = %+v", alts["U0NOBODY"])
	}
	if people["U0ADA"].Name != "Mentee U0ADA" {
		t.Errorf("people = %v, want everyone by id", people)
	}
	one, err := e.svc.Alternatives(e.ctx, e.cycle.ID, "U0ADA", 1)
	if err != nil || len(one) != 1 || one[0].MentorID != "U0ROSA" {
		t.Errorf("Alternatives(limit 1) = %+v, %v", one, err)
	}
}

func TestTickPermissions(t *testing.T) {
	e := newEnv(t)
	d := e.mustApprovedDuo() // Ada (mentee) with Grace (mentor)
	tick := func(item, who string, done bool) (mentor.Duo, bool, error) {
		return e.svc.Tick(e.ctx, e.cycle.ID, d.ID, item, who, done)
	}

	_, _, err := tick("mentee.contact", "U0GRACE", true)
	mustCode(t, err, mentor.EFORBIDDEN)
	_, _, err = tick("mentor.welcome", "U0ADA", true)
	mustCode(t, err, mentor.EFORBIDDEN)
	_, _, err = tick("both.agreement", "U0STRANGER", true)
	mustCode(t, err, mentor.EFORBIDDEN)
	_, _, err = tick("mentee.contact", "U0STRANGER", true)
	mustCode(t, err, mentor.EFORBIDDEN)
	_, _, err = tick("mentee.nap", "U0ADA", true)
	mustCode(t, err, mentor.EINVALID)
	_, _, err = e.svc.Tick(e.ctx, e.cycle.ID, "no-such-duo", "mentee.contact", "U0ADA", true)
	mustCode(t, err, mentor.ENOTFOUND)
	if got := e.mustDuo(d.ID); len(got.Checklist) != 0 {
		t.Fatalf("refused ticks changed the checklist: %v", got.Checklist)
	}

	steps := []struct {
		item, who string
		done      bool
		changed   bool
	}{
		{"mentee.contact", "U0ADA", true, true},
		{"mentee.contact", "U0ADA", true, false}, // a double click
		{"mentor.welcome", "U0GRACE", true, true},
		{"both.agreement", "U0GRACE", true, true}, // shared: either may tick…
		{"both.agreement", "U0ADA", false, true},  // …or untick
		{"both.agreement", "U0ADA", false, false},
	}
	for _, s := range steps {
		got, changed, err := tick(s.item, s.who, s.done)
		if err != nil {
			t.Fatalf("%s ticks %s=%v: %v", s.who, s.item, s.done, err)
		}
		if changed != s.changed || got.Checklist[s.item] != s.done {
			t.Fatalf("%s ticks %s=%v: changed %v, checklist %v; want changed %v", s.who, s.item, s.done, changed, got.Checklist, s.changed)
		}
	}
	got := e.mustDuo(d.ID)
	if !got.Checklist["mentee.contact"] || !got.Checklist["mentor.welcome"] || got.Checklist["both.agreement"] {
		t.Fatalf("stored checklist = %v", got.Checklist)
	}
}
