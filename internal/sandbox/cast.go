package sandbox

import (
	_ "embed"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/mentorbot/mentorbot/internal/matchcsv"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// castCSV is the default cast's mentors and mentees: rows of testdata/people.csv
// (TestDefaultCastComesFromTestdata keeps them so).
//
//go:embed cast.csv
var castCSV []byte

// Person is someone of the cast: a committee member, a mentor or a mentee, with
// the profile they would give when they sign up.
type Person struct {
	ID       string // Slack user ID in the sandbox's workspace
	Handle   string // Slack handle, e.g. "wei.zhang"
	Name     string
	Role     string // "committee", "mentor" or "mentee"
	Stage    string // career stage: student, new, mid, senior
	Areas    []string
	Profile  string // a mentee's needs or a mentor's offer
	Methods  []string
	Freq     string
	Capacity int // mentors only
	TimeZone string
}

// defaultCommittee is the committee of two every sandbox starts with.
func defaultCommittee() []struct{ name, tz, about string } {
	return []struct{ name, tz, about string }{
		{"Ruth Alvarez", "America/New_York", "Chair of the mentorship committee; a reference librarian for twenty years."},
		{"Samuel Osei", "Europe/London", "Committee member; runs the association's annual program."},
	}
}

// LoadCast returns the cast: the committee of two, then the mentors and mentees of
// people (a CSV in the `mentorbot match` format, see README), or of the default
// cast when people is nil. file names the CSV in error messages. Time-zone
// offsets are taken at the instant at.
func LoadCast(file string, people []byte, at time.Time) ([]Person, error) {
	if people == nil {
		file, people = "default cast", castCSV
	}
	rows, err := matchcsv.ReadPeople(file, people, at)
	if err != nil {
		return nil, err
	}
	var cast []Person
	for i, c := range defaultCommittee() {
		cast = append(cast, Person{ID: fmt.Sprintf("U0SB%05d", i+1), Name: c.name, Role: "committee",
			Profile: c.about, TimeZone: c.tz})
	}
	for _, r := range rows {
		cast = append(cast, Person{ID: fmt.Sprintf("U0SB%05d", len(cast)+1), Name: r.Name, Role: r.Role,
			Stage: r.Stage.String(), Areas: r.Areas, Profile: r.Text, Methods: r.Methods, Freq: r.Frequency,
			Capacity: r.Capacity, TimeZone: r.TimeZone})
	}
	handles := map[string]int{}
	for i := range cast {
		h := handle(cast[i].Name)
		if handles[h]++; handles[h] > 1 {
			h = fmt.Sprintf("%s%d", h, handles[h])
		}
		cast[i].Handle = h
	}
	return cast, nil
}

// handle makes a Slack-like handle from a name: "Wei Zhang" → "wei.zhang".
func handle(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.Join(strings.Fields(name), ".")) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "person"
	}
	return b.String()
}

// Workspace is what Populate made: the channels every sandbox starts with.
type Workspace struct {
	General, Committee string // channel IDs
}

// Populate adds the cast to the Slack-compatible server: every person as a user
// with their time zone, a public #general with everyone, the private committee
// channel with the committee and the bot (the bot must be in it: it reads its
// members and posts there), and each person's DM with the bot.
func Populate(srv *slackfake.Server, cast []Person, at time.Time) (Workspace, error) {
	bot := srv.Options().BotUserID
	everyone := []string{bot}
	comm := []string{bot}
	for _, p := range cast {
		loc, err := time.LoadLocation(p.TimeZone)
		if err != nil {
			return Workspace{}, fmt.Errorf("sandbox: %s: time zone %q: %w", p.Name, p.TimeZone, err)
		}
		label, off := at.In(loc).Zone()
		srv.AddUser(slackfake.User{ID: p.ID, Name: p.Handle, RealName: p.Name, TZ: p.TimeZone, TZLabel: label, TZOffset: off,
			Email: p.Handle + "@example.org"})
		everyone = append(everyone, p.ID)
		if p.Role == "committee" {
			comm = append(comm, p.ID)
		}
	}
	gen, err := srv.AddChannel(slackfake.Channel{Name: "general", Members: everyone})
	if err != nil {
		return Workspace{}, err
	}
	com, err := srv.AddChannel(slackfake.Channel{Name: "mentorship-committee", Private: true, Members: comm, Creator: comm[len(comm)-1]})
	if err != nil {
		return Workspace{}, err
	}
	for _, p := range cast {
		if _, err := srv.DMChannel(p.ID); err != nil {
			return Workspace{}, err
		}
	}
	return Workspace{General: gen.ID, Committee: com.ID}, nil
}
