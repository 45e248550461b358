// Command mentorbot runs the mentorship program bot, and offers offline tools around
// it. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/matchcsv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// go-redis logs reconnect attempts through its own package logger; send them to
	// stderr with a prefix instead of mixing them unmarked into our JSON logs. A
	// one-shot command reports a Redis failure itself, in one line; go-redis's dial
	// attempts would only repeat it. The bot and the sandbox keep them.
	redisLog := io.Writer(os.Stderr)
	if len(os.Args) > 1 && slices.Contains([]string{"export", "forget", "healthcheck", "match"}, os.Args[1]) {
		redisLog = io.Discard
	}
	redis.SetLogger(&redisLogger{log.New(redisLog, "redis: ", log.LstdFlags)})
	// os.LookupEnv tells a setting set to "" from one not set (MENTORBOT_KEY_PREFIX=).
	deps := runDeps{lookupEnv: os.LookupEnv}
	if err := runWith(ctx, deps, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		os.Exit(reportError(os.Stderr, err))
	}
}

// reportError writes err to w, each of its lines prefixed "mentorbot: " (several bad
// settings are several lines), and returns the exit status. `mentorbot match` errors
// carry their own prefix ("mentorbot match: ", file:line for bad rows) and are
// written as they are.
func reportError(w io.Writer, err error) int {
	var own *matchcsv.Error
	if errors.As(err, &own) {
		fmt.Fprintln(w, err)
		return exitCode(err)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintln(w, "mentorbot:", line)
	}
	return exitCode(err)
}

// exitCode is 2 for usage and configuration errors (errors with ExitCode() int say
// so), 1 for everything else.
func exitCode(err error) int {
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	return 1
}

type redisLogger struct{ l *log.Logger }

func (r *redisLogger) Printf(_ context.Context, format string, v ...any) { r.l.Printf(format, v...) }
