package slackapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// okTransport answers every request at once, in memory, like a successful Slack call.
type okTransport struct{}

func (okTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(bytes.NewReader([]byte(`{"ok":true,"channel":"C1","ts":"1.2"}`))),
		Request:    req,
	}, nil
}

// BenchmarkTransport measures what the wrapper adds to one chat.postMessage, without
// the network: "bare" is the in-memory answer alone.
func BenchmarkTransport(b *testing.B) {
	body := url.Values{"token": {"xoxb-1"}, "channel": {"C1"}, "text": {strings.Repeat("hello ", 200)}}.Encode()
	newReq := func(ctx context.Context) *http.Request {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://slack.test/api/chat.postMessage", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}
	run := func(b *testing.B, rt http.RoundTripper, ctx context.Context) {
		b.ReportAllocs()
		for b.Loop() {
			resp, err := rt.RoundTrip(newReq(ctx))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, okTransport{}, context.Background()) })
	// Foreground: no pacing, so the frozen clock never holds a call back.
	b.Run("wrapped", func(b *testing.B) {
		r := newRig(b, nil, Config{APIURL: "http://slack.test/api/"}, false)
		r.tr.base = okTransport{}
		run(b, r.tr, context.Background())
	})
	// Background, with an unlimited pace for the method: pacing is on the path.
	b.Run("wrapped-background", func(b *testing.B) {
		r := newRig(b, nil, Config{APIURL: "http://slack.test/api/", Limits: map[string]Limit{postMessage: {Every: time.Nanosecond, Burst: 1 << 30}}}, false)
		r.tr.base = okTransport{}
		run(b, r.tr, Deferrable(context.Background()))
	})
}
