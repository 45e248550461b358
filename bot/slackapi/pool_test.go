package slackapi

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// A burst of calls to Slack reuses the connections of the burst before it: the
// client keeps enough idle connections to the one host it talks to, instead of the
// two of http.DefaultTransport.
func TestBurstsReuseConnections(t *testing.T) {
	var opened atomic.Int32
	release := make(chan struct{})
	var arrived sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Done()
		<-release
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	api, _ := NewWith(Config{BotToken: "xoxb-test", APIURL: srv.URL + "/api/"})
	const burst = 20
	for round := 0; round < 2; round++ {
		arrived.Add(burst)
		release = make(chan struct{})
		var done sync.WaitGroup
		for i := 0; i < burst; i++ {
			done.Add(1)
			go func() {
				defer done.Done()
				if _, err := api.AuthTest(); err != nil {
					t.Error(err)
				}
			}()
		}
		arrived.Wait() // all twenty in flight at once
		close(release)
		done.Wait()
	}
	if n := opened.Load(); n > burst {
		t.Fatalf("two bursts of %d calls opened %d connections; the second should reuse the first's", burst, n)
	}
}
