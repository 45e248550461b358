package views

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Standing is what a person's status and Home show about them.
type Standing struct {
	Cycle       mentor.Cycle
	Participant *mentor.Participant // nil: not signed up
	Duos        []mentor.Duo
	Step        mentor.Step
	// Evaluated says who of the person and their duo partners has evaluated the
	// cycle (only those who have are in it): a duo is at the stage "evaluated" once
	// both members have. Nil: nobody has.
	Evaluated map[string]bool
}

// bothEvaluated reports whether both members of d are in evaluated.
func bothEvaluated(d mentor.Duo, evaluated map[string]bool) bool {
	return evaluated[d.MentorID] && evaluated[d.MenteeID]
}

// StepText says what to do next, in a sentence with its date.
func StepText(st mentor.Step) string {
	due := ""
	if !st.Due.IsZero() {
		due = " by *" + mentor.FormatDate(st.Due) + "*"
	}
	switch st.Kind {
	case mentor.StepJoin:
		return "Sign up with `/mentorship join` (or the button below)."
	case mentor.StepWaitForMatch:
		return "Nothing for now: the committee is pairing mentors and mentees. You'll get a private channel with your duo partner."
	case mentor.StepContactMentor:
		return fmt.Sprintf("Make initial contact with your mentor in %s%s: introduce yourself and agree on how to communicate.", channelRef(st.Duo), due)
	case mentor.StepWelcomeMentee:
		return fmt.Sprintf("Send a welcome message to your mentee in %s%s.", channelRef(st.Duo), due)
	case mentor.StepEvaluate:
		return "Keep in touch with your duo, and submit your program evaluation" + due + "."
	case mentor.StepLeftDuo:
		return "You left the program while in a duo. The committee will follow up with you and your partner."
	case mentor.StepRejoin:
		return "You left this cycle. You can sign up again with `/mentorship join` while it is open."
	}
	return "Nothing to do: this cycle is over. Thank you for taking part!"
}

func channelRef(d *mentor.Duo) string {
	if d == nil || d.ChannelID == "" {
		return "your duo channel"
	}
	return "<#" + d.ChannelID + ">"
}

// StatusMessage is the answer to /mentorship status.
func StatusMessage(st Standing) Message {
	blocks := standingBlocks(st)
	return Message{Text: "Your mentorship status", Blocks: blocks}
}

// standingBlocks describe a person's sign-up, duo and next step.
func standingBlocks(st Standing) []slack.Block {
	c := st.Cycle
	cycleLine := fmt.Sprintf("*%s* · %s – %s · evaluations due %s", SafeText(c.Name, 80),
		mentor.FormatDate(c.Start), mentor.FormatDate(c.End), mentor.FormatDate(c.EvaluationDue))
	blocks := []slack.Block{contextBlock("cycle", cycleLine)}
	p := st.Participant
	if p == nil {
		blocks = append(blocks, section("signup", "You haven't signed up for this cycle."))
	} else {
		blocks = append(blocks, section("signup", signupSummary(*p)))
		if len(st.Duos) > 0 {
			var lines []string
			for _, d := range st.Duos {
				role := "mentor"
				if d.MentorID == p.UserID {
					role = "mentee"
				}
				lines = append(lines, fmt.Sprintf("• Your %s: <@%s>, in %s (since %s)\n    Stage: *%s* · %s", role, d.Partner(p.UserID), channelRef(&d),
					mentor.FormatDate(d.CreatedAt), mentor.StageLabel(d.Stage(bothEvaluated(d, st.Evaluated))), MilestoneText(d)))
			}
			blocks = append(blocks, section(BlockStatusDuos, "*Your duo*\n"+strings.Join(lines, "\n")))
		}
	}
	blocks = append(blocks, section("next", "*Next step*\n"+nextStepText(st)))
	return blocks
}

