package matchcsv

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const (
	peopleCSV = "../../testdata/people.csv"
	at        = "2026-01-15T12:00:00Z"
)

// run calls Run and returns its stdout, stderr and error.
func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	err = Run(args, strings.NewReader(""), &o, &e)
	return o.String(), e.String(), err
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// exitCode is what the lead's main does with Run's error.
func exitCode(err error) int {
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return -1
}

func TestPairsToFiles(t *testing.T) {
	dir := t.TempDir()
	out, mx := filepath.Join(dir, "pairs.csv"), filepath.Join(dir, "scores.csv")
	stdout, stderr, err := run(t, "--in", peopleCSV, "--out", out, "--matrix", mx, "--explain", "--at", at)
	if err != nil {
		t.Fatal(err)
	}
	if stderr != "" {
		t.Errorf("stderr: %q", stderr)
	}
	pairs := readFile(t, out)
	golden(t, "people.pairs.golden.csv", pairs)
	golden(t, "people.explain.golden.txt", stdout) // --explain goes to stdout when --out is a file
	matrix := readFile(t, mx)
	golden(t, "people.matrix.golden.csv", matrix)

	// The matrix has a header and one row per mentee × mentor, in id order, with
	// empty scores exactly for the forbidden pairs of the file.
	rows := strings.Split(strings.TrimSuffix(matrix, "\n"), "\n")
	if rows[0] != "mentee_id,mentor_id,score" || len(rows) != 1+20*10 {
		t.Fatalf("matrix: header %q and %d rows, want 1+200", rows[0], len(rows))
	}
	var forbidden []string
	for _, r := range rows[1:] {
		if strings.HasSuffix(r, ",") {
			forbidden = append(forbidden, r)
		}
	}
	if want := []string{"e05,m06,", "e10,m03,"}; !slices.Equal(forbidden, want) {
		t.Errorf("forbidden pairs %v, want %v (the file's avoid lists)", forbidden, want)
	}
	// Pairs: header, 18 pairs (every place), then the 2 unmatched.
	lines := strings.Split(strings.TrimSuffix(pairs, "\n"), "\n")
	if lines[0] != "mentee_id,mentor_id,score,reasons" || len(lines) != 1+18+2 {
		t.Fatalf("pairs: %d lines", len(lines))
	}
	if !strings.HasPrefix(lines[19], "e08,,,") || !strings.HasPrefix(lines[20], "e10,,,") {
		t.Errorf("unmatched rows %q %q", lines[19], lines[20])
	}
	// Files were replaced atomically: no temporary file is left behind.
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("directory holds %d entries, want 2", len(ents))
	}
}

func TestPairsToStdout(t *testing.T) {
	stdout, stderr, err := run(t, "--in", peopleCSV, "--at", at)
	if err != nil || stderr != "" {
		t.Fatalf("err %v, stderr %q", err, stderr)
	}
	golden(t, "people.pairs.golden.csv", stdout)

	// With --explain and the CSV on stdout, the summary goes to stderr; "-" is stdout.
	stdout, stderr, err = run(t, "-in", peopleCSV, "-at", at, "-explain", "-out", "-")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "people.pairs.golden.csv", stdout)
	golden(t, "people.explain.golden.txt", stderr)
}

func TestBOMCRLFAndColumnOrder(t *testing.T) {
	// The same people, as a spreadsheet might save them: a byte order mark, CRLF
	// line ends, columns in another order, header in capitals.
	src := readFile(t, peopleCSV)
	var b strings.Builder
	b.WriteString("\uFEFF")
	for i, line := range strings.Split(strings.TrimSuffix(src, "\n"), "\n") {
		if i == 0 {
			line = strings.ToUpper(line)
		}
		fields := splitCSVLine(line)
		slices.Reverse(fields)
		b.WriteString(strings.Join(fields, ",") + "\r\n")
	}
	in := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := run(t, "--in", in, "--at", at)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "people.pairs.golden.csv", stdout)
}

// splitCSVLine splits one line of people.csv into its raw fields, quotes kept.
func splitCSVLine(line string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ',' && !quoted:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, cur.String())
}

