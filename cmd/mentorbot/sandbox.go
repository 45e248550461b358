package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/google/uuid"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/sandbox"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

const sandboxUsage = `Usage: mentorbot sandbox [--addr 127.0.0.1:8090] [--people FILE.csv] [--open] [--allow-remote]

The whole program on this machine, with no Slack workspace and no tokens: a
Slack-like page in the browser, the real bot behind it (over Socket Mode, as in
production), an embedded Redis unless REDIS_URL is set, and a clock you can move.
Ctrl-C stops it.

Flags:
`

// runSandbox serves the sandbox until ctx ends.
func runSandbox(ctx context.Context, deps runDeps, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "address of the page (loopback only, unless --allow-remote)")
	people := fs.String("people", "", "people CSV in the `mentorbot match` format: the cast's mentors and mentees (default: a built-in cast of 13 from testdata/people.csv)")
	open := fs.Bool("open", false, "open the page in the default browser")
	remote := fs.Bool("allow-remote", false, "accept an --addr that is not loopback: anyone who reaches it can act as anyone in the sandbox")
	fs.Usage = func() {
		fmt.Fprint(stderr, sandboxUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("sandbox takes no arguments, got %q (see mentorbot sandbox -h)", fs.Arg(0))}
	}
	if err := checkLoopback(*addr, *remote); err != nil {
		return err
	}
	clk := clock.NewShifted(0)
	var csv []byte
	if *people != "" {
		b, err := os.ReadFile(*people)
		if err != nil {
			return &usageError{fmt.Sprintf("--people: %v", err)}
		}
		csv = b
	}
	cast, err := sandbox.LoadCast(*people, csv, clk.Now())
	if err != nil {
		return err
	}

	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := slackfake.DefaultOptions()
	opts.Now = clk.Now
	fake, err := slackfake.New(opts)
	if err != nil {
		return err
	}
	defer fake.Close()
	ws, err := sandbox.Populate(fake, cast, clk.Now())
	if err != nil {
		return err
	}

	redisURL, prefix := getenv("REDIS_URL"), getenv("MENTORBOT_KEY_PREFIX")
	clockMoved := func(time.Time) {}
	if redisURL == "" {
		url, moved, stop, err := embeddedRedis(ctx, clk)
		if err != nil {
			return err
		}
		defer stop()
		redisURL, clockMoved = url, moved
	}
	if prefix == "" {
		// A fresh prefix a run: an external Redis may hold an earlier sandbox's
		// program, whose channels this workspace does not have.
		prefix = "mentorbot-sandbox:" + uuid.NewString()[:8] + ":"
	}
	logLevel := getenv("MENTORBOT_LOG_LEVEL")
	if logLevel == "" {
		logLevel = "warn"
	}
	env := map[string]string{
		"SLACK_APP_TOKEN":             opts.AppToken,
		"SLACK_BOT_TOKEN":             opts.BotToken,
		"SLACK_API_URL":               fake.APIURL(),
		"REDIS_URL":                   redisURL,
		"MENTORBOT_KEY_PREFIX":        prefix,
		"MENTORBOT_COMMITTEE_CHANNEL": ws.Committee,
		"MENTORBOT_HTTP_ADDR":         "127.0.0.1:0",
		"MENTORBOT_LOG_LEVEL":         logLevel,
		// Cron's finest period: after the clock moves, what fell due is done
		// within a second.
		"MENTORBOT_SWEEP_SCHEDULE": "@every 1s",
	}

	page, err := sandbox.New(sandbox.Config{Slack: fake, Clock: clk, Cast: cast, Workspace: ws, Log: log,
		ClockMoved: func(now time.Time) { clockMoved(now) }})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return &usageError{fmt.Sprintf("--addr: cannot listen on %s (%v); choose a free port, e.g. --addr 127.0.0.1:8091", *addr, err)}
	}
	pageCtx, stopPage := context.WithCancel(context.WithoutCancel(ctx))
	defer stopPage()
	srv := &http.Server{Handler: page.Handler(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return pageCtx }}
	pageDone := make(chan error, 1)
	go func() { pageDone <- srv.Serve(ln) }()

	botCtx, stopBot := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBot()
	botDone := make(chan error, 1)
	go func() {
		botDone <- serve(botCtx, runDeps{clock: clk, scheduler: deps.scheduler}, func(k string) string { return env[k] }, io.Discard, stderr)
	}()
	waitCtx, cancelWait := context.WithTimeout(ctx, 15*time.Second)
	err = fake.WaitConnected(waitCtx, 1)
	cancelWait()
	if err != nil {
		select {
		case berr := <-botDone:
			err = fmt.Errorf("the bot stopped at start: %w", berr)
		default:
			err = fmt.Errorf("the bot did not connect within 15 s: %w", err)
		}
	}
	url := "http://" + ln.Addr().String() + "/"
	if err == nil {
		fmt.Fprintf(stdout, "mentorbot sandbox: open %s (%d people; Redis: %s; Ctrl-C stops it)\n", url, len(cast), redisKind(getenv("REDIS_URL")))
		if *open {
			openBrowser(url, log)
		}
		select {
		case <-ctx.Done():
		case berr := <-botDone:
			botDone <- berr
			err = fmt.Errorf("the bot stopped: %v", berr)
		}
	}

	stopPage()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	if perr := <-pageDone; perr != nil && !errors.Is(perr, http.ErrServerClosed) && err == nil {
		err = perr
	}
	stopBot()
	select {
	case berr := <-botDone:
		if berr != nil && err == nil {
			err = berr
		}
	case <-time.After(25 * time.Second):
		if err == nil {
			err = errors.New("the bot did not stop within 25 s")
		}
	}
	if err == nil {
		fmt.Fprintln(stdout, "mentorbot sandbox: stopped")
	}
	return err
}

// embeddedRedis starts an in-process Redis (miniredis) whose time is the
// sandbox's clock: miniredis's time stands still unless told, so it is set to the
// clock every second, and at once by moved after each move of the clock; keys with
// a TTL expire as that time passes.
func embeddedRedis(ctx context.Context, clk clock.Clock) (url string, moved func(time.Time), stop func(), err error) {
	mini := miniredis.NewMiniRedis()
	if err := mini.Start(); err != nil {
		return "", nil, nil, fmt.Errorf("sandbox: start the embedded Redis: %w", err)
	}
	mini.ClockTTL(true)
	mini.SetTime(clk.Now())
	tickCtx, stopTick := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-tickCtx.Done():
				return
			case <-t.C:
				mini.SetTime(clk.Now())
			}
		}
	}()
	stop = func() {
		stopTick()
		<-done
		mini.Close()
	}
	return "redis://" + mini.Addr() + "/0", mini.SetTime, stop, nil
}

func redisKind(url string) string {
	if url == "" {
		return "embedded"
	}
	return "REDIS_URL"
}

// checkLoopback refuses a page address reachable from other machines, unless
// allowed: the sandbox has no login, anyone who reaches it acts as anyone.
func checkLoopback(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return &usageError{fmt.Sprintf("--addr %q is not host:port, e.g. 127.0.0.1:8090", addr)}
	}
	if allowRemote || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return &usageError{fmt.Sprintf("--addr %q is not a loopback address; the sandbox has no login, so it only listens on 127.0.0.1, ::1 or localhost unless --allow-remote says otherwise", addr)}
}

// openBrowser asks the desktop to open url; failing is only logged.
func openBrowser(url string, log *slog.Logger) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		log.Warn("could not open a browser; open the URL yourself", "err", err)
		return
	}
	go func() { _ = cmd.Wait() }()
}
