package lint

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

// commentedSetting is a commented-out setting of .env.example: "# NAME=value".
var commentedSetting = regexp.MustCompile(`^#\s*([A-Z][A-Z0-9_]*=.*)$`)

// CheckEnvExample reads src, with its commented-out settings uncommented as a person
// would, the way Compose reads an env_file and the way `set -a; . ./.env` does in sh,
// and reports every setting the two read differently (or that breaks sh).
func CheckEnvExample(src []byte) []string {
	var lines []string
	for _, l := range strings.Split(string(src), "\n") {
		if m := commentedSetting.FindStringSubmatch(l); m != nil {
			l = m[1]
		}
		lines = append(lines, l)
	}
	full := []byte(strings.Join(lines, "\n"))

	compose, err := dotenv.ParseWithLookup(bytes.NewReader(full), func(string) (string, bool) { return "", false })
	if err != nil {
		return []string{".env.example: Compose cannot read it: " + err.Error()}
	}
	shell, err := shellEnv(full)
	if err != nil {
		return []string{".env.example: " + err.Error()}
	}
	var problems []string
	keys := make([]string, 0, len(compose))
	for k := range compose {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if sv, ok := shell[k]; !ok || sv != compose[k] {
			problems = append(problems, fmt.Sprintf(".env.example: %s is %q for Compose but %q for sh: quote the value", k, compose[k], sv))
		}
	}
	return problems
}

// shellEnv sources src in sh with `set -a` in an empty environment and returns the
// variables it set. A line that breaks sh is an error.
func shellEnv(src []byte) (map[string]string, error) {
	dir, err := os.MkdirTemp("", "env-lint-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "env")
	if err := os.WriteFile(file, src, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command("sh", "-c", `set -e; set -a; . "$1"; set +a; env -0`, "sh", file)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		return nil, fmt.Errorf("sh cannot source it (set -a; . ./.env): %v %s", err, strings.TrimSpace(stderr.String()))
	}
	env := map[string]string{}
	for _, kv := range strings.Split(string(out), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env, nil
}
