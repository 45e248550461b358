package config_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/config"
)

// env is a lookup of the three required settings changed by overrides; a key set to
// "\x00" is removed (unset).
func env(overrides map[string]string) func(string) (string, bool) {
	base := map[string]string{
		"SLACK_APP_TOKEN":             "xapp-1-A07-secretapp",
		"SLACK_BOT_TOKEN":             "xoxb-1-secretbot",
		"MENTORBOT_COMMITTEE_CHANNEL": "C0COMMITTEE",
	}
	for k, v := range overrides {
		base[k] = v
		if v == "\x00" {
			delete(base, k)
		}
	}
	return func(k string) (string, bool) { v, ok := base[k]; return v, ok }
}

func TestLoadDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.SlackAPIURL != config.DefaultSlackAPIURL || c.RedisURL.Reveal() != config.DefaultRedisURL ||
		c.KeyPrefix != "mentorbot:" || c.SweepSchedule != "@every 1m" || c.HTTPAddr != ":8080" || c.LogLevel != slog.LevelInfo {
		t.Fatalf("defaults not applied: %+v", c)
	}
	if c.BotToken.Reveal() != "xoxb-1-secretbot" || c.AppToken.Reveal() != "xapp-1-A07-secretapp" {
		t.Fatal("tokens not read")
	}
}

func TestLoadAll(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"SLACK_API_URL":            "http://127.0.0.1:9999/api",
		"REDIS_URL":                "rediss://:pw@redis.example:6380/2",
		"MENTORBOT_KEY_PREFIX":     "cala:",
		"MENTORBOT_SWEEP_SCHEDULE": "@every 1s",
		"MENTORBOT_HTTP_ADDR":      "127.0.0.1:9090",
		"MENTORBOT_LOG_LEVEL":      "debug",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SlackAPIURL != "http://127.0.0.1:9999/api/" {
		t.Errorf("SLACK_API_URL = %q, want a trailing slash added", c.SlackAPIURL)
	}
	if c.KeyPrefix != "cala:" || c.SweepSchedule != "@every 1s" || c.HTTPAddr != "127.0.0.1:9090" || c.LogLevel != slog.LevelDebug {
		t.Errorf("settings not read: %+v", c)
	}
}

func TestLoadRejects(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		setting string
	}{
		{"app token missing", map[string]string{"SLACK_APP_TOKEN": ""}, "SLACK_APP_TOKEN"},
		{"app token is a bot token", map[string]string{"SLACK_APP_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"},
		{"bot token missing", map[string]string{"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"},
		{"bot token wrong kind", map[string]string{"SLACK_BOT_TOKEN": "xoxp-1"}, "SLACK_BOT_TOKEN"},
		{"api url not a url", map[string]string{"SLACK_API_URL": "127.0.0.1:9999"}, "SLACK_API_URL"},
		{"redis url scheme", map[string]string{"REDIS_URL": "http://localhost:6379"}, "REDIS_URL"},
		{"committee missing", map[string]string{"MENTORBOT_COMMITTEE_CHANNEL": ""}, "MENTORBOT_COMMITTEE_CHANNEL"},
		{"committee by name", map[string]string{"MENTORBOT_COMMITTEE_CHANNEL": "#committee"}, "MENTORBOT_COMMITTEE_CHANNEL"},
		{"prefix with space", map[string]string{"MENTORBOT_KEY_PREFIX": "a b"}, "MENTORBOT_KEY_PREFIX"},
		{"cron spec", map[string]string{"MENTORBOT_SWEEP_SCHEDULE": "every minute"}, "MENTORBOT_SWEEP_SCHEDULE"},
		{"http addr", map[string]string{"MENTORBOT_HTTP_ADDR": "8080"}, "MENTORBOT_HTTP_ADDR"},
		{"log level", map[string]string{"MENTORBOT_LOG_LEVEL": "verbose"}, "MENTORBOT_LOG_LEVEL"},
		{"log level numeric", map[string]string{"MENTORBOT_LOG_LEVEL": "info+2"}, "MENTORBOT_LOG_LEVEL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load(env(tc.env))
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Load = %v, want a *config.Error", err)
			}
			if ce.Setting != tc.setting || !strings.HasPrefix(err.Error(), tc.setting+": ") {
				t.Errorf("error %q does not name %s first", err, tc.setting)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is more than one line: %q", err)
			}
			if ce.ExitCode() != 2 {
				t.Errorf("exit code %d, want 2", ce.ExitCode())
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error leaks a token: %q", err)
			}
		})
	}
}

// TestSecretsNeverPrint checks every way a Config could reach a log.
func TestSecretsNeverPrint(t *testing.T) {
	c, err := config.Load(env(map[string]string{"REDIS_URL": "redis://:hunter2secret@localhost:6379/0"}))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	log.Info("config", "cfg", c, "bot", c.BotToken, "app", c.AppToken, "redis", c.RedisURL)
	js, _ := json.Marshal(c)
	outputs := []string{
		fmt.Sprint(c), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c),
		fmt.Sprintf("%s", c.BotToken), string(js), logs.String(),
	}
	for _, out := range outputs {
		if strings.Contains(out, "secret") || strings.Contains(out, "hunter2") {
			t.Errorf("a secret was printed: %s", out)
		}
	}
}

