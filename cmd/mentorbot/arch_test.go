package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestDependenciesPointInward keeps the layering of the README: the program's rules
// in internal/ know nothing of Slack, only the store knows go-redis, and the Slack
// side never reaches into the store.
func TestDependenciesPointInward(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	out, err := exec.Command("go", "list", "-deps=false", "-json", "github.com/mentorbot/mentorbot/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	const mod = "github.com/mentorbot/mentorbot/"
	for {
		var p struct {
			ImportPath string
			Deps       []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		deps, err := exec.Command("go", "list", "-f", `{{join .Deps "\n"}}`, p.ImportPath).Output()
		if err != nil {
			t.Fatalf("go list deps of %s: %v", p.ImportPath, err)
		}
		pkg := strings.TrimPrefix(p.ImportPath, mod)
		for _, d := range strings.Split(string(deps), "\n") {
			forbid := func(why string) { t.Errorf("%s imports %s: %s", pkg, d, why) }
			switch {
			case pkg == "internal/mentor" && strings.HasPrefix(d, mod):
				forbid("the vocabulary imports nothing of ours")
			case strings.HasPrefix(pkg, "internal/") && !strings.HasPrefix(pkg, "internal/slackfake") && strings.HasPrefix(d, "github.com/slack-go/"):
				forbid("the program's rules know nothing of Slack")
			case strings.HasPrefix(pkg, "internal/") && strings.HasPrefix(d, mod+"bot"):
				forbid("internal/ never depends on bot/")
			case strings.HasPrefix(d, "github.com/redis/go-redis") && pkg != "internal/redisstore" && pkg != "internal/redistest" && pkg != "cmd/mentorbot":
				forbid("only the store speaks go-redis")
			case strings.HasPrefix(pkg, "bot") && d == mod+"internal/redisstore":
				forbid("the Slack side reaches the store through the use cases")
			case pkg == "internal/slackfake" && d == "testing":
				forbid("the test server is an ordinary package (the sandbox runs it)")
			}
		}
	}
}
