package views

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// AgreementMeta travels in the agreement modal's private_metadata.
type AgreementMeta struct {
	CycleID string `json:"cycle"`
	// DuoID is the duo the agreement is for; "" when the person chooses it in the
	// form (the BlockDuo select).
	DuoID string `json:"duo,omitempty"`
	// Version is the version the form edits; 0 for a first draft. Saving makes
	// Version+1, which a store should accept only while Version is still current.
	Version int `json:"version,omitempty"`
	// Channel is where the command was run, for answers after submitting.
	Channel string `json:"channel,omitempty"`
}

// DuoChoice is one of a person's duos in a "which duo" select: its id and how the
// person recognises it (e.g. "Mentee: Ada Lovelace"), shown as plain text.
type DuoChoice struct {
	DuoID string
	Label string
}

// maxDuoChoices is a select's limit of options.
const maxDuoChoices = 100

// duoSelect is the "which duo" input, or nil when the form needs none: the duo is
// known, or there is at most one to choose from.
func duoSelect(duoID string, choices []DuoChoice, label string) slack.Block {
	if duoID != "" || len(choices) < 2 {
		return nil
	}
	opts := make([]*slack.OptionBlockObject, 0, min(len(choices), maxDuoChoices))
	for _, ch := range choices[:min(len(choices), maxDuoChoices)] {
		label := strings.TrimSpace(ch.Label)
		if label == "" {
			label = ch.DuoID
		}
		opts = append(opts, slack.NewOptionBlockObject(ch.DuoID, plain(Truncate(label, 75)), nil))
	}
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a duo"), BlockDuo, opts...)
	return input(BlockDuo, label, "", el, false)
}

// soleDuo is the duo a form is for when the person has exactly one: then no select
// is shown and the metadata carries it.
func soleDuo(duoID string, choices []DuoChoice) string {
	if duoID == "" && len(choices) == 1 {
		return choices[0].DuoID
	}
	return duoID
}

// AgreementModal is the duo agreement form for cycle c, pre-filled from a: the
// current version when editing (meta.Version > 0), else a first draft such as
// mentor.DefaultAgreement. meta.CycleID is set to c.ID. When meta.DuoID is "" and the person has several duos
// (choices), a "which duo" select comes first; with exactly one choice, that duo is
// put in the metadata. Input block ids are the FieldErrors keys of
// mentor.Agreement.Validate.
func AgreementModal(c mentor.Cycle, a mentor.Agreement, meta AgreementMeta, choices []DuoChoice) *slack.ModalViewRequest {
	meta.CycleID = c.ID
	meta.DuoID = soleDuo(meta.DuoID, choices)
	raw, _ := json.Marshal(meta)

	intro := fmt.Sprintf("Write down what you and your duo partner agree on for the *%s* program. "+
		"When you submit, it is posted in your duo channel for both of you to sign; once you both have, it goes to the committee.",
		SafeText(c.Name, 80))
	if meta.Version > 0 {
		intro = fmt.Sprintf("You're editing version %d of your duo agreement. Saving makes version %d: "+
			"the signatures of version %d no longer count, and both of you sign again.", meta.Version, meta.Version+1, meta.Version)
	}
	blocks := []slack.Block{section(BlockIntro, intro)}
	if b := duoSelect(meta.DuoID, choices, "Which duo is this agreement for?"); b != nil {
		blocks = append(blocks, b)
	}

	methods := slack.NewCheckboxGroupsBlockElement(BlockAgreementMethods, options(mentor.Methods())...)
	methods.InitialOptions = optionsOf(mentor.Methods(), a.Methods)

	freq := slack.NewRadioButtonsBlockElement(BlockAgreementFrequency, options(mentor.Frequencies())...)
	f := a.Frequency
	if f == "" {
		f = "monthly"
	}
	if sel := optionsOf(mentor.Frequencies(), []string{f}); len(sel) == 1 {
		freq.InitialOption = sel[0]
	}

	topics := c.TopicOptions()
	topics = topics[:min(len(topics), 10)] // a checkbox group's limit
	acts := slack.NewCheckboxGroupsBlockElement(BlockAgreementActivities, options(topics)...)
	acts.InitialOptions = optionsOf(topics, a.Activities)

	from, until := a.From, a.Until
	if from.IsZero() {
		from = c.Start
	}
	if until.IsZero() {
		until = c.End
	}

	meetingHint := "Both of you are encouraged, not required, to meet at the annual program."
	if !c.AnnualMeeting.IsZero() {
		meetingHint = fmt.Sprintf("This cycle's annual program is on %s. Meeting there is encouraged, not required.", mentor.FormatDate(c.AnnualMeeting))
	}

	blocks = append(blocks,
		input(BlockAgreementMethods, "How you'll communicate", "", methods, false),
		input(BlockAgreementFrequency, "How often you'll be in touch", "The bot reminds you when the channel has been quiet longer than this.", freq, false),
		input(BlockAgreementGoal, "Your shared goal", "What you'll work towards together within the program time frame.",
			textInput(BlockAgreementGoal, "e.g. a first grant application submitted by March", Truncate(a.Goal, mentor.MaxGoalLen), true, mentor.MaxGoalLen), false),
		input(BlockAgreementActivities, "Activities and projects", "From the program guidelines; choose any that apply.", acts, true),
		input(BlockAgreementOtherActivities, "Other activities", "Anything not in the list, in a few words.",
			textInput(BlockAgreementOtherActivities, "e.g. visit each other's libraries", Truncate(a.OtherActivities, mentor.MaxOtherActivitiesLen), false, mentor.MaxOtherActivitiesLen), true),
		input(BlockAgreementMentorHours, "Mentor's hours a month", "", numberInput(BlockAgreementMentorHours, a.MentorHours, a.MentorHours > 0), false),
		input(BlockAgreementMenteeHours, "Mentee's hours a month", "", numberInput(BlockAgreementMenteeHours, a.MenteeHours, a.MenteeHours > 0), false),
		input(BlockAgreementFrom, "From", "", datePicker(BlockAgreementFrom, dateValue(from)), false),
		input(BlockAgreementUntil, "Until", "", datePicker(BlockAgreementUntil, dateValue(until)), false),
		input(BlockAgreementAnnualMeeting, "Will you meet at the annual program?", meetingHint, answerRadio(BlockAgreementAnnualMeeting, a.AnnualMeeting), false),
		input(BlockAgreementShareExperience, "Will you share your experience?",
			"Present it at a local chapter or the annual program, or publish it (e.g. in the journal or the newsletter).",
			answerRadio(BlockAgreementShareExperience, a.ShareExperience), false),
	)
	return &slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackAgreement,
		Title:           plain("Duo agreement"),
		Submit:          plain("Submit for signing"),
		Close:           plain("Cancel"),
		PrivateMetadata: string(raw),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func answerRadio(id string, a mentor.Answer) *slack.RadioButtonsBlockElement {
	el := slack.NewRadioButtonsBlockElement(id, options(mentor.Answers())...)
	if sel := optionsOf(mentor.Answers(), []string{string(a)}); len(sel) == 1 {
		el.InitialOption = sel[0]
	}
	return el
}

func dateValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(mentor.DateLayout)
}

