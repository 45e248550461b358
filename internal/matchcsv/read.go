package matchcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // IANA names resolve even on machines without a zoneinfo database

	"github.com/mentorbot/mentorbot/internal/matching"
)

// columns are the input's columns, in the documented order; a file may order them
// any way it likes, and must have each exactly once. Other columns (a form export's
// Timestamp) are ignored and named once in a note.
var columns = []string{"id", "name", "role", "stage", "areas", "needs", "offer", "methods", "frequency", "timezone", "capacity", "avoid"}

// maxProblems is how many bad rows' problems are listed before "and N more".
const maxProblems = 50

// people is a parsed input file.
type people struct {
	mentees, mentors []matching.Person
	names            map[string]string // id -> name
	ignored          []string          // header names of columns not used, as written
}

// quoteAll returns names quoted and joined with ", ".
func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// problem is one thing wrong with the input, at a line of the file.
type problem struct {
	line int
	msg  string
}

// parsePeople reads a people CSV. Offsets of time zones are taken at the instant
// at. It returns every problem found, in line order; people is only meaningful
// when there are none.
func parsePeople(data []byte, at time.Time) (people, []problem) {
	var probs []problem
	bad := func(line int, format string, args ...any) {
		probs = append(probs, problem{line, fmt.Sprintf(format, args...)})
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false

	header, err := r.Read()
	if err == io.EOF {
		return people{}, []problem{{1, "the file is empty; its first line must be the header " + strings.Join(columns, ",")}}
	}
	if err != nil {
		return people{}, []problem{csvProblem(err)}
	}
	col := map[string]int{}
	var extra []string // columns not used for matching (a form's Timestamp): ignored
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !slices.Contains(columns, h):
			extra = append(extra, strings.TrimSpace(header[i]))
			continue
		case col[h] > 0:
			bad(1, "column %q appears twice", h)
		}
		col[h] = i + 1 // 0 means absent
	}
	var missing []string
	for _, c := range columns {
		if col[c] == 0 {
			missing = append(missing, c)
		}
	}
	switch {
	case len(missing) == len(columns):
		// No known column at all: the first line is not a header (one mistake,
		// one problem, not one per field).
		return people{}, []problem{{1, "the first line must be the header naming " + strings.Join(columns, ",") + " (in any order); it names none of them"}}
	case len(missing) > 0:
		msg := fmt.Sprintf("missing column(s) %s (the header must name %s, in any order)", strings.Join(missing, ", "), strings.Join(columns, ","))
		if len(extra) > 0 {
			msg += fmt.Sprintf("; it also has %s, which may be a misspelling", quoteAll(extra))
		}
		bad(1, "%s", msg)
	}
	if len(probs) > 0 {
		return people{}, probs
	}

	p := people{names: map[string]string{}, ignored: extra}
	idLine := map[string]int{}
	type avoidRef struct {
		line int
		ids  []string
	}
	var avoids []avoidRef
	zones := map[string]struct { // looked up once per name
		offset int
		msg    string
	}{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			probs = append(probs, csvProblem(err))
			break // the reader cannot be trusted past a syntax error
		}
		line, _ := r.FieldPos(0)
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // a blank row, as spreadsheets leave them
		}
		if len(rec) != len(header) {
			bad(line, "%d fields, but the header has %d", len(rec), len(header))
			continue
		}
		get := func(c string) string { return strings.TrimSpace(rec[col[c]-1]) }
		before := len(probs)

		id, nm := get("id"), get("name")
		switch prev, dup := idLine[id]; {
		case id == "":
			bad(line, "id: required")
		case dup:
			bad(line, "id %q: already used on line %d", id, prev)
		default:
			idLine[id] = line
		}
		if nm == "" {
			bad(line, "name: required")
		}
		role := strings.ToLower(get("role"))
		if role != "mentor" && role != "mentee" {
			bad(line, "role %q: must be mentor or mentee", get("role"))
		}
		stage, err := matching.ParseStage(get("stage"))
		if err != nil {
			bad(line, "stage %q: %v", get("stage"), err)
		}
		methods := list(get("methods"))
		for i, m := range methods {
			methods[i] = strings.ToLower(m)
			if !slices.Contains(matching.Methods(), methods[i]) {
				bad(line, "method %q: must be one of %s", m, strings.Join(matching.Methods(), ", "))
			}
		}
		freq := strings.ToLower(get("frequency"))
		if freq != "" && !slices.Contains(matching.Frequencies(), freq) {
			bad(line, "frequency %q: must be weekly, biweekly or monthly, or empty for no preference", get("frequency"))
		}
		tz, ok := zones[get("timezone")]
		if !ok {
			tz.offset, tz.msg = utcOffset(get("timezone"), at)
			zones[get("timezone")] = tz
		}
		offset := tz.offset
		if tz.msg != "" {
			bad(line, "%s", tz.msg)
		}
		capacity := 0
		switch c := get("capacity"); {
		case role == "mentor" && c == "":
			bad(line, "capacity: required for mentors (1, 2 or 3 mentees)")
		case role == "mentor":
			n, err := strconv.Atoi(c)
			if err != nil || n < 1 || n > 3 {
				bad(line, "capacity %q: must be 1, 2 or 3", c)
			}
			capacity = n
		case role == "mentee" && c != "":
			bad(line, "capacity %q: only mentors have a capacity; leave it empty for a mentee", c)
		}
		text := ""
		switch role {
		case "mentee":
			if text = get("needs"); text == "" {
				bad(line, "needs: required for mentees (what they want help with)")
			}
		case "mentor":
			if text = get("offer"); text == "" {
				bad(line, "offer: required for mentors (what they can offer)")
			}
		}
		avoid := list(get("avoid"))
		if len(probs) > before {
			continue
		}
		avoids = append(avoids, avoidRef{line, avoid})
		person := matching.Person{
			ID: id, Name: nm, Stage: stage, Areas: list(get("areas")), Text: text,
			Methods: methods, Frequency: freq, UTCOffset: offset, Capacity: capacity, Avoid: avoid,
		}
		p.names[id] = nm
		if role == "mentor" {
			p.mentors = append(p.mentors, person)
		} else {
			p.mentees = append(p.mentees, person)
		}
	}
	// Avoid lists protect people, so an id that matches nobody is an error, not a
	// warning: a typo must not silently drop the protection. Only checked when every
	// row is good, since a bad row's id would be reported as unknown too.
	if len(probs) == 0 {
		for _, a := range avoids {
			for _, id := range a.ids {
				if _, ok := idLine[id]; !ok {
					bad(a.line, "avoid %q: no person has this id", id)
				}
			}
		}
		if len(p.mentees)+len(p.mentors) == 0 {
			bad(1, "no people: add one row a person after the header")
		}
	}
	slices.SortStableFunc(probs, func(a, b problem) int { return a.line - b.line })
	return p, probs
}

// list splits a ';'-separated field, trimming items and dropping empty ones.
func list(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ";") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// utcOffset returns the offset east of UTC, in minutes, of the IANA time zone name
// at the instant at, or a message saying what is wrong with name.
func utcOffset(name string, at time.Time) (int, string) {
	const hint = "an IANA name such as America/Toronto or Asia/Shanghai"
	if name == "" {
		return 0, "timezone: required, " + hint
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return 0, fmt.Sprintf("timezone %q: unknown; use %s", name, hint)
	}
	_, off := at.In(loc).Zone()
	return off / 60, ""
}

// csvProblem turns an encoding/csv error into a problem at its line.
func csvProblem(err error) problem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return problem{pe.Line, "not valid CSV: " + pe.Err.Error()}
	}
	return problem{1, "not valid CSV: " + err.Error()}
}
