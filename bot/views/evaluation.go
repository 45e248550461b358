package views

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// EvaluationMeta travels in the evaluation modal's private_metadata.
type EvaluationMeta struct {
	CycleID string `json:"cycle"`
}

// partnerWord is what the person calls their duo partner.
func partnerWord(role mentor.Role) string {
	if role == mentor.RoleMentor {
		return "mentee"
	}
	return "mentor"
}

// EvaluationLoading is shown at once while the form is read (the trigger to open a
// modal dies after 3 seconds); EvaluationModal replaces it.
func EvaluationLoading(c mentor.Cycle) *slack.ModalViewRequest {
	return &slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: CallbackEvaluationLoading,
		Title:      plain("Program evaluation"),
		Close:      plain("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(BlockEvaluationLoading, fmt.Sprintf(":hourglass_flowing_sand: Opening your evaluation of *%s*…", SafeText(c.Name, 80))),
		}},
	}
}

// EvaluationModal is role's program evaluation for cycle c, pre-filled from e: the
// evaluation the person sent (e.SubmittedAt set: sending again replaces it) or a new
// one such as mentor.DefaultEvaluation. The questions are the program's, worded for
// the role ("your mentee", "would you mentor again" for a mentor; "your mentor",
// "would you take part again" for a mentee); the ratings are radio buttons with
// words; the activities are the cycle's topics (at most 10). It says plainly that only
// the committee reads it, never the partner. meta.CycleID is set to c.ID. Input block
// ids are the FieldErrors keys of mentor.Evaluation.Validate. Typed text only ever
// appears as plain_text initial values.
func EvaluationModal(c mentor.Cycle, e mentor.Evaluation, role mentor.Role, meta EvaluationMeta) *slack.ModalViewRequest {
	meta.CycleID = c.ID
	raw, _ := json.Marshal(meta)
	partner := partnerWord(role)

	intro := fmt.Sprintf(":lock: *Only the mentorship committee reads your evaluation.* Your %s never sees it, "+
		"and it is never posted in your duo channel.\nThe committee uses it to improve the *%s* program. It is due on *%s*.",
		partner, SafeText(c.Name, 80), mentor.FormatDate(c.EvaluationDue))
	if !e.SubmittedAt.IsZero() {
		intro += fmt.Sprintf("\nYou sent your evaluation on %s; what you send now replaces it.", mentor.FormatDate(e.SubmittedAt))
	}

	again := "Would you take part in the program again?"
	if role == mentor.RoleMentor {
		again = "Would you mentor again?"
	}
	needs := "How well were your needs or goals met?"
	if role == mentor.RoleMentor {
		needs = "How well were your mentee's needs, or your shared goals, met?"
	}

	topics := c.TopicOptions()
	topics = topics[:min(len(topics), 10)] // a checkbox group's limit
	acts := slack.NewCheckboxGroupsBlockElement(BlockEvaluationActivities, options(topics)...)
	acts.InitialOptions = optionsOf(topics, e.Activities)

	text := func(id, placeholder, initial string) *slack.PlainTextInputBlockElement {
		return textInput(id, placeholder, Truncate(initial, mentor.MaxEvaluationTextLen), true, mentor.MaxEvaluationTextLen)
	}
	blocks := []slack.Block{
		section(BlockIntro, intro),
		input(BlockEvaluationAchieved, fmt.Sprintf("Briefly summarise what you and your %s achieved", partner), "",
			text(BlockEvaluationAchieved, "e.g. a first grant proposal, sent in March", e.Achieved), false),
		input(BlockEvaluationValue, "Was the program of value to you? Why or why not?", "",
			text(BlockEvaluationValue, "", e.Value), false),
		input(BlockEvaluationLiked, "What did you like about the program?", "",
			text(BlockEvaluationLiked, "", e.Liked), true),
		input(BlockEvaluationSuggestions, "Suggestions for improvement", "Anything the committee could do better next year.",
			text(BlockEvaluationSuggestions, "", e.Suggestions), true),
		input(BlockEvaluationAgain, again, "", answerRadio(BlockEvaluationAgain, e.Again), false),
		input(BlockEvaluationRecommend, "Would you recommend the program to others?", "", answerRadio(BlockEvaluationRecommend, e.Recommend), false),
		input(BlockEvaluationOverall, "Overall, how would you rate the program?", "", ratingRadio(BlockEvaluationOverall, mentor.OverallRatings(), e.Overall), false),
		input(BlockEvaluationNeedsMet, needs, "", ratingRadio(BlockEvaluationNeedsMet, mentor.NeedsMetRatings(), e.NeedsMet), false),
		input(BlockEvaluationCommunication, fmt.Sprintf("How was communication with your %s?", partner), "",
			ratingRadio(BlockEvaluationCommunication, mentor.CommunicationRatings(), e.Communication), false),
		input(BlockEvaluationActivities, "Activities you actually did", "Ticked from your duo agreement; change them to what you really did.", acts, true),
		input(BlockEvaluationOtherActivities, "Other activities", "Anything not in the list, in a few words.",
			textInput(BlockEvaluationOtherActivities, "e.g. visited each other's libraries", Truncate(e.OtherActivities, mentor.MaxOtherActivitiesLen), false, mentor.MaxOtherActivitiesLen), true),
		contextBlock(BlockEvaluationFooter, fmt.Sprintf(":lock: Sent to the mentorship committee only; never to your %s.", partner)),
	}
	return &slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackEvaluation,
		Title:           plain("Program evaluation"),
		Submit:          plain("Send to the committee"),
		Close:           plain("Cancel"),
		PrivateMetadata: string(raw),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// ratingRadio is a 1–5 rating with the words of its scale ("4 · Very good").
func ratingRadio(id string, scale []mentor.Option, initial int) *slack.RadioButtonsBlockElement {
	opts := make([]*slack.OptionBlockObject, 0, len(scale))
	for _, o := range scale {
		n, _ := strconv.Atoi(o.Value)
		opts = append(opts, slack.NewOptionBlockObject(o.Value, plain(mentor.RatingLabel(scale, n)), nil))
	}
	el := slack.NewRadioButtonsBlockElement(id, opts...)
	if initial >= 1 && initial <= len(opts) {
		el.InitialOption = opts[initial-1]
	}
	return el
}

// ParseEvaluation reads a submitted evaluation modal into the person's answers (who,
// when, role and Late are the use case's). It returns FieldErrors only for what
// can't be read (a rating that isn't a number), and only for blocks of the submitted
// view; the rules are mentor.Evaluation.Validate's. Unreadable metadata is an
// EINVALID error.
func ParseEvaluation(v slack.View) (mentor.Evaluation, EvaluationMeta, error) {
	var meta EvaluationMeta
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil || meta.CycleID == "" {
		return mentor.Evaluation{}, meta, mentor.Errorf(mentor.EINVALID, "This form is out of date. Close it and run `/mentorship evaluate` again.")
	}
	s := StateOf(v)
	e := mentor.Evaluation{
		CycleID:         meta.CycleID,
		Achieved:        s.Text(BlockEvaluationAchieved),
		Value:           s.Text(BlockEvaluationValue),
		Liked:           s.Text(BlockEvaluationLiked),
		Suggestions:     s.Text(BlockEvaluationSuggestions),
		Again:           mentor.Answer(s.Selected(BlockEvaluationAgain)),
		Recommend:       mentor.Answer(s.Selected(BlockEvaluationRecommend)),
		Activities:      s.SelectedAll(BlockEvaluationActivities),
		OtherActivities: s.Text(BlockEvaluationOtherActivities),
	}
	fe := mentor.FieldErrors{}
	for _, r := range []struct {
		id  string
		dst *int
	}{{BlockEvaluationOverall, &e.Overall}, {BlockEvaluationNeedsMet, &e.NeedsMet}, {BlockEvaluationCommunication, &e.Communication}} {
		val := s.Selected(r.id)
		if val == "" {
			continue // not chosen (or not in the view): Validate says so where it can
		}
		n, err := strconv.Atoi(val)
		if err != nil {
			fe.Add(r.id, "Choose a rating from 1 to 5.")
			continue
		}
		*r.dst = n
	}
	return e, meta, fe.Err()
}

// EvaluationThanks answers a sent evaluation: it is with the committee and nobody
// else; whether it replaced the one sent before (e.SubmittedAt is the first
// submission); and, when e.Late, that it came after the due date and is still
// welcome. It repeats nothing the person wrote.
func EvaluationThanks(c mentor.Cycle, e mentor.Evaluation, replaced bool) Message {
	text := fmt.Sprintf(":white_check_mark: *Thank you!* Your evaluation of *%s* is with the mentorship committee. "+
		"Only the committee reads it; your %s never sees it.", SafeText(c.Name, 80), partnerWord(e.Role))
	if replaced {
		text += fmt.Sprintf("\nIt replaces the evaluation you first sent on %s.", mentor.FormatDate(e.SubmittedAt))
	}
	if e.Late {
		text += fmt.Sprintf("\nIt came in after the due date (%s), so it is marked late; the committee reads it all the same.", mentor.FormatDate(c.EvaluationDue))
	} else {
		text += fmt.Sprintf("\nYou can change it until the due date (%s) with `/mentorship evaluate`: what you send replaces it.", mentor.FormatDate(c.EvaluationDue))
	}
	summary := "Your program evaluation is with the committee."
	if replaced {
		summary = "Your program evaluation is updated."
	}
	return Message{Text: summary, Blocks: []slack.Block{section(BlockEvaluationThanks, text)}}
}
