package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/config"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
)

// errUnreachable is a store a one-shot command could not reach.
type errUnreachable struct{ err error }

func (e *errUnreachable) Error() string {
	return fmt.Sprintf("cannot reach Redis at REDIS_URL (%s)", cause(e.err))
}

// lookupOf is how a command reads its settings: deps.lookupEnv when main gave one (it
// tells a setting set to "" from one not set), else getenv.
func lookupOf(deps runDeps, getenv func(string) string) func(string) (string, bool) {
	if deps.lookupEnv != nil {
		return deps.lookupEnv
	}
	return config.Getenv(getenv)
}

// openCommandStore opens the bot's state store for a one-shot command (export,
// forget): REDIS_URL and MENTORBOT_KEY_PREFIX checked as the bot checks them, then
// reached and its keys moved to the current layout, so that a failure is one line
// before anything is read or written. Bad settings come back as config.Errors, a
// store that cannot be reached as *errUnreachable; close the store when done.
func openCommandStore(ctx context.Context, lookup func(string) (string, bool), timeout time.Duration) (*redisstore.Store, error) {
	url, prefix, err := config.LoadStore(lookup)
	if err != nil {
		return nil, err
	}
	store, err := redisstore.Open(url.Reveal(), prefix, redisstore.Options{Timeout: timeout})
	if err != nil {
		// LoadStore checked the URL's shape; what is left is go-redis's own reading
		// of its options, whose messages never echo a password.
		return nil, &config.Error{Setting: "REDIS_URL", Problem: cause(errors.Unwrap(err))}
	}
	if err := store.Ping(ctx); err != nil {
		store.Close()
		return nil, &errUnreachable{err}
	}
	if err := store.MigrateKeys(ctx); err != nil {
		store.Close()
		return nil, &errUnreachable{err}
	}
	return store, nil
}

// cause is what went wrong, in one line: the store's errors carry a message for
// Slack ("try again in a minute") around the cause, which is what a person at a
// terminal needs.
func cause(err error) string {
	var me *mentor.Error
	if errors.As(err, &me) && me.Err != nil {
		err = me.Err
	}
	return oneLine(err.Error())
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
