// Package telemetry holds mentorbot's Prometheus metrics. There is no global registry:
// each process (and each test) makes its own Metrics and serves its Registry.
package telemetry

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the counters and histograms the bot records.
type Metrics struct {
	Registry *prometheus.Registry

	// Envelopes counts Socket Mode envelopes received, by type (slash_commands,
	// interactive, events_api) and kind (view_submission, block_actions, event type…).
	Envelopes *prometheus.CounterVec
	// AckLatency is the time from reading an envelope to queueing its ack, in seconds.
	AckLatency prometheus.Histogram
	// HandlerErrors counts handler failures by route and outcome code (a panic is
	// "panic").
	HandlerErrors *prometheus.CounterVec
	// SlackCalls counts Web API calls by method; SlackErrors the failed ones by method
	// and Slack's error code (or HTTP status).
	SlackCalls  *prometheus.CounterVec
	SlackErrors *prometheus.CounterVec
	// SlackLatency is the duration of Web API calls by method, in seconds.
	SlackLatency *prometheus.HistogramVec
	// SlackRetries counts Web API calls sent again by the wrapper, by method and reason
	// ("5xx", "transport", "ratelimited"). Each attempt is also one of SlackCalls.
	SlackRetries *prometheus.CounterVec
	// SlackThrottled counts Web API calls held back by pacing or a 429 cooldown, by
	// method and outcome: "deferred" (background work told to come back later),
	// "waited" (a person's call waited out a short cooldown), "busy" (a person's call
	// refused at once: the cooldown outlasts the wait budget).
	SlackThrottled *prometheus.CounterVec
	// SocketConnected is 1 while a Socket Mode connection is up.
	SocketConnected prometheus.Gauge
	// Jobs counts attempts of durable jobs (nudges, duo openings, posts) by kind and
	// outcome: "done", "later" (postponed), "retry" (failed, retried with backoff),
	// "lost" (the claim ran out), "unrecorded" (Redis failed to record the outcome).
	Jobs *prometheus.CounterVec
}

// New creates the metrics on a fresh registry, with Go runtime and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		Envelopes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mentorbot_envelopes_total",
			Help: "Socket Mode envelopes received, by envelope type and kind.",
		}, []string{"type", "kind"}),
		AckLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "mentorbot_ack_latency_seconds",
			Help:    "Time from receiving an envelope to queueing its ack.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 3},
		}),
		HandlerErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mentorbot_handler_errors_total",
			Help: "Handler failures by route and error code (panic for recovered panics).",
		}, []string{"route", "code"}),
		SlackCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mentorbot_slack_api_calls_total",
			Help: "Slack Web API calls by method.",
		}, []string{"method"}),
		SlackErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mentorbot_slack_api_errors_total",
			Help: "Failed Slack Web API calls by method and error.",
		}, []string{"method", "error"}),
		SlackLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mentorbot_slack_api_duration_seconds",
			Help:    "Duration of Slack Web API calls by method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method"}),
		SlackRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mentorbot_slack_api_retries_total",
			Help: "Slack Web API calls sent again, by method and reason.",
		}, []string{"method", "reason"}),
		SlackThrottled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mentorbot_slack_api_throttled_total",
			Help: "Slack Web API calls held back by pacing or a rate-limit cooldown, by method and outcome.",
		}, []string{"method", "outcome"}),
		SocketConnected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "mentorbot_socket_connected",
			Help: "1 while the Socket Mode connection is up.",
		}),
		Jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mentorbot_jobs_total",
			Help: "Attempts of durable jobs (nudges, duo openings, posts), by kind and outcome.",
		}, []string{"kind", "outcome"}),
	}
	reg.MustRegister(m.Envelopes, m.AckLatency, m.HandlerErrors, m.SlackCalls, m.SlackErrors, m.SlackLatency,
		m.SlackRetries, m.SlackThrottled, m.SocketConnected, m.Jobs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
