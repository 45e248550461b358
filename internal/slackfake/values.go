package slackfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Value is what a person enters into one element of a view. Build it with
// Text, Number, Option, OptionValues, Date, TimeOfDay, UserID, UserIDs,
// ConversationID or ConversationIDs.
type Value struct {
	kind valueKind
	one  string
	many []string
}

type valueKind int

const (
	kindText valueKind = iota + 1
	kindNumber
	kindOption
	kindOptions
	kindDate
	kindTime
	kindUser
	kindUsers
	kindConversation
	kindConversations
)

func (k valueKind) String() string {
	return [...]string{"?", "Text", "Number", "Option", "OptionValues", "Date", "TimeOfDay", "UserID", "UserIDs",
		"ConversationID", "ConversationIDs"}[k]
}

// Values holds a person's entries by block_id, then action_id.
type Values map[string]map[string]Value

// Text is typed text for plain_text_input, url_text_input,
// email_text_input (and number_input).
func Text(s string) Value { return Value{kind: kindText, one: s} }

// Number is a number typed into a number_input, e.g. "3" or "2.5".
func Number(s string) Value { return Value{kind: kindNumber, one: s} }

// Option chooses the option with this value in a static_select,
// radio_buttons or overflow; the option's text is taken from the view.
func Option(value string) Value { return Value{kind: kindOption, one: value} }

// OptionValues chooses options by value in a multi_static_select or
// checkboxes (named so because Options is the server's configuration).
func OptionValues(values ...string) Value { return Value{kind: kindOptions, many: values} }

// Date picks a day ("2026-10-01") in a datepicker.
func Date(yyyymmdd string) Value { return Value{kind: kindDate, one: yyyymmdd} }

// TimeOfDay picks a time ("14:30") in a timepicker.
func TimeOfDay(hhmm string) Value { return Value{kind: kindTime, one: hhmm} }

// UserID picks a person in a users_select.
func UserID(id string) Value { return Value{kind: kindUser, one: id} }

// UserIDs picks people in a multi_users_select.
func UserIDs(ids ...string) Value { return Value{kind: kindUsers, many: ids} }

// ConversationID picks a channel in a conversations_select or
// channels_select.
func ConversationID(id string) Value { return Value{kind: kindConversation, one: id} }

// ConversationIDs picks channels in a multi_conversations_select or
// multi_channels_select.
func ConversationIDs(ids ...string) Value { return Value{kind: kindConversations, many: ids} }

// findOption returns the option with value among an element's options
// (option_groups included), as {"text","value"[,"description"]}.
func findOption(el map[string]any, value string) (map[string]any, bool) {
	for _, o := range allOptions(el) {
		if getStr(o, "value") == value {
			out := map[string]any{"text": o["text"], "value": value}
			if d, ok := o["description"]; ok {
				out["description"] = d
			}
			return out, true
		}
	}
	return nil, false
}

func allOptions(el map[string]any) []map[string]any {
	var out []map[string]any
	for _, o := range asArr(el["options"]) {
		out = append(out, asMap(o))
	}
	for _, g := range asArr(el["option_groups"]) {
		for _, o := range asArr(asMap(g)["options"]) {
			out = append(out, asMap(o))
		}
	}
	return out
}

func optionValues(el map[string]any) []string {
	var out []string
	for _, o := range allOptions(el) {
		out = append(out, getStr(o, "value"))
	}
	return out
}

