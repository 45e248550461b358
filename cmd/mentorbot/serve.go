package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/mentorbot/mentorbot/bot"
	"github.com/mentorbot/mentorbot/bot/slackapi"
	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/closeout"
	"github.com/mentorbot/mentorbot/internal/config"
	"github.com/mentorbot/mentorbot/internal/duos"
	"github.com/mentorbot/mentorbot/internal/evaluation"
	"github.com/mentorbot/mentorbot/internal/nudges"
	"github.com/mentorbot/mentorbot/internal/ops"
	"github.com/mentorbot/mentorbot/internal/pairing"
	"github.com/mentorbot/mentorbot/internal/privacy"
	"github.com/mentorbot/mentorbot/internal/program"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/report"
	"github.com/mentorbot/mentorbot/internal/scheduler"
	"github.com/mentorbot/mentorbot/internal/signup"
	"github.com/mentorbot/mentorbot/internal/telemetry"
)

// serve runs the bot until ctx is cancelled: the composition root, the only place that
// knows both Slack and Redis.
func serve(ctx context.Context, deps runDeps, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(lookupOf(deps, getenv))
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	metrics := telemetry.New()

	store, err := redisstore.Open(cfg.RedisURL.Reveal(), cfg.KeyPrefix, redisstore.Options{})
	if err != nil {
		// config.Load checked the URL's shape; what is left is go-redis's own
		// reading (options in the query), whose messages never echo a password.
		return &config.Error{Setting: "REDIS_URL", Problem: fmt.Sprintf("%v; use e.g. redis://localhost:6379/0", errors.Unwrap(err))}
	}
	defer store.Close()
	if err := store.Ping(ctx); err != nil {
		// Not fatal: the bot starts, answers with a clear error meanwhile, and
		// recovers by itself when Redis comes (readiness says not ready).
		log.Warn("redis is not reachable yet", "err", err)
	} else if err := store.MigrateKeys(ctx); err != nil {
		log.Error("could not move the program's keys to the current layout; cycles may look missing until a restart moves them", "err", err)
	}

	clk := deps.clock
	if clk == nil {
		clk = clock.Real{}
	}
	api, hc := slackapi.NewWith(slackapi.Config{BotToken: cfg.BotToken.Reveal(), AppToken: cfg.AppToken.Reveal(),
		APIURL: cfg.SlackAPIURL, Metrics: metrics, Clock: clk, Timeout: deps.slackTimeout})
	sched := scheduler.New(store, clk, log, scheduler.Options{})
	if deps.scheduler != nil {
		deps.scheduler(sched)
	}
	nudgeSvc := nudges.New(store, sched, clk)
	b := bot.New(bot.Config{
		API:              api,
		HTTP:             hc,
		CommitteeChannel: cfg.CommitteeChannel,
		Clock:            clk,
		Log:              log,
		Metrics:          metrics,
		Events:           store,
		Choices:          store,
		Committee:        store,
		Program:          program.New(store, clk),
		Signup:           signup.New(store, clk),
		Pairing:          pairing.New(store, clk),
		Duos:             duos.New(store, sched, nudgeSvc, clk),
		Evaluation:       evaluation.New(store, store, nudgeSvc, clk),
		Report:           report.New(store, store, report.Options{}),
		Nudges:           nudgeSvc,
		Closeout:         closeout.New(store, sched, nudgeSvc, clk),
		Privacy:          privacy.New(store, clk),
		Scheduler:        sched,
		SweepSchedule:    cfg.SweepSchedule,
	})

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return &config.Error{Setting: "MENTORBOT_HTTP_ADDR", Problem: fmt.Sprintf("cannot listen on %s (%v); choose a free address such as :8081", cfg.HTTPAddr, err)}
	}
	srv := &http.Server{
		Handler: ops.Handler(metrics.Registry,
			ops.Check{Name: "redis", Run: store.Ping},
			ops.Check{Name: "slack", Run: func(context.Context) error {
				if !b.Connected() {
					return errors.New("socket mode not connected")
				}
				return nil
			}},
			ops.Check{Name: "committee", Run: b.CommitteeReady},
		),
		ReadHeaderTimeout: 5 * time.Second,
	}
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Serve(ln) }()
	stopHTTP := func() {
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdownCtx)
		if err := <-httpDone; err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server failed", "err", err)
		}
	}
	log.Info("mentorbot starting", "version", versionString(), "http", ln.Addr().String(),
		"slack_api", cfg.SlackAPIURL, "committee_channel", cfg.CommitteeChannel, "key_prefix", cfg.KeyPrefix)

	// The start-up check: a set-up problem stops here with one line naming the fix,
	// rather than a bot that looks alive and cannot work.
	id, err := (bot.Preflight{APIURL: cfg.SlackAPIURL, BotToken: cfg.BotToken.Reveal(), HTTP: hc, API: api,
		CommitteeChannel: cfg.CommitteeChannel, Log: log, Backoff: deps.preflightBackoff}).Run(ctx)
	if err != nil {
		stopHTTP()
		if ctx.Err() != nil {
			log.Info("mentorbot stopped during the start-up check")
			return nil
		}
		log.Error("start-up check failed", "err", err)
		return err
	}
	b.SetIdentity(id)
	log.Info("start-up check passed", "bot_user", id.UserID, "bot_name", id.Name, "team", id.Team)

	runErr := b.Run(ctx)

	stopHTTP()
	if runErr != nil {
		log.Error("socket mode failed for good", "err", runErr)
	}
	log.Info("mentorbot stopped")
	return runErr
}
