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
	"syscall"

	"github.com/redis/go-redis/v9"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// go-redis logs reconnect attempts through its own package logger; send them to
	// stderr with a prefix instead of mixing them unmarked into our JSON logs. A
	// one-shot command (forget, …) reports a Redis failure itself, in one line.
	redis.SetLogger(&redisLogger{log.New(os.Stderr, "redis: ", log.LstdFlags)})
	if len(os.Args) > 1 && os.Args[1] != "run" {
		redis.SetLogger(&redisLogger{log.New(io.Discard, "", 0)})
	}
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mentorbot:", err)
		os.Exit(exitCode(err))
	}
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
