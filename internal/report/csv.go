package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Kind names one of the report's CSVs.
type Kind string

const (
	KindDuos         Kind = "duos"
	KindEvaluations  Kind = "evaluations"
	KindParticipants Kind = "participants"
)

// Kinds lists the CSVs, in the order help shows them.
func Kinds() []Kind { return []Kind{KindDuos, KindEvaluations, KindParticipants} }

// Title is the CSV's name as people read it.
func (k Kind) Title() string {
	switch k {
	case KindDuos:
		return "Duos"
	case KindEvaluations:
		return "Evaluations (confidential)"
	case KindParticipants:
		return "Participants"
	}
	return string(k)
}

// The columns of each CSV, in order. The order is part of the contract (committees
// keep spreadsheets that read them): add columns at the end, never reorder. Dates
// are RFC 3339 in UTC, empty when the step has not happened; lists are joined with
// "; ".
var (
	DuoColumns = []string{
		"duo_id", "mentee_id", "mentee_name", "mentor_id", "mentor_name",
		"status",   // opening, open, closed (at the end of its cycle) or ended (dissolved)
		"stage",    // how far the duo came (Setting up … Evaluated, then Completed or Ended)
		"approved", // when the committee approved the pair
		"channel_opened", "first_contact", "agreement_signed",
		"mentee_evaluation_in", "mentor_evaluation_in", // when each first sent their evaluation
		"ended", // when the committee dissolved the duo
	}
	EvaluationColumns = []string{
		"user_id", "name", "role", "duo_ids",
		"submitted", "updated", "late",
		"overall", "needs_met", "communication", // 1–5
		"again", "recommend", // yes, maybe or no
		"activities", "other_activities",
		"achieved", "value", "liked", "suggestions",
	}
	ParticipantColumns = []string{
		"user_id", "name", "role", "status", "career_stage",
		"areas", "other_areas", "needs", "offer", "cv_url",
		"methods", "frequency", "hours_per_month", "capacity", "timezone",
		"duo_ids", "signed_up", "updated", "withdrawn",
	}
)

// Columns returns the header of a CSV; nil for an unknown kind.
func Columns(k Kind) []string {
	switch k {
	case KindDuos:
		return DuoColumns
	case KindEvaluations:
		return EvaluationColumns
	case KindParticipants:
		return ParticipantColumns
	}
	return nil
}

// ParseKind reads a CSV's name as typed on the command line.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds() {
		if strings.EqualFold(s, string(k)) {
			return k, true
		}
	}
	return "", false
}

