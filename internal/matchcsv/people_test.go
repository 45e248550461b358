package matchcsv

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestReadPeopleKeepsRoleZoneAndFileOrder(t *testing.T) {
	data, err := os.ReadFile("../../testdata/people.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := ReadPeople("people.csv", data, time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 30 {
		t.Fatalf("%d rows, want the 30 people of testdata/people.csv", len(rows))
	}
	first := rows[0]
	if first.ID != "m01" || first.Name != "Wei Zhang" || first.Role != "mentor" || first.TimeZone != "America/Chicago" || first.Capacity != 2 {
		t.Errorf("first row = %+v, want m01 Wei Zhang, mentor in America/Chicago with capacity 2", first)
	}
	var mentees int
	for _, r := range rows {
		if r.Role == "mentee" {
			mentees++
			if r.Text == "" {
				t.Errorf("mentee %s has no needs text", r.ID)
			}
		}
	}
	if mentees == 0 {
		t.Error("no mentee read")
	}
}

func TestReadPeopleReportsBadRowsByLine(t *testing.T) {
	data := "id,name,role,stage,areas,needs,offer,methods,frequency,timezone,capacity,avoid\n" +
		"a,Ann,mentor,senior,x,,offer,email,monthly,Europe/Paris,2,\n" +
		"b,Ben,boss,new,x,needs,,email,monthly,Europe/Paris,,\n"
	_, err := ReadPeople("cast.csv", []byte(data), time.Now())
	if err == nil || !strings.Contains(err.Error(), "cast.csv:3: role \"boss\"") {
		t.Fatalf("err = %v, want the bad role reported at cast.csv:3", err)
	}
}
