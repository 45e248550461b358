package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/config"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/privacy"
	"github.com/mentorbot/mentorbot/internal/redisstore"
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
func runForget(ctx context.Context, deps runDeps, args []string, getenv func(string) string, stdout io.Writer) error {
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

	redisURL, prefix, err := forgetSettings(getenv)
	if err != nil {
		return err
	}
	store, err := redisstore.Open(redisURL, prefix, redisstore.Options{})
	if err != nil {
		return &config.Error{Setting: "REDIS_URL", Problem: "is not a valid redis:// URL"}
	}
	defer store.Close()
	if err := store.Ping(ctx); err != nil {
		return fmt.Errorf("forget: cannot reach Redis at REDIS_URL (%s); nothing was forgotten", cause(err))
	}
	if err := store.MigrateKeys(ctx); err != nil {
		return fmt.Errorf("forget: %s; nothing was forgotten", cause(err))
	}
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
			return fmt.Errorf("forget: %s (%s)", mentor.ErrorMessage(err), cause(err))
		}
		return fmt.Errorf("forget: %s", mentor.ErrorMessage(err))
	}
	if len(done) == 0 {
		fmt.Fprintln(stdout, "No program cycle yet: nothing to forget.")
	}
	return nil
}

// forgetSettings reads the two settings forget shares with the bot, checked as the
// bot checks them.
func forgetSettings(getenv func(string) string) (redisURL, prefix string, err error) {
	redisURL, prefix = strings.TrimSpace(getenv("REDIS_URL")), getenv("MENTORBOT_KEY_PREFIX")
	if redisURL == "" {
		redisURL = config.DefaultRedisURL
	}
	if u, err := url.Parse(redisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return "", "", &config.Error{Setting: "REDIS_URL", Problem: "must be a redis:// or rediss:// URL such as redis://localhost:6379/0"}
	}
	if prefix == "" {
		prefix = config.DefaultKeyPrefix
	}
	if strings.ContainsAny(prefix, " \t\r\n") {
		return "", "", &config.Error{Setting: "MENTORBOT_KEY_PREFIX", Problem: "must be a non-empty prefix without spaces, e.g. mentorbot:"}
	}
	return redisURL, prefix, nil
}
