package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/scheduler"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `mentorbot runs a mentorship program inside Slack.

Usage:
  mentorbot [run]                  run the bot (settings from the environment; see README)
  mentorbot match --in people.csv  offline pairing preview from a CSV (see mentorbot match -h)
  mentorbot sandbox                the whole program in a browser, no Slack needed (see mentorbot sandbox -h)
  mentorbot export --what duos     a CSV of duos, evaluations or participants from Redis (see mentorbot export -h)
  mentorbot healthcheck            exit 0 when the bot running here is ready, 1 if not
  mentorbot forget --user U…       remove a person's data, keeping anonymous counts (see mentorbot forget -h)
  mentorbot version                print the version
  mentorbot -h                     this help
`

// usageError is a command-line mistake; it exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }
func (e *usageError) ExitCode() int { return 2 }

// errHelp is returned after printing help on request; it is not a failure.
var errHelp = errors.New("help requested")

// runDeps are what tests may replace; the zero value is production.
type runDeps struct {
	clock clock.Clock // nil: the wall clock
	// scheduler, if set, is given the bot's scheduler once it exists, so a test can
	// sweep at once instead of waiting for cron (whose finest period is a second).
	scheduler func(*scheduler.Scheduler)
	// slackTimeout bounds each Slack request (0: slackapi's default), so a test of
	// Slack timing out does not wait 15 s for each.
	slackTimeout time.Duration
	// preflightBackoff replaces the start-up check's waits while Slack cannot be
	// reached (nil: its default, seconds to half a minute).
	preflightBackoff []time.Duration
	// lookupEnv, if set, tells a setting set to "" from one not set at all
	// (os.LookupEnv); without it an empty setting counts as unset.
	lookupEnv func(string) (string, bool)
	// stdin is what `match --in -` reads (nil: os.Stdin).
	stdin io.Reader
}

// run is the whole program behind main: it parses args, reads settings through
// getenv, and writes only to stdout and stderr, so tests can start it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runWith(ctx, runDeps{}, args, getenv, stdout, stderr)
}

// runWith is run with replaceable dependencies.
func runWith(ctx context.Context, deps runDeps, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "run"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprint(stdout, usage)
			return nil
		}
		return serve(ctx, deps, getenv, stdout, stderr)
	case "match":
		stdin := deps.stdin
		if stdin == nil {
			stdin = os.Stdin
		}
		return runMatch(args, stdin, stdout, stderr)
	case "sandbox":
		return runSandbox(ctx, deps, args, getenv, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, args, getenv, stdout)
	case "export":
		return runExport(ctx, lookupOf(deps, getenv), args, stdout)
	case "forget":
		return runForget(ctx, deps, lookupOf(deps, getenv), args, stdout)
	case "version", "--version":
		fmt.Fprintln(stdout, "mentorbot", versionString())
		return nil
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return &usageError{fmt.Sprintf("unknown command %q (see mentorbot -h)", cmd)}
	}
}

func isHelp(s string) bool { return s == "-h" || s == "--help" || s == "help" }

func versionString() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return version
}
