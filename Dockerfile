# Build a static binary, then ship it alone on a distroless base as a non-root user.
#
# Base images are named in full (registry/repository:tag): podman and buildah refuse
# short names such as golang:1.26. Tags are exact versions, moved on purpose (the
# distroless project publishes no version tags: pin its digest where you build, with
# @sha256:…). .ci/run checks this file with BuildKit's own parser.
#
# Multi-architecture: the build stage runs on the builder's platform and Go
# cross-compiles for TARGETOS/TARGETARCH, e.g.
#   docker buildx build --platform linux/amd64,linux/arm64 -t mentorbot .
FROM --platform=$BUILDPLATFORM docker.io/library/golang:1.26.8-bookworm AS build
ARG TARGETOS=linux
ARG TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
# Cache mounts keep downloaded modules and compiled packages between builds.
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/mentorbot ./cmd/mentorbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/mentorbot /usr/local/bin/mentorbot
USER nonroot:nonroot
EXPOSE 8080
ENV MENTORBOT_HTTP_ADDR=:8080
# Ready means Redis answers, Socket Mode is connected and the committee channel is
# usable (/readyz). The image has no shell or curl: the binary asks itself. It exits
# 1 when not ready, never 2, which Docker reserves.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/mentorbot", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/mentorbot"]
CMD ["run"]
