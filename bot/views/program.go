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
	return c, meta, fe.Err()
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
