package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/config"
)

// healthError is a failed health check. It exits with status 1, never 2: Docker
// reserves 2 in a HEALTHCHECK.
type healthError struct{ msg string }

func (e *healthError) Error() string { return e.msg }
func (e *healthError) ExitCode() int { return 1 }

// runHealthcheck is `mentorbot healthcheck`: it asks the bot running on this machine
// (at MENTORBOT_HTTP_ADDR, the only setting it reads) whether it is ready, for a
// container's HEALTHCHECK, which has no curl on a distroless image. It writes the
// answer to stdout and returns nil when ready (exit 0), a *healthError otherwise.
func runHealthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 0 {
		if isHelp(args[0]) {
			fmt.Fprintln(stdout, "Usage: mentorbot healthcheck\n\nAsks the bot running here (MENTORBOT_HTTP_ADDR, default :8080) for /readyz: exit status 0 when ready, 1 when not.")
			return nil
		}
		return &healthError{fmt.Sprintf("healthcheck takes no arguments, got %q", args[0])}
	}
	addr := strings.TrimSpace(getenv("MENTORBOT_HTTP_ADDR"))
	if addr == "" {
		addr = config.DefaultHTTPAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return &healthError{fmt.Sprintf("MENTORBOT_HTTP_ADDR %q is not host:port", addr)}
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1" // listening everywhere: ask over loopback
	}
	url := "http://" + net.JoinHostPort(host, port) + "/readyz"
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return &healthError{err.Error()}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return &healthError{fmt.Sprintf("not ready: %s does not answer (%v)", url, err)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return &healthError{fmt.Sprintf("not ready (%s): %s", resp.Status, strings.TrimSpace(string(body)))}
	}
	fmt.Fprintf(stdout, "%s", body)
	return nil
}
