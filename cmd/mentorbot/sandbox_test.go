package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/clock"
)

// TestSandboxRunsTheRealBotWithNothingButGo starts `mentorbot sandbox` as a
// newcomer would (no Redis, no tokens), and plays a committee member asking the
// bot for help through the page's own endpoints: the real bot answers over Socket
// Mode, and the page shows the answer.
func TestSandboxRunsTheRealBotWithNothingButGo(t *testing.T) {
	base, _ := sandboxURL(t)
	resp, err := http.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`href="/\?as=([A-Z0-9]+)" data-person="[A-Z0-9]+"><span class="avatar">R</span>\s*<span class="who"><b>Ruth Alvarez</b>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("the chooser does not offer Ruth Alvarez of the committee:\n%s", page)
	}
	ruth := string(m[1])
	act := func(path string, form url.Values) map[string]any {
		t.Helper()
		form.Set("as", ruth)
		resp, err := http.PostForm(base+strings.TrimPrefix(path, "/"), form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := act("/act/send", url.Values{"text": {"/mentorship help"}}); r["ok"] != true {
		t.Fatalf("/mentorship help: %v", r)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "frag?as=" + ruth + "&c=home")
		if err != nil {
			t.Fatal(err)
		}
		var f struct{ Nav, Main string }
		_ = json.NewDecoder(resp.Body).Decode(&f)
		resp.Body.Close()
		var dm string
		if m := regexp.MustCompile(`href="/\?as=` + ruth + `&amp;c=(D[A-Z0-9]+)"`).FindStringSubmatch(f.Nav); m != nil {
			dm = m[1]
		}
		resp, err = http.Get(base + "frag?as=" + ruth + "&c=" + dm)
		if err != nil {
			t.Fatal(err)
		}
		_ = json.NewDecoder(resp.Body).Decode(&f)
		resp.Body.Close()
		if strings.Contains(f.Main, "/mentorship program") && strings.Contains(f.Main, "Only visible to you") {
			break // the committee's help, privately, in her DM with the bot
		}
		if time.Now().After(deadline) {
			t.Fatalf("no help from the bot in Ruth's DM:\n%s", f.Main)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestSandboxRefusesWhatItCannotServe(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(bad, []byte("id,name,role,stage,areas,needs,offer,methods,frequency,timezone,capacity,avoid\nx,X,boss,new,a,b,,email,monthly,UTC,,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--addr", "0.0.0.0:8090"}, 2, "not a loopback address"},
		{[]string{"--addr", ":8090"}, 2, "not a loopback address"},
		{[]string{"--addr", "192.168.1.20:8090"}, 2, "--allow-remote"},
		{[]string{"--addr", "nonsense"}, 2, "not host:port"},
		{[]string{"--people", filepath.Join(t.TempDir(), "missing.csv")}, 2, "--people"},
		{[]string{"--people", bad}, 1, `role "boss"`},
		{[]string{"extra"}, 2, "no arguments"},
		{[]string{"--nope"}, 2, "flag provided but not defined"},
	} {
		var stdout, stderr bytes.Buffer
		// Bounded: a sandbox that wrongly starts stops when this ends, and fails.
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		err := runWith(ctx, runDeps{}, append([]string{"sandbox"}, tc.args...), func(string) string { return "" }, &stdout, &stderr)
		cancel()
		if err == nil {
			t.Errorf("sandbox %v started", tc.args)
			continue
		}
		if code := exitCode(err); code != tc.code || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("sandbox %v: exit %d, %v; want exit %d saying %q", tc.args, code, err, tc.code, tc.want)
		}
	}
	var stdout, stderr bytes.Buffer
	if err := runWith(t.Context(), runDeps{}, []string{"sandbox", "-h"}, func(string) string { return "" }, &stdout, &stderr); err != nil {
		t.Errorf("sandbox -h: %v", err)
	}
	if !strings.Contains(stderr.String(), "--addr") && !strings.Contains(stderr.String(), "-addr") {
		t.Errorf("sandbox -h shows no flags:\n%s", stderr.String())
	}
	if err := checkLoopback("[::1]:8090", false); err != nil {
		t.Errorf("::1 refused: %v", err)
	}
	if err := checkLoopback("localhost:8090", false); err != nil {
		t.Errorf("localhost refused: %v", err)
	}
	if err := checkLoopback("0.0.0.0:8090", true); err != nil {
		t.Errorf("--allow-remote ignored: %v", err)
	}
	var ue *usageError
	if err := checkLoopback("10.0.0.1:1", false); !errors.As(err, &ue) {
		t.Errorf("a remote address is not a usage error: %v", err)
	}
}

// TestEmbeddedRedisFollowsTheSandboxClock: a key with a TTL expires when the
// sandbox's clock moves past it, as it would in a Redis whose hours had passed.
func TestEmbeddedRedisFollowsTheSandboxClock(t *testing.T) {
	clk := clock.NewShifted(0)
	url, moved, stop, err := embeddedRedis(t.Context(), clk)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	ctx := t.Context()
	if err := rdb.Set(ctx, "lease", "x", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	moved(clk.Advance(30 * time.Minute))
	if n, _ := rdb.Exists(ctx, "lease").Result(); n != 1 {
		t.Fatalf("the key expired after 30 minutes of its hour")
	}
	moved(clk.Advance(24 * time.Hour))
	if n, _ := rdb.Exists(ctx, "lease").Result(); n != 0 {
		t.Errorf("the key outlived a day of the sandbox's clock")
	}
}
