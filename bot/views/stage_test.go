package views_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// day is a day of the cycle at ten in the morning.
func day(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, time.UTC) }

// duoAt is openedDuo brought to a stage: set up on Nov 20, first message Nov 22,
// agreement drafted Nov 25, signed Nov 28.
func duoAt(stage mentor.DuoStage) mentor.Duo {
	d := openedDuo()
	d.CreatedAt = day(11, 19)
	if stage == mentor.StageOpening {
		return d
	}
	d.Setup = mentor.DuoSetup{ChannelCreated: true, Invited: true, WelcomePosted: true, MentorTold: true, MenteeTold: true, CommitteeTold: true, CompletedAt: day(11, 20)}
	if stage == mentor.StageChannelOpen {
		return d
	}
	d.Activity = mentor.DuoActivity{MenteeFirst: day(11, 22), MenteeLast: day(11, 22)}
	if stage == mentor.StageFirstContact {
		return d
	}
	d.Agreement = mentor.AgreementStatus{Version: 1, DraftedAt: day(11, 25), UpdatedAt: day(11, 25), Frequency: "monthly"}
	if stage == mentor.StageAgreementDraft {
		return d
	}
	d.Agreement.SignedAt = day(11, 28)
	if stage == mentor.StageAgreementSigned {
		return d
	}
	d.EndedAt, d.EndedBy = day(12, 1), "U0CHAIR"
	return d
}

func TestMilestoneText(t *testing.T) {
	tests := []struct {
		stage mentor.DuoStage
		want  string
	}{
		{mentor.StageOpening, "Channel open not yet · First contact not yet · Agreement drafted not yet · Agreement signed not yet"},
		{mentor.StageChannelOpen, "Channel open Fri 20 Nov 2026 · First contact not yet · Agreement drafted not yet · Agreement signed not yet"},
		{mentor.StageFirstContact, "Channel open Fri 20 Nov 2026 · First contact Sun 22 Nov 2026 · Agreement drafted not yet · Agreement signed not yet"},
		{mentor.StageAgreementDraft, "Channel open Fri 20 Nov 2026 · First contact Sun 22 Nov 2026 · Agreement drafted Wed 25 Nov 2026 · Agreement signed not yet"},
		{mentor.StageAgreementSigned, "Channel open Fri 20 Nov 2026 · First contact Sun 22 Nov 2026 · Agreement drafted Wed 25 Nov 2026 · Agreement signed Sat 28 Nov 2026"},
		{mentor.StageEnded, "Agreement signed Sat 28 Nov 2026 · Ended Tue 1 Dec 2026"},
	}
	for _, tt := range tests {
		if got := views.MilestoneText(duoAt(tt.stage)); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.stage, got, tt.want)
		}
	}
}

func TestStatusShowsTheDuosStageAndTheAgreementStep(t *testing.T) {
	c := cycle()
	c.Reminders.AgreementDays = 14
	later := day(12, 1)
	tests := []struct {
		name      string
		stage     mentor.DuoStage
		role      mentor.Role
		wantStage string
		wantNext  []string
		notNext   string
	}{
		{"mentee before first contact", mentor.StageChannelOpen, mentor.RoleMentee, "Stage: *Channel open*",
			[]string{"Make initial contact", "Then: Write your duo agreement with <@U0GRACE> (`/mentorship agreement` in <#C0DUO>", "by *Fri 4 Dec 2026*"}, ""},
		{"mentee after first contact", mentor.StageFirstContact, mentor.RoleMentee, "Stage: *First contact*",
			[]string{"Write your duo agreement with <@U0GRACE>", "submit your program evaluation by *Sat 1 May 2027*"}, "Then:"},
		{"mentor, agreement drafted", mentor.StageAgreementDraft, mentor.RoleMentor, "Stage: *Agreement drafted*",
			[]string{"Sign your duo agreement (version 1) with <@U0ADA> in <#C0DUO> by *Fri 4 Dec 2026*"}, ""},
		{"agreement signed", mentor.StageAgreementSigned, mentor.RoleMentee, "Stage: *Agreement signed*",
			[]string{"Keep in touch with your duo"}, "agreement"},
		{"duo ended", mentor.StageEnded, mentor.RoleMentee, "Stage: *Ended*", nil, "agreement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := menteeSignup()
			if tt.role == mentor.RoleMentor {
				p = mentorSignup()
			}
			p.Status, p.Duos = mentor.StatusMatched, []string{"d1"}
			d := duoAt(tt.stage)
			d.Checklist = map[string]bool{}
			if tt.stage != mentor.StageChannelOpen {
				d.Checklist = map[string]bool{"mentee.contact": true, "mentor.welcome": true}
			}
			duos := []mentor.Duo{d}
			st := views.Standing{Cycle: c, Participant: &p, Duos: duos, Step: mentor.NextStep(c, &p, duos, later)}
			for _, doc := range []doc{
				mustValidMessage(t, views.StatusMessage(st)),
				mustValidView(t, views.Home(views.HomeInfo{Now: later, Standing: st})),
			} {
				line := textOf(doc.block(t, views.BlockStatusDuos), "text")
				mustContain(t, line, tt.wantStage)
				mustContain(t, line, views.MilestoneText(d))
				next := textOf(doc.block(t, "next"), "text")
				for _, w := range tt.wantNext {
					mustContain(t, next, w)
				}
				if tt.notNext != "" && strings.Contains(next, tt.notNext) {
					t.Errorf("next step %q mentions %q", next, tt.notNext)
				}
			}
		})
	}
}