// has reports whether the submitted view has input block id.
func (s State) has(id string) bool {
	_, ok := s.values[id]
	return ok
}

// ParseAgreement reads a submitted agreement modal. The agreement's CycleID and DuoID
// come from the metadata or the "which duo" select, its Version is meta.Version+1
// (the version saving makes); Author, CreatedAt and signatures are the caller's. It
// returns FieldErrors only for what can't be read (a number or a date that isn't
// one, no duo chosen), and only for blocks of the submitted view; the rules are
// mentor.Agreement.Validate's. An unreadable metadata, or no duo and no select to
// choose one, is an EINVALID error.
func ParseAgreement(v slack.View) (mentor.Agreement, AgreementMeta, error) {
	var meta AgreementMeta
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil || meta.CycleID == "" {
		return mentor.Agreement{}, meta, mentor.Errorf(mentor.EINVALID, "This form is out of date. Close it and run `/mentorship agreement` again.")
	}
	s := StateOf(v)
	fe := mentor.FieldErrors{}
	a := mentor.Agreement{
		CycleID:         meta.CycleID,
		DuoID:           meta.DuoID,
		Version:         meta.Version + 1,
		Methods:         s.SelectedAll(BlockAgreementMethods),
		Frequency:       s.Selected(BlockAgreementFrequency),
		Goal:            s.Text(BlockAgreementGoal),
		Activities:      s.SelectedAll(BlockAgreementActivities),
		OtherActivities: s.Text(BlockAgreementOtherActivities),
		AnnualMeeting:   mentor.Answer(s.Selected(BlockAgreementAnnualMeeting)),
		ShareExperience: mentor.Answer(s.Selected(BlockAgreementShareExperience)),
	}
	if a.DuoID == "" {
		a.DuoID = s.Selected(BlockDuo)
		if a.DuoID == "" {
			if !s.has(BlockDuo) {
				return a, meta, mentor.Errorf(mentor.EINVALID, "This form doesn't say which duo it is for. Close it and run `/mentorship agreement` in your duo channel.")
			}
			fe.Add(BlockDuo, "Choose the duo this agreement is for.")
		}
	}
	for _, h := range []struct {
		id  string
		dst *int
	}{{BlockAgreementMentorHours, &a.MentorHours}, {BlockAgreementMenteeHours, &a.MenteeHours}} {
		if s.Text(h.id) == "" {
			continue
		}
		n, ok := s.Int(h.id)
		if !ok {
			fe.Add(h.id, "Give a whole number of hours.")
		}
		*h.dst = n
	}
	for _, d := range []struct {
		id  string
		dst *time.Time
	}{{BlockAgreementFrom, &a.From}, {BlockAgreementUntil, &a.Until}} {
		if v := s.Date(d.id); v != "" {
			t, err := mentor.ParseDate(v)
			if err != nil {
				fe.Add(d.id, "That is not a date.")
			}
			*d.dst = t
		}
	}
	return a, meta, fe.Err()
}

