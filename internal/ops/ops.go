// Package ops serves the operator's endpoints: /healthz (the process is alive),
// /readyz (it can do its job: Redis answers and Slack is connected) and /metrics
// (Prometheus).
package ops

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one readiness check; a nil error means ready.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// Handler returns the routes of the operator's endpoints.
func Handler(reg *prometheus.Registry, checks ...Check) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", handleReady(checks))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return mux
}

// handleReady answers 200 when every check passes and 503 otherwise, naming the
// failing checks (never their secrets: checks return plain descriptions).
func handleReady(checks []Check) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		status := http.StatusOK
		results := map[string]string{}
		for _, c := range checks {
			if err := c.Run(ctx); err != nil {
				status = http.StatusServiceUnavailable
				results[c.Name] = err.Error()
			} else {
				results[c.Name] = "ok"
			}
		}
		state := "ready"
		if status != http.StatusOK {
			state = "not ready"
		}
		writeJSON(w, status, map[string]any{"status": state, "checks": results})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
