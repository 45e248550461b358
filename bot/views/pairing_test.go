package views_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/pairing"
)

// bigRound is a round of n proposals (the last tenth without a mentor), where each
// mentee could have 60 other mentors with 100-character names.
func bigRound(n int) (mentor.PairingRound, map[string]string, map[string][]pairing.Alternative) {
	r := mentor.PairingRound{ID: "round-1", CycleID: "c2026", Mentees: n, Mentors: 60}
	names := map[string]string{}
	alts := map[string][]pairing.Alternative{}
	var mentors []pairing.Alternative
	for j := range 60 {
		id := fmt.Sprintf("U0MENTOR%03d", j)
		names[id] = fmt.Sprintf("%03d ", j) + strings.Repeat("Bartholomew-Wolfeschlegelsteinhausen ", 3)[:96]
		mentors = append(mentors, pairing.Alternative{MentorID: id, Name: names[id], Score: 60 - j, Reasons: "shared: career advice", Free: 1 + j%3})
	}
	for i := range n {
		mentee := fmt.Sprintf("U0MENTEE%04d", i)
		p := mentor.Proposal{MenteeID: mentee, MentorID: mentors[i%60].MentorID, Score: 42,
			Reasons: strings.Repeat("shared: grant opportunities, career advice; ", 20), State: mentor.ProposalOpen}
		if i >= n-n/10 {
			p.MentorID, p.Score, p.Reasons = "", 0, "no mentor with a free place fits (avoid lists, or no places left)"
		}
		r.Proposals = append(r.Proposals, p)
		alts[mentee] = mentors
	}
	return r, names, alts
}

// mustValidSelects checks every select of the view: at most 100 options (ours: 50),
// each label at most 75 characters.
func mustValidSelects(t *testing.T, d doc) (selects int) {
	t.Helper()
	for _, b := range d.blocks {
		els, _ := b["elements"].([]any)
		for _, x := range els {
			el := x.(map[string]any)
			if el["type"] != "static_select" {
				continue
			}
			selects++
			opts := el["options"].([]any)
			if len(opts) == 0 || len(opts) > 100 || len(opts) > views.MaxAlternatives {
				t.Fatalf("select in %v has %d options", b["block_id"], len(opts))
			}
			for _, o := range opts {
				label := textOf(o.(map[string]any), "text")
				if n := utf8.RuneCountInString(label); n > 75 {
					t.Fatalf("option %q has %d characters", label, n)
				}
			}
		}
	}
	return selects
}

func TestPairingPageWithNobodyWaiting(t *testing.T) {
	r := mentor.PairingRound{ID: "round-0", CycleID: "c2026"}
	m := views.PairingPage(cycle(), r, 0, nil, nil)
	d := mustValidView(t, m)
	if len(d.blocks) != 2 || !d.has("summary") || !d.has(views.BlockPairSettings) {
		t.Fatalf("blocks = %v, want the summary and the matching settings only", d.blockIDs())
	}
	mustContain(t, d.text(), "nobody is waiting for a mentor")
	meta, err := views.ParsePairingMeta(m.PrivateMetadata)
	if err != nil || meta.RoundID != "round-0" || meta.CycleID != "c2026" || meta.Page != 0 {
		t.Fatalf("meta = %+v, %v", meta, err)
	}
	if m.Submit != nil || m.CallbackID != views.CallbackPairing {
		t.Errorf("pairing modal has a submit button or callback %q", m.CallbackID)
	}
}