// pipe joins the parts of a button value.
func pipe(parts ...string) string { return strings.Join(parts, "|") }

// AgreementPost is version a.Version of duo d's agreement in its channel: every
// field, who signed and when, a "Sign as mentee" / "Sign as mentor" button for each
// member who hasn't (value cycle|duo|version), and an Edit button (value cycle|duo).
// Once both signed it says so, and only Edit is left.
func AgreementPost(c mentor.Cycle, d mentor.Duo, a mentor.Agreement) Message {
	both := a.SignedByBoth(d)
	text := fmt.Sprintf("Duo agreement, version %d, for <@%s> and <@%s>: both of you, please read and sign it.", a.Version, d.MenteeID, d.MentorID)
	if both {
		text = fmt.Sprintf("Duo agreement, version %d: signed by <@%s> and <@%s>.", a.Version, d.MenteeID, d.MentorID)
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(fmt.Sprintf("Duo agreement · version %d", a.Version))),
		section(BlockAgreementHead, agreementHead(c, d, a)),
	}
	blocks = append(blocks, agreementBody(c, a)...)
	for _, m := range []struct {
		block, user, role string
	}{{BlockAgreementSignMentee, d.MenteeID, "mentee"}, {BlockAgreementSignMentor, d.MentorID, "mentor"}} {
		if at, ok := a.Signatures[m.user]; ok {
			blocks = append(blocks, section(m.block, fmt.Sprintf(":white_check_mark: <@%s> (%s) signed on %s", m.user, m.role, mentor.FormatDate(at))))
			continue
		}
		btn := slack.NewButtonBlockElement(ActionAgreementSign, pipe(c.ID, d.ID, strconv.Itoa(a.Version)), plain("Sign as "+m.role)).WithStyle(slack.StylePrimary)
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(fmt.Sprintf(":hourglass_flowing_sand: <@%s> (%s) hasn't signed yet", m.user, m.role)),
			nil, slack.NewAccessory(btn), slack.SectionBlockOptionBlockID(m.block)))
	}
	if both {
		blocks = append(blocks, section(BlockAgreementSigned, fmt.Sprintf(":handshake: Signed by both on %s; sent to the committee.", mentor.FormatDate(lastSignature(a)))))
	}
	blocks = append(blocks,
		slack.NewActionBlock(BlockAgreementActions, slack.NewButtonBlockElement(ActionAgreementEdit, pipe(c.ID, d.ID), plain("Edit"))),
		contextBlock(BlockAgreementFooter, "Only the two of you can sign. Editing makes a new version, and both of you sign again."),
	)
	return Message{Text: text, Blocks: blocks}
}

// AgreementReplaced is what the post of version old becomes once an edit made
// newVersion: it says so, shows what the old version said, and has no buttons, its
// signatures void.
func AgreementReplaced(c mentor.Cycle, d mentor.Duo, old mentor.Agreement, newVersion int) Message {
	text := fmt.Sprintf("Version %d of the duo agreement was replaced by version %d; its signatures no longer count.", old.Version, newVersion)
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(fmt.Sprintf("Duo agreement · version %d (replaced)", old.Version))),
		section(BlockAgreementReplaced, fmt.Sprintf(":arrows_counterclockwise: %s Read and sign version %d, posted below.", text, newVersion)),
		section(BlockAgreementHead, agreementHead(c, d, old)),
	}
	blocks = append(blocks, agreementBody(c, old)...)
	if sigs := signatureList(d, old); sigs != "" {
		blocks = append(blocks, contextBlock(BlockAgreementFooter, "Void signatures: "+sigs))
	}
	return Message{Text: text, Blocks: blocks}
}

