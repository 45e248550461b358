package main

import (
	"encoding/json"
	"testing"

	"github.com/mentorbot/mentorbot/internal/sandbox"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// checkSandboxRenders renders, with the sandbox's renderer, everything the bot
// sent in an end-to-end test (every view it opened, pushed, updated or published,
// every message it posted or updated, every ack carrying a message or a view) and
// fails the test on any Block Kit block or element the renderer does not handle:
// the sandbox must never drop something the bot sends. startBot runs it at the end
// of every end-to-end test, so each view builder is covered by the flows that use
// it.
func checkSandboxRenders(t testing.TB, fake *slackfake.Server) {
	t.Helper()
	rd, err := sandbox.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, r sandbox.Rendered) {
		t.Helper()
		for _, u := range r.Unsupported {
			t.Errorf("the sandbox cannot show %s: %s", what, u)
		}
	}
	// asJSON takes a parameter as the bot sent it: a JSON string in a form, or a
	// decoded value in a JSON body.
	asJSON := func(v any) json.RawMessage {
		if s, ok := v.(string); ok {
			return json.RawMessage(s)
		}
		b, _ := json.Marshal(v)
		return b
	}
	for _, c := range fake.AllCalls() {
		switch c.Method {
		case "views.open", "views.push", "views.update", "views.publish":
			if v, ok := c.Params["view"]; ok && c.OK {
				check(c.Method, rd.View(asJSON(v), sandbox.Scope{Modal: c.Method != "views.publish"}))
			}
		case "chat.postMessage", "chat.update", "chat.postEphemeral":
			if b, ok := c.Params["blocks"]; ok && c.OK {
				check(c.Method, rd.Blocks(asJSON(b), sandbox.Scope{}))
			}
		}
	}
	for _, e := range fake.Envelopes() {
		if len(e.AckPayload) == 0 {
			continue
		}
		var ack struct {
			Blocks json.RawMessage `json:"blocks"`
			View   json.RawMessage `json:"view"`
		}
		if json.Unmarshal(e.AckPayload, &ack) != nil {
			continue
		}
		if len(ack.Blocks) > 0 {
			check("ack of "+e.Kind, rd.Blocks(ack.Blocks, sandbox.Scope{}))
		}
		if len(ack.View) > 0 {
			check("ack of "+e.Kind, rd.View(ack.View, sandbox.Scope{Modal: true}))
		}
	}
	// What the workspace shows at the end, response_url answers included.
	for _, c := range fake.Channels() {
		for _, m := range fake.Messages(c.ID) {
			if m.BotID != "" && len(m.Blocks) > 0 {
				check("message in "+c.ID, rd.Blocks(m.Blocks, sandbox.Scope{}))
			}
		}
	}
	for _, u := range fake.Users() {
		for _, m := range fake.Ephemerals(u.ID) {
			if len(m.Blocks) > 0 {
				check("ephemeral to "+u.ID, rd.Blocks(m.Blocks, sandbox.Scope{}))
			}
		}
	}
}
