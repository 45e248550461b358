package views

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// ProgramMeta travels in the program modal's private_metadata: which cycle it edits
// and the revision it was read at (0: a new cycle with this id).
type ProgramMeta struct {
	CycleID  string `json:"cycle"`
	Rev      int    `json:"rev"`
	Previous string `json:"previous,omitempty"` // a new cycle replaces this active one
}

// ProgramModal is the committee's form to open or edit a cycle.
func ProgramModal(c mentor.Cycle, rev int) *slack.ModalViewRequest {
	meta, _ := json.Marshal(ProgramMeta{CycleID: c.ID, Rev: rev, Previous: c.Previous})
	title, submit := "Open a cycle", "Open cycle"
	intro := "Open the program year people sign up for. The program usually runs October to May 31, with evaluations due May 1."
	if rev > 0 {
		title, submit = "Edit the cycle", "Save"
		intro = fmt.Sprintf("Editing *%s*. Changes apply at once; reminders already sent stay sent.", SafeText(c.Name, 80))
	}
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(mentor.DateLayout)
	}
	r := c.Reminders
	blocks := []slack.Block{
		section("intro", intro),
		input("name", "Name", "", textInput("name", "2026–2027", c.Name, false, 80), false),
		input("start", "Starts on", "", datePicker("start", date(c.Start)), false),
		input("end", "Ends on", "", datePicker("end", date(c.End)), false),
		input("evaluation_due", "Evaluations due", "Leave empty for May 1 of the end year.",
			datePicker("evaluation_due", date(c.EvaluationDue)), true),
		input("annual_meeting", "Annual meeting (optional)", "Duos are invited to meet there; both get a reminder beforehand.",
			datePicker("annual_meeting", date(c.AnnualMeeting)), true),
		slack.NewHeaderBlock(plain("Reminders, in days (0 = at once)")),
		input("welcome_days", "Mentor hasn't welcomed the mentee after", "Days after the duo channel opened.", numberInput("welcome_days", r.WelcomeDays, true), false),
		input("contact_days", "Mentee hasn't made contact after", "Days after the duo channel opened.", numberInput("contact_days", r.ContactDays, true), false),
		input("agreement_days", "Agreement not signed after", "Days after the duo channel opened; both are reminded.", numberInput("agreement_days", r.AgreementDays, true), false),
		input("agreement_committee_days", "Tell the committee of an unsigned agreement after", "", numberInput("agreement_committee_days", r.AgreementCommitteeDays, true), false),
		input("evaluation_days", "Evaluation reminders, days before the due date", "Comma-separated, e.g. 14, 3, 0.",
			textInput("evaluation_days", "14, 3, 0", joinInts(r.EvaluationDays), false, 100), false),
		input("annual_meeting_days", "Annual meeting reminder, days before", "", numberInput("annual_meeting_days", r.AnnualMeetingDays, true), false),
		input("keep_in_touch", "Keep-in-touch margin, %", "A duo is reminded when quiet for its agreed interval plus this much (50: a monthly duo after 45 days).",
			numberInput("keep_in_touch", r.KeepInTouchPercent, true), false),
		slack.NewHeaderBlock(plain("When reminders reach people")),
		input("nudge_from", "From (hour, their own time)", "Reminders reach each person on weekdays within these hours of their own time zone.",
			numberInput("nudge_from", r.NudgeFromHour, true), false),
		input("nudge_until", "Until (hour, their own time)", "", numberInput("nudge_until", r.NudgeUntilHour, true), false),
		input("nudge_any_time", "Any time", "", anyTimeBox(r.NudgeAnyTime), true),
		slack.NewHeaderBlock(plain("Committee digest")),
		input("digest_day", "Weekly digest on", "Stalled duos, missing agreements and evaluations, posted in the committee channel.",
			digestDaySelect(r.DigestDay), false),
		input("digest_hour", "At (hour)", "", numberInput("digest_hour", r.DigestHour, true), false),
		input("time_zone", "Committee time zone", "An IANA name such as America/New_York; empty for UTC.",
			textInput("time_zone", "America/New_York", c.TimeZone, false, 60), true),
		slack.NewHeaderBlock(plain("End of the cycle")),
		input("close_grace_days", "Days a closing duo keeps its channel", "After the end date each duo chooses to continue on its own or to close; a closing duo's channel is archived this many days after it chooses.",
			numberInput("close_grace_days", r.CloseGraceDays, true), false),
		slack.NewHeaderBlock(plain("Topics")),
		input("topics", "Topics people choose from", fmt.Sprintf("One a line, at most %d: the areas of sign-ups and the activities of agreements.", mentor.MaxTopics),
			textInput("topics", "", topicLines(c.TopicOptions()), true, 1000), false),
	}
	return &slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackProgram,
		Title:           plain(title),
		Submit:          plain(submit),
		Close:           plain("Cancel"),
		PrivateMetadata: string(meta),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// ParseProgram reads a submitted program modal into a cycle based on base (the
