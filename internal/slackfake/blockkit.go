package slackfake

import (
	"encoding/json"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"
)

// Block Kit limits, from Slack's reference (see
// shared/docs/slack-platform.md, "Block Kit limits"). Lengths count
// characters (runes), as Slack does.
const (
	maxViewBlocks        = 100
	maxMessageBlocks     = 50
	maxViewBytes         = 250_000 // "250 kB"; the decimal reading is the stricter one
	maxAckFrameBytes     = 20 * 1024
	maxViewTitle         = 24 // title, submit, close
	maxPrivateMetadata   = 3000
	maxID                = 255 // callback_id, block_id, action_id, external_id
	maxSectionText       = 3000
	maxSectionFields     = 10
	maxSectionFieldText  = 2000
	maxHeaderText        = 150
	maxInputLabel        = 2000 // label and hint
	maxContextElements   = 10
	maxActionsElements   = 25
	maxButtonText        = 75
	maxButtonValue       = 2000
	maxURL               = 3000
	maxPlaceholder       = 150
	maxOptionText        = 75
	maxOptionValue       = 150
	maxOptionDescription = 75
	maxSelectOptions     = 100
	maxChoiceOptions     = 10 // checkboxes, radio_buttons
	maxAltText           = 2000
	maxTextInputLength   = 3000
)

// surface is where blocks are shown; some blocks are allowed only in some.
type surface int

const (
	surfaceModal surface = iota
	surfaceHome
	surfaceMessage
)

func (s surface) String() string {
	return [...]string{"modal", "home tab", "message"}[s]
}

// Element types allowed in each place.
var (
	selectTypes = []string{"static_select", "multi_static_select", "users_select", "multi_users_select",
		"conversations_select", "multi_conversations_select", "channels_select", "multi_channels_select"}
	actionsElementTypes = set(append([]string{"button", "overflow", "datepicker", "timepicker", "checkboxes",
		"radio_buttons"}, selectTypes...)...)
	accessoryElementTypes = set(append([]string{"button", "overflow", "datepicker", "timepicker", "checkboxes",
		"radio_buttons", "image"}, selectTypes...)...)
	inputElementTypes = set(append([]string{"plain_text_input", "datepicker", "timepicker", "checkboxes",
		"radio_buttons", "url_text_input", "email_text_input", "number_input"}, selectTypes...)...)
	knownElementTypes = set(append([]string{"button", "overflow", "datepicker", "timepicker", "checkboxes",
		"radio_buttons", "image", "plain_text_input", "url_text_input", "email_text_input", "number_input"},
		selectTypes...)...)
)

