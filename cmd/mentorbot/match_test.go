package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, &out, &errb)
	return out.String(), errb.String(), err
}

func TestMatchCommandPrintsPairsWithReasons(t *testing.T) {
	out, _, err := runCLI(t, "match", "--in", "../../testdata/people.csv", "--at", "2026-01-15T12:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "mentee_id,mentor_id,score,reasons" {
		t.Fatalf("header = %q", lines[0])
	}
	paired, unmatched := 0, 0
	for _, l := range lines[1:] {
		f := strings.SplitN(l, ",", 4)
		if f[1] == "" {
			unmatched++
			continue
		}
		paired++
		if !strings.Contains(l, "shared:") && !strings.Contains(l, "apart") && !strings.Contains(l, "time zone") {
			t.Errorf("pair without reasons: %s", l)
		}
	}
	if paired != 18 || unmatched != 2 {
		t.Fatalf("%d pairs and %d unmatched, want 18 and 2 (18 mentor places for 20 mentees)", paired, unmatched)
	}
}

func TestMatchCommandReportsBadRowsAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "people.csv")
	csv := "id,name,role,stage,areas,needs,offer,methods,frequency,timezone,capacity,avoid\n" +
		"e1,Ann,mentee,student,career,help with my resume,,email,monthly,America/New_York,,\n" +
		"m1,Bo,mentor,expert,career,,twenty years,email,monthly,America/New_York,2,\n"
	if err := os.WriteFile(in, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "pairs.csv")
	stdout, _, err := runCLI(t, "match", "--in", in, "--out", out)
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("err = %v (exit %d), want a data error", err, exitCode(err))
	}
	if !strings.Contains(err.Error(), "people.csv:3:") || !strings.Contains(err.Error(), "expert") {
		t.Fatalf("error does not point at line 3: %v", err)
	}
	if stdout != "" {
		t.Fatalf("stdout = %q, want nothing", stdout)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("--out was written despite the error")
	}
}

func TestMatchCommandWritesTheMatrix(t *testing.T) {
	matrix := filepath.Join(t.TempDir(), "scores.csv")
	if _, _, err := runCLI(t, "match", "--in", "../../testdata/people.csv", "--matrix", matrix, "--at", "2026-01-15"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(matrix)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(string(b)), "\n")
	if rows[0] != "mentee_id,mentor_id,score" || len(rows) != 1+20*10 {
		t.Fatalf("matrix has %d rows (header %q), want 1 + 20 mentees × 10 mentors", len(rows), rows[0])
	}
}
