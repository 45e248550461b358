package views_test

import (
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/report"
)

func sampleSummary() report.Summary {
	return report.Summary{
		Funnel: report.Funnel{Stages: []report.FunnelStage{
			{Step: report.StepSignedUp, Mentors: 40, Mentees: 61}, {Step: report.StepMatched, Mentors: 35, Mentees: 52},
			{Step: report.StepFirstContact, Mentors: 30, Mentees: 48}, {Step: report.StepAgreementSigned, Mentors: 22, Mentees: 31},
			{Step: report.StepEvaluated, Mentors: 9, Mentees: 17},
		}},
		Duos: 52, Ended: 2,
		Stages:        []report.StageCount{{Stage: mentor.StageFirstContact, Duos: 20}, {Stage: mentor.StageAgreementSigned, Duos: 30}, {Stage: mentor.StageEnded, Duos: 2}},
		EvaluationsIn: 26, EvaluationsMissing: 61,
	}
}

func TestReportSummaryShowsTheFunnelAndEscapesTheCycleName(t *testing.T) {
	c := cycle()
	c.Name = payload
	d := mustValidMessage(t, views.ReportSummary(c, sampleSummary(), "C0COMMITTEE", "abc123"))
	mustNotForge(t, d)
	text := d.text()
	for _, want := range []string{
		"Signed up              61      40", "Evaluated              17       9",
		"*Duos:* 52 (First contact 20 · Agreement signed 30 · Ended 2).",
		"*Evaluations:* 26 in, 61 missing.", "<#C0COMMITTEE>", "report abc123",
	} {
		mustContain(t, text, want)
	}
	comment := views.ReportComment(c, sampleSummary(), "U01ALICE01", "abc123")
	for _, f := range forged {
		if strings.Contains(strings.ToLower(comment), f) {
			t.Errorf("raw %q in the files' comment %q", f, comment)
		}
	}
	mustContain(t, comment, "(report abc123)")
}

func TestCommitteeHomeShowsTheFunnel(t *testing.T) {
	f := sampleSummary().Funnel
	home := mustValidView(t, views.Home(views.HomeInfo{Standing: views.Standing{Cycle: cycle()}, Committee: &views.CommitteeHome{Funnel: &f}}))
	b := home.block(t, views.BlockHomeFunnel)
	var fields []string
	for _, x := range b["fields"].([]any) {
		fields = append(fields, x.(map[string]any)["text"].(string))
	}
	if got := strings.Join(fields, " | "); got != "*Signed up*\n61 mentees · 40 mentors | *Matched*\n52 mentees · 35 mentors | *First contact*\n48 mentees · 30 mentors | *Agreement signed*\n31 mentees · 22 mentors | *Evaluated*\n17 mentees · 9 mentors" {
		t.Errorf("funnel fields %q", got)
	}
	if mustValidView(t, views.Home(views.HomeInfo{Standing: views.Standing{Cycle: cycle()}, Committee: &views.CommitteeHome{}})).has(views.BlockHomeFunnel) {
		t.Error("a Home without a funnel shows one")
	}
}
