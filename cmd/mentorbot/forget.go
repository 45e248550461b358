package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/config"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/privacy"
)

const forgetUsage = `Usage: mentorbot forget --user U… [--cycle ID]

Removes a person's data (a data-deletion request): their sign-up, the text of their
evaluations and concerns, and their id and name in duo and agreement records, in
every cycle or only in --cycle. The program's counts stay, under an anonymous
stand-in. Each cycle is forgotten atomically; running it again is harmless. A
person in a duo that is still running is refused for that cycle: the duo must end
first.

Settings as for the bot: REDIS_URL (default ` + config.DefaultRedisURL + `) and
MENTORBOT_KEY_PREFIX (default ` + config.DefaultKeyPrefix + `).
Exit status: 0 done, 1 refused or failed, 2 bad usage.
`

// runForget is `mentorbot forget`.
func runForget(ctx context.Context, deps runDeps, lookup func(string) (string, bool), args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("forget", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	user := fs.String("user", "", "")
	cycle := fs.String("cycle", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, err := io.WriteString(stdout, forgetUsage)
			return err
		}
		return &usageError{fmt.Sprintf("forget: %v (see mentorbot forget -h)", err)}
	}
	switch {
	case fs.NArg() > 0:
		return &usageError{fmt.Sprintf("forget: unexpected argument %q (see mentorbot forget -h)", fs.Arg(0))}
	case *user == "":
		return &usageError{"forget: --user is required: the person's Slack member id, e.g. U0123ABCD"}
	case !mentor.ValidUserID(*user):
		return &usageError{fmt.Sprintf("forget: --user %q is not a Slack member id (U… or W…, capitals and digits)", *user)}
	}

	store, err := openCommandStore(ctx, lookup, 5*time.Second)
	var unreachable *errUnreachable
	switch {
	case errors.As(err, &unreachable):
		return fmt.Errorf("forget: %w; nothing was forgotten", err)
	case err != nil:
		return err // bad settings: exit status 2, as for the bot
	}
	defer store.Close()
	clk := deps.clock
	if clk == nil {
		clk = clock.Real{}
	}
	done, err := privacy.New(store, clk).Forget(ctx, *user, *cycle)
	if len(done) > 0 {
		var ids []string
		for _, f := range done {
			ids = append(ids, f.CycleID)
		}
		fmt.Fprintf(stdout, "Forgetting %s in %d cycle(s): %s\n", *user, len(done), strings.Join(ids, ", "))
		for _, line := range privacy.Summary(done) {
			fmt.Fprintln(stdout, "  "+line)
		}
	}
	if err != nil {
		if code := mentor.ErrorCode(err); code == mentor.EINTERNAL || code == mentor.EUNAVAILABLE {
			// Not the sentence for Slack ("tell the committee"): what failed.
			return fmt.Errorf("forget: %s", cause(err))
		}
		return fmt.Errorf("forget: %s", mentor.ErrorMessage(err))
	}
	if len(done) == 0 {
		fmt.Fprintln(stdout, "No program cycle yet: nothing to forget.")
	}
	return nil
}