func TestEveryBadSettingIsReportedOnItsOwnLine(t *testing.T) {
	_, err := config.Load(env(map[string]string{
		"SLACK_APP_TOKEN":             "\x00",
		"SLACK_BOT_TOKEN":             "xoxp-1-secretuser",
		"REDIS_URL":                   "redis://localhost:notaport/0",
		"MENTORBOT_COMMITTEE_CHANNEL": "#committee",
		"MENTORBOT_LOG_LEVEL":         "loud",
	}))
	want := []string{
		"SLACK_APP_TOKEN: not set; create an app-level token with the connections:write scope (Basic Information → App-Level Tokens) and set it (xapp-…)",
		"SLACK_BOT_TOKEN: must be a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)",
		`REDIS_URL: redis://localhost:notaport/0 is not a valid URL (invalid port ":notaport" after host); use e.g. redis://localhost:6379/0 (rediss:// for TLS)`,
		`MENTORBOT_COMMITTEE_CHANNEL: "#committee" is not a channel ID; use the ID shown under channel details → About, e.g. C0123ABCD, not the #name`,
		`MENTORBOT_LOG_LEVEL: "loud" is not a log level; use debug, info, warn or error`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Fatalf("got:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Setting != "SLACK_APP_TOKEN" {
		t.Fatalf("errors.As finds %v, want the first bad setting", ce)
	}
	if c, ok := err.(interface{ ExitCode() int }); !ok || c.ExitCode() != 2 {
		t.Fatal("several bad settings do not exit with status 2")
	}
}

func TestAnEmptySettingIsAnErrorWhereTheDefaultWouldSurprise(t *testing.T) {
	for _, name := range []string{"REDIS_URL", "MENTORBOT_KEY_PREFIX", "MENTORBOT_SWEEP_SCHEDULE", "MENTORBOT_HTTP_ADDR"} {
		_, err := config.Load(env(map[string]string{name: ""}))
		if err == nil || !strings.HasPrefix(err.Error(), name+": is set but empty; set it (e.g. ") ||
			!strings.HasSuffix(err.Error(), ") or remove the line to use the default") {
			t.Errorf("%s= gives %v", name, err)
		}
	}
	// An empty Slack URL or log level is the default, as documented: nothing
	// surprising can come of it.
	for _, name := range []string{"SLACK_API_URL", "MENTORBOT_LOG_LEVEL"} {
		if _, err := config.Load(env(map[string]string{name: ""})); err != nil {
			t.Errorf("%s= gives %v", name, err)
		}
	}
	// Through Getenv (no way to tell empty from unset) an empty value is unset.
	getenv := func(k string) string { v, _ := env(map[string]string{"MENTORBOT_KEY_PREFIX": ""})(k); return v }
	if c, err := config.Load(config.Getenv(getenv)); err != nil || c.KeyPrefix != config.DefaultKeyPrefix {
		t.Errorf("Getenv: %v %q", err, c.KeyPrefix)
	}
}

func TestAMalformedURLIsExplainedWithoutItsPassword(t *testing.T) {
	cases := map[string]string{
		"redis://:hunter2@localhost:notaport/0": `REDIS_URL: redis://:xxxxx@localhost:notaport/0 is not a valid URL (invalid port ":notaport" after host); use e.g. redis://localhost:6379/0 (rediss:// for TLS)`,
		"http://u:hunter2@localhost:6379/0":     `REDIS_URL: http://u:xxxxx@localhost:6379/0 starts with "http://", want redis:// or rediss://; use e.g. redis://localhost:6379/0 (rediss:// for TLS)`,
		"redis://:hunter2@/0":                   `REDIS_URL: redis://:xxxxx@/0 names no host; use e.g. redis://localhost:6379/0 (rediss:// for TLS)`,
		"redis://:hunter2@localhost:6379/zero":  `REDIS_URL: redis://:xxxxx@localhost:6379/zero: the path must be a database number such as /0, not "/zero"; use e.g. redis://localhost:6379/0 (rediss:// for TLS)`,
		"localhost:6379":                        `REDIS_URL: localhost:6379 is not a URL (it does not start with redis:// or rediss://); use e.g. redis://localhost:6379/0 (rediss:// for TLS)`,
	}
	for in, want := range cases {
		_, err := config.Load(env(map[string]string{"REDIS_URL": in}))
		if err == nil || err.Error() != want {
			t.Errorf("REDIS_URL=%s:\n got %v\nwant %s", in, err, want)
		}
	}
	if _, err := config.Load(env(map[string]string{"REDIS_URL": "rediss://default:hunter2@redis.example:6380/2"})); err != nil {
		t.Errorf("a valid URL with a password: %v", err)
	}
}