// stored cycle, or defaults), with field errors for values that aren't dates or
// numbers. Rules about the values are checked by mentor.Cycle.Validate.
func ParseProgram(v slack.View, base mentor.Cycle) (mentor.Cycle, ProgramMeta, error) {
	meta, err := ParseProgramMeta(v)
	if err != nil {
		return base, meta, err
	}
	s := StateOf(v)
	fe := mentor.FieldErrors{}
	c := base
	c.ID = meta.CycleID
	if meta.Rev == 0 {
		c.Previous = meta.Previous
	}
	c.Name = s.Text("name")
	for _, d := range []struct {
		id  string
		dst *time.Time
	}{{"start", &c.Start}, {"end", &c.End}, {"evaluation_due", &c.EvaluationDue}, {"annual_meeting", &c.AnnualMeeting}} {
		*d.dst = time.Time{}
		if v := s.Date(d.id); v != "" {
			t, err := mentor.ParseDate(v)
			if err != nil {
				fe.Add(d.id, "That is not a date.")
			}
			*d.dst = t
		}
	}
	days := func(id string, dst *int) {
		n, ok := s.Int(id)
		if !ok {
			fe.Add(id, "Give a whole number of days.")
			return
		}
		*dst = n
	}
	r := &c.Reminders
	days("welcome_days", &r.WelcomeDays)
	days("contact_days", &r.ContactDays)
	days("agreement_days", &r.AgreementDays)
	days("agreement_committee_days", &r.AgreementCommitteeDays)
	days("annual_meeting_days", &r.AnnualMeetingDays)
	if list, ok := parseInts(s.Text("evaluation_days")); ok {
		r.EvaluationDays = list
	} else {
		fe.Add("evaluation_days", "Give whole numbers of days separated by commas, such as 14, 3, 0.")
	}
	// Fields added after the first version of this form: a form opened before (or a
	// stripped-down one) keeps what is stored.
	number := func(id, msg string, dst *int) {
		if !s.has(id) {
			return
		}
		n, ok := s.Int(id)
		if !ok {
			fe.Add(id, msg)
			return
		}
		*dst = n
	}
	number("keep_in_touch", "Give a whole number, such as 50.", &r.KeepInTouchPercent)
	number("nudge_from", "Give an hour from 0 to 23.", &r.NudgeFromHour)
	number("nudge_until", "Give an hour from 1 to 24.", &r.NudgeUntilHour)
	number("digest_hour", "Give an hour from 0 to 23.", &r.DigestHour)
	number("close_grace_days", "Give a whole number of days, such as 14.", &r.CloseGraceDays)
	if s.has("nudge_from") {
		r.NudgeAnyTime = len(s.SelectedAll("nudge_any_time")) > 0
	}
	if d := s.Selected("digest_day"); d != "" {
		r.DigestDay = d
	}
	if s.has("time_zone") {
		c.TimeZone = strings.TrimSpace(s.Text("time_zone"))
	}
	if s.has("topics") {
		c.Topics = ParseTopics(s.Text("topics"), base.TopicOptions())
	}
	return c, meta, fe.Err()
}

// anyTimeBox is the checkbox that switches the working-hours rule off.
func anyTimeBox(on bool) *slack.CheckboxGroupsBlockElement {
	opt := slack.NewOptionBlockObject("any", plain("Send reminders at any hour, weekends too"), nil)
	el := slack.NewCheckboxGroupsBlockElement("nudge_any_time", opt)
	if on {
		el.InitialOptions = []*slack.OptionBlockObject{opt}
	}
	return el
}

func digestDaySelect(day string) *slack.SelectBlockElement {
	opts := options(append(mentor.Weekdays(), mentor.Option{Value: "off", Label: "No digest"}))
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a day"), "digest_day", opts...)
	if day == "" {
		day = "monday"
	}
	for _, o := range opts {
		if o.Value == day {
			el.InitialOption = o
		}
	}
	return el
}

func topicLines(opts []mentor.Option) string {
	lines := make([]string, len(opts))
	for i, o := range opts {
		lines[i] = o.Label
	}
	return strings.Join(lines, "\n")
}

// ParseTopics reads one topic a line. A line that keeps the label of one of before
// keeps its value, so sign-ups that chose it still match; a new label gets a value
// made from it.
func ParseTopics(text string, before []mentor.Option) []mentor.Option {
	byLabel := map[string]string{}
	for _, o := range before {
		byLabel[strings.ToLower(o.Label)] = o.Value
	}
	var out []mentor.Option
	seen := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		label := strings.TrimSpace(line)
		if label == "" {
			continue
		}
		value, ok := byLabel[strings.ToLower(label)]
		if !ok {
			value = mentor.TopicValue(label)
		}
		if seen[value] {
			continue
		}
		seen[value] = true
		out = append(out, mentor.Option{Value: value, Label: label})
	}
	return out
}

// ParseProgramMeta reads which cycle a program modal edits.
func ParseProgramMeta(v slack.View) (ProgramMeta, error) {
	var meta ProgramMeta
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil || meta.CycleID == "" {
		return meta, mentor.Errorf(mentor.EINVALID, "This form is out of date. Close it and run the command again.")
	}
	return meta, nil
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}

// parseInts reads "14, 3, 0"; an empty string is an empty list.
func parseInts(s string) ([]int, bool) {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// ProgramErrors moves field errors of a cycle onto the program modal's inputs where
// the rule's name is not an input's (the working hours are two inputs).
func ProgramErrors(err error) error {
	var fe mentor.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	out := mentor.FieldErrors{}
	for k, v := range fe {
		if k == "nudge_hours" {
			k = "nudge_from"
		}
		out.Add(k, v)
	}
	return out
}