// committeeHomeWithDuos is a committee member's Home with 20 pending sign-ups on the
// page, page duoPage of duoTotal duos and `opening` duos still being set up.
func committeeHomeWithDuos(duoTotal, duoPage, opening int) views.HomeInfo {
	h := committeeHome(40, 1)
	stages := []mentor.DuoStage{mentor.StageOpening, mentor.StageChannelOpen, mentor.StageFirstContact, mentor.StageAgreementDraft, mentor.StageAgreementSigned, mentor.StageEnded}
	var all []mentor.Duo
	for i := range duoTotal {
		d := duoAt(stages[i%len(stages)])
		d.ID, d.MenteeID, d.MentorID, d.ChannelID = fmt.Sprintf("d%d", i), fmt.Sprintf("UMENTEE%03d", i), fmt.Sprintf("UMENTOR%03d", i), fmt.Sprintf("CDUO%03d", i)
		all = append(all, d)
	}
	from := min(duoPage*views.HomeDuoPageSize, duoTotal)
	h.Committee.Duos = all[from:min(from+views.HomeDuoPageSize, duoTotal)]
	h.Committee.DuoPage, h.Committee.DuoTotal = duoPage, duoTotal
	for i := range opening {
		d := duoAt(mentor.StageOpening)
		d.ID, d.MenteeID, d.MentorID, d.ChannelID = fmt.Sprintf("o%d", i), fmt.Sprintf("UOPEN%03d", i), fmt.Sprintf("UMENTOR%03d", i), ""
		d.Setup.LastError = "invite both: slack: rate_limited " + strings.Repeat("&<>", 200)
		d.Setup.LastErrorAt = now.Add(-2 * time.Hour)
		h.Committee.Opening = append(h.Committee.Opening, d)
	}
	h.Committee.OpenConcerns = 2
	return h
}

