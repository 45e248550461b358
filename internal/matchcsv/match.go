// Package matchcsv is the `mentorbot match` command: an offline pairing preview
// from a CSV of people, with no Slack and no Redis. It reads and checks the file,
// scores and pairs people with package matching, and writes the pairs (and, on
// request, every score) as CSV.
package matchcsv

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/atomicfile"
	"github.com/mentorbot/mentorbot/internal/matching"
)

// Exit statuses carried by Error.
const (
	ExitData  = 1 // the input is bad or an output could not be written
	ExitUsage = 2 // bad flags or arguments
)

// Error is the error Run returns. Its message is meant for the person who ran the
// command, as is: a usage problem, or every bad row of the input, one a line.
type Error struct {
	Code int // ExitData or ExitUsage
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// ExitCode is the process exit status for the error: ExitData or ExitUsage.
func (e *Error) ExitCode() int { return e.Code }

func usageErr(format string, args ...any) error {
	return &Error{ExitUsage, "mentorbot match: " + fmt.Sprintf(format, args...) + "\nRun 'mentorbot match -h' for usage."}
}

func dataErr(format string, args ...any) error {
	return &Error{ExitData, fmt.Sprintf(format, args...)}
}

const usage = `Usage: mentorbot match --in people.csv [--weights FILE] [--out pairs.csv] [--matrix scores.csv] [--explain] [--at TIME]

Proposes mentor–mentee pairs from a CSV of people, offline (no Slack, no Redis):
as many mentees matched as possible, then the highest total score, within mentor
capacities, never pairing people with someone on their avoid list.

Flags:
  --in FILE      people, one row a person (required; - for standard input)
  --weights FILE the committee's weights and must-haves (see below)
  --out FILE     write the pairs to FILE instead of standard output
  --matrix FILE  also write every mentee × mentor score to FILE
  --explain      also print a readable summary with names: to standard output
                 when --out is a file, to standard error otherwise
  --at TIME      the instant (RFC 3339, or a date YYYY-MM-DD for midnight UTC)
                 at which time zones' UTC offsets are taken, daylight saving
                 time included; default: now

Input: a header, then one row a person, columns in any order (other columns,
such as a form's Timestamp, are ignored and named in a note on standard error):
  id         unique, as used in avoid lists
  name       shown by --explain
  role       mentor or mentee
  stage      student, new, mid or senior
  areas      topics, separated by ';'
  needs      mentees: what they want help with (required; matched on its words)
  offer      mentors: what they can offer (required; matched on its words)
  methods    any of slack, email, video, phone, in-person, separated by ';'
  frequency  weekly, biweekly or monthly; empty for no preference
  timezone   an IANA name such as America/Toronto
  capacity   mentors only: 1, 2 or 3
  avoid      ids never to pair with this person, separated by ';'

Output (CSV): mentee_id,mentor_id,score,reasons: one row a pair, by mentee id,
then each unmatched mentee with an empty mentor_id and score. --matrix writes
mentee_id,mentor_id,score for every pair, score empty when the pair is forbidden.
Files are written only when the whole input is good, each replaced at once.
Exit status: 0 done, 1 bad input or an output could not be written, 2 bad usage.

` + weightsUsage

// Run runs `mentorbot match` with args (the arguments after "match"). The pairs go
// to --out or stdout; --explain's summary to stdout when --out is a file, else to
// stderr; -h prints the usage to stdout and returns nil.
//
// On error Run returns an *Error and has written nothing: no output file is created
// or changed, and nothing went to stdout or stderr, so the caller prints the error
// and exits with its ExitCode. When the input is good but an output file cannot be
// written, Run still leaves every output file as it was. The input's time zones
// are resolved at --at, or at the current time when --at is absent.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("match", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	in := fs.String("in", "", "")
	out := fs.String("out", "", "")
	matrix := fs.String("matrix", "", "")
	explainFlag := fs.Bool("explain", false, "")
	atFlag := fs.String("at", "", "")
	weightsFlag := fs.String("weights", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, err := io.WriteString(stdout, usage)
			return err
		}
		return usageErr("%v", err)
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("unexpected argument %q", fs.Arg(0))
	case *in == "":
		return usageErr("--in is required: the CSV of people")
	}
	if *out == "-" {
		*out = ""
	}
	if err := distinctPaths(map[string]string{"--in": *in, "--weights": *weightsFlag, "--out": *out, "--matrix": *matrix}); err != nil {
		return err
	}
	at := time.Now()
	if *atFlag != "" {
		t, err := parseAt(*atFlag)
		if err != nil {
			return usageErr("--at %q: use RFC 3339, e.g. 2026-01-15T12:00:00Z, or a date such as 2026-01-15", *atFlag)
		}
		at = t
	}

	data, name, err := readInput(*in, stdin)
	if err != nil {
		return dataErr("mentorbot match: read people: %v", err)
	}
	ppl, probs := parsePeople(data, at)
	if len(probs) > 0 {
		return dataErr("%s", formatProblems(name, probs))
	}

	var settings matching.Settings
	if *weightsFlag != "" {
		wdata, err := os.ReadFile(*weightsFlag)
		if err != nil {
			return dataErr("mentorbot match: read weights: %v", err)
		}
		s, wprobs := parseWeights(wdata)
		if len(wprobs) > 0 {
			return dataErr("%s", formatProblems(*weightsFlag, wprobs))
		}
		settings = s
	}

	x := matching.NewMatrixWith(ppl.mentees, ppl.mentors, matching.DefaultWeights(), settings)
	res := x.Solve()

	pairs := pairsCSV(x, ppl, res)
	var files []output
	if *out != "" {
		files = append(files, output{*out, pairs})
	}
	if *matrix != "" {
		files = append(files, output{*matrix, matrixCSV(x, ppl)})
	}
	if err := writeFiles(files); err != nil {
		return dataErr("mentorbot match: %v", err)
	}
	var summary []byte
	if *explainFlag {
		summary = explain(x, ppl, res, at, settings)
	}
	toStdout, toStderr := summary, []byte(nil)
	if *out == "" {
		toStdout, toStderr = pairs, summary
	}
	if len(ppl.ignored) > 0 {
		note := fmt.Sprintf("mentorbot match: note: %s not used for matching: ignored %s\n", name, quoteAll(ppl.ignored))
		toStderr = append([]byte(note), toStderr...)
	}
	if _, err := stdout.Write(toStdout); err != nil {
		return dataErr("mentorbot match: write standard output: %v", err)
	}
	if _, err := stderr.Write(toStderr); err != nil {
		return dataErr("mentorbot match: write standard error: %v", err)
	}
	return nil
}