// AgreementForCommittee is the committee channel's record of a signed agreement:
// both members, the duo channel, every field and the dates of both signatures.
func AgreementForCommittee(c mentor.Cycle, d mentor.Duo, a mentor.Agreement) Message {
	text := fmt.Sprintf(":handshake: Signed duo agreement: <@%s> (mentee) and <@%s> (mentor), version %d.", d.MenteeID, d.MentorID, a.Version)
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(fmt.Sprintf("Signed duo agreement · version %d", a.Version))),
		section(BlockAgreementHead, agreementHead(c, d, a)),
	}
	blocks = append(blocks, agreementBody(c, a)...)
	sigs := signatureList(d, a)
	if sigs == "" {
		sigs = "not signed yet"
	}
	blocks = append(blocks, section(BlockAgreementSigned, "*Signed* "+sigs))
	return Message{Text: text, Blocks: blocks}
}

// agreementHead names the duo, the cycle, the channel and who submitted the version.
func agreementHead(c mentor.Cycle, d mentor.Duo, a mentor.Agreement) string {
	s := fmt.Sprintf("<@%s> (mentee) and <@%s> (mentor) · *%s*", d.MenteeID, d.MentorID, SafeText(c.Name, 80))
	if d.ChannelID != "" {
		s += " · <#" + d.ChannelID + ">"
	}
	if a.Author != "" {
		s += fmt.Sprintf("\nVersion %d, written by <@%s>", a.Version, a.Author)
		if !a.CreatedAt.IsZero() {
			s += " on " + mentor.FormatDate(a.CreatedAt)
		}
	}
	return s
}

// agreementBody shows every field of a: the short ones as section fields, the goal
// and the activities in sections of their own.
func agreementBody(c mentor.Cycle, a mentor.Agreement) []slack.Block {
	methods := labels(mentor.Methods(), a.Methods)
	if methods == "" {
		methods = "not chosen"
	}
	answer := func(x mentor.Answer) string {
		if x == "" {
			return "Not answered"
		}
		return Escape(mentor.LabelOf(mentor.Answers(), string(x)))
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{
			mrkdwn("*How we communicate*\n" + Escape(methods)),
			mrkdwn("*How often*\n" + SafeText(mentor.LabelOf(mentor.Frequencies(), a.Frequency), 100)),
			mrkdwn(fmt.Sprintf("*Mentor's hours a month*\n%d", a.MentorHours)),
			mrkdwn(fmt.Sprintf("*Mentee's hours a month*\n%d", a.MenteeHours)),
			mrkdwn(fmt.Sprintf("*Time frame*\n%s – %s", mentor.FormatDate(a.From), mentor.FormatDate(a.Until))),
			mrkdwn("*Meet at the annual program*\n" + answer(a.AnnualMeeting)),
			mrkdwn("*Share our experience*\n" + answer(a.ShareExperience)),
		}, nil, slack.SectionBlockOptionBlockID(BlockAgreementFields)),
	}
	blocks = append(blocks, longSections(BlockAgreementGoalText, "*Our shared goal*", Escape(strings.TrimSpace(a.Goal)), 4)...)
	var acts []string
	for _, x := range a.Activities {
		if x == "other" && strings.TrimSpace(a.OtherActivities) != "" {
			continue // shown with its text below
		}
		acts = append(acts, "• "+SafeText(mentor.LabelOf(c.TopicOptions(), x), 200))
	}
	if o := strings.TrimSpace(a.OtherActivities); o != "" {
		acts = append(acts, "• Other: "+SafeText(o, 1500))
	}
	if len(acts) == 0 {
		acts = []string{"_none chosen_"}
	}
	blocks = append(blocks, section(BlockAgreementActivity, "*Activities and projects*\n"+strings.Join(acts, "\n")))
	return blocks
}

// signatureList says who signed a and when, mentee first; "" when nobody has.
func signatureList(d mentor.Duo, a mentor.Agreement) string {
	var parts []string
	for _, m := range []struct{ user, role string }{{d.MenteeID, "mentee"}, {d.MentorID, "mentor"}} {
		if at, ok := a.Signatures[m.user]; ok {
			parts = append(parts, fmt.Sprintf("<@%s> (%s) on %s", m.user, m.role, mentor.FormatDate(at)))
		}
	}
	return strings.Join(parts, "; ")
}

// lastSignature is when the second signature came.
func lastSignature(a mentor.Agreement) time.Time {
	var last time.Time
	for _, at := range a.Signatures {
		if at.After(last) {
			last = at
		}
	}
	return last
}
