package sandbox

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestDefaultCastComesFromTestdata keeps the built-in cast a part of the people of
// testdata/people.csv, row for row, so `mentorbot match` and the sandbox tell the
// same program.
func TestDefaultCastComesFromTestdata(t *testing.T) {
	all, err := os.ReadFile("../../testdata/people.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, l := range strings.Split(string(all), "\n") {
		rows[strings.TrimSpace(l)] = true
	}
	for i, l := range strings.Split(strings.TrimSpace(string(castCSV)), "\n") {
		if !rows[strings.TrimSpace(l)] {
			t.Errorf("cast.csv line %d is not a line of testdata/people.csv: %s", i+1, l)
		}
	}
	cast, err := LoadCast("", nil, time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]int{}
	ids, handles := map[string]bool{}, map[string]bool{}
	for _, p := range cast {
		roles[p.Role]++
		if ids[p.ID] || handles[p.Handle] {
			t.Errorf("%s: ID %s or handle %s used twice", p.Name, p.ID, p.Handle)
		}
		ids[p.ID], handles[p.Handle] = true, true
		if p.Role != "committee" && (p.Profile == "" || p.TimeZone == "" || len(p.Areas) == 0) {
			t.Errorf("%s has no realistic profile: %+v", p.Name, p)
		}
	}
	if roles["committee"] != 2 || roles["mentor"] < 4 || roles["mentee"] < 4 || roles["mentor"]+roles["mentee"] < 10 {
		t.Errorf("cast by role %v, want a committee of two and about a dozen mentors and mentees", roles)
	}
}

func TestPeopleCSVReplacesTheMentorsAndMentees(t *testing.T) {
	csv := "id,name,role,stage,areas,needs,offer,methods,frequency,timezone,capacity,avoid\n" +
		"x1,Zoë O'Brien,mentor,senior,archives,,Thirty years of archives,email,monthly,Europe/Dublin,1,\n" +
		"x2,Li Na,mentee,student,archives,Finding aids,,email,monthly,Asia/Shanghai,,\n"
	cast, err := LoadCast("mine.csv", []byte(csv), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(cast) != 4 || cast[2].Name != "Zoë O'Brien" || cast[2].Handle != "zoë.obrien" || cast[3].Role != "mentee" {
		t.Errorf("cast = %+v, want the committee then the two people of the file", cast)
	}
	if _, err := LoadCast("mine.csv", []byte("id,name\n"), time.Now()); err == nil || !strings.Contains(err.Error(), "mine.csv") {
		t.Errorf("a bad file: err = %v, want a problem naming mine.csv", err)
	}
}