// stateEntryLocked turns a Value into the state entry Slack reports for el,
// or explains why the value does not fit the element.
func (s *Server) stateEntryLocked(el map[string]any, v Value) (map[string]any, error) {
	typ := getStr(el, "type")
	entry := map[string]any{"type": typ}
	want := func(kinds ...valueKind) error {
		if slices.Contains(kinds, v.kind) {
			return nil
		}
		names := make([]string, len(kinds))
		for i, k := range kinds {
			names[i] = k.String()
		}
		return fmt.Errorf("a %s takes %s, not %s", typ, strings.Join(names, " or "), v.kind)
	}
	option := func(val string) (map[string]any, error) {
		o, ok := findOption(el, val)
		if !ok {
			return nil, fmt.Errorf("%q is not an option of this %s (options: %s)", val, typ, strings.Join(optionValues(el), ", "))
		}
		return o, nil
	}
	user := func(id string) error {
		if _, ok := s.users[id]; !ok {
			return fmt.Errorf("no user %s", id)
		}
		return nil
	}
	switch typ {
	case "plain_text_input", "url_text_input", "email_text_input":
		if err := want(kindText); err != nil {
			return nil, err
		}
		entry["value"] = v.one
	case "number_input":
		if err := want(kindNumber, kindText); err != nil {
			return nil, err
		}
		if _, err := strconv.ParseFloat(v.one, 64); err != nil {
			return nil, fmt.Errorf("%q is not a number", v.one)
		}
		if strings.Contains(v.one, ".") && !getBool(el, "is_decimal_allowed") {
			return nil, fmt.Errorf("%q has decimals but is_decimal_allowed is false", v.one)
		}
		entry["value"] = v.one
	case "static_select", "radio_buttons", "overflow":
		if err := want(kindOption); err != nil {
			return nil, err
		}
		o, err := option(v.one)
		if err != nil {
			return nil, err
		}
		entry["selected_option"] = o
	case "multi_static_select", "checkboxes":
		if err := want(kindOptions, kindOption); err != nil {
			return nil, err
		}
		vals := v.many
		if v.kind == kindOption {
			vals = []string{v.one}
		}
		opts := []map[string]any{}
		for _, val := range vals {
			o, err := option(val)
			if err != nil {
				return nil, err
			}
			opts = append(opts, o)
		}
		entry["selected_options"] = opts
	case "datepicker":
		if err := want(kindDate); err != nil {
			return nil, err
		}
		if _, err := time.Parse("2006-01-02", v.one); err != nil || !dateRE.MatchString(v.one) {
			return nil, fmt.Errorf("%q is not a YYYY-MM-DD date", v.one)
		}
		entry["selected_date"] = v.one
	case "timepicker":
		if err := want(kindTime); err != nil {
			return nil, err
		}
		if !timeRE.MatchString(v.one) {
			return nil, fmt.Errorf("%q is not an HH:mm time", v.one)
		}
		entry["selected_time"] = v.one
	case "users_select":
		if err := want(kindUser); err != nil {
			return nil, err
		}
		if err := user(v.one); err != nil {
			return nil, err
		}
		entry["selected_user"] = v.one
	case "multi_users_select":
		if err := want(kindUsers, kindUser); err != nil {
			return nil, err
		}
		ids := v.many
		if v.kind == kindUser {
			ids = []string{v.one}
		}
		for _, id := range ids {
			if err := user(id); err != nil {
				return nil, err
			}
		}
		entry["selected_users"] = append([]string{}, ids...)
	case "conversations_select", "channels_select":
		if err := want(kindConversation); err != nil {
			return nil, err
		}
		if _, ok := s.channels[v.one]; !ok {
			return nil, fmt.Errorf("no channel %s", v.one)
		}
		if typ == "channels_select" {
			entry["selected_channel"] = v.one
		} else {
			entry["selected_conversation"] = v.one
		}
	case "multi_conversations_select", "multi_channels_select":
		if err := want(kindConversations, kindConversation); err != nil {
			return nil, err
		}
		ids := v.many
		if v.kind == kindConversation {
			ids = []string{v.one}
		}
		for _, id := range ids {
			if _, ok := s.channels[id]; !ok {
				return nil, fmt.Errorf("no channel %s", id)
			}
		}
		if typ == "multi_channels_select" {
			entry["selected_channels"] = append([]string{}, ids...)
		} else {
			entry["selected_conversations"] = append([]string{}, ids...)
		}
	default:
		return nil, fmt.Errorf("a %s holds no value", typ)
	}
	return entry, nil
}

// initialEntry is the state Slack reports for an untouched element: its
// initial value, or empty (null or []).
func initialEntry(el map[string]any) map[string]any {
	typ := getStr(el, "type")
	entry := map[string]any{"type": typ}
	orNil := func(k string) any {
		if v, ok := el[k]; ok && v != nil {
			return v
		}
		return nil
	}
	orEmpty := func(k string) any {
		if v, ok := el[k].([]any); ok {
			return v
		}
		return []any{}
	}
	switch typ {
	case "plain_text_input", "url_text_input", "email_text_input", "number_input":
		entry["value"] = orNil("initial_value")
	case "static_select", "radio_buttons":
		entry["selected_option"] = orNil("initial_option")
	case "multi_static_select", "checkboxes":
		entry["selected_options"] = orEmpty("initial_options")
	case "datepicker":
		entry["selected_date"] = orNil("initial_date")
	case "timepicker":
		entry["selected_time"] = orNil("initial_time")
	case "users_select":
		entry["selected_user"] = orNil("initial_user")
	case "multi_users_select":
		entry["selected_users"] = orEmpty("initial_users")
	case "conversations_select":
		entry["selected_conversation"] = orNil("initial_conversation")
	case "channels_select":
		entry["selected_channel"] = orNil("initial_channel")
	case "multi_conversations_select":
		entry["selected_conversations"] = orEmpty("initial_conversations")
	case "multi_channels_select":
		entry["selected_channels"] = orEmpty("initial_channels")
	}
	return entry
}

