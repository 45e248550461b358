package views

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/report"
)

// ReportSummary is the ephemeral answer to /mentorship report: the funnel, where the
// duos stand, how many evaluations are in, and that the files are on their way to
// the committee channel (tag names the report in the files' titles). It holds
// counts only, never what anyone wrote.
func ReportSummary(c mentor.Cycle, s report.Summary, committeeChannel, tag string) Message {
	head := fmt.Sprintf("*Report of %s*", Escape(cycleName(c)))
	text := head + "\n" + funnelTable(s.Funnel) + "\n" + duoLine(s) + "\n" + evaluationLine(s)
	files := fmt.Sprintf(":outbox_tray: The duos and evaluations CSVs and the funnel chart are being uploaded to <#%s> (titles end in “report %s”).", committeeChannel, tag)
	return Message{
		Text: fmt.Sprintf("Report of %s: %d duos, %d evaluations in.", Escape(cycleName(c)), s.Duos, s.EvaluationsIn),
		Blocks: []slack.Block{
			section(BlockReportSummary, TruncateMrkdwn(text, 3000)),
			contextBlock(BlockReportFiles, files),
		},
	}
}

// ReportComment is the message the report's files are shared with in the committee
// channel.
func ReportComment(c mentor.Cycle, s report.Summary, by, tag string) string {
	return fmt.Sprintf("Report of %s for <@%s> (report %s): %s %s The evaluations are confidential: keep them in this channel.",
		Escape(cycleName(c)), by, tag, duoLine(s), evaluationLine(s))
}

func cycleName(c mentor.Cycle) string {
	if strings.TrimSpace(c.Name) != "" {
		return c.Name
	}
	return c.ID
}

// funnelTable is the funnel as a code block: step, mentees, mentors.
func funnelTable(f report.Funnel) string {
	var b strings.Builder
	b.WriteString("```")
	fmt.Fprintf(&b, "%-17s %7s %7s\n", "", "Mentees", "Mentors")
	for _, st := range f.Stages {
		fmt.Fprintf(&b, "%-17s %7d %7d\n", st.Step.Label(), st.Mentees, st.Mentors)
	}
	b.WriteString("```")
	return b.String()
}

func duoLine(s report.Summary) string {
	if s.Duos == 0 {
		return "*Duos:* none yet."
	}
	var parts []string
	for _, st := range s.Stages {
		parts = append(parts, fmt.Sprintf("%s %d", mentor.StageLabel(st.Stage), st.Duos))
	}
	return fmt.Sprintf("*Duos:* %d (%s).", s.Duos, strings.Join(parts, " · "))
}

func evaluationLine(s report.Summary) string {
	return fmt.Sprintf("*Evaluations:* %d in, %d missing.", s.EvaluationsIn, s.EvaluationsMissing)
}

// funnelBlock shows the funnel on the committee's Home, one field a step.
func funnelBlock(f report.Funnel) slack.Block {
	var fields []*slack.TextBlockObject
	for _, st := range f.Stages {
		fields = append(fields, mrkdwn(fmt.Sprintf("*%s*\n%d mentees · %d mentors", st.Step.Label(), st.Mentees, st.Mentors)))
	}
	return slack.NewSectionBlock(mrkdwn("*Funnel* (up to a minute old; `/mentorship report` for the files)"), fields, nil,
		slack.SectionBlockOptionBlockID(BlockHomeFunnel))
}