func set(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// ValidateView checks a modal or home tab view (the JSON object given to
// views.open, views.push, views.update, views.publish or a view_submission
// ack) against Slack's Block Kit limits. It returns one error per problem,
// each naming the JSON path ("blocks[3].text.text: 3121 chars > 3000"), or
// nil when the view is valid.
func ValidateView(raw json.RawMessage) []error {
	v := &validator{}
	if n := len(raw); n > maxViewBytes {
		v.errf("view", "%d bytes > %d", n, maxViewBytes)
	}
	x, err := decodeJSON(raw)
	if err != nil {
		return append(v.errs, fmt.Errorf("view: invalid JSON: %v", err))
	}
	m := asMap(x)
	if m == nil {
		return append(v.errs, fmt.Errorf("view: must be a JSON object"))
	}
	knownType := true
	switch typ := getStr(m, "type"); typ {
	case "modal":
		v.surface = surfaceModal
	case "home":
		v.surface = surfaceHome
	default:
		v.errf("type", "must be \"modal\" or \"home\", got %q", typ)
		v.surface, knownType = surfaceModal, false
	}
	if v.surface == surfaceModal && knownType {
		if t, ok := m["title"]; ok && t != nil {
			v.text("title", t, true, maxViewTitle)
		} else {
			v.errf("title", "required in a modal")
		}
		for _, k := range []string{"close", "submit"} {
			if t, ok := m[k]; ok && t != nil {
				v.text(k, t, true, maxViewTitle)
			}
		}
		if s, ok := m["submit"]; !ok || s == nil {
			for i, b := range asArr(m["blocks"]) {
				if getStr(asMap(b), "type") == "input" {
					v.errf("submit", "required because blocks[%d] is an input block", i)
					break
				}
			}
		}
	}
	v.optString(m, "private_metadata", maxPrivateMetadata)
	v.optString(m, "callback_id", maxID)
	v.optString(m, "external_id", maxID)
	v.blocks("blocks", m["blocks"], maxViewBlocks)
	return v.errs
}

// ValidateMessageBlocks checks the blocks of a message (a JSON array, as
// given to chat.postMessage's blocks, a response_url post or a slash command
// ack) against Slack's Block Kit limits. It returns one error per problem
// with its JSON path, or nil.
func ValidateMessageBlocks(raw json.RawMessage) []error {
	x, err := decodeJSON(raw)
	if err != nil {
		return []error{fmt.Errorf("blocks: invalid JSON: %v", err)}
	}
	v := &validator{surface: surfaceMessage}
	v.blocks("blocks", x, maxMessageBlocks)
	return v.errs
}

// validator accumulates Block Kit errors for one surface.
type validator struct {
	surface surface
	errs    []error
}

func (v *validator) errf(path, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

// maxLen checks a string's length in characters.
func (v *validator) maxLen(path, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		v.errf(path, "%d chars > %d", n, max)
	}
}

// optString checks m[k], when present, is a string of at most max chars.
func (v *validator) optString(m map[string]any, k string, max int) {
	x, ok := m[k]
	if !ok || x == nil {
		return
	}
	s, isStr := x.(string)
	if !isStr {
		v.errf(k, "must be a string")
		return
	}
	v.maxLen(k, s, max)
}

// text checks a text object: plain_text (or mrkdwn unless plainOnly), with
// a non-empty text of at most max chars (max 0: no limit).
func (v *validator) text(path string, x any, plainOnly bool, max int) {
	m := asMap(x)
	if m == nil {
		v.errf(path, "must be a text object")
		return
	}
	switch typ := getStr(m, "type"); typ {
	case "plain_text":
	case "mrkdwn":
		if plainOnly {
			v.errf(path+".type", "must be plain_text, not mrkdwn")
		}
	default:
		v.errf(path+".type", "unknown text type %q", typ)
	}
	t, ok := m["text"].(string)
	if !ok {
		v.errf(path+".text", "required")
		return
	}
	if t == "" {
		v.errf(path+".text", "must not be empty")
	}
	if max > 0 {
		v.maxLen(path+".text", t, max)
	}
}

// optText checks m[k] as a text object when present.
func (v *validator) optText(path string, m map[string]any, k string, plainOnly bool, max int) {
	if x, ok := m[k]; ok && x != nil {
		v.text(path+"."+k, x, plainOnly, max)
	}
}

func (v *validator) blocks(path string, x any, max int) {
	if x == nil {
		if v.surface != surfaceMessage {
			v.errf(path, "required")
		}
		return
	}
	arr, ok := x.([]any)
	if !ok {
		v.errf(path, "must be an array")
		return
	}
	if len(arr) > max {
		v.errf(path, "%d blocks > %d in a %s", len(arr), max, v.surface)
	}
	ids := map[string]int{}
	for i, b := range arr {
		v.block(fmt.Sprintf("%s[%d]", path, i), i, b, ids)
	}
}

func (v *validator) block(p string, i int, x any, ids map[string]int) {
	m := asMap(x)
	if m == nil {
		v.errf(p, "must be an object")
		return
	}
	if raw, ok := m["block_id"]; ok {
		if id, isStr := raw.(string); !isStr || id == "" {
			v.errf(p+".block_id", "must be a non-empty string")
		} else {
			v.maxLen(p+".block_id", id, maxID)
			if prev, dup := ids[id]; dup {
				v.errf(p+".block_id", "%q is also the block_id of blocks[%d]; block_id must be unique", id, prev)
			} else {
				ids[id] = i
			}
		}
	}
	switch typ := getStr(m, "type"); typ {
	case "section":
		text, hasText := m["text"]
		fields, hasFields := m["fields"]
		if !hasText && !hasFields {
			v.errf(p, "a section needs text or fields")
		}
		if hasText {
			v.text(p+".text", text, false, maxSectionText)
		}
		if hasFields {
			arr, ok := fields.([]any)
			switch {
			case !ok:
				v.errf(p+".fields", "must be an array")
			case len(arr) > maxSectionFields:
				v.errf(p+".fields", "%d fields > %d", len(arr), maxSectionFields)
			}
			for j, f := range arr {
				v.text(fmt.Sprintf("%s.fields[%d]", p, j), f, false, maxSectionFieldText)
			}
		}
		if acc, ok := m["accessory"]; ok {
			v.element(p+".accessory", acc, accessoryElementTypes, "a section accessory", nil)
		}
	case "divider":
	case "header":
		if t, ok := m["text"]; ok {
			v.text(p+".text", t, true, maxHeaderText)
		} else {
			v.errf(p+".text", "required")
		}
	case "context":
		arr, ok := m["elements"].([]any)
		switch {
		case !ok:
			v.errf(p+".elements", "required array")
		case len(arr) == 0:
			v.errf(p+".elements", "must not be empty")
		case len(arr) > maxContextElements:
			v.errf(p+".elements", "%d elements > %d", len(arr), maxContextElements)
		}
		for j, el := range arr {
			ep := fmt.Sprintf("%s.elements[%d]", p, j)
			switch getStr(asMap(el), "type") {
			case "image":
				v.element(ep, el, set("image"), "a context block", nil)
			default:
				v.text(ep, el, false, 0)
			}
		}
	case "actions":
		arr, ok := m["elements"].([]any)
		switch {
		case !ok:
			v.errf(p+".elements", "required array")
		case len(arr) == 0:
			v.errf(p+".elements", "must not be empty")
		case len(arr) > maxActionsElements:
			v.errf(p+".elements", "%d elements > %d", len(arr), maxActionsElements)
		}
		actionIDs := map[string]string{}
		for j, el := range arr {
			v.element(fmt.Sprintf("%s.elements[%d]", p, j), el, actionsElementTypes, "an actions block", actionIDs)
		}
	case "input":
		if v.surface != surfaceModal {
			v.errf(p+".type", "input blocks are allowed only in modals, not in a %s", v.surface)
		}
		if l, ok := m["label"]; ok {
			v.text(p+".label", l, true, maxInputLabel)
		} else {
			v.errf(p+".label", "required")
		}
		v.optText(p, m, "hint", true, maxInputLabel)
		if el, ok := m["element"]; ok {
			v.element(p+".element", el, inputElementTypes, "an input block", nil)
		} else {
			v.errf(p+".element", "required")
		}
	case "image":
		v.image(p, m, true)
	case "rich_text":
		if _, ok := m["elements"].([]any); !ok {
			v.errf(p+".elements", "required array")
		}
	case "":
		v.errf(p+".type", "required")
	default:
		v.errf(p+".type", "unknown block type %q", typ)
	}
}

// image checks an image block or element.
func (v *validator) image(p string, m map[string]any, block bool) {
	url, hasURL := m["image_url"].(string)
	_, hasFile := m["slack_file"]
	switch {
	case !hasURL && !hasFile:
		v.errf(p, "image_url or slack_file required")
	case hasURL:
		if url == "" {
			v.errf(p+".image_url", "must not be empty")
		}
		v.maxLen(p+".image_url", url, maxURL)
	}
	if alt, ok := m["alt_text"].(string); !ok || alt == "" {
		v.errf(p+".alt_text", "required")
	} else {
		v.maxLen(p+".alt_text", alt, maxAltText)
	}
	if block {
		v.optText(p, m, "title", true, maxAltText)
	}
}

var (
	dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	timeRE = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)
)