func TestBadInputWritesNothing(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"bad-rows.csv", `testdata/bad-rows.csv:4: stage "expert": must be one of student, new, mid, senior
testdata/bad-rows.csv:5: role "mentr": must be mentor or mentee
testdata/bad-rows.csv:6: frequency "daily": must be weekly, biweekly or monthly, or empty for no preference
testdata/bad-rows.csv:8: method "fax": must be one of slack, email, video, phone, in-person
testdata/bad-rows.csv:8: capacity "5": must be 1, 2 or 3
testdata/bad-rows.csv:9: id "e1": already used on line 3
testdata/bad-rows.csv:10: timezone "Mars/Olympus_Mons": unknown; use an IANA name such as America/Toronto or Asia/Shanghai
testdata/bad-rows.csv:11: capacity "2": only mentors have a capacity; leave it empty for a mentee
testdata/bad-rows.csv:11: needs: required for mentees (what they want help with)
testdata/bad-rows.csv:12: name: required
testdata/bad-rows.csv:12: timezone: required, an IANA name such as America/Toronto or Asia/Shanghai
testdata/bad-rows.csv:12: capacity: required for mentors (1, 2 or 3 mentees)
testdata/bad-rows.csv:13: 9 fields, but the header has 12
mentorbot match: testdata/bad-rows.csv has 13 problem(s); nothing was written`},
		{"bad-header.csv", `testdata/bad-header.csv:1: column "name" appears twice
testdata/bad-header.csv:1: missing column(s) timezone, avoid (the header must name id,name,role,stage,areas,needs,offer,methods,frequency,timezone,capacity,avoid, in any order); it also has "Time Zone", which may be a misspelling
mentorbot match: testdata/bad-header.csv has 2 problem(s); nothing was written`},
		{"unknown-avoid.csv", `testdata/unknown-avoid.csv:2: avoid "e9": no person has this id
testdata/unknown-avoid.csv:3: avoid "M1": no person has this id
mentorbot match: testdata/unknown-avoid.csv has 2 problem(s); nothing was written`},
		{"bad-quote.csv", `testdata/bad-quote.csv:3: not valid CSV: bare " in non-quoted-field
mentorbot match: testdata/bad-quote.csv has 1 problem(s); nothing was written`},
		{"empty.csv", `testdata/empty.csv:1: the file is empty; its first line must be the header id,name,role,stage,areas,needs,offer,methods,frequency,timezone,capacity,avoid
mentorbot match: testdata/empty.csv has 1 problem(s); nothing was written`},
		{"header-only.csv", `testdata/header-only.csv:1: no people: add one row a person after the header
mentorbot match: testdata/header-only.csv has 1 problem(s); nothing was written`},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			dir := t.TempDir()
			out, mx := filepath.Join(dir, "pairs.csv"), filepath.Join(dir, "scores.csv")
			if err := os.WriteFile(out, []byte("earlier pairs\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			in := "testdata/" + tc.file
			stdout, stderr, err := run(t, "--in", in, "--out", out, "--matrix", mx, "--explain", "--at", at)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error:\n%v\nwant:\n%s", err, tc.want)
			}
			if exitCode(err) != 1 {
				t.Errorf("exit code %d, want 1", exitCode(err))
			}
			if stdout != "" || stderr != "" {
				t.Errorf("stdout %q, stderr %q: want nothing", stdout, stderr)
			}
			if got := readFile(t, out); got != "earlier pairs\n" {
				t.Errorf("--out file changed to %q", got)
			}
			if _, err := os.Stat(mx); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("--matrix file was created: %v", err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("directory holds %d entries, want 1", len(ents))
			}
			// And with the CSV going to stdout, stdout stays empty too.
			stdout, stderr, err = run(t, "--in", in, "--explain", "--at", at)
			if err == nil || stdout != "" || stderr != "" {
				t.Errorf("to stdout: err %v, stdout %q, stderr %q", err, stdout, stderr)
			}
		})
	}
}

