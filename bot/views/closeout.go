package views

import (
	"fmt"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// The close-out at the end of a cycle: the message in the duo channel with the duo's
// choice, and the note posted just before the channel is archived.
const (
	ActionCloseoutContinue = "closeout_continue" // duo member: go on without the bot (value: cycle|duo)
	ActionCloseoutClose    = "closeout_close"    // duo member: archive the channel after the grace period (value: cycle|duo)

	BlockCloseoutThanks  = "closeout_thanks"
	BlockCloseoutShare   = "closeout_share"
	BlockCloseoutChoose  = "closeout_choose"
	BlockCloseoutActions = "closeout_actions"
	BlockCloseoutChoice  = "closeout_choice"
)

// CloseoutMessage is the duo channel's message at the close of cycle c: thanks to
// both, the invitation to present and publish their experience (the guidelines' last
// point), and the choice between going on without the bot and closing the channel,
// with what was chosen so far.
func CloseoutMessage(c mentor.Cycle, d mentor.Duo) Message {
	meeting := "at the annual program"
	if !c.AnnualMeeting.IsZero() {
		meeting = "at the annual program (" + mentor.FormatDate(c.AnnualMeeting) + ")"
	}
	grace := "at once"
	switch n := c.Reminders.CloseGraceDays; n {
	case 0:
	case 1:
		grace = "one day after you choose"
	default:
		grace = fmt.Sprintf("%d days after you choose", n)
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("Thank you both: the cycle is complete")),
		section(BlockCloseoutThanks, fmt.Sprintf("<@%s> and <@%s>, the *%s* cycle has ended. Thank you for the time and care you gave each other this year; "+
			"the reminders from mentorbot stop here.", d.MenteeID, d.MentorID, SafeText(c.Name, 80))),
		section(BlockCloseoutShare, "*Pass it on.* Other members learn most from duos like yours. Would you present your experience at a local chapter meeting or "+
			meeting+", or write it up for the association's newsletter or a journal? Tell the committee if you would; they will help. "+
			"If you have not sent your program evaluation yet, `/mentorship evaluate` still takes it."),
		section(BlockCloseoutChoose, "*How would you like to go on?*\n"+
			"• *Continue on our own*: this channel stays, for as long as you like.\n"+
			"• *Close*: this channel is archived "+grace+", so you have time to save what you need."),
	}
	if d.Close.ArchivedAt.IsZero() {
		value := pipe(c.ID, d.ID)
		confirm := slack.NewConfirmationBlockObject(plain("Close this channel?"),
			plain(fmt.Sprintf("It will be archived %s. Until then either of you can still choose to continue.", grace)),
			plain("Close"), plain("Cancel"))
		confirm.Style = slack.StyleDanger
		blocks = append(blocks, slack.NewActionBlock(BlockCloseoutActions,
			slack.NewButtonBlockElement(ActionCloseoutContinue, value, plain("Continue on our own")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionCloseoutClose, value, plain("Close the channel")).WithConfirm(confirm),
		))
	}
	blocks = append(blocks, contextBlock(BlockCloseoutChoice, closeoutChoiceLine(c, d)))
	return Message{
		Text:   fmt.Sprintf("The %s cycle is complete: thank you both! Choose whether to continue on your own or close this channel.", Escape(c.Name)),
		Blocks: blocks,
	}
}

// closeoutChoiceLine says what the duo chose so far.
func closeoutChoiceLine(c mentor.Cycle, d mentor.Duo) string {
	switch {
	case !d.Close.ArchivedAt.IsZero():
		return fmt.Sprintf(":file_cabinet: Archived on %s, as <@%s> chose.", mentor.FormatDate(d.Close.ArchivedAt), d.Close.ChosenBy)
	case d.Close.Choice == mentor.CloseContinue:
		return fmt.Sprintf(":seedling: <@%s> chose to continue on your own on %s: this channel stays.", d.Close.ChosenBy, mentor.FormatDate(d.Close.ChosenAt))
	case d.Close.Choice == mentor.CloseArchive:
		return fmt.Sprintf(":wave: <@%s> chose to close on %s: this channel will be archived on %s. Either of you can still choose to continue until then.",
			d.Close.ChosenBy, mentor.FormatDate(d.Close.ChosenAt), mentor.FormatDate(d.ArchiveAt(c)))
	}
	return "Nobody has chosen yet: the channel stays until one of you does."
}

// CloseoutArchiving is the note posted in the duo channel just before it is archived
// as the duo chose.
func CloseoutArchiving(d mentor.Duo) Message {
	text := fmt.Sprintf(":file_cabinet: Archiving this channel now, as <@%s> chose. Its messages stay readable in Slack's archive. Thank you both!", d.Close.ChosenBy)
	return Message{Text: text, Blocks: []slack.Block{section(BlockCloseoutChoice, text)}}
}