// element checks an interactive element allowed (by type) in where;
// actionIDs, when not nil, collects the block's action_ids for uniqueness.
func (v *validator) element(p string, x any, allowed map[string]bool, where string, actionIDs map[string]string) {
	m := asMap(x)
	if m == nil {
		v.errf(p, "must be an object")
		return
	}
	typ := getStr(m, "type")
	switch {
	case typ == "":
		v.errf(p+".type", "required")
		return
	case !knownElementTypes[typ]:
		v.errf(p+".type", "unknown element type %q", typ)
		return
	case !allowed[typ]:
		v.errf(p+".type", "%s is not allowed in %s", typ, where)
		return
	}
	if raw, ok := m["action_id"]; ok {
		id, isStr := raw.(string)
		if !isStr || id == "" {
			v.errf(p+".action_id", "must be a non-empty string")
		} else {
			v.maxLen(p+".action_id", id, maxID)
			if actionIDs != nil {
				if prev, dup := actionIDs[id]; dup {
					v.errf(p+".action_id", "%q is also the action_id of %s; action_id must be unique in a block", id, prev)
				} else {
					actionIDs[id] = p
				}
			}
		}
	}
	v.optText(p, m, "placeholder", true, maxPlaceholder)
	switch typ {
	case "button":
		if t, ok := m["text"]; ok {
			v.text(p+".text", t, true, maxButtonText)
		} else {
			v.errf(p+".text", "required")
		}
		if val, ok := m["value"].(string); ok {
			v.maxLen(p+".value", val, maxButtonValue)
		}
		if u, ok := m["url"].(string); ok {
			v.maxLen(p+".url", u, maxURL)
		}
		if st, ok := m["style"].(string); ok && st != "primary" && st != "danger" {
			v.errf(p+".style", "must be \"primary\" or \"danger\", got %q", st)
		}
		if c, ok := m["confirm"]; ok {
			v.confirm(p+".confirm", c)
		}
	case "static_select", "multi_static_select":
		opts := v.selectOptions(p, m)
		if typ == "static_select" {
			v.initialOption(p, m, opts)
		} else {
			v.initialOptions(p, m, opts)
			v.maxSelected(p, m)
		}
	case "multi_users_select", "multi_conversations_select", "multi_channels_select":
		v.maxSelected(p, m)
	case "overflow":
		arr, _ := m["options"].([]any)
		if len(arr) < 2 || len(arr) > 5 {
			v.errf(p+".options", "an overflow needs 2 to 5 options, got %d", len(arr))
		}
		for j, o := range arr {
			v.option(fmt.Sprintf("%s.options[%d]", p, j), o, true)
		}
	case "checkboxes", "radio_buttons":
		arr, ok := m["options"].([]any)
		switch {
		case !ok || len(arr) == 0:
			v.errf(p+".options", "required, at least 1")
		case len(arr) > maxChoiceOptions:
			v.errf(p+".options", "%d options > %d", len(arr), maxChoiceOptions)
		}
		var opts []map[string]any
		for j, o := range arr {
			v.option(fmt.Sprintf("%s.options[%d]", p, j), o, false)
			opts = append(opts, asMap(o))
		}
		if typ == "radio_buttons" {
			v.initialOption(p, m, opts)
		} else {
			v.initialOptions(p, m, opts)
		}
	case "datepicker":
		if d, ok := m["initial_date"].(string); ok {
			if _, err := time.Parse("2006-01-02", d); err != nil || !dateRE.MatchString(d) {
				v.errf(p+".initial_date", "%q is not a YYYY-MM-DD date", d)
			}
		}
	case "timepicker":
		if t, ok := m["initial_time"].(string); ok && !timeRE.MatchString(t) {
			v.errf(p+".initial_time", "%q is not an HH:mm time", t)
		}
	case "plain_text_input":
		minL, hasMin := intField(m, "min_length")
		maxL, hasMax := intField(m, "max_length")
		if hasMin && (minL < 0 || minL > maxTextInputLength) {
			v.errf(p+".min_length", "%d not in 0..%d", minL, maxTextInputLength)
		}
		if hasMax && (maxL < 1 || maxL > maxTextInputLength) {
			v.errf(p+".max_length", "%d not in 1..%d", maxL, maxTextInputLength)
		}
		if hasMin && hasMax && minL > maxL {
			v.errf(p+".min_length", "%d > max_length %d", minL, maxL)
		}
		if iv, ok := m["initial_value"].(string); ok && hasMax {
			v.maxLen(p+".initial_value", iv, maxL)
		}
	case "number_input":
		if _, ok := m["is_decimal_allowed"].(bool); !ok {
			v.errf(p+".is_decimal_allowed", "required boolean")
		}
	case "image":
		v.image(p, m, false)
	}
}