func TestCommitteeHomeShowsDuosAndStaysUnderTheBlockLimit(t *testing.T) {
	h := committeeHomeWithDuos(25, 1, 8)
	v := views.Home(h)
	d := mustValidView(t, v)
	if n := len(v.Blocks.BlockSet); n > 100 {
		t.Fatalf("%d blocks, Slack takes 100", n)
	}
	if got := countPending(d); got != 20 {
		t.Fatalf("%d pending listed, want 20", got)
	}
	mustContain(t, d.text(), "*Open concerns*\n2")
	mustContain(t, textOf(d.block(t, views.BlockHomeConcerns), "text"), "2 open concerns wait")
	mustContain(t, d.text(), "*Duos*\n25 (8 being set up)")

	// Duos still being set up: five listed, each with its error and a Retry.
	mustContain(t, textOf(d.block(t, views.BlockHomeOpeningHd), "text"), "Duos still being set up* (8)")
	for i := range views.HomeOpeningMax {
		b := d.block(t, fmt.Sprintf("%s%d", views.BlockHomeOpening, i))
		text := textOf(b, "text")
		mustContain(t, text, fmt.Sprintf("<@UOPEN%03d> → <@UMENTOR%03d>", i, i))
		mustContain(t, text, "stopped at: invite both: slack: rate_limited &amp;&lt;&gt;")
		mustContain(t, text, "(2 h ago)")
		if btn := element(t, b, views.ActionDuoRetry); btn["value"] != fmt.Sprintf("c2026|o%d", i) || textOf(btn, "text") != "Retry" {
			t.Errorf("retry button %v", btn)
		}
	}
	if d.has(fmt.Sprintf("%s%d", views.BlockHomeOpening, views.HomeOpeningMax)) {
		t.Error("more than HomeOpeningMax opening duos listed")
	}
	mustContain(t, contextText(t, d, views.BlockHomeOpeningMore), "and 3 more")

	// Page 2 of the duos: 11–20 of 25, each with mentee → mentor, channel, stage, date.
	mustContain(t, textOf(d.block(t, views.BlockHomeDuosHead), "text"), "*Duos* (11–20 of 25)")
	for i, duo := range h.Committee.Duos {
		text := contextText(t, d, fmt.Sprintf("%s%d", views.BlockHomeDuo, i))
		mustContain(t, text, fmt.Sprintf("<@%s> → <@%s> · <#%s> · *%s*", duo.MenteeID, duo.MentorID, duo.ChannelID, mentor.StageLabel(duo.Stage(false))))
	}
	since := map[mentor.DuoStage]string{
		mentor.StageOpening:         "*Setting up* since Thu 19 Nov 2026",
		mentor.StageChannelOpen:     "*Channel open* since Fri 20 Nov 2026",
		mentor.StageFirstContact:    "*First contact* since Sun 22 Nov 2026",
		mentor.StageAgreementDraft:  "*Agreement drafted* since Wed 25 Nov 2026",
		mentor.StageAgreementSigned: "*Agreement signed* since Sat 28 Nov 2026",
		mentor.StageEnded:           "*Ended* since Tue 1 Dec 2026",
	}
	seen := map[mentor.DuoStage]bool{}
	for i, duo := range h.Committee.Duos {
		seen[duo.Stage(false)] = true
		mustContain(t, contextText(t, d, fmt.Sprintf("%s%d", views.BlockHomeDuo, i)), since[duo.Stage(false)])
	}
	if len(seen) != len(since) {
		t.Fatalf("the page shows stages %v: every stage should be on it", seen)
	}
	nav := d.block(t, views.BlockHomeDuosNav)
	if ids := actionIDs(nav); strings.Join(ids, " ") != views.ActionHomeDuoPrev+" "+views.ActionHomeDuoNext {
		t.Fatalf("duo navigation %v", ids)
	}
	if element(t, nav, views.ActionHomeDuoPrev)["value"] != "0" || element(t, nav, views.ActionHomeDuoNext)["value"] != "2" {
		t.Errorf("duo navigation values: %v", nav)
	}
	mustContain(t, contextText(t, d, views.BlockHomeDuosPages), "Duos page 2 of 3")
}

func TestCommitteeHomeWithTheBriefsNumbers(t *testing.T) {
	// 20 pending sign-ups, 10 duos, 5 opening: the sizes the brief names.
	for _, page := range []int{0, 1} {
		v := views.Home(committeeHomeWithDuos(20, page, 5))
		d := mustValidView(t, v)
		if n := len(v.Blocks.BlockSet); n > 100 {
			t.Fatalf("%d blocks, Slack takes 100", n)
		}
		if d.has(views.BlockHomeOpeningMore) {
			t.Error("five opening duos, yet 'more'")
		}
		want := map[int]string{0: views.ActionHomeDuoNext, 1: views.ActionHomeDuoPrev}[page]
		if ids := actionIDs(d.block(t, views.BlockHomeDuosNav)); len(ids) != 1 || ids[0] != want {
			t.Errorf("page %d: navigation %v, want %s", page, ids, want)
		}
	}
	// One page of duos: no navigation; none at all: a line saying so.
	d := mustValidView(t, views.Home(committeeHomeWithDuos(10, 0, 0)))
	if d.has(views.BlockHomeDuosNav) || d.has(views.BlockHomeDuosPages) || d.has(views.BlockHomeOpeningHd) {
		t.Errorf("blocks %v", d.blockIDs())
	}
	h := committeeHomeWithDuos(0, 0, 0)
	h.Committee.OpenConcerns = 0
	d = mustValidView(t, views.Home(h))
	mustContain(t, contextText(t, d, views.BlockHomeDuosNone), "No duos yet.")
	if d.has(views.BlockHomeConcerns) {
		t.Error("no open concerns, yet a concerns line")
	}
}

func TestTypedTextCannotPingOrForgeInTheCommitteesDuos(t *testing.T) {
	h := committeeHomeWithDuos(3, 0, 2)
	for i := range h.Committee.Opening {
		h.Committee.Opening[i].Setup.LastError = payload + " &amp;"
	}
	d := mustValidView(t, views.Home(h))
	mustNotForge(t, d)
	mustEscapeOnce(t, d)
}

// contextText is the text of a context block's first element.
func contextText(t *testing.T, d doc, id string) string {
	t.Helper()
	els, _ := d.block(t, id)["elements"].([]any)
	if len(els) == 0 {
		t.Fatalf("block %q has no elements", id)
	}
	s, _ := els[0].(map[string]any)["text"].(string)
	return s
}