// readInput reads the people CSV from path, or from stdin when path is "-", and
// returns the name to use in messages.
func readInput(path string, stdin io.Reader) ([]byte, string, error) {
	if path == "-" {
		data, err := io.ReadAll(stdin)
		return data, "standard input", err
	}
	data, err := os.ReadFile(path)
	return data, path, err
}

// parseAt reads --at: RFC 3339, or a bare date meaning midnight UTC.
func parseAt(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

// distinctPaths refuses two flags naming the same file: writing the pairs over the
// input, or both outputs to one file, would lose data.
func distinctPaths(paths map[string]string) error {
	seen := map[string]string{}
	for _, flagName := range []string{"--in", "--weights", "--out", "--matrix"} {
		p := paths[flagName]
		if p == "" || p == "-" {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			abs = filepath.Clean(p)
		}
		if other, ok := seen[abs]; ok {
			return usageErr("%s and %s name the same file %s", other, flagName, p)
		}
		seen[abs] = flagName
	}
	return nil
}

// formatProblems lists problems as "file:line: message", at most maxProblems.
func formatProblems(file string, probs []problem) string {
	var b strings.Builder
	for i, p := range probs {
		if i == maxProblems {
			fmt.Fprintf(&b, "%s: and %d more problems\n", file, len(probs)-maxProblems)
			break
		}
		fmt.Fprintf(&b, "%s:%d: %s\n", file, p.line, p.msg)
	}
	fmt.Fprintf(&b, "mentorbot match: %s has %d problem(s); nothing was written", file, len(probs))
	return b.String()
}

// output is a file to write and its whole content.
type output struct {
	path string
	data []byte
}

// writeFiles writes every file atomically: each goes to a temporary file beside
// its target, and only when all are written are they renamed into place. On error
// no target has changed (short of a failing rename, which leaves the earlier ones
// renamed).
func writeFiles(files []output) error {
	var tmps []string
	defer func() {
		for _, t := range tmps {
			os.Remove(t) // no-op once renamed
		}
	}()
	for _, f := range files {
		tmp, err := atomicfile.Temp(f.path, f.data, 0o644)
		if err != nil {
			return err
		}
		tmps = append(tmps, tmp)
	}
	for i, f := range files {
		if err := os.Rename(tmps[i], f.path); err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
	}
	return nil
}
