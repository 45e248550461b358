package matchcsv

import (
	"bytes"
	"encoding/csv"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/matching"
)

// Row is one person of a people CSV, as `mentorbot match` reads it, with the fields
// the scorer does not keep: the role and the time zone's name.
type Row struct {
	matching.Person
	Role     string // "mentor" or "mentee"
	TimeZone string // IANA name, e.g. "America/Chicago"
}

// ReadPeople reads a people CSV with the same rules and messages as `mentorbot
// match` (offsets of time zones taken at the instant at) and returns its rows in
// file order. A file with any bad row is an error listing every problem by line;
// file names the input in those messages.
func ReadPeople(file string, data []byte, at time.Time) ([]Row, error) {
	p, probs := parsePeople(data, at)
	if len(probs) > 0 {
		return nil, dataErr("%s", strings.Replace(formatProblems(file, probs), "mentorbot match: ", "", 1))
	}
	role := map[string]string{}
	byID := map[string]matching.Person{}
	for _, m := range p.mentors {
		role[m.ID], byID[m.ID] = "mentor", m
	}
	for _, m := range p.mentees {
		role[m.ID], byID[m.ID] = "mentee", m
	}
	// parsePeople keeps offsets, not zone names: read the two columns again, in
	// file order (the file is known to be good by now).
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, dataErr("%s: %v", file, err)
	}
	idCol, tzCol := -1, -1
	for i, h := range recs[0] {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "id":
			idCol = i
		case "timezone":
			tzCol = i
		}
	}
	var rows []Row
	for _, rec := range recs[1:] {
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		id := strings.TrimSpace(rec[idCol])
		rows = append(rows, Row{Person: byID[id], Role: role[id], TimeZone: strings.TrimSpace(rec[tzCol])})
	}
	return rows, nil
}
