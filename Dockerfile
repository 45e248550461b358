# syntax=docker/dockerfile:1
# Build a static binary, then ship it alone on a distroless base as a non-root user.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/mentorbot ./cmd/mentorbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/mentorbot /usr/local/bin/mentorbot
USER nonroot:nonroot
EXPOSE 8080
ENV MENTORBOT_HTTP_ADDR=:8080
ENTRYPOINT ["/usr/local/bin/mentorbot"]
CMD ["run"]