func TestPairingPageOf500Proposals(t *testing.T) {
	r, names, alts := bigRound(500)
	tests := []struct {
		name      string
		page      int
		wantPage  int
		wantNav   []string
		wantRange string
	}{
		{"first page", 0, 0, []string{views.ActionPairNext, views.ActionPairApproveAll}, "Page 1 of 50 · proposals 1–10"},
		{"middle page", 25, 25, []string{views.ActionPairPrev, views.ActionPairNext, views.ActionPairApproveAll}, "Page 26 of 50 · proposals 251–260"},
		{"last page: mentees without a mentor", 49, 49, []string{views.ActionPairPrev}, "Page 50 of 50 · proposals 491–500"},
		{"past the end shows the last page", 80, 49, []string{views.ActionPairPrev}, "Page 50 of 50"},
		{"before the start shows the first", -3, 0, []string{views.ActionPairNext, views.ActionPairApproveAll}, "Page 1 of 50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := views.PairingPage(cycle(), r, tt.page, names, alts)
			d := mustValidView(t, m)
			if n := len(d.blocks); n > 100 {
				t.Fatalf("%d blocks", n)
			}
			if len(d.raw) > 250_000 {
				t.Fatalf("view is %d bytes", len(d.raw))
			}
			if s := mustValidSelects(t, d); s != views.PairPageSize {
				t.Errorf("%d mentor selects, want one per proposal", s)
			}
			meta, err := views.ParsePairingMeta(m.PrivateMetadata)
			if err != nil || meta.Page != tt.wantPage || meta.RoundID != "round-1" {
				t.Fatalf("meta = %+v, %v", meta, err)
			}
			for i := tt.wantPage * 10; i < tt.wantPage*10+10; i++ {
				p := d.block(t, fmt.Sprintf("p%d", i))
				mustContain(t, textOf(p, "text"), "<@"+r.Proposals[i].MenteeID+">")
				acts := d.block(t, fmt.Sprintf("a%d", i))
				if r.Proposals[i].MentorID == "" {
					if got := actionIDs(acts); len(got) != 1 || got[0] != views.ActionPairChange {
						t.Errorf("proposal %d without a mentor has actions %v, want only the mentor select", i, got)
					}
					continue
				}
				if got := actionIDs(acts); strings.Join(got, " ") != strings.Join([]string{views.ActionPairApprove, views.ActionPairChange, views.ActionPairSkip}, " ") {
					t.Errorf("proposal %d has actions %v", i, got)
				}
				if v := element(t, acts, views.ActionPairApprove)["value"]; v != fmt.Sprint(i) {
					t.Errorf("approve of proposal %d carries %v", i, v)
				}
				sel := element(t, acts, views.ActionPairChange)
				for _, o := range sel["options"].([]any) {
					if o.(map[string]any)["value"] == r.Proposals[i].MentorID {
						t.Errorf("proposal %d offers its own mentor as an alternative", i)
					}
				}
			}
			if got := actionIDs(d.block(t, "nav")); strings.Join(got, " ") != strings.Join(tt.wantNav, " ") {
				t.Errorf("navigation = %v, want %v", got, tt.wantNav)
			}
			d.block(t, "pages")
			mustContain(t, d.text(), tt.wantRange)
			mustContain(t, textOf(d.block(t, "summary"), "text"), "500 proposed pairs: 0 approved, 500 to decide")
		})
	}
}

