package slackfake

import (
	"math"
	"time"
)

// rateLimit admits at most n calls within any window of per, separately
// for each key (the channel parameter for per-channel limits, "" for a
// limit over all calls of a method). Times come from Options.Now.
type rateLimit struct {
	n     int
	per   time.Duration
	calls map[string][]time.Time // key → admitted calls still in the window, oldest first
}

// wait prunes key's window at now and returns how long until one more call
// is admitted (0: admitted now).
func (l *rateLimit) wait(key string, now time.Time) time.Duration {
	ts := l.calls[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.per {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.calls, key)
	} else {
		l.calls[key] = ts
	}
	if len(ts) < l.n {
		return 0
	}
	// The call that must leave the window for one more to fit.
	return l.per - now.Sub(ts[len(ts)-l.n])
}

// SetRateLimit lets at most n calls of method through within any window of
// per, measured with Options.Now (advance a settable clock instead of
// sleeping). Every admitted call counts, whatever its answer. A call beyond
// the limit gets HTTP 429 with Retry-After (the whole seconds, rounded up
// and at least 1, until the oldest call in the window leaves it) and
// {"ok":false,"error":"ratelimited"}, has no effect, does not count, and is
// recorded (Status 429, Fault "SetRateLimit"); slack-go turns it into a
// *slack.RateLimitedError. Calls failing authentication are not counted.
// Setting a limit again starts a fresh window; n <= 0 or per <= 0 removes
// the limit.
func (s *Server) SetRateLimit(method string, n int, per time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	setLimit(s.limits, method, n, per)
}

// SetRateLimitPerChannel is SetRateLimit counted separately for each value
// of the call's "channel" parameter, as given (a user ID is not resolved to
// its IM), like Slack's limit of about one chat.postMessage per second per
// channel. A call must pass both limits of its method, if both are set.
// Refused calls have Fault "SetRateLimitPerChannel".
func (s *Server) SetRateLimitPerChannel(method string, n int, per time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	setLimit(s.chanLimits, method, n, per)
}

func setLimit(m map[string]*rateLimit, method string, n int, per time.Duration) {
	if n <= 0 || per <= 0 {
		delete(m, method)
		return
	}
	m[method] = &rateLimit{n: n, per: per, calls: map[string][]time.Time{}}
}

// admitLocked applies r's rate limits: it returns 0, "" and counts the call
// when admitted, else the Retry-After seconds and the Call.Fault naming the
// limit that refused it.
func (s *Server) admitLocked(r *apiRequest) (int, string) {
	all, perChan := s.limits[r.method], s.chanLimits[r.method]
	if all == nil && perChan == nil {
		return 0, ""
	}
	now := s.now()
	channel := r.str("channel")
	var wait time.Duration
	by := ""
	if all != nil {
		if w := all.wait("", now); w > 0 {
			wait, by = w, "SetRateLimit"
		}
	}
	if perChan != nil {
		if w := perChan.wait(channel, now); w > wait {
			wait, by = w, "SetRateLimitPerChannel"
		}
	}
	if by != "" {
		return max(1, int(math.Ceil(wait.Seconds()))), by
	}
	if all != nil {
		all.calls[""] = append(all.calls[""], now)
	}
	if perChan != nil {
		perChan.calls[channel] = append(perChan.calls[channel], now)
	}
	return 0, ""
}
