// Package config reads mentorbot's settings from the environment, as product.md lists
// them, and explains in one line what is wrong when a setting is missing or malformed.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"

	"github.com/robfig/cron/v3"
)

// Defaults of the optional settings.
const (
	DefaultSlackAPIURL   = "https://slack.com/api/"
	DefaultRedisURL      = "redis://localhost:6379/0"
	DefaultKeyPrefix     = "mentorbot:"
	DefaultSweepSchedule = "@every 1m"
	DefaultHTTPAddr      = ":8080"
	DefaultLogLevel      = "info"
)

// Config is the whole configuration of a running bot.
type Config struct {
	AppToken         Secret // SLACK_APP_TOKEN, xapp-…
	BotToken         Secret // SLACK_BOT_TOKEN, xoxb-…
	SlackAPIURL      string // SLACK_API_URL, always ends in "/"
	RedisURL         Secret // REDIS_URL; may carry a password
	CommitteeChannel string // MENTORBOT_COMMITTEE_CHANNEL
	KeyPrefix        string // MENTORBOT_KEY_PREFIX
	SweepSchedule    string // MENTORBOT_SWEEP_SCHEDULE, robfig/cron syntax
	HTTPAddr         string // MENTORBOT_HTTP_ADDR
	LogLevel         slog.Level
}

// Secret is a string that never prints itself, so a token cannot reach a log by
// accident (fmt, slog and JSON all see "[redacted]").
type Secret string

// Reveal returns the secret value; call it only where the value is used.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) String() string { return "[redacted]" }

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return `config.Secret("[redacted]")` }

// LogValue keeps slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MarshalText keeps encoders from printing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// Error is a bad setting: Setting names it, and Error() is one line saying how to fix it.
type Error struct {
	Setting string
	Problem string
}

func (e *Error) Error() string { return e.Setting + ": " + e.Problem }

// ExitCode is 2: a bad setting is a usage error.
func (e *Error) ExitCode() int { return 2 }

// Load reads the configuration through getenv. The first problem found is returned as
// an *Error; settings are checked in the order of product.md's table.
func Load(getenv func(string) string) (Config, error) {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	c := Config{
		SlackAPIURL:      DefaultSlackAPIURL,
		RedisURL:         DefaultRedisURL,
		CommitteeChannel: get("MENTORBOT_COMMITTEE_CHANNEL"),
		KeyPrefix:        DefaultKeyPrefix,
		SweepSchedule:    DefaultSweepSchedule,
		HTTPAddr:         DefaultHTTPAddr,
	}

	app := get("SLACK_APP_TOKEN")
	switch {
	case app == "":
		return c, &Error{"SLACK_APP_TOKEN", "not set; create an app-level token with the connections:write scope (Basic Information → App-Level Tokens) and set it (xapp-…)"}
	case !strings.HasPrefix(app, "xapp-"):
		return c, &Error{"SLACK_APP_TOKEN", "must be an app-level token starting with xapp- (the bot token xoxb-… goes in SLACK_BOT_TOKEN)"}
	}
	c.AppToken = Secret(app)

	bot := get("SLACK_BOT_TOKEN")
	switch {
	case bot == "":
		return c, &Error{"SLACK_BOT_TOKEN", "not set; install the app to the workspace and set the Bot User OAuth Token (xoxb-…)"}
	case !strings.HasPrefix(bot, "xoxb-"):
		return c, &Error{"SLACK_BOT_TOKEN", "must be a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)"}
	}
	c.BotToken = Secret(bot)

	if v := get("SLACK_API_URL"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, &Error{"SLACK_API_URL", fmt.Sprintf("%q is not an http(s) URL; use e.g. http://127.0.0.1:9999/api/ or leave it unset for Slack itself", v)}
		}
		if !strings.HasSuffix(v, "/") {
			v += "/" // slack-go appends the method name
		}
		c.SlackAPIURL = v
	}

	if v := get("REDIS_URL"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			return c, &Error{"REDIS_URL", "must be a redis:// or rediss:// URL such as redis://localhost:6379/0"}
		}
		c.RedisURL = Secret(v)
	}

	switch ch := c.CommitteeChannel; {
	case ch == "":
		return c, &Error{"MENTORBOT_COMMITTEE_CHANNEL", "not set; give the ID (not the name) of the committee's private channel, e.g. G0123ABCD or C0123ABCD (channel details → About)"}
	case !isChannelID(ch):
		return c, &Error{"MENTORBOT_COMMITTEE_CHANNEL", fmt.Sprintf("%q is not a channel ID; use the ID shown under channel details → About, e.g. C0123ABCD, not the #name", ch)}
	}

	if v, ok := lookup(getenv, "MENTORBOT_KEY_PREFIX"); ok {
		if v == "" || strings.ContainsAny(v, " \t\r\n") {
			return c, &Error{"MENTORBOT_KEY_PREFIX", "must be a non-empty prefix without spaces, e.g. mentorbot:"}
		}
		c.KeyPrefix = v
	}

	if v := get("MENTORBOT_SWEEP_SCHEDULE"); v != "" {
		if _, err := cron.ParseStandard(v); err != nil {
			return c, &Error{"MENTORBOT_SWEEP_SCHEDULE", fmt.Sprintf("%q is not a cron spec (%v); use e.g. \"@every 1m\" or \"*/5 * * * *\"", v, err)}
		}
		c.SweepSchedule = v
	}

	if v := get("MENTORBOT_HTTP_ADDR"); v != "" {
		if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
			return c, &Error{"MENTORBOT_HTTP_ADDR", fmt.Sprintf("%q is not host:port; use e.g. :8080 or 127.0.0.1:8080", v)}
		}
		c.HTTPAddr = v
	}

	level := get("MENTORBOT_LOG_LEVEL")
	if level == "" {
		level = DefaultLogLevel
	}
	if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil || !validLevel(level) {
		return c, &Error{"MENTORBOT_LOG_LEVEL", fmt.Sprintf("%q is not a log level; use debug, info, warn or error", level)}
	}
	return c, nil
}

func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return strings.TrimSpace(v), v != ""
}

func validLevel(s string) bool {
	switch strings.ToLower(s) {
	case "debug", "info", "warn", "error":
		return true
	}
	return false
}

// isChannelID accepts Slack conversation IDs: C… (channels, public or private) and G…
// (older private channels), upper-case letters and digits.
func isChannelID(s string) bool {
	if len(s) < 5 || (s[0] != 'C' && s[0] != 'G') {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
