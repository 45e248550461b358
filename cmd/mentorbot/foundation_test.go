package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestHelpEndToEnd(t *testing.T) {
	h := startBot(t)

	// A committee member sees committee commands.
	ack := h.command(alice, "help")
	if len(ack.Payload) > 0 && string(ack.Payload) != "null" {
		t.Logf("ack payload %s", ack.Payload)
	}
	m := h.ephemeral(alice, "/mentorship join")
	for _, want := range []string{"/mentorship status", "/mentorship program", "/mentorship match", "Committee"} {
		if !strings.Contains(allText(m), want) {
			t.Errorf("committee help lacks %q:\n%s", want, allText(m))
		}
	}

	// Anyone else sees only what they may run.
	h.command(bob, "help")
	m = h.ephemeral(bob, "/mentorship join")
	for _, hidden := range []string{"/mentorship program", "/mentorship match", "Committee"} {
		if strings.Contains(allText(m), hidden) {
			t.Errorf("non-committee help shows %q:\n%s", hidden, allText(m))
		}
	}

	// An unknown subcommand is named (escaped) and answered with the help.
	h.command(bob, "<!channel> frobnicate")
	m = h.ephemeral(bob, "I don't know")
	if strings.Contains(allText(m), "<!channel>") || !strings.Contains(allText(m), "&lt;!channel&gt;") {
		t.Errorf("unknown subcommand not escaped:\n%s", allText(m))
	}
}

func TestCommitteeCommandRefusedToOthers(t *testing.T) {
	h := startBot(t)
	h.command(bob, "program")
	h.ephemeral(bob, "is for the mentorship committee")
	if n := len(h.slack.OpenViews(bob)); n != 0 {
		t.Fatalf("a non-committee user got %d modal(s)", n)
	}
}

func TestHealthReadyAndMetrics(t *testing.T) {
	h := startBot(t)
	if code, body := h.get("/healthz"); code != 200 {
		t.Fatalf("/healthz = %d %s", code, body)
	}
	if code, body := h.get("/readyz"); code != 200 || !strings.Contains(body, `"redis":"ok"`) || !strings.Contains(body, `"slack":"ok"`) {
		t.Fatalf("/readyz = %d %s", code, body)
	}
	h.command(bob, "help")
	h.ephemeral(bob, "/mentorship join")
	_, metrics := h.get("/metrics")
	for _, want := range []string{
		`mentorbot_envelopes_total{kind="command",type="slash_commands"} 1`,
		"mentorbot_ack_latency_seconds_bucket",
		`mentorbot_slack_api_calls_total{method="apps.connections.open"}`,
		`mentorbot_slack_api_calls_total{method="conversations.members"}`,
		"mentorbot_socket_connected 1",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(metrics, h.env["SLACK_BOT_TOKEN"]) {
		t.Error("/metrics shows a token")
	}
}

func TestReadyzFailsWithoutRedis(t *testing.T) {
	h := startBot(t)
	if !h.redis.CanStop() {
		t.Skip("shared Redis from REDIS_URL cannot be stopped")
	}
	h.redis.Stop()
	if code, body := h.get("/readyz"); code != 503 || !strings.Contains(body, "redis") {
		t.Fatalf("/readyz with Redis down = %d %s, want 503 naming redis", code, body)
	}
	if code, _ := h.get("/healthz"); code != 200 {
		t.Fatalf("/healthz with Redis down = %d, want 200 (the process is alive)", code)
	}
	h.redis.Restart()
}

// TestRedisOutageAnsweredClearlyThenRecovered kills Redis under a running bot: the
// bot answers with a clear error meanwhile and works again afterwards, no restart.
func TestRedisOutageAnsweredClearlyThenRecovered(t *testing.T) {
	h := startBot(t)
	if !h.redis.CanStop() {
		t.Skip("shared Redis from REDIS_URL cannot be stopped")
	}
	h.openCycle(alice)

	h.redis.Stop()
	h.command(bob, "status")
	h.ephemeral(bob, "can't reach its database")

	h.redis.Restart() // empty again: nothing was persisted
	h.openCycle(alice)
	h.command(bob, "status")
	h.ephemeral(bob, "You haven't signed up")
}

func TestReconnectsWhenSlackAsks(t *testing.T) {
	h := startBot(t)
	opens := h.slack.CallCount("apps.connections.open")
	h.slack.Disconnect("refresh_requested")
	if err := h.slack.Wait(h.ctx, func() bool { return h.slack.CallCount("apps.connections.open") > opens && h.slack.Connections() == 1 }); err != nil {
		t.Fatalf("bot did not reconnect: %v", err)
	}
	h.command(bob, "help")
	h.ephemeral(bob, "/mentorship join")
}

func TestShutdownFinishesInFlightWork(t *testing.T) {
	h := startBot(t)
	// Slow Slack: the help answer is still being fetched when the stop comes.
	h.slack.SetLatency("conversations.members", 300*time.Millisecond)
	h.command(bob, "help")
	h.shutdown()
	if len(h.slack.Ephemerals(bob)) != 1 {
		t.Fatalf("in-flight help was not finished before exit")
	}
}

// TestMissingBotTokenExits2 runs the real binary without SLACK_BOT_TOKEN.
func TestMissingBotTokenExits2(t *testing.T) {
	if os.Getenv("MENTORBOT_TEST_MAIN") == "1" {
		os.Args = []string{"mentorbot"}
		main()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMissingBotTokenExits2$")
	cmd.Env = []string{"MENTORBOT_TEST_MAIN=1", "SLACK_APP_TOKEN=xapp-1-secret", "MENTORBOT_COMMITTEE_CHANNEL=C0COMMITTEE", "PATH=" + os.Getenv("PATH")}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 2 {
		t.Fatalf("exit = %v, want status 2; stderr: %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "SLACK_BOT_TOKEN") {
		t.Fatalf("stderr = %q, want one line naming SLACK_BOT_TOKEN", stderr.String())
	}
	if strings.Contains(stderr.String(), "secret") {
		t.Fatal("the app token was printed")
	}
}

func TestUnknownCommandLineExits2(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &out, &errb)
	if err == nil || exitCode(err) != 2 {
		t.Fatalf("run(frobnicate) = %v (exit %d), want a usage error with status 2", err, exitCode(err))
	}
}