func TestPairingPageStates(t *testing.T) {
	r := mentor.PairingRound{ID: "round-2", CycleID: "c2026", Mentees: 4, Mentors: 3, Proposals: []mentor.Proposal{
		{MenteeID: "U0ADA", MentorID: "U0ROSA", Score: 40, Reasons: "shared: career advice", State: mentor.ProposalApproved, DuoID: "d1", DecidedBy: "U0CHAIR"},
		{MenteeID: "U0BEN", MentorID: "U0SAM", Score: 30, Reasons: "both prefer email", State: mentor.ProposalSkipped, DecidedBy: "U0CHAIR"},
		{MenteeID: "U0CLEO", MentorID: "U0ROSA", Score: 20, Reasons: "2 h apart", State: mentor.ProposalFailed, Note: "<@U0ROSA> has no free mentee place left."},
		{MenteeID: "U0DAN", MentorID: "U0VIC", Score: 10, Reasons: "same time zone", State: mentor.ProposalOpen},
	}}
	alts := map[string][]pairing.Alternative{
		"U0BEN":  {{MentorID: "U0SAM", Score: 30, Free: 1}, {MentorID: "U0VIC", Score: 5, Free: 1, Diff: -25, Why: "fewer shared areas, worse time zones"}},
		"U0CLEO": {{MentorID: "U0VIC", Score: 9, Free: 1}},
		// Dan has no other mentor: no select.
	}
	names := map[string]string{"U0SAM": "Sam", "U0VIC": "Vic & Co"}
	d := mustValidView(t, views.PairingPage(cycle(), r, 0, names, alts))

	if d.has("a0") {
		t.Errorf("the approved proposal still has actions %v", actionIDs(d.block(t, "a0")))
	}
	mustContain(t, textOf(d.block(t, "p0"), "text"), "Approved by <@U0CHAIR>")

	mustContain(t, textOf(d.block(t, "p1"), "text"), "Skipped")
	if got := actionIDs(d.block(t, "a1")); strings.Join(got, " ") != views.ActionPairApprove+" "+views.ActionPairChange {
		t.Errorf("skipped proposal actions = %v, want approve and change (no second skip)", got)
	}
	opts := element(t, d.block(t, "a1"), views.ActionPairChange)["options"].([]any)
	if len(opts) != 1 || opts[0].(map[string]any)["value"] != "U0VIC" || textOf(opts[0].(map[string]any), "text") != "Vic & Co · -25: fewer shared areas, worse time zones" {
		t.Errorf("alternatives of Ben = %v, want only Vic with the difference and why (plain text, not escaped)", opts)
	}

	p2 := textOf(d.block(t, "p2"), "text")
	mustContain(t, p2, "Not approved: <@U0ROSA> has no free mentee place left.")
	if got := actionIDs(d.block(t, "a2")); strings.Join(got, " ") != views.ActionPairApprove+" "+views.ActionPairChange+" "+views.ActionPairSkip {
		t.Errorf("failed proposal actions = %v, want approve, change and skip", got)
	}
	if got := actionIDs(d.block(t, "a3")); strings.Join(got, " ") != views.ActionPairApprove+" "+views.ActionPairSkip {
		t.Errorf("proposal without alternatives: actions %v", got)
	}
	mustContain(t, textOf(d.block(t, "summary"), "text"), "4 proposed pairs: 1 approved, 2 to decide")
	if got := actionIDs(d.block(t, "nav")); len(got) != 1 || got[0] != views.ActionPairApproveAll {
		t.Errorf("navigation of a single page = %v, want approve all", got)
	}
}

func TestPairingPageApprovesAllOnlyWhatIsOpen(t *testing.T) {
	r := mentor.PairingRound{ID: "round-4", CycleID: "c2026", Proposals: []mentor.Proposal{
		{MenteeID: "U0BEN", MentorID: "U0SAM", State: mentor.ProposalSkipped, DecidedBy: "U0CHAIR"},
		{MenteeID: "U0CLEO", MentorID: "U0ROSA", State: mentor.ProposalFailed, Note: "<@U0ROSA> has no free mentee place left."},
	}}
	d := mustValidView(t, views.PairingPage(cycle(), r, 0, nil, nil))
	if d.has("nav") {
		t.Fatalf("navigation %v offers to approve skipped and refused proposals at once", actionIDs(d.block(t, "nav")))
	}
	for _, id := range []string{"a0", "a1"} {
		if got := actionIDs(d.block(t, id)); len(got) == 0 || got[0] != views.ActionPairApprove {
			t.Errorf("%s = %v, want each still approvable on its own", id, got)
		}
	}
}

func TestPairingPageOfApprovedProposalsOffersNoApproveAll(t *testing.T) {
	r := mentor.PairingRound{ID: "round-3", CycleID: "c2026", Proposals: []mentor.Proposal{
		{MenteeID: "U0ADA", MentorID: "U0ROSA", State: mentor.ProposalApproved, DecidedBy: "U0CHAIR"},
		{MenteeID: "U0CLEO", Reasons: "no mentor fits", State: mentor.ProposalOpen},
	}}
	d := mustValidView(t, views.PairingPage(cycle(), r, 0, nil, nil))
	if d.has("nav") || d.has("a0") || d.has("a1") {
		t.Fatalf("blocks = %v, want nothing to click", d.blockIDs())
	}
}

func TestPairingLoading(t *testing.T) {
	c := cycle()
	c.Name = "<!channel>"
	d := mustValidView(t, views.PairingLoading(c))
	mustContain(t, d.text(), "Computing the best pairs for *&lt;!channel&gt;*")
}

func TestParsePairingMetaOfAnOutdatedModal(t *testing.T) {
	for _, s := range []string{"", "{}", `{"cycle":"c2026","page":2}`, "not json"} {
		if _, err := views.ParsePairingMeta(s); mentor.ErrorCode(err) != mentor.EINVALID {
			t.Errorf("ParsePairingMeta(%q) = %v, want invalid", s, err)
		}
	}
}