// CSV returns the CSV of kind k over d (k = KindEvaluations needs d loaded with
// evaluations).
func CSV(k Kind, d Data) ([]byte, error) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, k, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteCSV writes the CSV of kind k over d to w: the header, then a row a duo,
// evaluation or participant in the order of d. Every cell that a spreadsheet would
// read as a formula (starting with = + - @, a tab or a carriage return) is prefixed
// with ' so it stays text.
func WriteCSV(w io.Writer, k Kind, d Data) error {
	var rows [][]string
	switch k {
	case KindDuos:
		rows = duoRows(d)
	case KindEvaluations:
		rows = evaluationRows(d)
	case KindParticipants:
		rows = participantRows(d)
	default:
		return fmt.Errorf("no CSV of %q (choose duos, evaluations or participants)", k)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns(k)); err != nil {
		return fmt.Errorf("write %s csv: %w", k, err)
	}
	for _, r := range rows {
		for i := range r {
			r[i] = SafeCell(r[i])
		}
		if err := cw.Write(r); err != nil {
			return fmt.Errorf("write %s csv: %w", k, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write %s csv: %w", k, err)
	}
	return nil
}

// SafeCell keeps a cell text in spreadsheet apps: one that starts with = + - @, a
// tab or a carriage return gets a leading ' (OWASP's advice on CSV injection), so
// "=HYPERLINK(…)" typed into a profile is shown, not run.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func num(n int) string { return strconv.Itoa(n) }

func names(d Data) map[string]string {
	out := make(map[string]string, len(d.Participants))
	for _, p := range d.Participants {
		out[p.UserID] = p.Name
	}
	return out
}

// duoStatus is a duo's status in the CSV.
func duoStatus(du mentor.Duo) string {
	switch {
	case du.Ended():
		return "ended"
	case du.Closed():
		return "closed"
	case !du.Setup.Done():
		return "opening"
	}
	return "open"
}

func duoRows(d Data) [][]string {
	name := names(d)
	rows := make([][]string, 0, len(d.Duos))
	for _, du := range d.Duos {
		rows = append(rows, []string{
			du.ID, du.MenteeID, name[du.MenteeID], du.MentorID, name[du.MentorID],
			duoStatus(du), mentor.StageLabel(du.Stage(evaluatedBoth(d, du))),
			date(du.CreatedAt), date(du.OpenedAt()), date(du.Activity.FirstContact()), date(du.Agreement.SignedAt),
			date(d.Evaluated[du.MenteeID]), date(d.Evaluated[du.MentorID]),
			date(du.EndedAt),
		})
	}
	return rows
}

// duosOf maps each person to the ids of every duo of the cycle they are or were in
// (sorted): a dissolved duo leaves the people's own lists, not the report.
func duosOf(d Data) map[string][]string {
	out := map[string][]string{}
	for _, du := range d.Duos {
		out[du.MenteeID] = append(out[du.MenteeID], du.ID)
		out[du.MentorID] = append(out[du.MentorID], du.ID)
	}
	for _, ids := range out {
		sort.Strings(ids)
	}
	return out
}

func evaluationRows(d Data) [][]string {
	name := names(d)
	duos := duosOf(d)
	topics := d.Cycle.TopicOptions()
	rows := make([][]string, 0, len(d.Evaluations))
	for _, e := range d.Evaluations {
		var acts []string
		for _, a := range e.Activities {
			acts = append(acts, mentor.LabelOf(topics, a))
		}
		late := "no"
		if e.Late {
			late = "yes"
		}
		rows = append(rows, []string{
			e.UserID, name[e.UserID], string(e.Role), strings.Join(duos[e.UserID], "; "),
			date(e.SubmittedAt), date(e.UpdatedAt), late,
			rating(e.Overall), rating(e.NeedsMet), rating(e.Communication),
			string(e.Again), string(e.Recommend),
			strings.Join(acts, "; "), e.OtherActivities,
			e.Achieved, e.Value, e.Liked, e.Suggestions,
		})
	}
	return rows
}

func rating(n int) string {
	if n < 1 {
		return ""
	}
	return num(n)
}

func participantRows(d Data) [][]string {
	duos := duosOf(d)
	topics := d.Cycle.TopicOptions()
	rows := make([][]string, 0, len(d.Participants))
	for _, p := range d.Participants {
		var areas, methods []string
		for _, a := range p.Areas {
			areas = append(areas, mentor.LabelOf(topics, a))
		}
		for _, m := range p.Methods {
			methods = append(methods, mentor.LabelOf(mentor.Methods(), m))
		}
		capacity := ""
		if p.Role == mentor.RoleMentor {
			capacity = num(p.Capacity)
		}
		hours := ""
		if p.HoursPerMonth > 0 {
			hours = num(p.HoursPerMonth)
		}
		rows = append(rows, []string{
			p.UserID, p.Name, string(p.Role), string(p.Status), mentor.LabelOf(mentor.Stages(), string(p.Stage)),
			strings.Join(areas, "; "), p.OtherAreas, p.Needs, p.Offer, p.CVURL,
			strings.Join(methods, "; "), mentor.LabelOf(mentor.Frequencies(), p.Frequency), hours, capacity, p.TZ,
			strings.Join(duos[p.UserID], "; "), date(p.CreatedAt), date(p.UpdatedAt), date(p.WithdrawnAt),
		})
	}
	return rows
}
