package views_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// now is a November morning in the 2026–2027 cycle.
var now = time.Date(2026, time.November, 20, 10, 0, 0, 0, time.UTC)

// cycle is the 2026–2027 cycle the program usually runs.
func cycle() mentor.Cycle {
	c := mentor.DefaultCycle(now)
	c.ID = "c2026"
	return c
}

// doc is a view or a message's blocks, decoded from the JSON Slack would get.
type doc struct {
	raw    json.RawMessage
	root   any              // the decoded JSON
	blocks []map[string]any // its blocks
}

func decode(t *testing.T, raw json.RawMessage) doc {
	t.Helper()
	var root any
	if err := json.Unmarshal(raw, &root); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	d := doc{raw: raw, root: root}
	arr, _ := root.([]any)
	if m, ok := root.(map[string]any); ok {
		arr, _ = m["blocks"].([]any)
	}
	for _, b := range arr {
		d.blocks = append(d.blocks, b.(map[string]any))
	}
	return d
}

// mustValidView marshals a modal or home tab as views.open or views.publish would
// send it and fails the test with every problem Slack would reject it for.
func mustValidView(t *testing.T, v any) doc {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if errs := slackfake.ValidateView(raw); len(errs) > 0 {
		t.Fatalf("Slack would reject the view:\n%s", joinErrors(errs))
	}
	return decode(t, raw)
}

// mustValidMessage marshals a message's blocks as chat.postMessage would send them
// and fails the test with every problem Slack would reject them for.
func mustValidMessage(t *testing.T, msg views.Message) doc {
	t.Helper()
	if strings.TrimSpace(msg.Text) == "" {
		t.Fatal("message has no notification text")
	}
	raw, err := json.Marshal(msg.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if errs := slackfake.ValidateMessageBlocks(raw); len(errs) > 0 {
		t.Fatalf("Slack would reject the message:\n%s", joinErrors(errs))
	}
	if len(msg.Blocks) == 0 {
		t.Fatal("message has no blocks")
	}
	return decode(t, raw)
}

func joinErrors(errs []error) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  %v\n", e)
	}
	return b.String()
}

// block returns the block with block_id id, failing if there is none.
func (d doc) block(t *testing.T, id string) map[string]any {
	t.Helper()
	for _, b := range d.blocks {
		if b["block_id"] == id {
			return b
		}
	}
	t.Fatalf("no block %q among %v", id, d.blockIDs())
	return nil
}

func (d doc) has(id string) bool {
	for _, b := range d.blocks {
		if b["block_id"] == id {
			return true
		}
	}
	return false
}

func (d doc) blockIDs() []string {
	var ids []string
	for _, b := range d.blocks {
		id, _ := b["block_id"].(string)
		ids = append(ids, id)
	}
	return ids
}

