package lint

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// CheckDockerfile parses src as BuildKit does (every lint rule on) and checks what the
// bot's image needs: fully qualified base images with exact tags, a cross-compiling
// build stage (TARGETOS/TARGETARCH), cache mounts, a non-root final stage whose
// HEALTHCHECK runs `mentorbot healthcheck`.
func CheckDockerfile(src []byte) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return []string{"Dockerfile does not parse: " + err.Error()}
	}
	for _, w := range res.Warnings {
		bad("Dockerfile: %s", w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, description, url, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		bad("Dockerfile:%d: %s: %s", line, rule, msg)
	}})
	stages, _, err := instructions.Parse(res.AST, lint)
	if err != nil {
		return append(problems, "Dockerfile: "+err.Error())
	}
	if len(stages) == 0 {
		return append(problems, "Dockerfile has no FROM")
	}
	var names []string
	for _, st := range stages {
		if !slices.Contains(names, st.BaseName) {
			if p := checkImage(st.BaseName); p != "" {
				bad("Dockerfile: FROM %s: %s", st.BaseName, p)
			}
		}
		if st.Name != "" {
			names = append(names, st.Name)
		}
	}

	build, final := stages[0], stages[len(stages)-1]
	args, cacheMounts := map[string]bool{}, 0
	for _, c := range build.Commands {
		switch c := c.(type) {
		case *instructions.ArgCommand:
			for _, a := range c.Args {
				args[a.Key] = true
			}
		case *instructions.RunCommand:
			// Mounts are read when BuildKit expands the command's words.
			if err := c.Expand(func(w string) (string, error) { return w, nil }); err != nil {
				bad("Dockerfile: RUN: %v", err)
				continue
			}
			for _, m := range instructions.GetMounts(c) {
				if m.Type == instructions.MountTypeCache {
					cacheMounts++
				}
			}
		}
	}
	if !args["TARGETOS"] || !args["TARGETARCH"] {
		bad("Dockerfile: the build stage declares no ARG TARGETOS and TARGETARCH: it cannot cross-compile for another platform")
	}
	if cacheMounts == 0 {
		bad("Dockerfile: no RUN --mount=type=cache: every build downloads and compiles everything again")
	}

	var user string
	var health *instructions.HealthCheckCommand
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.HealthCheckCommand:
			health = c
		}
	}
	if user == "" || user == "root" || strings.HasPrefix(user, "0") {
		bad("Dockerfile: the final stage runs as root (USER %q)", user)
	}
	if health == nil || health.Health == nil || !slices.Contains(health.Health.Test, "healthcheck") {
		bad("Dockerfile: the final stage has no HEALTHCHECK running `mentorbot healthcheck`")
	}
	return problems
}

// unversioned lists images whose publishers give no version tags: their tag is
// accepted (the Dockerfile says to pin the digest where the image is built).
var unversioned = map[string]bool{"gcr.io/distroless/static-debian12": true}

// exactVersion is a tag naming one release: 1.26.8-bookworm, 7.4.5-alpine.
var exactVersion = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+([-.+_][A-Za-z0-9.-]+)?$`)

// checkImage returns what is wrong with an image reference, or "": it must be fully
// qualified (podman and buildah refuse short names) with an exact version tag or a
// digest.
func checkImage(ref string) string {
	named, err := reference.ParseNamed(ref)
	if err != nil {
		if n, nerr := reference.ParseNormalizedNamed(ref); nerr == nil {
			return "not fully qualified (podman and buildah refuse short names): write " + n.String()
		}
		return "not an image reference: " + err.Error()
	}
	if _, ok := named.(reference.Digested); ok {
		return ""
	}
	tagged, ok := named.(reference.Tagged)
	switch {
	case !ok:
		return "no tag: name an exact version"
	case unversioned[named.Name()]:
		return ""
	case !exactVersion.MatchString(tagged.Tag()):
		return fmt.Sprintf("tag %q is not an exact version such as 1.26.8 or 7.4.5-alpine", tagged.Tag())
	}
	return ""
}

// CheckDockerignore checks that the build context leaves out the tokens (.env) and
// the repository's history (.git), as the Docker CLI and BuildKit read the file.
func CheckDockerignore(src []byte) []string {
	patterns, err := ignorefile.ReadAll(bytes.NewReader(src))
	if err != nil {
		return []string{".dockerignore: " + err.Error()}
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return []string{".dockerignore: " + err.Error()}
	}
	var problems []string
	for _, path := range []string{".env", ".env.local", ".git/config", ".git/HEAD"} {
		if ok, _ := pm.MatchesOrParentMatches(path); !ok {
			problems = append(problems, ".dockerignore: "+path+" would be sent to the builder")
		}
	}
	for _, path := range []string{"go.mod", "go.sum", "cmd/mentorbot/main.go", "internal/config/config.go", "bot/bot.go"} {
		if ok, _ := pm.MatchesOrParentMatches(path); ok {
			problems = append(problems, ".dockerignore: "+path+" is left out, but the build needs it")
		}
	}
	return problems
}
