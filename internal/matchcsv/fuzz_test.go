package matchcsv

import (
	"bytes"
	"encoding/csv"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/matching"
)

// FuzzParsePeople feeds the CSV reader arbitrary files. It never panics; it either
// reports problems, each on a line of the file, in line order, or reads people that
// keep every rule of the format (ids unique and set, capacities 1–3 for mentors
// only, avoid lists naming known people). What it reads goes through the solver and
// the writers: every mentee once, no forbidden pair, no mentor over capacity, and
// output that parses back as CSV.
func FuzzParsePeople(f *testing.F) {
	for _, name := range []string{"../../testdata/people.csv", "testdata/bad-rows.csv", "testdata/bad-quote.csv", "testdata/unknown-avoid.csv", "testdata/header-only.csv"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("\uFEFFid,name,role,stage,areas,needs,offer,methods,frequency,timezone,capacity,avoid\r\na,A,mentee,student,x,need,,email,,UTC,,b\r\nb,B,MENTOR,senior,x,,offer,EMAIL,weekly,Europe/Paris,3,a\r\n"))
	at := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, probs := parsePeople(data, at)
		lines := bytes.Count(data, []byte("\n")) + 1
		for i, pr := range probs {
			if pr.line < 1 || pr.line > lines || pr.msg == "" || (i > 0 && pr.line < probs[i-1].line) {
				t.Fatalf("problem %d of %d: line %d of %d, %q", i, len(probs), pr.line, lines, pr.msg)
			}
		}
		if len(probs) > 0 {
			if msg := formatProblems("people.csv", probs); msg == "" {
				t.Fatal("problems format as nothing")
			}
			return
		}
		everyone := append(slices.Clone(p.mentees), p.mentors...)
		if len(everyone) == 0 {
			t.Fatal("no problems and no people")
		}
		ids := map[string]bool{}
		for _, x := range everyone {
			if x.ID == "" || strings.TrimSpace(x.ID) != x.ID || ids[x.ID] || p.names[x.ID] == "" {
				t.Fatalf("person %+v: id empty, untrimmed, repeated or unnamed", x)
			}
			ids[x.ID] = true
		}
		for _, x := range p.mentors {
			if x.Capacity < 1 || x.Capacity > 3 {
				t.Fatalf("mentor %q has capacity %d", x.ID, x.Capacity)
			}
		}
		for _, x := range everyone {
			for _, a := range x.Avoid {
				if !ids[a] {
					t.Fatalf("%q avoids unknown %q", x.ID, a)
				}
			}
		}
		if len(everyone) > 60 {
			return // the solver has its own tests; keep each run quick
		}
		x := matching.NewMatrix(p.mentees, p.mentors, matching.DefaultWeights())
		res := x.Solve()
		byID := map[string]matching.Person{}
		for _, x := range everyone {
			byID[x.ID] = x
		}
		load := map[string]int{}
		seen := map[string]int{}
		for _, pr := range res.Pairs {
			e, m := byID[pr.MenteeID], byID[pr.MentorID]
			if slices.Contains(e.Avoid, m.ID) || slices.Contains(m.Avoid, e.ID) || e.ID == m.ID {
				t.Fatalf("forbidden pair %s–%s", e.ID, m.ID)
			}
			load[m.ID]++
			if load[m.ID] > m.Capacity {
				t.Fatalf("mentor %s over capacity %d", m.ID, m.Capacity)
			}
			seen[e.ID]++
		}
		for _, id := range res.Unmatched {
			seen[id]++
		}
		for _, e := range p.mentees {
			if seen[e.ID] != 1 {
				t.Fatalf("mentee %s appears %d times in the result", e.ID, seen[e.ID])
			}
		}
		for name, out := range map[string][]byte{"pairs": pairsCSV(x, p, res), "matrix": matrixCSV(x, p)} {
			rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
			if err != nil || len(rows) < 1 {
				t.Fatalf("%s output does not parse back: %v\n%s", name, err, out)
			}
		}
		_ = explain(x, p, res, at, matching.Settings{})
	})
}
