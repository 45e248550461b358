package sandbox

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"slices"
	"strings"
)

//go:embed web
var webFS embed.FS

// Choice is one entry of a users or conversations select.
type Choice struct{ Value, Label string }

// Renderer turns the bot's Block Kit into HTML. It is safe for concurrent use;
// everything it writes goes through html/template, except mrkdwn (see Mrkdwn).
type Renderer struct {
	tpl *template.Template
}

// NewRenderer parses the block templates.
func NewRenderer() (*Renderer, error) {
	tpl, err := template.New("blocks").ParseFS(webFS, "web/blocks.html")
	if err != nil {
		return nil, fmt.Errorf("sandbox: parse block templates: %w", err)
	}
	return &Renderer{tpl: tpl}, nil
}

// Scope says what a list of blocks belongs to, which decides how its elements act.
type Scope struct {
	// Modal: input blocks are fields of the modal's form, submitted together;
	// elements outside input blocks (and inputs with dispatch_action) act at once.
	Modal bool
	// State is the view's state (block_id → action_id → entry): what the person
	// chose so far, shown instead of the initial values.
	State map[string]map[string]stateEntry
	// Names resolves mentions; Users and Conversations fill the users and
	// conversations selects.
	Names         Namer
	Users         []Choice
	Conversations []Choice
	// IDPrefix makes the HTML ids of one rendering unique on the page.
	IDPrefix string
}

// Rendered is HTML of some blocks and the Block Kit types it could not show.
type Rendered struct {
	HTML        template.HTML
	Unsupported []string // e.g. "block \"table\"", "element \"workflow_button\" in blocks[2]"
}

type renderer struct {
	*Renderer
	Scope
	names       Namer
	unsupported []string
	seq         int
	lastID      string // HTML id of the last element rendered (the input's label points at it)
}

// Blocks renders a JSON array of blocks. Bad JSON is reported as unsupported and
// shown as such, never dropped silently.
func (rd *Renderer) Blocks(raw json.RawMessage, sc Scope) Rendered {
	r := &renderer{Renderer: rd, Scope: sc, names: sc.Names}
	if r.names == nil {
		r.names = idNames{}
	}
	blocks, err := decodeBlocks(raw)
	if err != nil {
		r.unsupported = append(r.unsupported, err.Error())
		return Rendered{HTML: r.exec("unsupported", "message (its blocks do not decode)"), Unsupported: r.unsupported}
	}
	parts := make([]template.HTML, 0, len(blocks))
	for i := range blocks {
		parts = append(parts, r.block(i, &blocks[i]))
	}
	return Rendered{HTML: joinHTML(parts), Unsupported: r.unsupported}
}

// View renders the blocks of a view object (as slackfake.View.Raw holds it), with
// the person's choices so far from its state.
func (rd *Renderer) View(raw json.RawMessage, sc Scope) Rendered {
	var doc viewDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		r := &renderer{Renderer: rd, Scope: sc, names: idNames{}}
		return Rendered{HTML: r.unknown("view (it does not decode: " + err.Error() + ")"), Unsupported: r.unsupported}
	}
	if sc.State == nil {
		sc.State = doc.State.Values
	}
	return rd.Blocks(doc.Blocks, sc)
}

// exec runs one named template; the result is trusted HTML because html/template
// escaped it.
func (r *renderer) exec(name string, data any) template.HTML {
	var b bytes.Buffer
	if err := r.tpl.ExecuteTemplate(&b, name, data); err != nil {
		r.unsupported = append(r.unsupported, fmt.Sprintf("template %s: %v", name, err))
		return ""
	}
	return template.HTML(b.String())
}

func (r *renderer) unknown(what string) template.HTML {
	r.unsupported = append(r.unsupported, what)
	return r.exec("unsupported", what)
}

type blockData struct {
	B         *block
	Text      template.HTML
	Fields    []template.HTML
	Accessory template.HTML
	Elements  []template.HTML
	Element   template.HTML
	Hint      template.HTML
	LabelFor  string
}

func (r *renderer) block(i int, b *block) template.HTML {
	name := "block-" + b.Type
	if r.tpl.Lookup(name) == nil {
		return r.unknown(fmt.Sprintf("block %q (blocks[%d])", b.Type, i))
	}
	d := blockData{B: b}
	switch b.Type {
	case "section":
		d.Text = r.text(b.Text)
		for j := range b.Fields {
			d.Fields = append(d.Fields, r.text(&b.Fields[j]))
		}
		if b.Accessory != nil {
			d.Accessory = r.element(b.BlockID, b.Accessory, false, true, false)
		}
	case "header":
		d.Text = r.text(b.Text)
	case "context":
		for j := range b.Elements {
			e := &b.Elements[j]
			switch e.Type {
			case "mrkdwn", "plain_text":
				d.Elements = append(d.Elements, r.text(&textObj{Type: e.Type, Text: e.textString()}))
			case "image":
				d.Elements = append(d.Elements, r.element(b.BlockID, e, false, false, false))
			default:
				d.Elements = append(d.Elements, r.unknown(fmt.Sprintf("context element %q (blocks[%d])", e.Type, i)))
			}
		}
	case "actions":
		for j := range b.Elements {
			d.Elements = append(d.Elements, r.element(b.BlockID, &b.Elements[j], false, true, false))
		}
	case "image":
		d.Text = r.text(b.Title)
	case "input":
		d.Text = r.text(b.Label)
		d.Hint = r.text(b.Hint)
		if b.Element == nil {
			return r.unknown(fmt.Sprintf("input block without an element (blocks[%d])", i))
		}
		d.Element = r.element(b.BlockID, b.Element, true, b.DispatchAction, !b.Optional)
		d.LabelFor = r.lastID
	case "rich_text":
		d.Text = PlainText(richText(b.Raw))
	}
	return r.exec(name, d)
}

