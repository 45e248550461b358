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

func env(overrides map[string]string) func(string) string {
	base := map[string]string{
		"SLACK_APP_TOKEN":             "xapp-1-A07-secretapp",
		"SLACK_BOT_TOKEN":             "xoxb-1-secretbot",
		"MENTORBOT_COMMITTEE_CHANNEL": "C0COMMITTEE",
	}
	for k, v := range overrides {
		base[k] = v
	}
	return func(k string) string { return base[k] }
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