func intField(m map[string]any, k string) (int, bool) {
	switch n := m[k].(type) {
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	case float64:
		return int(n), true
	}
	return 0, false
}

func (v *validator) maxSelected(p string, m map[string]any) {
	if n, ok := intField(m, "max_selected_items"); ok && n < 1 {
		v.errf(p+".max_selected_items", "must be at least 1, got %d", n)
	}
}

// selectOptions checks a static select's options or option_groups and
// returns every option.
func (v *validator) selectOptions(p string, m map[string]any) []map[string]any {
	var all []map[string]any
	opts, hasOpts := m["options"]
	groups, hasGroups := m["option_groups"]
	switch {
	case hasOpts && hasGroups:
		v.errf(p, "options and option_groups are exclusive")
	case !hasOpts && !hasGroups:
		v.errf(p+".options", "required (or option_groups)")
	}
	if hasOpts {
		arr, _ := opts.([]any)
		if len(arr) > maxSelectOptions {
			v.errf(p+".options", "%d options > %d", len(arr), maxSelectOptions)
		}
		for j, o := range arr {
			v.option(fmt.Sprintf("%s.options[%d]", p, j), o, true)
			all = append(all, asMap(o))
		}
	}
	if hasGroups {
		arr, _ := groups.([]any)
		if len(arr) > maxSelectOptions {
			v.errf(p+".option_groups", "%d groups > %d", len(arr), maxSelectOptions)
		}
		for j, g := range arr {
			gp := fmt.Sprintf("%s.option_groups[%d]", p, j)
			gm := asMap(g)
			if l, ok := gm["label"]; ok {
				v.text(gp+".label", l, true, maxOptionText)
			} else {
				v.errf(gp+".label", "required")
			}
			garr, _ := gm["options"].([]any)
			if len(garr) > maxSelectOptions {
				v.errf(gp+".options", "%d options > %d", len(garr), maxSelectOptions)
			}
			for k, o := range garr {
				v.option(fmt.Sprintf("%s.options[%d]", gp, k), o, true)
				all = append(all, asMap(o))
			}
		}
	}
	return all
}

