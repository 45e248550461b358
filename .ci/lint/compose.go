package lint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// CheckCompose loads composeFile with compose-go, as `docker compose` does (schema
// validation included), taking envExample as its .env, and checks the bot's service:
// images fully qualified with exact tags, a healthcheck running `mentorbot
// healthcheck`, a restart policy that cannot loop forever on exit status 2, Redis with
// its append-only file.
func CheckCompose(ctx context.Context, composeFile, envExample []byte) []string {
	dir, err := os.MkdirTemp("", "compose-lint-")
	if err != nil {
		return []string{err.Error()}
	}
	defer os.RemoveAll(dir)
	for name, data := range map[string][]byte{"docker-compose.yml": composeFile, ".env": envExample} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return []string{err.Error()}
		}
	}
	opts, err := cli.NewProjectOptions([]string{filepath.Join(dir, "docker-compose.yml")},
		cli.WithWorkingDirectory(dir), cli.WithName("mentorbot"))
	if err != nil {
		return []string{"docker-compose.yml: " + err.Error()}
	}
	project, err := opts.LoadProject(ctx)
	if err != nil {
		return []string{"docker-compose.yml does not load: " + err.Error()}
	}
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, "docker-compose.yml: "+fmt.Sprintf(format, args...))
	}
	for _, name := range project.ServiceNames() {
		svc := project.Services[name]
		if svc.Build == nil {
			if p := checkImage(svc.Image); p != "" {
				bad("service %s: image %s: %s", name, svc.Image, p)
			}
		}
	}
	bot, ok := project.Services["mentorbot"]
	if !ok {
		return append(problems, "docker-compose.yml: no mentorbot service")
	}
	if hc := bot.HealthCheck; hc == nil || hc.Disable || !slices.Contains(hc.Test, "healthcheck") {
		bad("service mentorbot: no healthcheck running `mentorbot healthcheck`")
	}
	if p := restartLoops(bot.Restart); p != "" {
		bad("service mentorbot: restart %q %s", bot.Restart, p)
	}
	if bot.StopGracePeriod == nil || *bot.StopGracePeriod < types.Duration(20_000_000_000) {
		bad("service mentorbot: stop_grace_period under the bot's 20 s shutdown grace")
	}
	if dep, ok := bot.DependsOn["redis"]; !ok || dep.Condition != types.ServiceConditionHealthy {
		bad("service mentorbot: does not wait for a healthy redis")
	}
	if redis, ok := project.Services["redis"]; ok {
		if !strings.Contains(strings.Join(redis.Command, " "), "--appendonly yes") {
			bad("service redis: no --appendonly yes: sign-ups and duos would not survive a restart")
		}
	}
	return problems
}

// restartLoops says why a restart policy would restart the bot forever after it
// exits with status 2 (a bad setting), or "".
func restartLoops(policy string) string {
	switch {
	case policy == "always", policy == "unless-stopped":
		return "restarts forever after exit status 2 (a bad setting): use on-failure:N"
	case policy == "on-failure":
		return "without a maximum restarts forever after exit status 2 (a bad setting): use on-failure:N"
	}
	return ""
}
