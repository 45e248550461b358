package matchcsv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeWeights(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "weights.txt")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pairOf returns the mentor_id,score of mentee's row in a pairs CSV.
func pairOf(pairs, mentee string) string {
	for _, line := range strings.Split(pairs, "\n") {
		if strings.HasPrefix(line, mentee+",") {
			f := strings.SplitN(line, ",", 4)
			return f[1] + "," + f[2]
		}
	}
	return ""
}

func TestWeightsFileSteersThePairs(t *testing.T) {
	plain, _, err := run(t, "--in", peopleCSV, "--at", at)
	if err != nil {
		t.Fatal(err)
	}
	if got := pairOf(plain, "e05"); got != "m01,34" {
		t.Fatalf("without weights e05 gets %q (the golden file says m01,34, 10 h apart)", got)
	}
	w := writeWeights(t, `# the committee's settings for 2026–2027
areas = high      # topics count double
frequency = off
max-hours-apart = 3
must-share-method = yes
`)
	steered, _, err := run(t, "--in", peopleCSV, "--weights", w, "--at", at)
	if err != nil {
		t.Fatal(err)
	}
	if got := pairOf(steered, "e05"); strings.HasPrefix(got, "m01,") {
		t.Fatalf("e05 still gets m01, 10 h apart, despite max-hours-apart = 3:\n%s", steered)
	}
	// e01–m02 share two areas, both want biweekly: 57 + 20 (areas high) - 4 (frequency off).
	if got := pairOf(steered, "e01"); got != "m02,73" {
		t.Fatalf("e01: %q, want m02,73:\n%s", got, steered)
	}
	for _, line := range strings.Split(strings.TrimSpace(steered), "\n")[1:] {
		if strings.Contains(line, "h apart") && !strings.Contains(line, "same time zone") {
			for _, far := range []string{"; 4 h", "; 5 h", "; 6 h", "; 7 h", "; 8 h", "; 9 h", "; 10", "; 11", "; 12"} {
				if strings.Contains(line, far) {
					t.Errorf("a pair more than 3 h apart: %s", line)
				}
			}
		}
		if strings.Contains(line, "no communication method in common") {
			t.Errorf("a pair without a common method: %s", line)
		}
	}
}

func TestBadWeightsFileWritesNothing(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "pairs.csv")
	w := writeWeights(t, "areas = huge\nmax-hours-apart = 30\nteleport = yes\nareas = low\nno equals sign\n")
	_, _, err := run(t, "--in", peopleCSV, "--weights", w, "--out", out, "--at", at)
	if exitCode(err) != ExitData {
		t.Fatalf("err %v, want a data error", err)
	}
	for _, want := range []string{
		w + `:1: areas: level "huge" must be one of off, low, normal, high`,
		w + ":2: max-hours-apart: want a whole number of hours from 1 to 12",
		w + `:3: unknown setting "teleport"`,
		w + ":4: areas is set twice (first on line 1)",
		w + ":5: want name = value",
		"nothing was written",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("%s was written", out)
	}
	if _, _, err := run(t, "--in", peopleCSV, "--weights", peopleCSV); exitCode(err) != ExitUsage {
		t.Fatalf("--weights naming --in's file: %v", err)
	}
}