// MilestoneText lists a duo's milestones with their dates, in the program's order:
// channel open · first contact · agreement drafted · agreement signed ("not yet" for
// those to come), then completed when the cycle closed it, or ended when the
// committee dissolved it.
func MilestoneText(d mentor.Duo) string {
	reached := map[mentor.DuoStage]string{}
	for _, m := range d.Milestones(false) {
		reached[m.Stage] = mentor.FormatDate(m.At)
	}
	var parts []string
	for _, s := range []mentor.DuoStage{mentor.StageChannelOpen, mentor.StageFirstContact, mentor.StageAgreementDraft, mentor.StageAgreementSigned} {
		at, ok := reached[s]
		if !ok || at == "" {
			at = "not yet"
		}
		parts = append(parts, mentor.StageLabel(s)+" "+at)
	}
	for _, s := range []mentor.DuoStage{mentor.StageClosed, mentor.StageEnded} {
		if at, ok := reached[s]; ok {
			parts = append(parts, mentor.StageLabel(s)+" "+at)
		}
	}
	return strings.Join(parts, " · ")
}

// nextStepText is StepText, with the duo agreement when a duo of the person has none
// signed: first when the person's first steps are done, after them otherwise.
func nextStepText(st Standing) string {
	step := StepText(st.Step)
	if st.Step.Kind == mentor.StepEvaluate && st.Participant != nil && st.Evaluated[st.Participant.UserID] {
		step = "Keep in touch with your duo. Your program evaluation is with the committee: thank you! " +
			"You can change it with `/mentorship evaluate`."
	}
	todo := agreementTodo(st)
	switch {
	case len(todo) == 0:
		return step
	case st.Step.Kind == mentor.StepEvaluate:
		return strings.Join(todo, "\n") + "\n" + step
	case st.Step.Kind == mentor.StepContactMentor || st.Step.Kind == mentor.StepWelcomeMentee:
		return step + "\nThen: " + strings.Join(todo, "\n")
	}
	return step
}

// agreementTodo says, for each open duo of the person whose agreement is not signed
// by both, what is left to do and by when (the cycle's agreement reminder after the
// channel opened).
func agreementTodo(st Standing) []string {
	p := st.Participant
	if p == nil || p.Status == mentor.StatusWithdrawn {
		return nil
	}
	var out []string
	for _, d := range st.Duos {
		if d.Ended() || d.ChannelID == "" || d.Agreement.Signed() || !d.Has(p.UserID) {
			continue
		}
		opened := d.OpenedAt()
		if opened.IsZero() {
			opened = d.CreatedAt
		}
		due := ""
		if !opened.IsZero() {
			due = " by *" + mentor.FormatDate(opened.AddDate(0, 0, st.Cycle.Reminders.AgreementDays)) + "*"
		}
		if d.Agreement.Version == 0 {
			out = append(out, fmt.Sprintf("Write your duo agreement with <@%s> (`/mentorship agreement` in %s, or the button in its welcome message); both of you sign it%s.",
				d.Partner(p.UserID), channelRef(&d), due))
		} else {
			out = append(out, fmt.Sprintf("Sign your duo agreement (version %d) with <@%s> in %s%s, if you haven't yet: it counts once both of you have signed.",
				d.Agreement.Version, d.Partner(p.UserID), channelRef(&d), due))
		}
	}
	return out
}

// signupSummary describes a sign-up; every typed value is escaped.
func signupSummary(p mentor.Participant) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*You signed up as a %s* (%s)", strings.ToLower(p.Role.Label()), statusLabel(p))
	fmt.Fprintf(&b, "\nCareer stage: %s", mentor.LabelOf(mentor.Stages(), string(p.Stage)))
	if areas := areaLabels(p); areas != "" {
		fmt.Fprintf(&b, "\nAreas: %s", areas)
	}
	switch p.Role {
	case mentor.RoleMentee:
		fmt.Fprintf(&b, "\nNeeds: %s", SafeText(p.Needs, 600))
	case mentor.RoleMentor:
		fmt.Fprintf(&b, "\nOffer: %s", SafeText(p.Offer, 600))
		fmt.Fprintf(&b, "\nMentees: %d of %d places taken", len(p.Duos), p.Capacity)
	}
	fmt.Fprintf(&b, "\nMeeting: %s, %s, %d h a month", labels(mentor.Methods(), p.Methods),
		strings.ToLower(mentor.LabelOf(mentor.Frequencies(), p.Frequency)), p.HoursPerMonth)
	if p.CVURL != "" {
		fmt.Fprintf(&b, "\nCV: %s", SafeText(p.CVURL, 500))
	}
	return b.String()
}

