package sandbox

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
)

// The Block Kit the renderer understands, decoded from the JSON the bot sent.

type textObj struct {
	Type string `json:"type"` // "plain_text" or "mrkdwn"
	Text string `json:"text"`
}

type option struct {
	Text        textObj  `json:"text"`
	Value       string   `json:"value"`
	Description *textObj `json:"description"`
}

type optionGroup struct {
	Label   textObj  `json:"label"`
	Options []option `json:"options"`
}

type confirmObj struct {
	Title   *textObj `json:"title"`
	Text    *textObj `json:"text"`
	Confirm *textObj `json:"confirm"`
	Deny    *textObj `json:"deny"`
	Style   string   `json:"style"`
}

// element is any block element; each type uses some of the fields.
type element struct {
	Type     string          `json:"type"`
	ActionID string          `json:"action_id"`
	Text     json.RawMessage `json:"text"` // a text object, or a string in a context block's text element
	Value    string          `json:"value"`
	URL      string          `json:"url"`
	Style    string          `json:"style"`
	Confirm  *confirmObj     `json:"confirm"`

	Placeholder    *textObj      `json:"placeholder"`
	Options        []option      `json:"options"`
	OptionGroups   []optionGroup `json:"option_groups"`
	InitialOption  *option       `json:"initial_option"`
	InitialOptions []option      `json:"initial_options"`

	InitialValue         string   `json:"initial_value"`
	InitialDate          string   `json:"initial_date"`
	InitialTime          string   `json:"initial_time"`
	InitialUser          string   `json:"initial_user"`
	InitialUsers         []string `json:"initial_users"`
	InitialConversation  string   `json:"initial_conversation"`
	InitialConversations []string `json:"initial_conversations"`
	InitialChannel       string   `json:"initial_channel"`
	InitialChannels      []string `json:"initial_channels"`

	Multiline        bool   `json:"multiline"`
	MinLength        int    `json:"min_length"`
	MaxLength        int    `json:"max_length"`
	IsDecimalAllowed bool   `json:"is_decimal_allowed"`
	MinValue         string `json:"min_value"`
	MaxValue         string `json:"max_value"`
	ImageURL         string `json:"image_url"`
	AltText          string `json:"alt_text"`
	Verbatim         bool   `json:"verbatim"`
	Emoji            bool   `json:"emoji"`
}

// textObject returns the element's text as a text object (buttons), or nil.
func (e *element) textObject() *textObj {
	var t textObj
	if len(e.Text) == 0 || json.Unmarshal(e.Text, &t) != nil {
		return nil
	}
	return &t
}

// textString returns the element's text when it is a plain string (context text).
func (e *element) textString() string {
	var s string
	_ = json.Unmarshal(e.Text, &s)
	return s
}

// allOptions lists the options, groups included.
func (e *element) allOptions() []option {
	out := append([]option(nil), e.Options...)
	for _, g := range e.OptionGroups {
		out = append(out, g.Options...)
	}
	return out
}

type block struct {
	Type           string          `json:"type"`
	BlockID        string          `json:"block_id"`
	Text           *textObj        `json:"text"`
	Fields         []textObj       `json:"fields"`
	Accessory      *element        `json:"accessory"`
	Elements       []element       `json:"elements"`
	Element        *element        `json:"element"`
	Label          *textObj        `json:"label"`
	Hint           *textObj        `json:"hint"`
	Optional       bool            `json:"optional"`
	DispatchAction bool            `json:"dispatch_action"`
	ImageURL       string          `json:"image_url"`
	AltText        string          `json:"alt_text"`
	Title          *textObj        `json:"title"`
	Raw            json.RawMessage `json:"-"`
}

// decodeBlocks decodes a JSON array of blocks, keeping each block's raw JSON.
func decodeBlocks(raw json.RawMessage) ([]block, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(raw, &raws); err != nil {
		return nil, fmt.Errorf("blocks: %w", err)
	}
	out := make([]block, 0, len(raws))
	for i, r := range raws {
		var b block
		if err := json.Unmarshal(r, &b); err != nil {
			return nil, fmt.Errorf("blocks[%d]: %w", i, err)
		}
		b.Raw = r
		out = append(out, b)
	}
	return out, nil
}

// viewDoc is the part of a view the renderer reads.
type viewDoc struct {
	ID     string          `json:"id"`
	Type   string          `json:"type"`
	Title  *textObj        `json:"title"`
	Submit *textObj        `json:"submit"`
	Close  *textObj        `json:"close"`
	Hash   string          `json:"hash"`
	Blocks json.RawMessage `json:"blocks"`
	State  struct {
		Values map[string]map[string]stateEntry `json:"values"`
	} `json:"state"`
}

// stateEntry is what a person chose in one element so far.
type stateEntry struct {
	Type                  string   `json:"type"`
	Value                 *string  `json:"value"`
	SelectedOption        *option  `json:"selected_option"`
	SelectedOptions       []option `json:"selected_options"`
	SelectedDate          *string  `json:"selected_date"`
	SelectedTime          *string  `json:"selected_time"`
	SelectedUser          *string  `json:"selected_user"`
	SelectedUsers         []string `json:"selected_users"`
	SelectedConversation  *string  `json:"selected_conversation"`
	SelectedConversations []string `json:"selected_conversations"`
	SelectedChannel       *string  `json:"selected_channel"`
	SelectedChannels      []string `json:"selected_channels"`
}

// text renders a text object: mrkdwn through Mrkdwn, plain_text as typed.
func (r *renderer) text(t *textObj) template.HTML {
	if t == nil {
		return ""
	}
	if t.Type == "mrkdwn" {
		return Mrkdwn(t.Text, r.names)
	}
	return PlainText(t.Text)
}

// plain returns a text object's words with mrkdwn markers left as they are, for
// places that take no markup (option labels, attributes).
func plain(t *textObj) string {
	if t == nil {
		return ""
	}
	if t.Type == "mrkdwn" {
		return unescapeSlack(t.Text)
	}
	return t.Text
}

// joinHTML concatenates pieces of HTML made by the renderer's templates.
func joinHTML(parts []template.HTML) template.HTML {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(string(p))
	}
	return template.HTML(b.String())
}
