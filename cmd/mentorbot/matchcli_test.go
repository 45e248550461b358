package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// matchCLI runs `mentorbot match args` with stdin and returns stdout, and stderr as
// main prints it (the error included) with the exit status.
func matchCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	deps := runDeps{stdin: strings.NewReader(stdin)}
	err := runWith(context.Background(), deps, append([]string{"match"}, args...), func(string) string { return "" }, &out, &errb)
	if err != nil {
		status = reportError(&errb, err)
	}
	return out.String(), errb.String(), status
}

// peopleWith returns testdata/people.csv with its header replaced by header and
// each row changed by row.
func peopleWith(t *testing.T, header string, row func(string) string) string {
	t.Helper()
	b, err := os.ReadFile("../../testdata/people.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	lines[0] = header
	for i := 1; i < len(lines); i++ {
		lines[i] = row(lines[i])
	}
	return strings.Join(lines, "\n") + "\n"
}

const peopleHeader = "id,name,role,stage,areas,needs,offer,methods,frequency,timezone,capacity,avoid"

func TestMatchReadsStandardInputAndIgnoresAFormsExtraColumnsWithOneNote(t *testing.T) {
	csv := peopleWith(t, "Timestamp,"+peopleHeader+",Email Address", func(r string) string { return "2026/01/05 10:00," + r + ",x@example.org" })
	stdout, stderr, status := matchCLI(t, csv, "--in", "-", "--at", "2026-01-15")
	if status != 0 {
		t.Fatalf("exit status %d: %s", status, stderr)
	}
	if stderr != "mentorbot match: note: standard input not used for matching: ignored \"Timestamp\", \"Email Address\"\n" {
		t.Fatalf("stderr %q, want one note naming both ignored columns", stderr)
	}
	want, _, _ := matchCLI(t, "", "--in", "../../testdata/people.csv", "--at", "2026-01-15")
	if stdout != want || !strings.HasPrefix(stdout, "mentee_id,mentor_id,score,reasons\n") {
		t.Fatalf("pairs from standard input with extra columns differ from the file's:\n%s", stdout)
	}
}

func TestAMissingColumnIsOneErrorWithOnePrefix(t *testing.T) {
	// The needs column dropped from the header and from every row.
	drop := func(r string) string {
		f := strings.Split(r, ",")
		return strings.Join(append(f[:5:5], f[6:]...), ",")
	}
	csv := peopleWith(t, drop(peopleHeader), drop)
	_, stderr, status := matchCLI(t, csv, "--in", "-")
	want := "standard input:1: missing column(s) needs (the header must name " + peopleHeader + ", in any order)\n" +
		"mentorbot match: standard input has 1 problem(s); nothing was written\n"
	if stderr != want || status != 1 {
		t.Fatalf("stderr (status %d):\n%s\nwant (status 1):\n%s", status, stderr, want)
	}

	// A file without a header: one problem, not one per field.
	csv = peopleWith(t, "e1,Ann,mentee,student,career,help,,email,monthly,America/New_York,,", func(r string) string { return r })
	_, stderr, status = matchCLI(t, csv, "--in", "-")
	want = "standard input:1: the first line must be the header naming " + peopleHeader + " (in any order); it names none of them\n" +
		"mentorbot match: standard input has 1 problem(s); nothing was written\n"
	if stderr != want || status != 1 {
		t.Fatalf("stderr (status %d):\n%s\nwant (status 1):\n%s", status, stderr, want)
	}

	// Usage and read errors: "mentorbot match:" once, never "mentorbot: mentorbot match:".
	_, stderr, status = matchCLI(t, "", "--in", "nope.csv")
	if stderr != "mentorbot match: read people: open nope.csv: no such file or directory\n" || status != 1 {
		t.Fatalf("stderr %q, status %d", stderr, status)
	}
	_, stderr, status = matchCLI(t, "")
	if !strings.HasPrefix(stderr, "mentorbot match: --in is required") || strings.Contains(stderr, "mentorbot: ") || status != 2 {
		t.Fatalf("stderr %q, status %d", stderr, status)
	}
}
