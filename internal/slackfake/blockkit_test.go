package slackfake_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// Fragments for building Block Kit JSON in table tests.
func pt(s string) string { return fmt.Sprintf(`{"type":"plain_text","text":%q}`, s) }
func md(s string) string { return fmt.Sprintf(`{"type":"mrkdwn","text":%q}`, s) }
func x(n int) string     { return strings.Repeat("x", n) }
func option(text, value string) string {
	return fmt.Sprintf(`{"text":%s,"value":%q}`, pt(text), value)
}
func repeatJoin(s string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strings.ReplaceAll(s, "#", fmt.Sprint(i))
	}
	return strings.Join(parts, ",")
}

// modalJSON wraps blocks in a valid modal.
func modalJSON(blocks ...string) string {
	return `{"type":"modal","title":` + pt("Join") + `,"submit":` + pt("OK") + `,"blocks":[` + strings.Join(blocks, ",") + `]}`
}

func section(text string) string { return `{"type":"section","text":` + md(text) + `}` }
func input(id, element string) string {
	return `{"type":"input","block_id":"` + id + `","label":` + pt("Label") + `,"element":` + element + `}`
}
func actions(elements string) string { return `{"type":"actions","elements":[` + elements + `]}` }
func button(id, text, value string) string {
	return fmt.Sprintf(`{"type":"button","action_id":%q,"text":%s,"value":%q}`, id, pt(text), value)
}

