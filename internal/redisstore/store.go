// Package redisstore keeps mentorbot's state in Redis. It is the only package that
// imports go-redis. Every key starts with the configured prefix; keys of one program
// cycle share a {hash tag}, the cycles themselves a {program} one, the scheduler's
// jobs {sched} and the committee's cache {committee}, so every script and
// transaction stays within one hash slot: the store runs on a single Redis, on
// Sentinel and on Redis Cluster (see Open).
//
// Every state change is one atomic step (a Lua script or WATCH/MULTI), and failures to
// reach Redis come back as mentor.EUNAVAILABLE errors with a message a person can act
// on, so the bot can answer "try again in a minute" and recover by itself when Redis
// returns (go-redis reconnects on the next command).
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	neturl "net/url"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Store is the Redis-backed state store. It is safe for concurrent use; create one per
// process and Close it on shutdown.
type Store struct {
	rdb       redis.UniversalClient
	prefix    string
	rounds    roundCache
	checkKeys bool
}

// Options tune the connection. Zero values take sensible defaults.
type Options struct {
	// Timeout bounds dialling and each read or write, so a vanished Redis turns into a
	// clear error quickly instead of a hung Slack request. Default 1s.
	Timeout time.Duration
	// PoolSize is the number of connections kept; default go-redis's (10 per CPU).
	PoolSize int
	// RoundTrip, if set, is called once per round trip to Redis (a command, a
	// script, or a whole pipeline): for tests and benchmarks that count them.
	RoundTrip func()
	// CheckKeys makes every script fail on a key it did not declare in KEYS (see
	// script): for tests, at some cost per command.
	CheckKeys bool
}

// Open parses a redis:// or rediss:// URL and returns a Store using keys under prefix.
// It does not contact Redis; call Ping for that. The URL names one of three setups:
//
//   - a single Redis: redis://host:6379/0;
//   - Redis Cluster: the URL of one node with cluster=true, or more nodes as addr
//     parameters: redis://node1:6379?addr=node2:6379&addr=node3:6379 (database 0);
//   - Redis Sentinel: the URL of one sentinel with master_name and more sentinels as
//     addr parameters: redis://sentinel1:26379/0?master_name=mymaster&addr=sentinel2:26379.
func Open(url, prefix string, opts Options) (*Store, error) {
	if opts.Timeout == 0 {
		opts.Timeout = time.Second
	}
	rdb, err := newClient(url, opts)
	if err != nil {
		return nil, fmt.Errorf("parse redis url: %w", err) // the URL itself is never echoed: it may hold a password
	}
	if opts.RoundTrip != nil {
		rdb.AddHook(roundTrips(opts.RoundTrip))
	}
	return &Store{rdb: rdb, prefix: prefix, checkKeys: opts.CheckKeys}, nil
}

// newClient makes the client of the setup the URL names (see Open).
func newClient(raw string, opts Options) (redis.UniversalClient, error) {
	u, err := neturl.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	q := u.Query()
	switch {
	case q.Has("master_name"):
		o, err := redis.ParseFailoverURL(raw)
		if err != nil {
			return nil, err
		}
		tune(opts, &o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.PoolSize, &o.DisableIdentity)
		return redis.NewFailoverClient(o), nil
	case q.Has("addr") || q.Get("cluster") == "true":
		q.Del("cluster")
		u.RawQuery = q.Encode()
		o, err := redis.ParseClusterURL(u.String())
		if err != nil {
			return nil, err
		}
		tune(opts, &o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.PoolSize, &o.DisableIdentity)
		return redis.NewClusterClient(o), nil
	}
	o, err := redis.ParseURL(raw)
	if err != nil {
		return nil, err
	}
	tune(opts, &o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.PoolSize, &o.DisableIdentity)
	return redis.NewClient(o), nil
}

// tune sets what the client of every setup shares (the fields of its options): opts'
// timeout to dial, read and write, twice that to wait for a pooled connection, one
// retry, opts' pool size when set, and no CLIENT SETINFO (noise on older servers and
// miniredis).
func tune(opts Options, dial, read, write, poolWait *time.Duration, maxRetries, poolSize *int, disableIdentity *bool) {
	*dial, *read, *write, *poolWait = opts.Timeout, opts.Timeout, opts.Timeout, 2*opts.Timeout
	*maxRetries, *disableIdentity = 1, true
	if opts.PoolSize > 0 {
		*poolSize = opts.PoolSize
	}
}

// roundTrips is a go-redis hook calling fn once per command or pipeline sent.
type roundTrips func()

func (f roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (f roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		f()
		return next(ctx, cmd)
	}
}

func (f roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		f()
		return next(ctx, cmds)
	}
}

// Close releases the connections.
func (s *Store) Close() error { return s.rdb.Close() }

// Ping checks that Redis answers. It is the readiness check.
func (s *Store) Ping(ctx context.Context) error {
	return wrap(s.rdb.Ping(ctx).Err(), "ping redis")
}

// key joins the prefix and the parts with ':'.
func (s *Store) key(parts ...string) string {
	k := s.prefix
	for i, p := range parts {
		if i > 0 {
			k += ":"
		}
		k += p
	}
	return k
}

// MarkEventSeen records that the Events API event id was handled and reports whether
// it is the first time. Slack redelivers events with the same id; only the first
// delivery should act. The mark lasts a day, longer than Slack's last retry.
func (s *Store) MarkEventSeen(ctx context.Context, eventID string) (first bool, err error) {
	ok, err := s.rdb.SetNX(ctx, s.key("seen", "event", eventID), 1, 24*time.Hour).Result()
	if err != nil {
		return false, wrap(err, "mark event %s seen", eventID)
	}
	return ok, nil
}

// tooSlowMessage is what a person reads when their request ran out of time.
const tooSlowMessage = "mentorbot took too long to answer this time. Please check your status and try again."

// unavailableMessage is what a person reads when Redis cannot be reached.
const unavailableMessage = "mentorbot can't reach its database right now, so nothing was changed. Please try again in a minute."

// wrap adds context to err and classifies it: connection problems become
// mentor.EUNAVAILABLE, redis.Nil stays as is for callers that test for it, anything
// else is internal. A nil err stays nil.
func wrap(err error, format string, args ...any) error {
	if err == nil || errors.Is(err, redis.Nil) {
		return err
	}
	var me *mentor.Error
	if errors.As(err, &me) {
		return err
	}
	ctxt := fmt.Sprintf(format, args...)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		// The request ran out of time (a slow Slack call before it, a shutdown):
		// not Redis's fault, and what was done before may stand.
		return &mentor.Error{Code: mentor.EUNAVAILABLE, Message: tooSlowMessage, Err: fmt.Errorf("%s: %w", ctxt, err)}
	}
	if isUnavailable(err) {
		return &mentor.Error{Code: mentor.EUNAVAILABLE, Message: unavailableMessage, Err: fmt.Errorf("%s: %w", ctxt, err)}
	}
	return fmt.Errorf("%s: %w", ctxt, err)
}

func isUnavailable(err error) bool {
	var netErr net.Error
	switch {
	case errors.As(err, &netErr),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, redis.ErrClosed),
		errors.Is(err, redis.ErrPoolTimeout):
		return true
	}
	// Redis answers these while it is starting up or failing over.
	var rerr redis.Error
	if errors.As(err, &rerr) {
		msg := rerr.Error()
		for _, p := range []string{"LOADING", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "READONLY"} {
			if len(msg) >= len(p) && msg[:len(p)] == p {
				return true
			}
		}
	}
	return false
}
