// Package config reads mentorbot's settings from the environment, as product.md lists
// them, and explains what is wrong, one line for each setting missing or malformed.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
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

// Errors is every bad setting found, in the order of product.md's table. Error() puts
// each on its own line.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// ExitCode is 2, as for one bad setting.
func (es Errors) ExitCode() int { return 2 }

// Unwrap gives errors.As each *Error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Getenv adapts a getenv function to Load: an empty value counts as unset.
func Getenv(getenv func(string) string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v := getenv(k)
		return v, v != ""
	}
}

// Load reads the configuration through lookup (os.LookupEnv, or Getenv). Every problem
// found is returned, as Errors; settings are checked in the order of product.md's table.
// An optional setting that is set but empty is an error where taking the default would
// surprise (a Redis URL, the key prefix, the sweep schedule, the HTTP address).
func Load(lookup func(string) (string, bool)) (Config, error) {
	l := loader{lookup: lookup}
	bad, get, optional := l.bad, l.get, l.optional
	c := Config{
		SlackAPIURL:      DefaultSlackAPIURL,
		RedisURL:         DefaultRedisURL,
		CommitteeChannel: get("MENTORBOT_COMMITTEE_CHANNEL"),
		KeyPrefix:        DefaultKeyPrefix,
		SweepSchedule:    DefaultSweepSchedule,
		HTTPAddr:         DefaultHTTPAddr,
	}

	switch app := get("SLACK_APP_TOKEN"); {
	case app == "":
		bad("SLACK_APP_TOKEN", "not set; create an app-level token with the connections:write scope (Basic Information → App-Level Tokens) and set it (xapp-…)")
	case !strings.HasPrefix(app, "xapp-"):
		bad("SLACK_APP_TOKEN", "must be an app-level token starting with xapp- (the bot token xoxb-… goes in SLACK_BOT_TOKEN)")
	default:
		c.AppToken = Secret(app)
	}

	switch bot := get("SLACK_BOT_TOKEN"); {
	case bot == "":
		bad("SLACK_BOT_TOKEN", "not set; install the app to the workspace and set the Bot User OAuth Token (xoxb-…)")
	case !strings.HasPrefix(bot, "xoxb-"):
		bad("SLACK_BOT_TOKEN", "must be a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)")
	default:
		c.BotToken = Secret(bot)
	}

	if v, ok := optional("SLACK_API_URL", DefaultSlackAPIURL, false); ok {
		if problem := checkURL(v, []string{"http", "https"}, "http://127.0.0.1:9999/api/ or leave it unset for Slack itself"); problem != "" {
			bad("SLACK_API_URL", problem)
		} else {
			if !strings.HasSuffix(v, "/") {
				v += "/" // slack-go appends the method name
			}
			c.SlackAPIURL = v
		}
	}

	l.redisURL(&c.RedisURL)

	switch ch := c.CommitteeChannel; {
	case ch == "":
		bad("MENTORBOT_COMMITTEE_CHANNEL", "not set; give the ID (not the name) of the committee's private channel, e.g. G0123ABCD or C0123ABCD (channel details → About)")
	case !isChannelID(ch):
		bad("MENTORBOT_COMMITTEE_CHANNEL", fmt.Sprintf("%q is not a channel ID; use the ID shown under channel details → About, e.g. C0123ABCD, not the #name", ch))
	}

	l.keyPrefix(&c.KeyPrefix)

	if v, ok := optional("MENTORBOT_SWEEP_SCHEDULE", `"@every 1m"`, true); ok {
		if _, err := cron.ParseStandard(v); err != nil {
			bad("MENTORBOT_SWEEP_SCHEDULE", fmt.Sprintf("%q is not a cron spec (%v); use e.g. \"@every 1m\" or \"*/5 * * * *\"", v, err))
		} else {
			c.SweepSchedule = v
		}
	}

	if v, ok := optional("MENTORBOT_HTTP_ADDR", DefaultHTTPAddr, true); ok {
		if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
			bad("MENTORBOT_HTTP_ADDR", fmt.Sprintf("%q is not host:port; use e.g. :8080 or 127.0.0.1:8080", v))
		} else {
			c.HTTPAddr = v
		}
	}

	level := get("MENTORBOT_LOG_LEVEL")
	if level == "" {
		level = DefaultLogLevel
	}
	if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil || !validLevel(level) {
		bad("MENTORBOT_LOG_LEVEL", fmt.Sprintf("%q is not a log level; use debug, info, warn or error", level))
	}
	if len(l.errs) > 0 {
		return c, l.errs
	}
	return c, nil
}