// A round offers Finish round (confirmed) until it is finished; then the summary says
// who finished it, and nothing offers to finish it again.
func TestPairingPageFinishRound(t *testing.T) {
	r := mentor.PairingRound{ID: "round-4", CycleID: "c2026", Mentors: 1, Proposals: []mentor.Proposal{
		{MenteeID: "U0ADA", MentorID: "U0ROSA", State: mentor.ProposalOpen},
	}}
	d := mustValidView(t, views.PairingPage(cycle(), r, 0, nil, nil))
	if got := actionIDs(d.block(t, views.BlockPairFinish)); len(got) != 1 || got[0] != views.ActionPairFinish {
		t.Fatalf("finish block = %v, want the Finish round button", got)
	}
	if !strings.Contains(string(d.raw), "Finish this round?") {
		t.Error("Finish round does not ask to confirm")
	}
	r.FinishedAt, r.FinishedBy = time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC), "U0CHAIR"
	d = mustValidView(t, views.PairingPage(cycle(), r, 0, nil, nil))
	if d.has(views.BlockPairFinish) {
		t.Error("a finished round offers to finish it again")
	}
	if s := string(d.raw); !strings.Contains(s, "Round finished by") || !strings.Contains(s, "U0CHAIR") {
		t.Error("the summary does not say who finished the round")
	}
}

func TestPairingPageSaysWhatChangedAndLeavesWarnedProposalsToAClick(t *testing.T) {
	r := mentor.PairingRound{ID: "round-5", CycleID: "c2026", Mentees: 3, Mentors: 3,
		Steering: "shared areas high · must-haves: at most 3 h apart",
		Changed:  "Re-optimised around your choice of <@U0ROSA> for <@U0BEN>: 1 proposal changed (marked :arrows_counterclockwise:).",
		Proposals: []mentor.Proposal{
			{MenteeID: "U0ADA", MentorID: "U0SAM", Score: 12, Reasons: "same time zone", State: mentor.ProposalOpen, Was: "U0ROSA", WasScore: 40},
			{MenteeID: "U0BEN", MentorID: "U0ROSA", Score: 30, Reasons: "shared: grants", State: mentor.ProposalOpen, Pinned: true},
			{MenteeID: "U0CLEO", MentorID: "U0VIC", Score: -8, Reasons: "same career stage", State: mentor.ProposalOpen, Warning: pairing.WarnNegative},
			{MenteeID: "U0DAN", MentorID: "U0WES", Score: 20, Reasons: "both asked to continue; same time zone", State: mentor.ProposalOpen, Pinned: true, Continue: true},
		}}
	d := mustValidView(t, views.PairingPage(cycle(), r, 0, nil, nil))
	summary := textOf(d.block(t, "summary"), "text")
	mustContain(t, summary, "Matching settings: shared areas high · must-haves: at most 3 h apart")
	mustContain(t, summary, "1 proposal changed")
	mustContain(t, textOf(d.block(t, "p0"), "text"), ":arrows_counterclockwise: Changed: was <@U0ROSA> (score 40)")
	mustContain(t, textOf(d.block(t, "p1"), "text"), ":pushpin: the committee's choice")
	mustContain(t, textOf(d.block(t, "p2"), "text"), ":warning: negative score: a poor fit")
	mustContain(t, textOf(d.block(t, "p3"), "text"), ":repeat: both asked to continue")
	// The warned proposal keeps its own Approve button; "approve all" is offered
	// for the others and the page says it leaves the warned one alone.
	if got := actionIDs(d.block(t, "a2")); len(got) == 0 || got[0] != views.ActionPairApprove {
		t.Errorf("warned proposal actions = %v", got)
	}
	if got := actionIDs(d.block(t, "nav")); len(got) != 1 || got[0] != views.ActionPairApproveAll {
		t.Errorf("navigation = %v", got)
	}
	mustContain(t, d.text(), "leaves skipped and :warning: proposals for a click of their own")

	// A page whose only open proposal is warned offers no "approve all".
	r.Proposals = r.Proposals[2:3]
	if d := mustValidView(t, views.PairingPage(cycle(), r, 0, nil, nil)); d.has("nav") {
		t.Fatalf("navigation %v offers to approve a warned proposal with the others", actionIDs(d.block(t, "nav")))
	}
}