func statusLabel(p mentor.Participant) string {
	switch p.Status {
	case mentor.StatusPending:
		if p.Role == mentor.RoleMentor {
			return "waiting for a mentee"
		}
		return "waiting for a mentor"
	case mentor.StatusMatched:
		return "matched"
	case mentor.StatusWithdrawn:
		return "left the program on " + mentor.FormatDate(p.WithdrawnAt)
	case mentor.StatusCompleted:
		return "completed the cycle"
	}
	return string(p.Status)
}

func areaLabels(p mentor.Participant) string {
	var parts []string
	for _, a := range p.Areas {
		if a != "other" {
			parts = append(parts, Escape(mentor.LabelOf(mentor.Topics(), a)))
		}
	}
	if p.OtherAreas != "" {
		parts = append(parts, SafeText(p.OtherAreas, 200))
	}
	return strings.Join(parts, ", ")
}

func labels(opts []mentor.Option, values []string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = mentor.LabelOf(opts, v)
	}
	return strings.Join(parts, ", ")
}

// NoCycleMessage answers anything that needs a cycle when none is open.
func NoCycleMessage(committee bool) Message {
	text := "The mentorship program has no open cycle right now. The committee will announce the next one."
	if committee {
		text = "No program cycle is open yet. Open one with `/mentorship program`."
	}
	return Notice(text)
}

// LeaveConfirm asks before withdrawing, with what it means for a duo.
func LeaveConfirm(p mentor.Participant) Message {
	text := "Leave the mentorship program for this cycle? The committee will be told."
	if len(p.Duos) > 0 {
		text = "Leave the mentorship program for this cycle? Your duo partner won't be told by the bot; the committee will be, and will follow up with both of you."
	}
	return Message{Text: text, Blocks: []slack.Block{
		section("leave", text),
		slack.NewActionBlock("leave_actions",
			slack.NewButtonBlockElement(ActionLeaveConfirm, p.CycleID, plain("Leave the program")).WithStyle(slack.StyleDanger),
			slack.NewButtonBlockElement(ActionLeaveCancel, p.CycleID, plain("Stay")),
		),
	}}
}

// LeaveModal is the confirmation of leaving from App Home.
func LeaveModal(p mentor.Participant) *slack.ModalViewRequest {
	msg := LeaveConfirm(p)
	return &slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackLeave,
		Title:           plain("Leave the program"),
		Submit:          plain("Leave"),
		Close:           plain("Stay"),
		PrivateMetadata: p.CycleID,
		Blocks:          slack.Blocks{BlockSet: []slack.Block{section("leave", msg.Text)}},
	}
}

// LeftMessage confirms withdrawal.
func LeftMessage(c mentor.Cycle) Message {
	return Notice(fmt.Sprintf("You've left the *%s* mentorship program. Thank you for your time. You can sign up again with `/mentorship join` while the cycle is open.", SafeText(c.Name, 80)))
}

// CommitteeLeftNotice tells the committee channel that someone left.
func CommitteeLeftNotice(p mentor.Participant, duos []mentor.Duo) Message {
	text := fmt.Sprintf(":wave: <@%s> (%s) left the program.", p.UserID, strings.ToLower(p.Role.Label()))
	if len(duos) == 0 {
		text += " No duo is affected."
	} else {
		var refs []string
		for _, d := range duos {
			refs = append(refs, fmt.Sprintf("<@%s> in %s", d.Partner(p.UserID), channelRef(&d)))
		}
		text += " Affected duo: " + strings.Join(refs, "; ") + ". Their partner has not been told."
	}
	return Message{Text: text, Blocks: []slack.Block{section("left", text)}}
}

// Joined confirms a sign-up.
func Joined(c mentor.Cycle, p mentor.Participant, edited bool) Message {
	text := fmt.Sprintf("You're signed up for *%s* as a %s. The committee will pair you; you'll get a private channel with your duo partner. See where you stand any time with `/mentorship status` or on my Home tab.", SafeText(c.Name, 80), strings.ToLower(p.Role.Label()))
	if edited {
		text = fmt.Sprintf("Your sign-up for *%s* is updated.", SafeText(c.Name, 80))
	}
	return Notice(text)
}