// LoadStore reads only the state store's settings, REDIS_URL and
// MENTORBOT_KEY_PREFIX, checked exactly as Load checks them: for the commands that
// need Redis and nothing of Slack (export, forget). Problems come back as Errors.
func LoadStore(lookup func(string) (string, bool)) (redisURL Secret, keyPrefix string, err error) {
	l := loader{lookup: lookup}
	redisURL, keyPrefix = DefaultRedisURL, DefaultKeyPrefix
	l.redisURL(&redisURL)
	l.keyPrefix(&keyPrefix)
	if len(l.errs) > 0 {
		return redisURL, keyPrefix, l.errs
	}
	return redisURL, keyPrefix, nil
}

// loader reads settings through lookup and collects every problem.
type loader struct {
	lookup func(string) (string, bool)
	errs   Errors
}

func (l *loader) bad(setting, problem string) { l.errs = append(l.errs, &Error{setting, problem}) }

func (l *loader) get(name string) string { v, _ := l.lookup(name); return strings.TrimSpace(v) }

// optional returns the value of an optional setting and whether to use it; set but
// empty is reported when a default would surprise.
func (l *loader) optional(name, example string, emptyIsError bool) (string, bool) {
	v, set := l.lookup(name)
	v = strings.TrimSpace(v)
	if set && v == "" && emptyIsError {
		l.bad(name, "is set but empty; set it (e.g. "+example+") or remove the line to use the default")
	}
	return v, v != ""
}

// redisURL reads REDIS_URL into dst when it is set and valid.
func (l *loader) redisURL(dst *Secret) {
	if v, ok := l.optional("REDIS_URL", DefaultRedisURL, true); ok {
		if problem := checkURL(v, []string{"redis", "rediss"}, "redis://localhost:6379/0 (rediss:// for TLS)"); problem != "" {
			l.bad("REDIS_URL", problem)
		} else {
			*dst = Secret(v)
		}
	}
}

// keyPrefix reads MENTORBOT_KEY_PREFIX into dst when it is set and valid.
func (l *loader) keyPrefix(dst *string) {
	if v, ok := l.optional("MENTORBOT_KEY_PREFIX", DefaultKeyPrefix, true); ok {
		if strings.ContainsAny(v, " \t\r\n") {
			l.bad("MENTORBOT_KEY_PREFIX", "must be a prefix without spaces, e.g. mentorbot:")
		} else {
			*dst = v
		}
	}
}

// checkURL returns what is wrong with raw as a URL of one of schemes, in words that
// never show its password, or "" when it is fine.
func checkURL(raw string, schemes []string, example string) string {
	shown := redactURL(raw)
	if !strings.Contains(raw, "://") {
		return fmt.Sprintf("%s is not a URL (it does not start with %s); use e.g. %s", shown, strings.Join(schemes, ":// or ")+"://", example)
	}
	u, err := url.Parse(raw)
	if err != nil {
		reason := err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			reason = ue.Err.Error() // without the URL, which may hold a password
		}
		return fmt.Sprintf("%s is not a valid URL (%s); use e.g. %s", shown, reason, example)
	}
	if !slices.Contains(schemes, u.Scheme) {
		return fmt.Sprintf("%s starts with %q, want %s; use e.g. %s", shown, u.Scheme+"://", strings.Join(schemes, ":// or ")+"://", example)
	}
	if u.Hostname() == "" {
		return fmt.Sprintf("%s names no host; use e.g. %s", shown, example)
	}
	if p := u.Port(); strings.HasSuffix(u.Host, ":") || (p != "" && !isPort(p)) {
		return fmt.Sprintf("%s has no valid port after the host; use e.g. %s", shown, example)
	}
	if u.Scheme == "redis" || u.Scheme == "rediss" {
		if db := strings.Trim(u.Path, "/"); db != "" {
			if n, err := strconv.Atoi(db); err != nil || n < 0 {
				return fmt.Sprintf("%s: the path must be a database number such as /0, not %q; use e.g. %s", shown, u.Path, example)
			}
		}
	}
	return ""
}

func isPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n > 0 && n < 65536
}

// redactURL returns raw with the password of its user info, if any, replaced by
// "xxxxx", without parsing it (it may not parse).
func redactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return raw
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
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