func TestValidateViewLimits(t *testing.T) {
	sel := func(opts string, extra string) string {
		return `{"type":"static_select","action_id":"s","placeholder":` + pt("Pick") + `,"options":[` + opts + `]` + extra + `}`
	}
	for _, tc := range []struct {
		name, view, want string
	}{
		{"title", `{"type":"modal","title":` + pt(x(25)) + `,"blocks":[]}`, "title.text: 25 chars > 24"},
		{"no title", `{"type":"modal","blocks":[]}`, "title: required in a modal"},
		{"submit", `{"type":"modal","title":` + pt("T") + `,"submit":` + pt(x(25)) + `,"blocks":[]}`, "submit.text: 25 chars > 24"},
		{"close", `{"type":"modal","title":` + pt("T") + `,"close":` + pt(x(30)) + `,"blocks":[]}`, "close.text: 30 chars > 24"},
		{"submit required", `{"type":"modal","title":` + pt("T") + `,"blocks":[` + input("a", `{"type":"plain_text_input","action_id":"i"}`) + `]}`,
			"submit: required because blocks[0] is an input block"},
		{"title mrkdwn", `{"type":"modal","title":` + md("T") + `,"blocks":[]}`, "title.type: must be plain_text, not mrkdwn"},
		{"view type", `{"type":"workflow_step","blocks":[]}`, `type: must be "modal" or "home", got "workflow_step"`},
		{"private_metadata", `{"type":"modal","title":` + pt("T") + `,"private_metadata":"` + x(3001) + `","blocks":[]}`, "private_metadata: 3001 chars > 3000"},
		{"callback_id", `{"type":"modal","title":` + pt("T") + `,"callback_id":"` + x(256) + `","blocks":[]}`, "callback_id: 256 chars > 255"},
		{"external_id", `{"type":"modal","title":` + pt("T") + `,"external_id":"` + x(256) + `","blocks":[]}`, "external_id: 256 chars > 255"},
		{"101 blocks", modalJSON(repeatJoin(`{"type":"divider"}`, 101)), "blocks: 101 blocks > 100 in a modal"},
		{"duplicate block_id", modalJSON(`{"type":"divider","block_id":"a"}`, `{"type":"divider","block_id":"a"}`),
			`blocks[1].block_id: "a" is also the block_id of blocks[0]`},
		{"block_id", modalJSON(`{"type":"divider","block_id":"` + x(256) + `"}`), "blocks[0].block_id: 256 chars > 255"},
		{"section text", modalJSON(section("a"), section(x(3001))), "blocks[1].text.text: 3001 chars > 3000"},
		{"section empty", modalJSON(section("")), "blocks[0].text.text: must not be empty"},
		{"section nothing", modalJSON(`{"type":"section"}`), "blocks[0]: a section needs text or fields"},
		{"fields count", modalJSON(`{"type":"section","fields":[` + repeatJoin(md("f"), 11) + `]}`), "blocks[0].fields: 11 fields > 10"},
		{"field text", modalJSON(`{"type":"section","fields":[` + md(x(2001)) + `]}`), "blocks[0].fields[0].text: 2001 chars > 2000"},
		{"header text", modalJSON(`{"type":"header","text":` + pt(x(151)) + `}`), "blocks[0].text.text: 151 chars > 150"},
		{"header mrkdwn", modalJSON(`{"type":"header","text":` + md("h") + `}`), "blocks[0].text.type: must be plain_text, not mrkdwn"},
		{"input label", modalJSON(`{"type":"input","label":` + pt(x(2001)) + `,"element":{"type":"plain_text_input","action_id":"i"}}`),
			"blocks[0].label.text: 2001 chars > 2000"},
		{"input hint", modalJSON(`{"type":"input","label":` + pt("L") + `,"hint":` + pt(x(2001)) + `,"element":{"type":"plain_text_input","action_id":"i"}}`),
			"blocks[0].hint.text: 2001 chars > 2000"},
		{"input no element", modalJSON(`{"type":"input","label":` + pt("L") + `}`), "blocks[0].element: required"},
		{"input element type", modalJSON(input("a", button("b", "B", "v"))), "blocks[0].element.type: button is not allowed in an input block"},
		{"context count", modalJSON(`{"type":"context","elements":[` + repeatJoin(md("c"), 11) + `]}`), "blocks[0].elements: 11 elements > 10"},
		{"actions count", modalJSON(actions(repeatJoin(button("b#", "B", "v"), 26))), "blocks[0].elements: 26 elements > 25"},
		{"action_id unique", modalJSON(actions(button("b", "B", "1") + "," + button("b", "C", "2"))),
			`blocks[0].elements[1].action_id: "b" is also the action_id of blocks[0].elements[0]`},
		{"action_id", modalJSON(actions(button(x(256), "B", "v"))), "blocks[0].elements[0].action_id: 256 chars > 255"},
		{"button text", modalJSON(actions(button("b", x(76), "v"))), "blocks[0].elements[0].text.text: 76 chars > 75"},
		{"button value", modalJSON(actions(button("b", "B", x(2001)))), "blocks[0].elements[0].value: 2001 chars > 2000"},
		{"button style", modalJSON(actions(`{"type":"button","action_id":"b","text":` + pt("B") + `,"style":"big"}`)),
			`blocks[0].elements[0].style: must be "primary" or "danger", got "big"`},
		{"actions element type", modalJSON(actions(`{"type":"plain_text_input","action_id":"i"}`)),
			"blocks[0].elements[0].type: plain_text_input is not allowed in an actions block"},
		{"unknown element", modalJSON(actions(`{"type":"slider","action_id":"i"}`)), `blocks[0].elements[0].type: unknown element type "slider"`},
		{"unknown block", modalJSON(`{"type":"table"}`), `blocks[0].type: unknown block type "table"`},
		{"placeholder", modalJSON(input("a", `{"type":"plain_text_input","action_id":"i","placeholder":`+pt(x(151))+`}`)),
			"blocks[0].element.placeholder.text: 151 chars > 150"},
		{"option text", modalJSON(input("a", sel(option(x(76), "v"), ""))), "blocks[0].element.options[0].text.text: 76 chars > 75"},
		{"option value", modalJSON(input("a", sel(option("A", x(151)), ""))), "blocks[0].element.options[0].value: 151 chars > 150"},
		{"option mrkdwn", modalJSON(input("a", sel(`{"text":`+md("*A*")+`,"value":"a"}`, ""))),
			"blocks[0].element.options[0].text.type: must be plain_text, not mrkdwn"},
		{"select options", modalJSON(input("a", sel(repeatJoin(option("O", "v#"), 101), ""))), "blocks[0].element.options: 101 options > 100"},
		{"initial_option", modalJSON(input("a", sel(option("A", "a"), `,"initial_option":`+option("B", "b")))),
			`blocks[0].element.initial_option.value: "b" is not one of the element's options`},
		{"initial_option text", modalJSON(input("a", sel(option("A", "a"), `,"initial_option":`+option("Z", "a")))),
			`blocks[0].element.initial_option.text: "Z" differs from the text "A"`},
		{"checkboxes", modalJSON(input("a", `{"type":"checkboxes","action_id":"c","options":[`+repeatJoin(option("O", "v#"), 11)+`]}`)),
			"blocks[0].element.options: 11 options > 10"},
		{"initial_options", modalJSON(input("a", `{"type":"checkboxes","action_id":"c","options":[`+option("A", "a")+`],"initial_options":[`+option("B", "b")+`]}`)),
			`blocks[0].element.initial_options[0].value: "b" is not one of the element's options`},
		{"radio", modalJSON(input("a", `{"type":"radio_buttons","action_id":"r","options":[`+repeatJoin(option("O", "v#"), 11)+`]}`)),
			"blocks[0].element.options: 11 options > 10"},
		{"overflow", modalJSON(actions(`{"type":"overflow","action_id":"o","options":[` + option("A", "a") + `]}`)),
			"blocks[0].elements[0].options: an overflow needs 2 to 5 options, got 1"},
		{"datepicker", modalJSON(input("a", `{"type":"datepicker","action_id":"d","initial_date":"2026-02-30"}`)),
			`blocks[0].element.initial_date: "2026-02-30" is not a YYYY-MM-DD date`},
		{"max_length", modalJSON(input("a", `{"type":"plain_text_input","action_id":"i","max_length":3001}`)),
			"blocks[0].element.max_length: 3001 not in 1..3000"},
		{"number_input", modalJSON(input("a", `{"type":"number_input","action_id":"n"}`)),
			"blocks[0].element.is_decimal_allowed: required boolean"},
		{"image alt", modalJSON(`{"type":"image","image_url":"https://example.com/a.png"}`), "blocks[0].alt_text: required"},
		{"input in home", `{"type":"home","blocks":[` + input("a", `{"type":"plain_text_input","action_id":"i"}`) + `]}`,
			"blocks[0].type: input blocks are allowed only in modals, not in a home tab"},
		{"250 KB", modalJSON(repeatJoin(section(x(2600)), 99)), "view: 262860 bytes > 250000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := slackfake.ValidateView(json.RawMessage(tc.view))
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
				t.Errorf("errors = %v\nwant exactly one containing %q", errs, tc.want)
			}
		})
	}
}

