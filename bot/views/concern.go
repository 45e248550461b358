package views

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// ConcernMeta travels in the concern modal's private_metadata.
type ConcernMeta struct {
	CycleID string `json:"cycle"`
	// DuoID is the duo the concern is about; "" when the person chooses it in the
	// form (the BlockDuo select).
	DuoID string `json:"duo,omitempty"`
	// ID is the concern's id, chosen when the form opens, so that a submission
	// delivered twice saves one concern.
	ID string `json:"id"`
}

// Values of the "new match" radio.
const (
	newMatchYes = "yes"
	newMatchNo  = "no"
)

func newMatchOptions() []mentor.Option {
	return []mentor.Option{{Value: newMatchYes, Label: "Yes, I'd like a new match"}, {Value: newMatchNo, Label: "No"}}
}

// ConcernModal is the confidential form to the committee: what is happening, and
// whether the person would like a new match. It says plainly who reads it. When
// meta.DuoID is "" and the person has several duos (choices), a "which duo" select
// comes first; with exactly one choice, that duo is put in the metadata.
func ConcernModal(meta ConcernMeta, choices []DuoChoice) *slack.ModalViewRequest {
	meta.DuoID = soleDuo(meta.DuoID, choices)
	raw, _ := json.Marshal(meta)
	blocks := []slack.Block{
		section(BlockIntro, ":lock: *Only the mentorship committee reads this.* Your duo partner hears nothing from the bot "+
			"until the committee acts, and never what you write here.\n"+
			"Any reason is a good reason: a duo can end without anyone being at fault."),
	}
	if b := duoSelect(meta.DuoID, choices, "Which duo is this about?"); b != nil {
		blocks = append(blocks, b)
	}
	match := slack.NewRadioButtonsBlockElement(BlockConcernNewMatch, options(newMatchOptions())...)
	blocks = append(blocks,
		input(BlockConcernText, "What is happening?", "As much or as little as you like; the committee may get in touch with you privately.",
			textInput(BlockConcernText, "e.g. we haven't managed to find a time to talk since October", "", true, mentor.MaxConcernLen), false),
		input(BlockConcernNewMatch, "Would you like a new match?", "If the committee ends this duo, it can pair you again.", match, false),
	)
	return &slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackConcern,
		Title:           plain("Tell the committee"),
		Submit:          plain("Send to the committee"),
		Close:           plain("Cancel"),
		PrivateMetadata: string(raw),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// ParseConcern reads a submitted concern modal into an open concern raised through
// the form (From and CreatedAt are the caller's). It returns FieldErrors only for
// what can't be read (no duo chosen in the select); the rules are
// mentor.Concern.Validate's. Unreadable metadata, or no duo and no select to choose
// one, is an EINVALID error.
func ParseConcern(v slack.View) (mentor.Concern, ConcernMeta, error) {
	var meta ConcernMeta
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil || meta.CycleID == "" || meta.ID == "" {
		return mentor.Concern{}, meta, mentor.Errorf(mentor.EINVALID, "This form is out of date. Close it and run `/mentorship concern` again.")
	}
	s := StateOf(v)
	k := mentor.Concern{
		ID:       meta.ID,
		CycleID:  meta.CycleID,
		DuoID:    meta.DuoID,
		Kind:     mentor.ConcernRaised,
		Text:     s.Text(BlockConcernText),
		NewMatch: s.Selected(BlockConcernNewMatch) == newMatchYes,
		State:    mentor.ConcernOpen,
	}
	if k.DuoID == "" {
		k.DuoID = s.Selected(BlockDuo)
		if k.DuoID == "" {
			if !s.has(BlockDuo) {
				return k, meta, mentor.Errorf(mentor.EINVALID, "This form doesn't say which duo it is about. Close it and run `/mentorship concern` again.")
			}
			return k, meta, mentor.FieldErrors{BlockDuo: "Choose the duo this is about."}
		}
	}
	return k, meta, nil
}

// ConcernReceived answers a submitted concern: what happens next.
func ConcernReceived(c mentor.Cycle) Message {
	text := fmt.Sprintf("Thank you for telling us. The *%s* mentorship committee has your message; only the committee reads it. "+
		"Your duo partner hasn't been told anything.\n"+
		"A committee member will get back to you privately. If the committee ends the duo, both of you are told only that it ended, "+
		"and if you asked for a new match, you go back into the pool to be paired again.", SafeText(c.Name, 80))
	return Message{Text: "The committee has your message.", Blocks: []slack.Block{section(BlockConcernReceived, text)}}
}

// ConcernForCommittee is the committee channel's post of concern k about duo d: who
// raised it, both members and the channel, what they wrote (escaped), whether they
// ask for a new match, and the buttons "Dissolve duo" (with a confirmation saying
// what happens) and "Mark handled", each with value cycle|concern id.
func ConcernForCommittee(c mentor.Cycle, d mentor.Duo, k mentor.Concern) Message {
	blocks := concernBlocks(c, d, k)
	value := pipe(c.ID, k.ID)
	confirm := slack.NewConfirmationBlockObject(
		plain("Dissolve this duo?"),
		plain("The duo channel is archived, both members get a private message that the duo ended "+
			"(never what this concern says), and their places are freed for new matches. This can't be undone."),
		plain("Dissolve duo"), plain("Cancel"))
	confirm.Style = slack.StyleDanger
	blocks = append(blocks,
		slack.NewActionBlock(BlockConcernActions,
			slack.NewButtonBlockElement(ActionConcernDissolve, value, plain("Dissolve duo")).WithStyle(slack.StyleDanger).WithConfirm(confirm),
			slack.NewButtonBlockElement(ActionConcernHandled, value, plain("Mark handled")),
		),
		contextBlock(BlockConcernFooter, fmt.Sprintf("Only the committee sees this. <@%s> has not been told. "+
			"Mark it handled when you have dealt with it and the duo goes on.", d.Partner(k.From))),
	)
	return Message{Text: concernSummary(d, k), Blocks: blocks}
}

// ConcernDecided is the committee's post of k after a decision: who dissolved the
// duo or marked the concern handled, and when; no buttons. A concern still open
// gets ConcernForCommittee.
func ConcernDecided(c mentor.Cycle, d mentor.Duo, k mentor.Concern) Message {
	var line string
	switch k.State {
	case mentor.ConcernDissolved:
		line = fmt.Sprintf(":broken_heart: Duo dissolved by <@%s> on %s.", k.DecidedBy, mentor.FormatDate(k.DecidedAt))
	case mentor.ConcernHandled:
		line = fmt.Sprintf(":white_check_mark: Marked handled by <@%s> on %s.", k.DecidedBy, mentor.FormatDate(k.DecidedAt))
	default:
		return ConcernForCommittee(c, d, k)
	}
	blocks := append(concernBlocks(c, d, k), section(BlockConcernDecision, line))
	return Message{Text: concernSummary(d, k), Blocks: blocks}
}

// concernSummary is the notification text: who and which duo, never the text.
func concernSummary(d mentor.Duo, k mentor.Concern) string {
	if k.Kind == mentor.ConcernLeft {
		return fmt.Sprintf("<@%s> left the program while in a duo with <@%s>.", k.From, d.Partner(k.From))
	}
	return fmt.Sprintf("<@%s> raised a concern about their duo with <@%s>.", k.From, d.Partner(k.From))
}

// concernBlocks are the parts of the committee's post that stay after a decision.
func concernBlocks(c mentor.Cycle, d mentor.Duo, k mentor.Concern) []slack.Block {
	role := "mentor"
	if k.From == d.MenteeID {
		role = "mentee"
	}
	kind := "raised a concern about their duo"
	if k.Kind == mentor.ConcernLeft {
		kind = "left the program while in their duo"
	}
	channel := "no channel yet"
	if d.ChannelID != "" {
		channel = "<#" + d.ChannelID + ">"
	}
	head := fmt.Sprintf(":speech_balloon: <@%s> (%s) %s.\nDuo: <@%s> (mentee) and <@%s> (mentor) · %s · *%s*",
		k.From, role, kind, d.MenteeID, d.MentorID, channel, SafeText(c.Name, 80))
	if !k.CreatedAt.IsZero() {
		head += " · " + mentor.FormatDate(k.CreatedAt)
	}
	blocks := []slack.Block{section(BlockConcernHead, head)}
	if t := strings.TrimSpace(k.Text); t != "" {
		blocks = append(blocks, longSections(BlockConcernBody, "*What they wrote*", Escape(t), 4)...)
	} else {
		blocks = append(blocks, section(BlockConcernBody, "_They wrote nothing more._"))
	}
	match := "*New match:* not asked for."
	if k.NewMatch {
		match = "*New match:* yes, they would like a new match."
	}
	blocks = append(blocks, section(BlockConcernMatch, match))
	return blocks
}

// DuoDissolvedDM tells userID, a member of d, that the committee ended their duo:
// kindly, with no blame and nothing of any concern; that the channel will be
// archived; when inPool, that they are back in the pool; when ask, two buttons to
// ask for a new match or not (value: the cycle id).
func DuoDissolvedDM(c mentor.Cycle, d mentor.Duo, userID string, inPool bool, ask bool) Message {
	channel := "Your duo channel"
	if d.ChannelID != "" {
		channel = "The duo channel <#" + d.ChannelID + ">"
	}
	text := fmt.Sprintf("Your mentorship duo with <@%s> for *%s* has ended. The committee closed it; "+
		"duos sometimes don't work out, and that is nobody's fault. %s will be archived. "+
		"Thank you for the time you gave.", d.Partner(userID), SafeText(c.Name, 80), channel)
	blocks := []slack.Block{section(BlockDissolved, text)}
	if inPool {
		blocks = append(blocks, section(BlockDissolvedPool, "You're back in the pool; the committee will pair you again."))
	}
	if ask {
		blocks = append(blocks,
			section(BlockRematchAsk, "Would you like a new match this cycle?"),
			slack.NewActionBlock(BlockRematchActions,
				slack.NewButtonBlockElement(ActionRematchYes, c.ID, plain("Find me a new match")).WithStyle(slack.StylePrimary),
				slack.NewButtonBlockElement(ActionRematchNo, c.ID, plain("No, thanks")),
			))
	}
	return Message{Text: "Your mentorship duo has ended.", Blocks: blocks}
}