type optData struct {
	Value, Label string
	Text, Desc   template.HTML
	Selected     bool
}

type confirmData struct {
	ID          string
	Title, Text template.HTML
	OK, Deny    template.HTML
	Style       string
}

type elementData struct {
	E            *element
	ID, Name     string
	Block        string
	Dispatch     bool
	Required     bool
	Label        template.HTML
	URL          string
	Placeholder  string
	Options      []optData
	HasSelection bool
	Value        string
	Confirm      *confirmData
}

// element renders one element of block blockID. inInput: it is an input block's
// element (a form field in a modal); dispatch: a change acts at once.
func (r *renderer) element(blockID string, e *element, inInput, dispatch, required bool) template.HTML {
	name := "el-" + e.Type
	if r.tpl.Lookup(name) == nil {
		return r.unknown(fmt.Sprintf("element %q (block %q)", e.Type, blockID))
	}
	r.seq++
	d := elementData{E: e, Block: blockID, Dispatch: dispatch, Required: required && inInput && r.Modal,
		ID: fmt.Sprintf("%sel%d", r.IDPrefix, r.seq), Placeholder: plain(e.Placeholder)}
	r.lastID = d.ID
	d.Name = "b." + blockID + "." + e.ActionID
	if t := e.textObject(); t != nil {
		d.Label = r.text(t)
	}
	if e.URL != "" {
		d.URL = e.URL
	}
	if e.Confirm != nil {
		c := e.Confirm
		d.Confirm = &confirmData{ID: d.ID + "-confirm", Title: r.text(c.Title), Text: r.text(c.Text),
			OK: r.text(c.Confirm), Deny: r.text(c.Deny), Style: c.Style}
		if d.Confirm.OK == "" {
			d.Confirm.OK = "Yes"
		}
		if d.Confirm.Deny == "" {
			d.Confirm.Deny = "Cancel"
		}
	}
	st, touched := r.State[blockID][e.ActionID]
	var chosen []string
	switch e.Type {
	case "static_select", "multi_static_select", "checkboxes", "radio_buttons", "overflow":
		chosen = selectedValues(e, st, touched)
		for _, o := range e.allOptions() {
			od := optData{Value: o.Value, Label: plain(&o.Text), Text: r.text(&o.Text), Desc: r.text(o.Description),
				Selected: slices.Contains(chosen, o.Value)}
			d.Options = append(d.Options, od)
		}
	case "users_select", "multi_users_select":
		chosen = pickIDs(touched, st.SelectedUser, st.SelectedUsers, e.InitialUser, e.InitialUsers)
		d.Options = choices(r.Users, chosen)
	case "conversations_select", "multi_conversations_select":
		chosen = pickIDs(touched, st.SelectedConversation, st.SelectedConversations, e.InitialConversation, e.InitialConversations)
		d.Options = choices(r.Conversations, chosen)
	case "channels_select", "multi_channels_select":
		chosen = pickIDs(touched, st.SelectedChannel, st.SelectedChannels, e.InitialChannel, e.InitialChannels)
		d.Options = choices(r.Conversations, chosen)
	case "plain_text_input", "url_text_input", "email_text_input", "number_input":
		d.Value = pick(touched, st.Value, e.InitialValue)
	case "datepicker":
		d.Value = pick(touched, st.SelectedDate, e.InitialDate)
	case "timepicker":
		d.Value = pick(touched, st.SelectedTime, e.InitialTime)
	}
	d.HasSelection = len(chosen) > 0
	return r.exec(name, d)
}

// selectedValues is what an option element shows as chosen: the person's choice
// once they made one, else the initial option(s).
func selectedValues(e *element, st stateEntry, touched bool) []string {
	var out []string
	if touched {
		if st.SelectedOption != nil {
			out = append(out, st.SelectedOption.Value)
		}
		for _, o := range st.SelectedOptions {
			out = append(out, o.Value)
		}
		return out
	}
	if e.InitialOption != nil {
		out = append(out, e.InitialOption.Value)
	}
	for _, o := range e.InitialOptions {
		out = append(out, o.Value)
	}
	return out
}

func pick(touched bool, state *string, initial string) string {
	if touched {
		if state == nil {
			return ""
		}
		return *state
	}
	return initial
}

func pickIDs(touched bool, one *string, many []string, initOne string, initMany []string) []string {
	if touched {
		if one != nil && *one != "" {
			return []string{*one}
		}
		return many
	}
	if initOne != "" {
		return []string{initOne}
	}
	return initMany
}

func choices(all []Choice, chosen []string) []optData {
	out := make([]optData, 0, len(all))
	for _, c := range all {
		out = append(out, optData{Value: c.Value, Label: c.Label, Text: PlainText(c.Label), Selected: slices.Contains(chosen, c.Value)})
	}
	return out
}

// richText collects the text leaves of a rich_text block.
func richText(raw json.RawMessage) string {
	var x any
	if json.Unmarshal(raw, &x) != nil {
		return ""
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if s, ok := t["text"].(string); ok && t["type"] == "text" {
				b.WriteString(s)
			}
			if s, ok := t["url"].(string); ok && t["type"] == "link" && t["text"] == nil {
				b.WriteString(s)
			}
			walk(t["elements"])
		case []any:
			for _, c := range t {
				walk(c)
			}
		}
	}
	walk(x)
	return b.String()
}

// idNames shows IDs when no Namer is given.
type idNames struct{}

func (idNames) UserName(id string) string    { return id }
func (idNames) ChannelName(id string) string { return id }