func TestValidateMessageBlocks(t *testing.T) {
	if errs := slackfake.ValidateMessageBlocks(json.RawMessage(`[` + repeatJoin(section("s"), 50) + `]`)); errs != nil {
		t.Errorf("50 blocks: %v", errs)
	}
	for _, tc := range []struct{ blocks, want string }{
		{`[` + repeatJoin(section("s"), 51) + `]`, "blocks: 51 blocks > 50 in a message"},
		{`[` + input("a", `{"type":"plain_text_input","action_id":"i"}`) + `]`, "blocks[0].type: input blocks are allowed only in modals, not in a message"},
		{`{"type":"section"}`, "blocks: must be an array"},
		{`[{"type":"context","elements":[]}]`, "blocks[0].elements: must not be empty"},
	} {
		if errs := slackfake.ValidateMessageBlocks(json.RawMessage(tc.blocks)); len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
			t.Errorf("errors = %v\nwant one containing %q", errs, tc.want)
		}
	}
}

// A big view built with slack-go at (not over) many limits passes.
func TestValidateBigValidView(t *testing.T) {
	var blocks []slack.Block
	blocks = append(blocks, slack.NewHeaderBlock(txt(x(150))))
	var opts []*slack.OptionBlockObject
	for i := range 100 {
		opts = append(opts, opt(fmt.Sprintf("v%d", i), x(75)))
	}
	sel := slack.NewOptionsSelectBlockElement("static_select", txt(x(150)), "pick", opts...)
	sel.InitialOption = opts[42]
	blocks = append(blocks, slack.NewInputBlock("pick", txt(x(2000)), txt(x(2000)), sel))
	var fields []*slack.TextBlockObject
	for range 10 {
		fields = append(fields, slack.NewTextBlockObject("mrkdwn", x(2000), false, false))
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))
	var btns []slack.BlockElement
	for i := range 25 {
		btns = append(btns, slack.NewButtonBlockElement(fmt.Sprintf("b%d", i), x(2000), txt(x(75))))
	}
	blocks = append(blocks, slack.NewActionBlock("acts", btns...))
	var ctxEls []slack.MixedElement
	for range 10 {
		ctxEls = append(ctxEls, slack.NewTextBlockObject("mrkdwn", "c", false, false))
	}
	blocks = append(blocks, slack.NewContextBlock("ctx", ctxEls...))
	cb := slack.NewCheckboxGroupsBlockElement("checks", opts[:10]...)
	cb.InitialOptions = opts[2:4]
	blocks = append(blocks, slack.NewInputBlock("checks", txt("Checks"), nil, cb))
	for len(blocks) < 100 {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", x(1000), false, false), nil, nil))
	}
	view := slack.ModalViewRequest{Type: slack.VTModal, Title: txt(x(24)), Submit: txt(x(24)), Close: txt(x(24)),
		PrivateMetadata: x(3000), CallbackID: x(255), Blocks: slack.Blocks{BlockSet: blocks}}
	raw, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	if errs := slackfake.ValidateView(raw); errs != nil {
		t.Errorf("valid view rejected (%d bytes): %v", len(raw), errs)
	}
}
