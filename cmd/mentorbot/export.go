package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/atomicfile"
	"github.com/mentorbot/mentorbot/internal/config"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/report"
)

const exportUsage = `Usage: mentorbot export --what duos|evaluations|participants [--cycle ID] [--out FILE]

Writes one of the committee's CSVs from Redis, the same bytes /mentorship report
uploads. Redis is found as the bot finds it: REDIS_URL (default
redis://localhost:6379/0) and MENTORBOT_KEY_PREFIX (default mentorbot:).

  --what duos           a row a duo: mentee, mentor, status, stage and the date of
                        each step (channel opened, first contact, agreement signed,
                        each evaluation in, ended)
  --what evaluations    a row an evaluation, every answer: confidential, for the
                        committee only
  --what participants   a row a sign-up: profile, status, duos and dates
  --cycle ID            the cycle (default: the active one)
  --out FILE            write FILE (default: standard output); it is written whole
                        or not at all, readable by its owner only

Exit status: 0 done, 1 failed (no such cycle, Redis unreachable, cannot write),
2 bad usage or a bad setting.
`

// exportTimeout bounds reaching Redis and reading the cycle.
const exportTimeout = 2 * time.Minute

// runExport is `mentorbot export`. Every failure is one line (main prefixes it).
func runExport(ctx context.Context, lookup func(string) (string, bool), args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported below, in one line
	what := fs.String("what", "", "duos, evaluations or participants")
	cycleID := fs.String("cycle", "", "cycle id (default: the active one)")
	out := fs.String("out", "", "output file (default: standard output)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, err := io.WriteString(stdout, exportUsage)
			return err
		}
		return &usageError{fmt.Sprintf("export: %v (see mentorbot export -h)", err)}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("export: unexpected argument %q (see mentorbot export -h)", fs.Arg(0))}
	}
	kind, ok := report.ParseKind(*what)
	if !ok {
		return &usageError{fmt.Sprintf("export: --what must be duos, evaluations or participants, not %q (see mentorbot export -h)", *what)}
	}

	ctx, cancel := context.WithTimeout(ctx, exportTimeout)
	defer cancel()
	store, err := openCommandStore(ctx, lookup, 5*time.Second)
	var settings config.Errors
	switch {
	case errors.As(err, &settings):
		// Exit status 2, as for the bot with a bad setting.
		return &usageError{fmt.Sprintf("export: %s is not a valid setting (%s)", settings[0].Setting, oneLine(settings.Error()))}
	case err != nil:
		return fmt.Errorf("export: %w", err)
	}
	defer store.Close()
	c, err := exportCycle(ctx, store, *cycleID)
	if err != nil {
		return err
	}
	d, err := report.New(store, nil, report.Options{}).Load(ctx, c, kind == report.KindEvaluations)
	if err != nil {
		return fmt.Errorf("export: read cycle %s: %s", c.ID, cause(err))
	}
	b, err := report.CSV(kind, d)
	if err != nil {
		return fmt.Errorf("export: %s", oneLine(err.Error()))
	}
	if *out == "" || *out == "-" {
		_, err := stdout.Write(b)
		return err
	}
	if err := atomicfile.Write(*out, b, 0o600); err != nil { // the evaluations are confidential: the owner only
		return fmt.Errorf("export: %s", oneLine(err.Error()))
	}
	return nil
}

// exportCycle returns the cycle named id, or the active one; a missing cycle is
// reported with the ids there are.
func exportCycle(ctx context.Context, store *redisstore.Store, id string) (mentor.Cycle, error) {
	var c mentor.Cycle
	var err error
	if id != "" {
		c, _, err = store.Cycle(ctx, id)
	} else {
		c, _, err = store.ActiveCycle(ctx)
	}
	if mentor.ErrorCode(err) != mentor.ENOTFOUND {
		if err != nil {
			return c, fmt.Errorf("export: read the cycle: %s", cause(err))
		}
		return c, nil
	}
	known := "none"
	if all, lerr := store.Cycles(ctx); lerr == nil && len(all) > 0 {
		var ids []string
		for _, c := range all {
			ids = append(ids, c.ID)
		}
		known = strings.Join(ids, ", ")
	}
	if id != "" {
		return c, fmt.Errorf("export: no cycle %q in Redis under prefix MENTORBOT_KEY_PREFIX (cycles: %s)", id, known)
	}
	return c, fmt.Errorf("export: no cycle is active; choose one with --cycle (cycles: %s)", known)
}
