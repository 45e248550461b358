package lint

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// root is the repository, two levels up.
const root = "../.."

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustClean(t *testing.T, problems []string) {
	t.Helper()
	for _, p := range problems {
		t.Error(p)
	}
}

// mustCatch checks that problems has one containing want.
func mustCatch(t *testing.T, label string, problems []string, want string) {
	t.Helper()
	for _, p := range problems {
		if strings.Contains(p, want) {
			return
		}
	}
	t.Errorf("%s: no problem containing %q; got %q", label, want, problems)
}

func TestTheDockerfilePassesBuildKitsParserAndLinter(t *testing.T) {
	mustClean(t, CheckDockerfile(read(t, "Dockerfile")))
	mustClean(t, CheckDockerignore(read(t, ".dockerignore")))
}

func TestTheComposeFileLoadsWithComposeGo(t *testing.T) {
	mustClean(t, CheckCompose(context.Background(), read(t, "docker-compose.yml"), read(t, ".env.example")))
}

func TestEnvExampleReadsTheSameInComposeAndSh(t *testing.T) {
	mustClean(t, CheckEnvExample(read(t, ".env.example")))
}

func TestTheKubernetesManifestsDecodeStrictly(t *testing.T) {
	mustClean(t, CheckK8s(filepath.Join(root, "manifests", "k8s")))
}

// The checks catch what they are for: each broken sample below is the repository's
// file with one mistake.

func TestDockerfileMistakesAreCaught(t *testing.T) {
	good := string(read(t, "Dockerfile"))
	for _, tc := range []struct{ label, from, to, want string }{
		{"short image name", "docker.io/library/golang:1.26.8-bookworm", "golang:1.26", "not fully qualified"},
		{"moving tag", "golang:1.26.8-bookworm", "golang:1.26", "is not an exact version"},
		{"no healthcheck", "HEALTHCHECK", "# HEALTHCHECK", "no HEALTHCHECK"},
		{"root", "USER nonroot:nonroot", "USER root", "runs as root"},
		{"no cross-compiling", "ARG TARGETARCH\n", "", "TARGETARCH"},
		{"lint rule", "AS build", "as build", "FromAsCasing"},
		{"unknown instruction", "WORKDIR /src", "WORKDIRR /src", "unknown instruction"},
	} {
		bad := strings.Replace(good, tc.from, tc.to, 1)
		if bad == good {
			t.Fatalf("%s: the sample did not change", tc.label)
		}
		mustCatch(t, tc.label, CheckDockerfile([]byte(bad)), tc.want)
	}
	noCache := strings.ReplaceAll(strings.ReplaceAll(good, "--mount=type=cache,target=/go/pkg/mod ", ""), "--mount=type=cache,target=/root/.cache/go-build ", "")
	mustCatch(t, "no cache mounts", CheckDockerfile([]byte(strings.ReplaceAll(noCache, "RUN --mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=cache,target=/root/.cache/go-build \\\n", "RUN "))), "no RUN --mount=type=cache")
	mustCatch(t, ".env not ignored", CheckDockerignore([]byte(".git\n")), ".env would be sent")
	mustCatch(t, ".git not ignored", CheckDockerignore([]byte(".env\n")), ".git/config would be sent")
	mustCatch(t, "sources ignored", CheckDockerignore([]byte(".env*\n.git\n**/*.go\n")), "main.go is left out")
}

func TestComposeMistakesAreCaught(t *testing.T) {
	good, env := string(read(t, "docker-compose.yml")), read(t, ".env.example")
	for _, tc := range []struct{ label, from, to, want string }{
		{"restart loop", "restart: on-failure:5", "restart: unless-stopped", "restarts forever after exit status 2"},
		{"short image", "docker.io/library/redis:7.4.5-alpine", "redis:7-alpine", "not fully qualified"},
		{"no healthcheck", `test: ["CMD", "/usr/local/bin/mentorbot", "healthcheck"]`, `test: ["NONE"]`, "no healthcheck"},
		{"unknown key", "stop_grace_period: 25s", "stop_grace_periode: 25s", "does not load"},
		{"no AOF", `"--appendonly", "yes", `, "", "no --appendonly yes"},
	} {
		bad := strings.Replace(good, tc.from, tc.to, 1)
		if bad == good {
			t.Fatalf("%s: the sample did not change", tc.label)
		}
		mustCatch(t, tc.label, CheckCompose(context.Background(), []byte(bad), env), tc.want)
	}
}

func TestEnvExampleMistakesAreCaught(t *testing.T) {
	mustCatch(t, "unquoted space", CheckEnvExample([]byte("# MENTORBOT_SWEEP_SCHEDULE=@every 1m\n")), "sh cannot source it")
	mustCatch(t, "differs", CheckEnvExample([]byte("A='x y' # c\nB=\"1\\n2\"\n")), "for sh")
}

func TestKubernetesMistakesAreCaught(t *testing.T) {
	for _, tc := range []struct{ label, file, from, to, want string }{
		{"unknown field", "deployment.yaml", "readinessProbe:", "readynessProbe:", `unknown field "readynessProbe"`},
		{"liveness on readyz", "deployment.yaml", "path: /healthz", "path: /readyz", "liveness probe is not GET /healthz"},
		{"token inline", "deployment.yaml", "valueFrom:\n                secretKeyRef:\n                  name: mentorbot-secrets\n                  key: SLACK_BOT_TOKEN", `value: "xoxb-123"`, "SLACK_BOT_TOKEN holds a token"},
		{"grace too short", "deployment.yaml", "terminationGracePeriodSeconds: 35", "terminationGracePeriodSeconds: 20", "exceed terminationGracePeriodSeconds"},
		{"one replica", "deployment.yaml", "replicas: 2", "replicas: 1", "want 2"},
		{"pdb selects nothing", "pdb.yaml", "app.kubernetes.io/name: mentorbot", "app.kubernetes.io/name: other", "does not select"},
		{"kustomization typo", "kustomization.yaml", "resources:", "resource:", "unknown field"},
	} {
		dir := t.TempDir()
		src := filepath.Join(root, "manifests", "k8s")
		ents, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		changed := false
		for _, e := range ents {
			b, _ := os.ReadFile(filepath.Join(src, e.Name()))
			if e.Name() == tc.file {
				nb := strings.Replace(string(b), tc.from, tc.to, 1)
				changed = nb != string(b)
				b = []byte(nb)
			}
			if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if !changed {
			t.Fatalf("%s: the sample did not change", tc.label)
		}
		mustCatch(t, tc.label, CheckK8s(dir), tc.want)
	}
}