// strings returns every string in the JSON, keys excluded, decoded.
func (d doc) strings() []string {
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch v := x.(type) {
		case string:
			out = append(out, v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(d.root)
	return out
}

// text is every string of the JSON, one a line: for "is it shown" checks.
func (d doc) text() string { return strings.Join(d.strings(), "\n") }

// mrkdwn returns the text of every mrkdwn text object: what Slack parses for
// mentions and links.
func (d doc) mrkdwn() []string {
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch v := x.(type) {
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			if v["type"] == "mrkdwn" {
				s, _ := v["text"].(string)
				out = append(out, s)
			}
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(d.root)
	return out
}

// actionIDs lists the action ids of the elements of block b (an actions block, a
// section's accessory or an input's element).
func actionIDs(b map[string]any) []string {
	var out []string
	add := func(x any) {
		if m, ok := x.(map[string]any); ok {
			if id, ok := m["action_id"].(string); ok {
				out = append(out, id)
			}
		}
	}
	if els, ok := b["elements"].([]any); ok {
		for _, el := range els {
			add(el)
		}
	}
	add(b["accessory"])
	add(b["element"])
	return out
}

// element returns the element of block b with action id id.
func element(t *testing.T, b map[string]any, id string) map[string]any {
	t.Helper()
	var els []any
	if e, ok := b["elements"].([]any); ok {
		els = e
	}
	els = append(els, b["accessory"], b["element"])
	for _, x := range els {
		if m, ok := x.(map[string]any); ok && m["action_id"] == id {
			return m
		}
	}
	t.Fatalf("block %v has no element %q", b["block_id"], id)
	return nil
}

// textOf returns the text of a text object field (e.g. a section's "text").
func textOf(m map[string]any, field string) string {
	o, _ := m[field].(map[string]any)
	s, _ := o["text"].(string)
	return s
}

func mustContain(t *testing.T, s, want string) {
	t.Helper()
	if !strings.Contains(s, want) {
		t.Fatalf("%q does not contain %q", s, want)
	}
}

// submitted is what a person enters in a modal input, by block id: a string for a
// text input, a number, a date or a single choice; a []string for checkboxes,
// multi-selects and people.
type submitted map[string]any

// submit returns the view Slack sends back in a view_submission for modal m with
// the entries typed: every input block's current value under
// state.values[block_id][action_id], initial values for untouched inputs, as Slack
// does. It fails on an entry for a block the modal does not have.
func submit(t *testing.T, m *slack.ModalViewRequest, entries submitted) slack.View {
	t.Helper()
	d := mustValidView(t, m)
	values := map[string]map[string]any{}
	used := map[string]bool{}
	for _, b := range d.blocks {
		if b["type"] != "input" {
			continue
		}
		id := b["block_id"].(string)
		el := b["element"].(map[string]any)
		typ, action := el["type"].(string), el["action_id"].(string)
		entry, typed := entries[id]
		used[id] = typed
		option := func(value string) map[string]any {
			for _, o := range el["options"].([]any) {
				if o.(map[string]any)["value"] == value {
					return o.(map[string]any)
				}
			}
			t.Fatalf("input %q has no option %q", id, value)
			return nil
		}
		v := map[string]any{"type": typ}
		switch typ {
		case "plain_text_input", "number_input":
			v["value"] = nil
			if iv, ok := el["initial_value"]; ok {
				v["value"] = iv
			}
			if typed {
				v["value"] = entry.(string)
			}
		case "static_select", "radio_buttons":
			v["selected_option"] = nil
			if io, ok := el["initial_option"]; ok {
				v["selected_option"] = io
			}
			if typed {
				v["selected_option"] = option(entry.(string))
			}
		case "checkboxes", "multi_static_select":
			v["selected_options"] = []any{}
			if io, ok := el["initial_options"]; ok {
				v["selected_options"] = io
			}
			if typed {
				var opts []any
				for _, value := range entry.([]string) {
					opts = append(opts, option(value))
				}
				v["selected_options"] = opts
			}
		case "datepicker":
			v["selected_date"] = nil
			if io, ok := el["initial_date"]; ok {
				v["selected_date"] = io
			}
			if typed {
				v["selected_date"] = entry.(string)
			}
		case "users_select":
			v["selected_user"] = nil
			if io, ok := el["initial_user"]; ok {
				v["selected_user"] = io
			}
			if typed {
				v["selected_user"] = entry.(string)
			}
		case "multi_users_select":
			v["selected_users"] = []string{}
			if io, ok := el["initial_users"]; ok {
				v["selected_users"] = io
			}
			if typed {
				v["selected_users"] = entry.([]string)
			}
		default:
			t.Fatalf("input %q has an element type %q this helper does not know", id, typ)
		}
		values[id] = map[string]any{action: v}
	}
	for id := range entries {
		if !used[id] {
			t.Fatalf("the modal has no input %q (inputs: %v)", id, d.blockIDs())
		}
	}
	payload, err := json.Marshal(map[string]any{
		"id": "V0TEST", "type": "modal", "callback_id": m.CallbackID,
		"private_metadata": m.PrivateMetadata, "state": map[string]any{"values": values},
	})
	if err != nil {
		t.Fatal(err)
	}
	var v slack.View
	if err := json.Unmarshal(payload, &v); err != nil {
		t.Fatalf("decode the submission as slack-go does: %v", err)
	}
	return v
}

// mustFieldErrors returns err as FieldErrors, failing the test if it is anything else.
func mustFieldErrors(t *testing.T, err error) mentor.FieldErrors {
	t.Helper()
	fe, ok := err.(mentor.FieldErrors)
	if !ok {
		t.Fatalf("got %T (%v), want mentor.FieldErrors", err, err)
	}
	return fe
}
