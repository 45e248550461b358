// Package lint checks mentorbot's packaging with the parsers of the tools that read
// it, since CI cannot pull images or reach a cluster: the Dockerfile with BuildKit's
// own parser and linter, docker-compose.yml with compose-go (the loader Compose uses,
// schema validation included), .env.example as both Compose and sh read it, and the
// Kubernetes manifests decoded strictly into the k8s.io/api types, unknown fields
// rejected. It is a module of its own so the bot's go.mod stays lean.
//
// Run it with `go test ./...` in .ci/lint (as .ci/run does). Each check returns the
// problems it finds, one sentence each; the tests run every check on the repository's
// files and on broken samples, so a check that stops catching its mistake fails too.
package lint
