package slackfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// This file holds helpers for Block Kit JSON handled generically (decoded
// into map[string]any with json.Number), so the fake keeps every field the
// bot sent, including ones slack-go does not model.

// decodeJSON decodes one JSON value, keeping numbers as json.Number.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after JSON value")
	}
	return v, nil
}

// mustJSON marshals v; the values marshalled here cannot fail.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("slackfake: marshal %T: %v", v, err))
	}
	return b
}

// isNullJSON reports whether raw is empty or JSON null.
func isNullJSON(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asArr(v any) []any          { a, _ := v.([]any); return a }

// getStr returns m[k] if it is a string.
func getStr(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// getBool returns m[k] if it is a bool.
func getBool(m map[string]any, k string) bool { b, _ := m[k].(bool); return b }

// textOf returns the "text" of a text object.
func textOf(v any) string { return getStr(asMap(v), "text") }

// collectText returns every "text" string of text objects found in a
// Block Kit tree, in document order.
func collectText(v any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if typ := getStr(t, "type"); typ == "plain_text" || typ == "mrkdwn" || typ == "text" {
				if s := getStr(t, "text"); s != "" {
					out = append(out, s)
				}
			}
			for _, k := range []string{"text", "title", "label", "hint", "fields", "elements", "accessory", "element", "options", "placeholder", "blocks", "submit", "close"} {
				if c, ok := t[k]; ok {
					if _, isStr := c.(string); !isStr {
						walk(c)
					}
				}
			}
		case []any:
			for _, c := range t {
				walk(c)
			}
		}
	}
	walk(v)
	return out
}

// elementRef is an interactive element found in a list of blocks.
type elementRef struct {
	blockIndex int
	blockID    string
	blockType  string
	// inInput: the element is an input block's element; dispatch: it
	// sends block_actions (outside input blocks, or with dispatch_action).
	inInput, dispatch, optional bool
	el                          map[string]any
	path                        string
}

// elements lists every element with an action_id in blocks: actions block
// elements, section accessories and input block elements.
func elements(blocks []any) []elementRef {
	var out []elementRef
	for i, b := range blocks {
		bm := asMap(b)
		bt, bid := getStr(bm, "type"), getStr(bm, "block_id")
		add := func(el any, path string, inInput, dispatch bool) {
			em := asMap(el)
			if em == nil {
				return
			}
			out = append(out, elementRef{blockIndex: i, blockID: bid, blockType: bt, inInput: inInput,
				dispatch: dispatch, optional: getBool(bm, "optional"), el: em, path: path})
		}
		switch bt {
		case "actions":
			for j, el := range asArr(bm["elements"]) {
				add(el, fmt.Sprintf("blocks[%d].elements[%d]", i, j), false, true)
			}
		case "section":
			if acc, ok := bm["accessory"]; ok {
				add(acc, fmt.Sprintf("blocks[%d].accessory", i), false, true)
			}
		case "input":
			add(bm["element"], fmt.Sprintf("blocks[%d].element", i), true, getBool(bm, "dispatch_action"))
		}
	}
	return out
}

// fillIDs gives every block a block_id and every element an action_id where
// the bot left them out, as Slack does (random short IDs, unique in the
// list), and returns the blocks re-encoded. Invalid JSON is returned as is.
func fillIDs(raw json.RawMessage) json.RawMessage {
	v, err := decodeJSON(raw)
	if err != nil {
		return raw
	}
	blocks := asArr(v)
	if blocks == nil {
		return raw
	}
	used := map[string]bool{}
	for _, b := range blocks {
		if id := getStr(asMap(b), "block_id"); id != "" {
			used[id] = true
		}
	}
	changed := false
	for _, b := range blocks {
		bm := asMap(b)
		if bm == nil {
			continue
		}
		if getStr(bm, "block_id") == "" {
			id := randAlnum(4)
			for used[id] {
				id = randAlnum(5)
			}
			used[id] = true
			bm["block_id"] = id
			changed = true
		}
	}
	for _, ref := range elements(blocks) {
		if typ := getStr(ref.el, "type"); typ == "" || typ == "image" {
			continue // images take no action_id
		}
		if _, ok := ref.el["action_id"]; !ok {
			ref.el["action_id"] = randAlnum(5)
			changed = true
		}
	}
	if !changed {
		return raw
	}
	return mustJSON(blocks)
}
