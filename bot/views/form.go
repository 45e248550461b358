package views

import (
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Inputs of a modal use the same string as block_id and action_id, so that field
// errors keyed by field name land under the right input.

func input(id, label, hint string, el slack.BlockElement, optional bool) *slack.InputBlock {
	var h *slack.TextBlockObject
	if hint != "" {
		h = plain(hint)
	}
	b := slack.NewInputBlock(id, plain(label), h, el)
	b.Optional = optional
	return b
}

func options(opts []mentor.Option) []*slack.OptionBlockObject {
	out := make([]*slack.OptionBlockObject, len(opts))
	for i, o := range opts {
		out[i] = slack.NewOptionBlockObject(o.Value, plain(Truncate(o.Label, 75)), nil)
	}
	return out
}

func optionsOf(opts []mentor.Option, values []string) []*slack.OptionBlockObject {
	var out []*slack.OptionBlockObject
	for _, o := range options(opts) {
		for _, v := range values {
			if o.Value == v {
				out = append(out, o)
			}
		}
	}
	return out
}

func textInput(id, placeholder, initial string, multiline bool, maxLen int) *slack.PlainTextInputBlockElement {
	el := slack.NewPlainTextInputBlockElement(nil, id)
	if placeholder != "" {
		el.Placeholder = plain(placeholder)
	}
	el.InitialValue = initial
	el.Multiline = multiline
	if maxLen > 0 {
		el.MaxLength = maxLen
		// Slack refuses to open a form whose initial value is longer than its
		// limit: a value saved under an older, longer limit must not lock the
		// person out of their own form.
		el.InitialValue = Truncate(initial, maxLen)
	}
	return el
}

func datePicker(id, initial string) *slack.DatePickerBlockElement {
	el := slack.NewDatePickerBlockElement(id)
	el.InitialDate = initial
	return el
}

func numberInput(id string, initial int, set bool) *slack.NumberInputBlockElement {
	el := slack.NewNumberInputBlockElement(nil, id, false)
	if set {
		el.InitialValue = strconv.Itoa(initial)
	}
	return el
}

// State reads a submitted modal's values by block id (= action id).
type State struct {
	values map[string]map[string]slack.BlockAction
}

// StateOf wraps a view's state.
func StateOf(v slack.View) State {
	if v.State == nil {
		return State{}
	}
	return State{values: v.State.Values}
}

// get returns the value of input block id: its element's action id is usually id too,
// but any single element is accepted (the role radio has an action id of its own).
func (s State) get(id string) (slack.BlockAction, bool) {
	if a, ok := s.values[id][id]; ok {
		return a, true
	}
	for _, a := range s.values[id] {
		return a, true
	}
	return slack.BlockAction{}, false
}

// Text is a text or number input's value, trimmed.
func (s State) Text(id string) string {
	a, _ := s.get(id)
	return strings.TrimSpace(a.Value)
}

// Selected is a select's or radio group's chosen value.
func (s State) Selected(id string) string {
	a, _ := s.get(id)
	return a.SelectedOption.Value
}

// SelectedAll is a multi-select's or checkbox group's chosen values.
func (s State) SelectedAll(id string) []string {
	a, _ := s.get(id)
	var out []string
	for _, o := range a.SelectedOptions {
		out = append(out, o.Value)
	}
	return out
}

// Date is a date picker's value, "" when empty.
func (s State) Date(id string) string {
	a, _ := s.get(id)
	return a.SelectedDate
}

// Users is a multi users select's value.
func (s State) Users(id string) []string {
	a, _ := s.get(id)
	return a.SelectedUsers
}

// User is a users select's value, "" when empty.
func (s State) User(id string) string {
	a, _ := s.get(id)
	return a.SelectedUser
}

// Int reads a whole number; ok is false when the field is empty or not a number.
func (s State) Int(id string) (n int, ok bool) {
	v := s.Text(id)
	n, err := strconv.Atoi(v)
	return n, err == nil
}
