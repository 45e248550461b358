package views

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/nudges"
)

// maxDigestLines bounds each list of the digest, so it stays far under a message's 50
// blocks and 3,000 characters a section whatever the program's size.
const maxDigestLines = 15

// NudgeMessage is the reminder n as its recipient reads it: what to do, by when, and
// the button that does it. It carries the metadata product.md names
// ({"event_type":"mentorbot_nudge","event_payload":{"kind","duo"}}, plus the id of
// this sending) so the bot can find it in history and anyone can count nudges.
func NudgeMessage(n nudges.Nudge) Message {
	var text string
	var acts []slack.BlockElement
	c := n.Cycle
	d := n.Duo
	switch n.Kind {
	case mentor.NudgeWelcome:
		text = fmt.Sprintf(":wave: Your mentee <@%s> is waiting to hear from you in %s. The program asks mentors to send a welcome message: say hello, and discuss what you can do to meet their needs.",
			d.MenteeID, channelRef(d))
		acts = append(acts, channelButton(d))
	case mentor.NudgeContact:
		text = fmt.Sprintf(":wave: Time to make initial contact with your mentor <@%s> in %s: introduce yourself (an updated CV or vita is a good start), share the specific needs you'd like covered, and agree on how you'll communicate.",
			d.MentorID, channelRef(d))
		acts = append(acts, channelButton(d))
	case mentor.NudgeAgreement:
		text = fmt.Sprintf(":memo: Your duo agreement with <@%s> isn't signed by both of you yet. Write it together (how and how often you'll be in touch, your shared goal, activities and the time each can give) and both sign it; it then goes to the committee.",
			d.Partner(n.To))
		acts = append(acts, slack.NewButtonBlockElement(ActionNudgeAgreement, c.ID+"|"+d.ID, plain("Write our agreement")).WithStyle(slack.StylePrimary),
			channelButton(d))
	case mentor.NudgeAgreementOverdue:
		text = fmt.Sprintf(":hourglass: The duo of <@%s> (mentee) and <@%s> (mentor) in %s has no agreement signed by both, %d days after its channel opened. They have been reminded; you may want to check in.",
			d.MenteeID, d.MentorID, channelRef(d), c.Reminders.AgreementCommitteeDays)
	case mentor.NudgeKeepInTouch:
		freq := "monthly"
		if d.Agreement.Frequency != "" {
			freq = strings.ToLower(mentor.LabelOf(mentor.Frequencies(), d.Agreement.Frequency))
		}
		text = fmt.Sprintf(":speech_balloon: Your duo with <@%s> has been quiet for %d days, and the rhythm you agreed on is %s. A short message in %s keeps things going.",
			d.Partner(n.To), n.QuietDays, freq, channelRef(d))
		acts = append(acts, channelButton(d))
	case mentor.NudgeEvaluation:
		when := fmt.Sprintf("in %d days, on *%s*", n.DaysLeft, mentor.FormatDate(c.EvaluationDue))
		switch n.DaysLeft {
		case 0:
			when = "*today*"
		case 1:
			when = "*tomorrow*"
		}
		text = fmt.Sprintf(":clipboard: Your program evaluation for *%s* is due %s. It takes a few minutes and is confidential: only the committee reads it, never your duo partner.",
			SafeText(c.Name, 80), when)
		acts = append(acts, slack.NewButtonBlockElement(ActionNudgeEvaluate, c.ID, plain("Evaluate the program")).WithStyle(slack.StylePrimary))
	case mentor.NudgeAnnualMeeting:
		text = fmt.Sprintf(":calendar: The annual program meeting is on *%s*, in %d days. Both of you are encouraged (not required) to meet there, and perhaps to present your experience.",
			mentor.FormatDate(c.AnnualMeeting), n.DaysLeft)
	case mentor.NudgeDigest:
		return digestMessage(n)
	default:
		text = "A reminder from the mentorship program."
	}
	blocks := []slack.Block{section("nudge", text)}
	if len(acts) > 0 {
		blocks = append(blocks, slack.NewActionBlock("nudge_actions", acts...))
	}
	return Message{Text: text, Blocks: blocks, Metadata: nudgeMetadata(n)}
}

func nudgeMetadata(n nudges.Nudge) *slack.SlackMetadata {
	payload := map[string]any{"kind": string(n.Kind), "duo": "", "key": n.ID}
	if n.Duo != nil {
		payload["duo"] = n.Duo.ID
	}
	return &slack.SlackMetadata{EventType: mentor.NudgeMetadataType, EventPayload: payload}
}

// channelButton links to the duo's channel.
func channelButton(d *mentor.Duo) slack.BlockElement {
	b := slack.NewButtonBlockElement(ActionOpenChannel, d.ChannelID, plain("Open the duo channel"))
	b.URL = "https://slack.com/app_redirect?channel=" + d.ChannelID
	return b
}

// digestMessage is the committee's weekly digest.
func digestMessage(n nudges.Nudge) Message {
	dg := n.Digest
	c := n.Cycle
	title := "Weekly digest · " + Truncate(c.Name, 100)
	text := fmt.Sprintf("Weekly digest of %s: %d stalled duos, %d agreements missing", SafeText(c.Name, 80), len(dg.Stalled), len(dg.MissingAgreements))
	if dg.EvaluationsDue {
		text += fmt.Sprintf(", %d evaluations missing", len(dg.MissingEvaluations))
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(title)),
		contextBlock("summary", fmt.Sprintf("%d active duos · %d stalled · %d without a signed agreement", dg.Duos, len(dg.Stalled), len(dg.MissingAgreements))),
	}
	if dg.Empty() {
		blocks = append(blocks, section("all_well", ":sparkles: Every duo is on track this week."))
	}
	duoLines := func(id, head string, ds []mentor.Duo) {
		if len(ds) == 0 {
			return
		}
		var lines []string
		for _, d := range ds[:min(len(ds), maxDigestLines)] {
			lines = append(lines, fmt.Sprintf("• <@%s> &amp; <@%s> in %s", d.MenteeID, d.MentorID, channelRef(&d)))
		}
		if len(ds) > maxDigestLines {
			lines = append(lines, fmt.Sprintf("…and %d more", len(ds)-maxDigestLines))
		}
		blocks = append(blocks, section(id, "*"+head+"*\n"+strings.Join(lines, "\n")))
	}
	duoLines("stalled", "Stalled (no first contact, or quiet past their rhythm)", dg.Stalled)
	duoLines("agreements", "No signed agreement yet", dg.MissingAgreements)
	if len(dg.MissingEvaluations) > 0 {
		var refs []string
		for _, u := range dg.MissingEvaluations[:min(len(dg.MissingEvaluations), 3*maxDigestLines)] {
			refs = append(refs, "<@"+u+">")
		}
		line := strings.Join(refs, ", ")
		if len(dg.MissingEvaluations) > 3*maxDigestLines {
			line += fmt.Sprintf(" …and %d more", len(dg.MissingEvaluations)-3*maxDigestLines)
		}
		blocks = append(blocks, section("evaluations", fmt.Sprintf("*Evaluations missing* (due %s)\n%s", mentor.FormatDate(c.EvaluationDue), line)))
	}
	return Message{Text: text, Blocks: blocks, Metadata: nudgeMetadata(n)}
}
