// Package redistest gives tests a Redis of their own.
//
// New starts a private redis-server on a free port (killed at cleanup, and on Linux
// also when the test process dies, even of a timeout), or uses
// REDIS_URL when it is set (with a unique key prefix, deleting only its own keys
// afterwards: it never flushes a Redis it did not start). On a machine with neither a
// redis-server binary nor REDIS_URL it falls back to an in-process miniredis and says so
// once on stderr, unless MENTORBOT_REQUIRE_REDIS_SERVER=1 (set by .ci/run), in which
// case the test fails: CI always runs against a real redis-server.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/redisstore"
)

// RequireEnv names the variable that forbids the miniredis fallback.
const RequireEnv = "MENTORBOT_REQUIRE_REDIS_SERVER"

// Kind says what kind of Redis a test got.
type Kind string

const (
	KindServer    Kind = "redis-server" // a private redis-server process
	KindExternal  Kind = "external"     // the Redis at REDIS_URL, shared
	KindMiniredis Kind = "miniredis"    // the in-process fallback
)

// Redis is a Redis for one test.
type Redis struct {
	URL    string // redis://127.0.0.1:PORT/0
	Prefix string // unique key prefix for this test, ending in ':'
	Kind   Kind

	t    testing.TB
	mu   sync.Mutex
	port int
	dir  string
	cmd  *exec.Cmd
	mini *miniredis.Miniredis
}

var fallbackNotice sync.Once

// New returns a Redis for t, cleaned up when t ends.
func New(t testing.TB) *Redis {
	t.Helper()
	r := &Redis{t: t, Prefix: "mentorbot-test:" + uuid.NewString()[:8] + ":"}
	if os.Getenv(ClusterEnv) != "" {
		return newCluster(t, r)
	}
	if url := os.Getenv("REDIS_URL"); url != "" {
		r.URL, r.Kind = url, KindExternal
		t.Cleanup(r.deleteOwnKeys)
		return r
	}
	if path, err := exec.LookPath("redis-server"); err == nil {
		r.Kind, r.dir = KindServer, t.TempDir()
		r.startServer(path)
		t.Cleanup(r.stopServer)
		return r
	}
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("redistest: no redis-server on PATH and REDIS_URL unset, and %s forbids the miniredis fallback; install redis-server (apt-get install redis-server)", RequireEnv)
	}
	fallbackNotice.Do(func() {
		fmt.Fprintln(os.Stderr, "redistest: no redis-server found and REDIS_URL unset: using embedded miniredis (install redis-server to test against the real thing)")
	})
	r.Kind = KindMiniredis
	r.mini = miniredis.NewMiniRedis()
	if err := r.mini.Start(); err != nil {
		t.Fatalf("redistest: start miniredis: %v", err)
	}
	r.URL = "redis://" + r.mini.Addr() + "/0"
	t.Cleanup(r.mini.Close)
	return r
}

// CanStop reports whether Stop and Restart work: not on a shared Redis from
// REDIS_URL or the shared cluster.
func (r *Redis) CanStop() bool { return r.Kind != KindExternal && r.Kind != KindCluster }

// Stop kills the Redis (as a crash would) so a test can watch the bot survive it.
func (r *Redis) Stop() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	switch r.Kind {
	case KindServer:
		r.killLocked()
	case KindMiniredis:
		r.mini.Close()
	default:
		r.t.Fatalf("redistest: refusing to stop the shared Redis at REDIS_URL")
	}
}

// Restart starts the Redis again on the same address. Data is gone (nothing is
// persisted), as after a real crash without persistence.
func (r *Redis) Restart() {
	r.t.Helper()
	switch r.Kind {
	case KindServer:
		path, _ := exec.LookPath("redis-server")
		r.launch(path, r.port)
	case KindMiniredis:
		if err := r.mini.Restart(); err != nil {
			r.t.Fatalf("redistest: restart miniredis: %v", err)
		}
	default:
		r.t.Fatalf("redistest: refusing to restart the shared Redis at REDIS_URL")
	}
}

// Client returns a go-redis client for direct inspection, closed at cleanup. A test
// that reads Redis this way looks at one server: on the cluster it is skipped (the
// same test runs on a single Redis in the ordinary run).
func (r *Redis) Client() *redis.Client {
	if r.Kind == KindCluster {
		r.t.Skip("redistest: this test reads a single Redis directly; it runs without " + ClusterEnv)
	}
	opts, err := redis.ParseURL(r.URL)
	if err != nil {
		r.t.Fatalf("redistest: %v", err)
	}
	c := redis.NewClient(opts)
	r.t.Cleanup(func() { c.Close() })
	return c
}

func (r *Redis) startServer(path string) {
	r.t.Helper()
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			r.t.Fatalf("redistest: find a free port: %v", err)
		}
		if lastErr = r.tryLaunch(path, port); lastErr == nil {
			r.port = port
			r.URL = fmt.Sprintf("redis://127.0.0.1:%d/0", port)
			return
		}
	}
	r.t.Fatalf("redistest: start redis-server: %v", lastErr)
}

func (r *Redis) launch(path string, port int) {
	r.t.Helper()
	if err := r.tryLaunch(path, port); err != nil {
		r.t.Fatalf("redistest: restart redis-server on port %d: %v", port, err)
	}
}

// tryLaunch starts redis-server on port and waits until it answers PING.
func (r *Redis) tryLaunch(path string, port int) error {
	cmd := exec.Command(path,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "no",
		"--dir", r.dir, "--logfile", "", "--loglevel", "warning")
	cmd.SysProcAttr = serverAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("redis-server exited at start (port %d taken?): %v", port, err)
		default:
		}
		if ping(port) == nil {
			r.mu.Lock()
			r.cmd = cmd
			r.mu.Unlock()
			go func() { <-exited }() // reap later
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Kill()
	return fmt.Errorf("redis-server on port %d did not answer within 5s", port)
}

func (r *Redis) killLocked() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		// Wait until the port is free so a Restart can bind it again.
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) && ping(r.port) == nil {
			time.Sleep(5 * time.Millisecond)
		}
		r.cmd = nil
	}
}

func (r *Redis) stopServer() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.killLocked()
}

// deleteOwnKeys removes the keys under this test's prefix from a shared Redis.
func (r *Redis) deleteOwnKeys() {
	opts, err := redis.ParseURL(r.URL)
	if err != nil {
		return
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := c.Scan(ctx, 0, r.Prefix+"*", 500).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			c.Unlink(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		c.Unlink(ctx, batch...)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ping sends a raw RESP PING, avoiding a go-redis client per probe.
func ping(port int) error {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	buf := make([]byte, 7)
	n, err := c.Read(buf)
	if err != nil {
		return err
	}
	if string(buf[:n]) != "+PONG\r\n" {
		return fmt.Errorf("unexpected answer %q", buf[:n])
	}
	return nil
}

// Store opens mentorbot's store on this Redis under the test's prefix, closed at
// cleanup.
func (r *Redis) Store() *redisstore.Store {
	r.t.Helper()
	// Every script's keys are checked: the store's tests prove what Redis
	// Cluster asks (each key a script touches declared in KEYS).
	s, err := redisstore.Open(r.URL, r.Prefix, redisstore.Options{CheckKeys: true})
	if err != nil {
		r.t.Fatalf("redistest: open store: %v", err)
	}
	r.t.Cleanup(func() { s.Close() })
	return s
}
