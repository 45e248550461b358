package slackfake_test

import (
	"context"
	"sync"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/mentorbot/mentorbot/internal/slackfake"
	"github.com/mentorbot/mentorbot/internal/slackfake/slackfaketest"
)

// People and channels of the test workspace.
const (
	alice = "U01ALICE01"
	bob   = "U02BOB0002"
	carol = "U03CAROL03"
	bot   = "U07MNTRBOT"
)

// workspace starts a fake with Alice, Bob and Carol, a public #general with
// everyone, and a private duo channel of Alice, Bob and the bot.
func workspace(t *testing.T, opts ...func(*slackfake.Options)) (srv *slackfake.Server, general, duo string) {
	t.Helper()
	srv = slackfaketest.New(t, opts...)
	srv.AddUser(slackfake.User{ID: alice, Name: "alice", RealName: "Alice Example", TZ: "Europe/Berlin",
		TZLabel: "Central European Summer Time", TZOffset: 7200, Email: "alice@example.com"})
	srv.AddUser(slackfake.User{ID: bob, Name: "bob", RealName: "Bob Example", TZ: "America/New_York",
		TZLabel: "Eastern Daylight Time", TZOffset: -14400})
	srv.AddUser(slackfake.User{ID: carol, Name: "carol", RealName: "Carol Example"})
	g := slackfaketest.MustChannel(t, srv, slackfake.Channel{Name: "general", Members: []string{alice, bob, carol, bot}})
	d := slackfaketest.MustChannel(t, srv, slackfake.Channel{Name: "duo-alice-bob", Private: true, Members: []string{alice, bob, bot}})
	return srv, g.ID, d.ID
}

// apiClient is a real slack-go client pointed at the fake.
func apiClient(srv *slackfake.Server) *slack.Client {
	return slack.New("xoxb-test-token", slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken("xapp-test-token"))
}

// handler answers one Socket Mode event: ack decides whether to ack and
// payload is the ack payload (nil for none).
type handler func(evt socketmode.Event, api *slack.Client) (payload any, ack bool)

// testBot is a tiny bot on the real socketmode.Client: it hands every
// request to its handler and acks as the handler says. It records the
// client's own events (hello, connected, ...).
type testBot struct {
	api *slack.Client
	smc *socketmode.Client

	mu     sync.Mutex
	events []socketmode.Event // every event read from smc.Events
	h      handler
}

// startBot runs a bot until the test ends.
func startBot(t *testing.T, srv *slackfake.Server, h handler) *testBot {
	t.Helper()
	api := apiClient(srv)
	b := &testBot{api: api, smc: socketmode.New(api), h: h}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = b.smc.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-b.smc.Events:
				b.mu.Lock()
				b.events = append(b.events, evt)
				h := b.h
				b.mu.Unlock()
				if evt.Request == nil || evt.Type == socketmode.EventTypeHello {
					continue
				}
				payload, ack := any(nil), true
				if h != nil {
					payload, ack = h(evt, api)
				}
				if ack {
					if err := b.smc.Ack(*evt.Request, payload); err != nil {
						t.Errorf("ack: %v", err)
					}
				}
			}
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return b
}

// setHandler replaces the bot's handler.
func (b *testBot) setHandler(h handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.h = h
}

// seen returns the events of a type the bot read so far.
func (b *testBot) seen(typ socketmode.EventType) []socketmode.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []socketmode.Event
	for _, e := range b.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// connected starts a bot and waits for its connection.
func connected(t *testing.T, srv *slackfake.Server, h handler) *testBot {
	t.Helper()
	b := startBot(t, srv, h)
	if err := srv.WaitConnected(slackfaketest.Ctx(t), 1); err != nil {
		t.Fatalf("bot did not connect: %v", err)
	}
	return b
}

// capture is a thread-safe slot for what a handler saw.
type capture[T any] struct {
	mu  sync.Mutex
	got []T
}

func (c *capture[T]) add(v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, v)
}

func (c *capture[T]) all() []T {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]T(nil), c.got...)
}

func (c *capture[T]) last(t *testing.T) T {
	t.Helper()
	all := c.all()
	if len(all) == 0 {
		t.Fatalf("nothing captured")
	}
	return all[len(all)-1]
}