func TestManyProblemsAreCut(t *testing.T) {
	var b strings.Builder
	b.WriteString(strings.Join(columns, ",") + "\n")
	for range 70 {
		b.WriteString("x,X,mentee,expert,,needs,,,,UTC,,\n")
	}
	in := filepath.Join(t.TempDir(), "many.csv")
	os.WriteFile(in, []byte(b.String()), 0o644)
	_, _, err := run(t, "--in", in)
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	// 50 problems, "and N more", the summary. Row 2: bad stage; rows 3–71: bad
	// stage and a duplicate id each.
	if len(lines) != 52 || lines[50] != in+": and 89 more problems" ||
		lines[51] != "mentorbot match: "+in+" has 139 problem(s); nothing was written" {
		t.Fatalf("%d lines, ending %q", len(lines), lines[len(lines)-2:])
	}
}

func TestOutputNotWritable(t *testing.T) {
	dir := t.TempDir()
	mx := filepath.Join(dir, "scores.csv")
	_, _, err := run(t, "--in", peopleCSV, "--out", filepath.Join(dir, "missing", "pairs.csv"), "--matrix", mx, "--at", at)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "write "+filepath.Join(dir, "missing", "pairs.csv")) {
		t.Fatalf("err %v (exit %d)", err, exitCode(err))
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left %d entries behind", len(ents))
	}
}

func TestUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "--in is required"},
		{[]string{"--in"}, 2, "flag needs an argument: -in"},
		{[]string{"--in", peopleCSV, "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"--in", peopleCSV, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--in", peopleCSV, "--at", "tomorrow"}, 2, `--at "tomorrow": use RFC 3339`},
		{[]string{"--in", peopleCSV, "--out", peopleCSV}, 2, "--in and --out name the same file"},
		{[]string{"--in", peopleCSV, "--out", dir + "/x.csv", "--matrix", dir + "/./x.csv"}, 2, "--out and --matrix name the same file"},
		{[]string{"--in", dir + "/nope.csv"}, 1, "read people: open " + dir + "/nope.csv: no such file or directory"},
	}
	for _, tc := range tests {
		stdout, stderr, err := run(t, tc.args...)
		if err == nil || exitCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: err %v (exit %d), want exit %d and %q", tc.args, err, exitCode(err), tc.code, tc.msg)
		}
		if tc.code == 2 && !strings.HasSuffix(err.Error(), "Run 'mentorbot match -h' for usage.") {
			t.Errorf("%q: usage errors should point to -h: %v", tc.args, err)
		}
		if stdout != "" || stderr != "" {
			t.Errorf("%q: stdout %q stderr %q", tc.args, stdout, stderr)
		}
	}
	for _, h := range []string{"-h", "--help"} {
		stdout, stderr, err := run(t, h)
		if err != nil || !strings.HasPrefix(stdout, "Usage: mentorbot match --in people.csv") || stderr != "" {
			t.Errorf("%s: err %v, stdout %.40q, stderr %q", h, err, stdout, stderr)
		}
	}
}

func TestTimeZonesAtInstant(t *testing.T) {
	data := []byte(strings.Join(columns, ",") + "\n" +
		"m1,Wei,mentor,senior,,,Grants,,,America/Toronto,1,\n" +
		"e1,Amy,mentee,student,,Grants,,,,Asia/Kolkata,,\n")
	for _, tc := range []struct {
		at             string
		toronto, india int
	}{
		{"2026-01-15T12:00:00Z", -300, 330},
		{"2026-07-15T12:00:00Z", -240, 330}, // daylight saving time in Toronto
	} {
		when, _ := time.Parse(time.RFC3339, tc.at)
		p, probs := parsePeople(data, when)
		if len(probs) > 0 {
			t.Fatal(probs)
		}
		if p.mentors[0].UTCOffset != tc.toronto || p.mentees[0].UTCOffset != tc.india {
			t.Errorf("at %s: offsets %d, %d; want %d, %d", tc.at, p.mentors[0].UTCOffset, p.mentees[0].UTCOffset, tc.toronto, tc.india)
		}
	}
	for _, tz := range []string{"Local", "EST-5", "america/toronto "} {
		d := bytes.Replace(data, []byte("Asia/Kolkata"), []byte(tz), 1)
		if _, probs := parsePeople(d, time.Now()); len(probs) != 1 || !strings.Contains(probs[0].msg, "timezone") {
			t.Errorf("timezone %q: problems %v", tz, probs)
		}
	}
}