// option checks an option object; select and overflow options take
// plain_text only.
func (v *validator) option(p string, x any, plainOnly bool) {
	m := asMap(x)
	if m == nil {
		v.errf(p, "must be an option object")
		return
	}
	if t, ok := m["text"]; ok {
		v.text(p+".text", t, plainOnly, maxOptionText)
	} else {
		v.errf(p+".text", "required")
	}
	if val, ok := m["value"].(string); !ok || val == "" {
		v.errf(p+".value", "required")
	} else {
		v.maxLen(p+".value", val, maxOptionValue)
	}
	v.optText(p, m, "description", true, maxOptionDescription)
}

// initialOption checks that initial_option is one of the options.
func (v *validator) initialOption(p string, m map[string]any, opts []map[string]any) {
	if io, ok := m["initial_option"]; ok && io != nil {
		v.optionAmong(p+".initial_option", asMap(io), opts)
	}
}

func (v *validator) initialOptions(p string, m map[string]any, opts []map[string]any) {
	if ios, ok := m["initial_options"]; ok {
		for j, io := range asArr(ios) {
			v.optionAmong(fmt.Sprintf("%s.initial_options[%d]", p, j), asMap(io), opts)
		}
	}
}

// optionAmong checks that o matches one of opts by value and text, as Slack
// requires of initial options.
func (v *validator) optionAmong(p string, o map[string]any, opts []map[string]any) {
	val := getStr(o, "value")
	for _, c := range opts {
		if getStr(c, "value") == val {
			if textOf(c["text"]) != textOf(o["text"]) {
				v.errf(p+".text", "%q differs from the text %q of the option with value %q", textOf(o["text"]), textOf(c["text"]), val)
			}
			return
		}
	}
	v.errf(p+".value", "%q is not one of the element's options", val)
}

// confirm checks a confirmation dialog object.
func (v *validator) confirm(p string, x any) {
	m := asMap(x)
	if m == nil {
		v.errf(p, "must be a confirm object")
		return
	}
	for _, f := range []struct {
		k   string
		max int
	}{{"title", 100}, {"confirm", 30}, {"deny", 30}} {
		if t, ok := m[f.k]; ok {
			v.text(p+"."+f.k, t, true, f.max)
		} else {
			v.errf(p+"."+f.k, "required")
		}
	}
	if t, ok := m["text"]; ok {
		v.text(p+".text", t, false, 300)
	} else {
		v.errf(p+".text", "required")
	}
}

// validateMessagePayload checks the blocks of a message-shaped JSON payload
// ({"text":…,"blocks":[…]}); absent or null blocks are fine.
func validateMessagePayload(m map[string]any) []error {
	b, ok := m["blocks"]
	if !ok || b == nil {
		return nil
	}
	return ValidateMessageBlocks(mustJSON(b))
}
