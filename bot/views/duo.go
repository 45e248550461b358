package views

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// DuoWelcome is the first message in a duo channel: who is who, a button to write
// the duo agreement (value cycle|duo), and each person's responsibilities from the
// guidelines as a checklist with buttons.
func DuoWelcome(c mentor.Cycle, d mentor.Duo) Message {
	text := fmt.Sprintf("Welcome to your mentorship duo, <@%s> (mentee) and <@%s> (mentor)!", d.MenteeID, d.MentorID)
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("Welcome to your duo")),
		section("intro", fmt.Sprintf("%s This private channel is yours for the *%s* program (until %s). "+
			"Here is what the program asks of each of you; tick items off as you go.", text, SafeText(c.Name, 80), mentor.FormatDate(c.End))),
		slack.NewActionBlock(BlockWelcomeAgreement,
			slack.NewButtonBlockElement(ActionAgreementOpen, pipe(c.ID, d.ID), plain("Write our agreement")).WithStyle(slack.StylePrimary)),
	}
	heads := map[mentor.Role]string{mentor.RoleMentee: "*Mentee* <@" + d.MenteeID + ">", mentor.RoleMentor: "*Mentor* <@" + d.MentorID + ">", "": "*Both of you*"}
	var last mentor.Role = "x"
	for _, r := range mentor.Responsibilities() {
		if r.Role != last {
			blocks = append(blocks, contextBlock("head_"+roleKey(r.Role), heads[r.Role]))
			last = r.Role
		}
		done := d.Checklist[r.ID]
		mark, btn, val := ":white_large_square:", "Done", "1"
		if done {
			mark, btn, val = ":white_check_mark:", "Undo", "0"
		}
		label := r.Label
		if r.ID == "both.evaluation" {
			label = fmt.Sprintf("%s (%s)", label, mentor.FormatDate(c.EvaluationDue))
		}
		button := slack.NewButtonBlockElement(ActionDuoTick, strings.Join([]string{c.ID, d.ID, r.ID, val}, "|"), plain(btn))
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(mark+" "+label), nil, slack.NewAccessory(button),
			slack.SectionBlockOptionBlockID("item_"+r.ID)))
	}
	blocks = append(blocks, contextBlock("footer", "Both of you are encouraged to meet at the annual program, and to share your experience in a presentation or an article. Run `/mentorship status` any time."))
	return Message{Text: text, Blocks: blocks}
}

func roleKey(r mentor.Role) string {
	if r == "" {
		return "both"
	}
	return string(r)
}

// DuoTold is the DM telling a member their duo is open.
func DuoTold(c mentor.Cycle, d mentor.Duo, userID string) Message {
	var text string
	if userID == d.MenteeID {
		text = fmt.Sprintf(":tada: You have a mentor for *%s*: <@%s>. Your private channel is <#%s>. "+
			"Your first step: make initial contact within %d days, introduce yourself (an updated CV is a good start) and agree on how to communicate.",
			SafeText(c.Name, 80), d.MentorID, d.ChannelID, c.Reminders.ContactDays)
	} else {
		text = fmt.Sprintf(":tada: You have a mentee for *%s*: <@%s>. Your private channel is <#%s>. "+
			"Your first step: send a welcome message within %d days and discuss what you can do to meet their needs.",
			SafeText(c.Name, 80), d.MenteeID, d.ChannelID, c.Reminders.WelcomeDays)
	}
	return Notice(text)
}

// DuoRecord is the committee channel's one-line record of a new duo.
func DuoRecord(d mentor.Duo) Message {
	text := fmt.Sprintf(":handshake: New duo: <@%s> (mentee) with <@%s> (mentor) in <#%s> · score %d · approved by <@%s>",
		d.MenteeID, d.MentorID, d.ChannelID, d.Score, d.ApprovedBy)
	return Message{Text: text, Blocks: []slack.Block{section("duo", text)}}
}

// DuoSetupFailed tells the committee that opening a duo stopped, with a button to
// finish it.
func DuoSetupFailed(c mentor.Cycle, d mentor.Duo) Message {
	text := fmt.Sprintf(":warning: Opening the duo of <@%s> and <@%s> stopped at: %s. Nothing is lost; retry to finish it.",
		d.MenteeID, d.MentorID, SafeText(d.Setup.LastError, 500))
	return Message{Text: text, Blocks: []slack.Block{
		section("failed", text),
		slack.NewActionBlock("retry", slack.NewButtonBlockElement(ActionDuoRetry, c.ID+"|"+d.ID, plain("Retry"))),
	}}
}