// entryIsEmpty reports whether a state entry holds no choice.
func entryIsEmpty(entry map[string]any) bool {
	for k, v := range entry {
		if k == "type" {
			continue
		}
		switch t := v.(type) {
		case nil:
		case string:
			if t != "" {
				return false
			}
		case []any:
			if len(t) > 0 {
				return false
			}
		case []string:
			if len(t) > 0 {
				return false
			}
		case []map[string]any:
			if len(t) > 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// stateful reports whether an element keeps a value in view.state.
func stateful(el map[string]any) bool {
	switch getStr(el, "type") {
	case "button", "overflow", "image", "":
		return false
	}
	return true
}

// buildStateLocked computes view.state.values for a submission or an
// action in v: for every input block's element, the person's entry from
// inputs, else what they chose earlier in the view, else the element's
// initial value, else empty; other stateful elements appear once touched.
// It fails if inputs name a block or action that is not in the view or a
// value that does not fit its element. With requireInputs, a required
// input left empty or a text outside min/max_length is an error too: Slack's
// client does not let the person submit then.
func (s *Server) buildStateLocked(v *view, inputs Values, requireInputs bool) (map[string]map[string]any, error) {
	x, _ := decodeJSON(v.blocks)
	refs := elements(asArr(x))
	index := map[string]map[string]elementRef{}
	for _, ref := range refs {
		if index[ref.blockID] == nil {
			index[ref.blockID] = map[string]elementRef{}
		}
		index[ref.blockID][getStr(ref.el, "action_id")] = ref
	}
	for _, bid := range sortedKeys(inputs) {
		acts, ok := index[bid]
		if !ok {
			return nil, fmt.Errorf("slackfake: view %s has no block %q with an element (blocks: %s)", v.id, bid, strings.Join(sortedKeys(index), ", "))
		}
		for _, aid := range sortedKeys(inputs[bid]) {
			ref, ok := acts[aid]
			if !ok {
				return nil, fmt.Errorf("slackfake: block %q of view %s has no action_id %q (has: %s)", bid, v.id, aid, strings.Join(sortedKeys(acts), ", "))
			}
			if !stateful(ref.el) {
				return nil, fmt.Errorf("slackfake: %s.%s is a %s, which holds no value", bid, aid, getStr(ref.el, "type"))
			}
		}
	}
	values := map[string]map[string]any{}
	for _, ref := range refs {
		aid := getStr(ref.el, "action_id")
		var entry map[string]any
		if val, ok := inputs[ref.blockID][aid]; ok {
			e, err := s.stateEntryLocked(ref.el, val)
			if err != nil {
				return nil, fmt.Errorf("slackfake: %s.%s: %w", ref.blockID, aid, err)
			}
			entry = e
		} else if old, ok := v.state[ref.blockID][aid]; ok {
			_ = json.Unmarshal(old, &entry)
		} else if ref.inInput {
			entry = initialEntry(ref.el)
		} else {
			continue
		}
		if requireInputs && ref.inInput {
			if err := checkInput(ref, entry); err != nil {
				return nil, fmt.Errorf("slackfake: %s.%s: %w", ref.blockID, aid, err)
			}
		}
		if values[ref.blockID] == nil {
			values[ref.blockID] = map[string]any{}
		}
		values[ref.blockID][aid] = entry
	}
	return values, nil
}

// checkInput applies the checks Slack's client makes before it lets a
// person submit a modal.
func checkInput(ref elementRef, entry map[string]any) error {
	if entryIsEmpty(entry) {
		if !ref.optional {
			return fmt.Errorf("required input is empty; Slack's client does not let the person submit it (mark the block optional or give a value)")
		}
		return nil
	}
	if getStr(ref.el, "type") == "plain_text_input" {
		n := utf8.RuneCountInString(getStr(entry, "value"))
		if minL, ok := intField(ref.el, "min_length"); ok && n < minL {
			return fmt.Errorf("%d chars < min_length %d; Slack's client refuses it", n, minL)
		}
		if maxL, ok := intField(ref.el, "max_length"); ok && n > maxL {
			return fmt.Errorf("%d chars > max_length %d; Slack's client refuses it", n, maxL)
		}
	}
	return nil
}

// rememberStateLocked stores values as what the person chose in v.
func rememberStateLocked(v *view, values map[string]map[string]any) {
	st := map[string]map[string]json.RawMessage{}
	for b, acts := range values {
		st[b] = map[string]json.RawMessage{}
		for a, e := range acts {
			st[b][a] = mustJSON(e)
		}
	}
	v.state = st
}

func sortedKeys[V any](m map[string]V) []string {
	keys := slices.Collect(maps.Keys(m))
	sort.Strings(keys)
	return keys
}
