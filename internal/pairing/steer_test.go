package pairing_test

import (
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/matching"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/pairing"
)

func mentorOf(t *testing.T, r mentor.PairingRound, menteeID string) string {
	t.Helper()
	return r.Proposals[indexOf(t, r, menteeID)].MentorID
}

func (e *env) mustSettings(s matching.Settings) {
	e.t.Helper()
	_, rev, err := e.svc.Settings(e.ctx, e.cycle.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.svc.SaveSettings(e.ctx, e.cycle.ID, s, rev); err != nil {
		e.t.Fatalf("save settings: %v", err)
	}
}

func TestProposeFollowsTheCycleSettings(t *testing.T) {
	e := newEnv(t)
	// Ada shares an area with Rosa, and a time zone with Sam (8 h east of Rosa).
	ada := menteeP("U0ADA", "career")
	rosa := mentorP("U0ROSA", 1, "career")
	rosa.TZOffset = -8 * 3600
	sam := mentorP("U0SAM", 1, "grants")
	e.mustSignUp(ada, rosa, sam)
	if got := mentorOf(t, e.mustPropose(), "U0ADA"); got != "U0ROSA" {
		t.Fatalf("with the defaults Ada gets %s, want Rosa (a shared area)", got)
	}
	// Areas off, time zones high: Sam.
	e.mustSettings(matching.Settings{Levels: map[matching.Criterion]matching.Level{
		matching.CriterionAreas: matching.LevelOff, matching.CriterionTimeZone: matching.LevelHigh}})
	r := e.mustPropose()
	if got := mentorOf(t, r, "U0ADA"); got != "U0SAM" {
		t.Fatalf("with areas off and time zones high Ada gets %s, want Sam", got)
	}
	if r.Steering != "shared areas off · time zones high" {
		t.Errorf("round steering %q", r.Steering)
	}
	// A must-have forbids the other pair whatever its points: at most 3 h apart,
	// and Sam is not in the pool any more.
	e.mustSettings(matching.Settings{MaxHoursApart: 3})
	e.mustWithdraw("U0SAM")
	r = e.mustPropose()
	p := r.Proposals[indexOf(t, r, "U0ADA")]
	if p.MentorID != "" || p.Reasons != "no mentor fits: 1 breaks the must-have at most 3 h apart" {
		t.Fatalf("Ada's proposal under a must-have = %+v", p)
	}
	// Settings refuse nonsense, and a stale revision.
	if err := e.svc.SaveSettings(e.ctx, e.cycle.ID, matching.Settings{MaxHoursApart: 13}, 2); mentor.ErrorCode(err) != mentor.EINVALID {
		t.Errorf("13 hours apart: %v", err)
	}
	if err := e.svc.SaveSettings(e.ctx, e.cycle.ID, matching.Settings{}, 1); mentor.ErrorCode(err) != mentor.ECONFLICT {
		t.Errorf("stale revision: %v", err)
	}
}

func TestChoosingAnotherMentorReoptimisesTheRest(t *testing.T) {
	e := newEnv(t)
	// Best: Ada–Rosa (career), Ben–Sam (grants). The committee gives Ben Rosa:
	// Ada moves to Sam, and her line says she had Rosa.
	e.mustSignUp(menteeP("U0ADA", "career"), menteeP("U0BEN", "grants", "career"),
		mentorP("U0ROSA", 1, "career"), mentorP("U0SAM", 1, "grants"))
	r := e.mustPropose()
	if mentorOf(t, r, "U0ADA") != "U0ROSA" || mentorOf(t, r, "U0BEN") != "U0SAM" {
		t.Fatalf("first proposals %+v", r.Proposals)
	}
	ben := indexOf(t, r, "U0BEN")
	got, err := e.svc.ChangeMentor(e.ctx, e.cycle.ID, r.ID, ben, "U0ROSA")
	if err != nil {
		t.Fatal(err)
	}
	ada := got.Proposals[indexOf(t, got, "U0ADA")]
	if ada.MentorID != "U0SAM" || ada.Was != "U0ROSA" || ada.State != mentor.ProposalOpen {
		t.Fatalf("Ada after Ben's pin = %+v, want Sam, was Rosa", ada)
	}
	if b := got.Proposals[ben]; b.MentorID != "U0ROSA" || !b.Pinned {
		t.Fatalf("Ben = %+v, want Rosa, pinned", b)
	}
	if !strings.Contains(got.Changed, "1 proposal changed") {
		t.Errorf("round says %q", got.Changed)
	}
	// Re-optimising again (after approving Ben) keeps the pin and changes nothing.
	e.mustApprove(r.ID, ben)
	again, err := e.svc.Reoptimise(e.ctx, e.cycle, r.ID, "an approval")
	if err != nil {
		t.Fatal(err)
	}
	if a := again.Proposals[indexOf(t, again, "U0ADA")]; a.MentorID != "U0SAM" || a.Was != "" {
		t.Fatalf("Ada after re-optimising again = %+v", a)
	}
	if !strings.Contains(again.Changed, "no other proposal changed") {
		t.Errorf("round says %q", again.Changed)
	}
}

func TestLastCyclesDuosAreNotProposedUnlessBothAskToContinue(t *testing.T) {
	for _, tc := range []struct {
		name              string
		adaAsks, rosaAsks bool
		wantRosa, cont    bool
	}{
		{"neither asks", false, false, false, false},
		{"only the mentee asks", true, false, false, false},
		{"only the mentor asks", false, true, false, false},
		{"both ask", true, true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			// Last cycle Ada and Rosa were a duo.
			last := mentor.DefaultCycle(t0.AddDate(-1, 0, 0))
			last.ID = "c2025"
			if _, err := e.store.CreateCycle(e.ctx, last); err != nil {
				t.Fatal(err)
			}
			e.cycle.Previous = last.ID
			if _, err := e.store.CreateCycle(e.ctx, e.cycle); err != nil {
				t.Fatal(err)
			}
			for _, p := range []mentor.Participant{menteeP("U0ADA", "career"), mentorP("U0ROSA", 1, "career")} {
				p.CycleID = last.ID
				if err := e.store.SaveSignup(e.ctx, p, t0); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := e.store.CreateDuo(e.ctx, mentor.Duo{ID: "old", CycleID: last.ID, MenteeID: "U0ADA", MentorID: "U0ROSA", CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
			// This cycle Rosa is still Ada's best fit by far; Sam is a poor one.
			ada, rosa := menteeP("U0ADA", "career"), mentorP("U0ROSA", 1, "career")
			if tc.adaAsks {
				ada.ContinueWith = []string{"U0ROSA"}
			}
			if tc.rosaAsks {
				rosa.ContinueWith = []string{"U0ADA"}
			}
			e.mustSignUp(menteeP("U0BEN", "grants"), ada, rosa, mentorP("U0SAM", 2, "grants"))
			r := e.mustPropose()
			p := r.Proposals[indexOf(t, r, "U0ADA")]
			if (p.MentorID == "U0ROSA") != tc.wantRosa {
				t.Fatalf("Ada's proposal %+v (want Rosa: %v)", p, tc.wantRosa)
			}
			if tc.cont {
				if indexOf(t, r, "U0ADA") != 0 || !p.Continue || !p.Pinned || !strings.HasPrefix(p.Reasons, "both asked to continue") {
					t.Fatalf("continuing pair not proposed first, pinned, with its reason: %+v", r.Proposals)
				}
			}
			// "Choose another mentor" never offers last cycle's partner either.
			alts, _, err := e.svc.AlternativesFor(e.ctx, e.cycle.ID, []string{"U0ADA"}, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range alts["U0ADA"] {
				if a.MentorID == "U0ROSA" && !tc.wantRosa {
					t.Fatalf("Rosa offered as an alternative: %+v", alts)
				}
			}
		})
	}
}

func TestRequestedMentorIsAStrongExplainedBonus(t *testing.T) {
	e := newEnv(t)
	ada := menteeP("U0ADA", "career")
	ada.RequestMentor = "U0SAM"
	e.mustSignUp(ada, mentorP("U0ROSA", 1, "career"), mentorP("U0SAM", 1, "grants"))
	r := e.mustPropose()
	p := r.Proposals[indexOf(t, r, "U0ADA")]
	if p.MentorID != "U0SAM" || !strings.HasPrefix(p.Reasons, "requested by the mentee") {
		t.Fatalf("Ada's proposal %+v, want the mentor she asked for, explained", p)
	}
	// Never a guarantee: Ben has only Sam, and matching both comes first.
	e.mustSignUp(avoiding(menteeP("U0BEN", "grants"), "U0ROSA"))
	r = e.mustPropose()
	if mentorOf(t, r, "U0ADA") != "U0ROSA" || mentorOf(t, r, "U0BEN") != "U0SAM" {
		t.Fatalf("proposals %+v, want Ada–Rosa so Ben gets Sam", r.Proposals)
	}
}

func TestWarningsMarkPoorAndForCountProposals(t *testing.T) {
	e := newEnv(t)
	// Ada fits Rosa well; Ben is a senior who avoids Rosa and can only have a
	// student mentor: a negative pair, kept only so that Ben is matched.
	ben := avoiding(menteeP("U0BEN", "grants"), "U0ROSA")
	ben.Stage = mentor.StageSenior
	sam := mentorP("U0SAM", 1, "career")
	sam.Stage, sam.Methods, sam.Frequency = mentor.StageStudent, []string{"phone"}, "weekly"
	e.mustSignUp(menteeP("U0ADA", "career"), ben, mentorP("U0ROSA", 1, "career"), sam)
	r := e.mustPropose()
	a, b := r.Proposals[indexOf(t, r, "U0ADA")], r.Proposals[indexOf(t, r, "U0BEN")]
	if a.MentorID != "U0ROSA" || a.Warning != "" {
		t.Fatalf("Ada %+v, want Rosa without warning", a)
	}
	if b.MentorID != "U0SAM" || b.Score >= 0 || b.Warning != pairing.WarnNegative+"; "+pairing.WarnForCount {
		t.Fatalf("Ben %+v, want Sam with both warnings", b)
	}
}

func TestAlternativesSayTheDifferenceAndWhy(t *testing.T) {
	e := newEnv(t)
	rosa := mentorP("U0ROSA", 1, "career", "grants")
	sam := mentorP("U0SAM", 1, "career")
	sam.TZOffset = 3 * 3600
	e.mustSignUp(menteeP("U0ADA", "career", "grants"), rosa, sam)
	r := e.mustPropose()
	alts, _, err := e.svc.AlternativesOf(e.ctx, e.cycle.ID, r.Proposals, 10)
	if err != nil {
		t.Fatal(err)
	}
	var samAlt pairing.Alternative
	for _, a := range alts["U0ADA"] {
		if a.MentorID == "U0SAM" {
			samAlt = a
		}
	}
	// One shared area fewer (-10), 3 h further (-3).
	if samAlt.Diff != -13 || samAlt.Why != "fewer shared areas, worse time zones" {
		t.Fatalf("Sam as an alternative to Rosa: %+v", samAlt)
	}
}
