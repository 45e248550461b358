package sandbox

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func mustRenderer(t *testing.T) *Renderer {
	t.Helper()
	rd, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	return rd
}

type names map[string]string

func (n names) UserName(id string) string    { return n[id] }
func (n names) ChannelName(id string) string { return n[id] }

// everyKind holds one of every block and element type the issue lists (and the
// other inputs Slack has), each with a marker to find in the HTML.
const everyKind = `[
 {"type":"header","block_id":"h","text":{"type":"plain_text","text":"Header text"}},
 {"type":"section","block_id":"s","text":{"type":"mrkdwn","text":"*Bold* words"},
  "fields":[{"type":"mrkdwn","text":"Field one"},{"type":"plain_text","text":"Field two"}],
  "accessory":{"type":"overflow","action_id":"more","options":[{"text":{"type":"plain_text","text":"Overflow choice"},"value":"o1"}]}},
 {"type":"divider","block_id":"d"},
 {"type":"context","block_id":"c","elements":[{"type":"mrkdwn","text":"Context words"},{"type":"image","image_url":"https://example.org/a.png","alt_text":"context picture"}]},
 {"type":"image","block_id":"i","image_url":"https://example.org/b.png","alt_text":"block picture","title":{"type":"plain_text","text":"Image title"}},
 {"type":"actions","block_id":"a","elements":[
  {"type":"button","action_id":"go","text":{"type":"plain_text","text":"Go button"},"style":"primary","value":"v"},
  {"type":"button","action_id":"stop","text":{"type":"plain_text","text":"Stop button"},"style":"danger",
   "confirm":{"title":{"type":"plain_text","text":"Sure?"},"text":{"type":"mrkdwn","text":"Confirm text"},"confirm":{"type":"plain_text","text":"Yes, stop"},"deny":{"type":"plain_text","text":"No"}}},
  {"type":"static_select","action_id":"pick","placeholder":{"type":"plain_text","text":"Pick one"},"options":[{"text":{"type":"plain_text","text":"Static option"},"value":"s1"}]},
  {"type":"users_select","action_id":"who","placeholder":{"type":"plain_text","text":"Someone"}},
  {"type":"conversations_select","action_id":"where","placeholder":{"type":"plain_text","text":"Somewhere"}},
  {"type":"datepicker","action_id":"when","initial_date":"2026-10-01"}]},
 {"type":"input","block_id":"single","label":{"type":"plain_text","text":"Single line"},"element":{"type":"plain_text_input","action_id":"single","initial_value":"typed before"}},
 {"type":"input","block_id":"multi","label":{"type":"plain_text","text":"Multi line"},"hint":{"type":"plain_text","text":"A hint"},"element":{"type":"plain_text_input","action_id":"multi","multiline":true,"max_length":300}},
 {"type":"input","block_id":"sel","label":{"type":"plain_text","text":"Static"},"element":{"type":"static_select","action_id":"sel","options":[{"text":{"type":"plain_text","text":"First"},"value":"1"},{"text":{"type":"plain_text","text":"Second"},"value":"2"}],"initial_option":{"text":{"type":"plain_text","text":"Second"},"value":"2"}}},
 {"type":"input","block_id":"msel","optional":true,"label":{"type":"plain_text","text":"Multi static"},"element":{"type":"multi_static_select","action_id":"msel","options":[{"text":{"type":"plain_text","text":"Red"},"value":"red"},{"text":{"type":"plain_text","text":"Blue"},"value":"blue"}]}},
 {"type":"input","block_id":"user","label":{"type":"plain_text","text":"User"},"element":{"type":"users_select","action_id":"user","initial_user":"U2"}},
 {"type":"input","block_id":"users","label":{"type":"plain_text","text":"Users"},"element":{"type":"multi_users_select","action_id":"users"}},
 {"type":"input","block_id":"conv","label":{"type":"plain_text","text":"Conversation"},"element":{"type":"conversations_select","action_id":"conv"}},
 {"type":"input","block_id":"convs","label":{"type":"plain_text","text":"Conversations"},"element":{"type":"multi_conversations_select","action_id":"convs"}},
 {"type":"input","block_id":"chk","label":{"type":"plain_text","text":"Checkboxes"},"element":{"type":"checkboxes","action_id":"chk","options":[{"text":{"type":"mrkdwn","text":"*Tick* me"},"value":"t","description":{"type":"plain_text","text":"Box description"}}]}},
 {"type":"input","block_id":"rad","dispatch_action":true,"label":{"type":"plain_text","text":"Radio"},"element":{"type":"radio_buttons","action_id":"rad","options":[{"text":{"type":"plain_text","text":"Radio A"},"value":"a"},{"text":{"type":"plain_text","text":"Radio B"},"value":"b"}]}},
 {"type":"input","block_id":"day","label":{"type":"plain_text","text":"Day"},"element":{"type":"datepicker","action_id":"day"}},
 {"type":"input","block_id":"num","label":{"type":"plain_text","text":"Number"},"element":{"type":"number_input","action_id":"num","is_decimal_allowed":false,"min_value":"1"}},
 {"type":"input","block_id":"url","optional":true,"label":{"type":"plain_text","text":"Link"},"element":{"type":"url_text_input","action_id":"url"}},
 {"type":"input","block_id":"mail","optional":true,"label":{"type":"plain_text","text":"Mail"},"element":{"type":"email_text_input","action_id":"mail"}},
 {"type":"input","block_id":"time","optional":true,"label":{"type":"plain_text","text":"Time"},"element":{"type":"timepicker","action_id":"time","initial_time":"09:30"}}
]`

func TestRendererShowsEveryBlockKitType(t *testing.T) {
	rd := mustRenderer(t)
	sc := Scope{Modal: true, Names: names{}, Users: []Choice{{"U1", "Ann Example"}, {"U2", "Ben Example"}},
		Conversations: []Choice{{"C1", "#general"}}}
	got := rd.Blocks(json.RawMessage(everyKind), sc)
	if len(got.Unsupported) > 0 {
		t.Fatalf("unsupported: %v", got.Unsupported)
	}
	html := string(got.HTML)
	for _, want := range []struct{ what, marker string }{
		{"header", `<h3 class="blk header" data-block-id="h">Header text</h3>`},
		{"section mrkdwn", `<b>Bold</b> words`},
		{"section fields", `<div class="field">Field one</div><div class="field">Field two</div>`},
		{"overflow accessory", `data-act="overflow" data-value="o1">Overflow choice</button>`},
		{"divider", `<hr class="blk divider"`},
		{"context text", `<span class="ctx-el">Context words</span>`},
		{"context image, not loaded", `aria-label="context picture"`},
		{"image block, not loaded", `Image: block picture`},
		{"image title", `<figcaption>Image title</figcaption>`},
		{"primary button", `class="btn primary" data-act="click" data-block="a" data-action="go"`},
		{"danger button with a confirm dialog", `class="btn danger" data-act="click" data-block="a" data-action="stop" data-confirm=`},
		{"confirm dialog", `<dialog class="confirm"`},
		{"confirm text", `Confirm text`},
		{"confirm button", `Yes, stop</button>`},
		{"dispatching static select", `data-action="pick" data-act="change"`},
		{"users select lists people", `<option value="U1">Ann Example</option>`},
		{"conversations select lists channels", `<option value="C1">#general</option>`},
		{"datepicker with its initial date", `type="date" id="el-x" name="b.a.when" value="2026-10-01"`},
		{"single-line text with its initial value", `type="text" id="el-x" name="b.single.single" value="typed before"`},
		{"multi-line text", `<textarea class="text-input" id="el-x" name="b.multi.multi" rows="4" placeholder="" data-block="multi" data-action="multi" required maxlength="300">`},
		{"hint", `<div class="hint">A hint</div>`},
		{"static select with its initial option", `<option value="2" selected>Second</option>`},
		{"multi static select", `name="b.msel.msel" multiple`},
		{"users select with its initial user", `<option value="U2" selected>Ben Example</option>`},
		{"multi users select", `name="b.users.users" multiple`},
		{"conversations select", `name="b.conv.conv"`},
		{"multi conversations select", `name="b.convs.convs" multiple`},
		{"checkboxes with mrkdwn and description", `<input type="checkbox" name="b.chk.chk" value="t"> <span><b>Tick</b> me</span><span class="desc">Box description</span>`},
		{"dispatching radio buttons", `data-name="b.rad.rad" data-act="change"`},
		{"radio option", `<input type="radio" name="b.rad.rad" value="b" required> <span>Radio B</span>`},
		{"datepicker input", `type="date" id="el-x" name="b.day.day"`},
		{"number input", `type="number" id="el-x" name="b.num.num" value="" placeholder="" step="1" min="1"`},
		{"url input", `type="url" id="el-x" name="b.url.url"`},
		{"email input", `type="email" id="el-x" name="b.mail.mail"`},
		{"time picker", `type="time" id="el-x" name="b.time.time" value="09:30"`},
		{"optional label", `Multi static <span class="optional">(optional)</span>`},
		{"inline error slot", `<div class="field-error" data-error-for="single" role="alert"></div>`},
	} {
		if !strings.Contains(normalizeIDs(html), want.marker) {
			t.Errorf("%s: no %s in\n%s", want.what, want.marker, html)
		}
	}
}

// normalizeIDs replaces generated element ids ("el12") by "el-x".
func normalizeIDs(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, `id="el`)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i] + `id="el-x"`)
		s = s[i+len(`id="el`):]
		s = s[strings.IndexByte(s, '"')+1:]
	}
}

func TestRendererReportsWhatItCannotShow(t *testing.T) {
	rd := mustRenderer(t)
	got := rd.Blocks(json.RawMessage(`[
	 {"type":"table","block_id":"t"},
	 {"type":"actions","block_id":"a","elements":[{"type":"workflow_button","action_id":"w"}]},
	 {"type":"context","block_id":"c","elements":[{"type":"video"}]}]`), Scope{})
	if len(got.Unsupported) != 3 {
		t.Fatalf("unsupported = %v, want the table block, the workflow button and the context video", got.Unsupported)
	}
	if n := strings.Count(string(got.HTML), "The sandbox cannot show a Block Kit"); n != 3 {
		t.Errorf("%d visible notices, want 3 (nothing dropped silently):\n%s", n, got.HTML)
	}
	bad := rd.Blocks(json.RawMessage(`{"not":"an array"}`), Scope{})
	if len(bad.Unsupported) != 1 || !strings.Contains(string(bad.HTML), "cannot show") {
		t.Errorf("blocks that do not decode: %v / %s", bad.Unsupported, bad.HTML)
	}
}

func TestRendererShowsThePersonsChoicesOverInitialValues(t *testing.T) {
	rd := mustRenderer(t)
	state := map[string]map[string]stateEntry{}
	if err := json.Unmarshal([]byte(`{
	 "sel":{"sel":{"type":"static_select","selected_option":{"text":{"type":"plain_text","text":"First"},"value":"1"}}},
	 "single":{"single":{"type":"plain_text_input","value":"typed now"}}}`), &state); err != nil {
		t.Fatal(err)
	}
	html := string(rd.Blocks(json.RawMessage(everyKind), Scope{Modal: true, State: state}).HTML)
	for _, want := range []string{`<option value="1" selected>First</option>`, `value="typed now"`} {
		if !strings.Contains(html, want) {
			t.Errorf("no %s", want)
		}
	}
	for _, not := range []string{`<option value="2" selected>`, `value="typed before"`} {
		if strings.Contains(html, not) {
			t.Errorf("the initial value %s shows instead of the person's choice", not)
		}
	}
}

// TestRendererEscapesEverythingPeopleTyped puts markup into every text a person
// could have typed (names, needs, CV links, options…) and checks that none of it
// becomes markup in the page.
func TestRendererEscapesEverythingPeopleTyped(t *testing.T) {
	rd := mustRenderer(t)
	const evil = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`
	slackEscaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(evil)
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	blocks := `[
	 {"type":"section","block_id":"s1","text":{"type":"mrkdwn","text":` + q("Needs: "+slackEscaped) + `}},
	 {"type":"section","block_id":"s2","text":{"type":"plain_text","text":` + q(evil) + `},
	  "fields":[{"type":"mrkdwn","text":` + q(slackEscaped) + `}]},
	 {"type":"section","block_id":"s3","text":{"type":"mrkdwn","text":"<javascript:alert(3)|click me> <https://example.org/\"onmouseover=alert(4)|x> <data:text/html,hi|d>"}},
	 {"type":"header","block_id":"h","text":{"type":"plain_text","text":` + q(evil) + `}},
	 {"type":"context","block_id":"c","elements":[{"type":"mrkdwn","text":` + q(slackEscaped) + `},{"type":"image","image_url":` + q("javascript:alert(5)") + `,"alt_text":` + q(evil) + `}]},
	 {"type":"image","block_id":"i","image_url":` + q(`x" onerror="alert(6)`) + `,"alt_text":` + q(evil) + `},
	 {"type":"actions","block_id":"a","elements":[
	  {"type":"button","action_id":"b","text":{"type":"plain_text","text":` + q(evil) + `},"url":"javascript:alert(7)"},
	  {"type":"button","action_id":"c","text":{"type":"plain_text","text":"ok"},"confirm":{"title":{"type":"plain_text","text":` + q(evil) + `},"text":{"type":"mrkdwn","text":` + q(slackEscaped) + `}}},
	  {"type":"static_select","action_id":"s","options":[{"text":{"type":"plain_text","text":` + q(evil) + `},"value":` + q(evil) + `}]}]},
	 {"type":"input","block_id":` + q(`b"><script>`) + `,"label":{"type":"plain_text","text":` + q(evil) + `},
	  "element":{"type":"plain_text_input","action_id":"t","initial_value":` + q(evil) + `,"placeholder":{"type":"plain_text","text":` + q(evil) + `}}},
	 {"type":"input","block_id":"m","label":{"type":"plain_text","text":"m"},
	  "element":{"type":"plain_text_input","action_id":"m","multiline":true,"initial_value":` + q("</textarea>"+evil) + `}},
	 {"type":"input","block_id":"cb","label":{"type":"plain_text","text":"c"},
	  "element":{"type":"checkboxes","action_id":"cb","options":[{"text":{"type":"mrkdwn","text":` + q(slackEscaped) + `},"value":"v","description":{"type":"mrkdwn","text":` + q(slackEscaped) + `}}]}}
	]`
	got := rd.Blocks(json.RawMessage(blocks), Scope{Modal: true, Users: []Choice{{"U1", evil}}})
	if len(got.Unsupported) > 0 {
		t.Fatalf("unsupported: %v", got.Unsupported)
	}
	html := string(got.HTML)
	checkMarkup(t, html)
	// Slack's escapes are undone exactly once: the person's "<script>" reads as
	// text, not as "&lt;script&gt;".
	if !strings.Contains(html, "Needs: &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("mrkdwn text not shown as the person typed it:\n%s", html)
	}
}

var (
	tagRE  = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)([^<>]*)>`)
	attrRE = regexp.MustCompile(`\s([a-zA-Z-]+)(?:="([^"]*)")?`)
)

// checkMarkup fails unless every tag of html is one the renderer writes, no
// attribute is an event handler, and every link is http(s) or mailto. Text cannot
// hide a tag: escaped text has no "<".
func checkMarkup(t *testing.T, html string) {
	t.Helper()
	allowed := map[string]bool{}
	for _, tag := range strings.Fields("div span b i s code pre blockquote br a h3 h4 hr figure figcaption button dialog form select option fieldset label input textarea details summary") {
		allowed[tag] = true
	}
	if n := strings.Count(html, "<") - len(tagRE.FindAllString(html, -1)); n != 0 {
		t.Errorf("%d \"<\" outside tags: a tag was cut", n)
	}
	for _, m := range tagRE.FindAllStringSubmatch(html, -1) {
		if !allowed[strings.ToLower(m[2])] {
			t.Errorf("tag <%s> reached the page: %s", m[2], m[0])
		}
		for _, a := range attrRE.FindAllStringSubmatch(m[3], -1) {
			name, val := strings.ToLower(a[1]), strings.ToLower(a[2])
			if strings.HasPrefix(name, "on") || name == "style" || name == "src" {
				t.Errorf("attribute %s reached the page: %s", name, m[0])
			}
			if name == "href" && !(strings.HasPrefix(val, "https://") || strings.HasPrefix(val, "http://") || strings.HasPrefix(val, "mailto:") || strings.HasPrefix(val, "#")) {
				t.Errorf("link %q reached the page: %s", val, m[0])
			}
		}
	}
	if strings.Count(html, "<textarea") != strings.Count(html, "</textarea>") {
		t.Errorf("a </textarea> in a value closed the text area early")
	}
}

func TestMrkdwn(t *testing.T) {
	n := names{"U1": "Ann <Example>", "C1": "general"}
	for _, tc := range []struct{ in, want string }{
		{"*bold* _italic_ ~strike~", "<b>bold</b> <i>italic</i> <s>strike</s>"},
		{"a `code *not bold*` b", "a <code>code *not bold*</code> b"},
		{"```pre\n_x_```", "<pre>pre\n_x_</pre>"},
		{"> quoted\n> more\nafter", "<blockquote>quoted<br>more</blockquote><br>after"},
		{"line one\nline two", "line one<br>line two"},
		{"<https://example.org/a_b_c|the _site_>", `<a href="https://example.org/a_b_c" rel="noopener noreferrer" target="_blank">the _site_</a>`},
		{"<mailto:ann@example.org|mail>", `<a href="mailto:ann@example.org" rel="noopener noreferrer" target="_blank">mail</a>`},
		{"<https://example.org>", `<a href="https://example.org" rel="noopener noreferrer" target="_blank">https://example.org</a>`},
		{"hi <@U1>", `hi <span class="mention">@Ann &lt;Example&gt;</span>`},
		{"in <#C1>", `in <span class="mention">#general</span>`},
		{"in <#C9|random>", `in <span class="mention">#random</span>`},
		{"<!channel> <!here>", `<span class="mention">@channel</span> <span class="mention">@here</span>`},
		{"<!subteam^S1|@team>", `<span class="mention">@team</span>`},
		{"<!date^1700000000^{date}|Nov 14>", "Nov 14"},
		{"<javascript:alert(1)|x>", "&lt;javascript:alert(1)|x&gt;"},
		{"&lt;b&gt; &amp;amp;", "&lt;b&gt; &amp;amp;"},
		{"&amp;lt;", "&amp;lt;"},
		{"AT&amp;T", "AT&amp;T"},
		{"done :white_check_mark: at 12:00:30", "done ✅ at 12:00:30"},
		{"nul\x00000\x00 byte", "nul000 byte"},
		{"snake_case_word and 2*3*4", "snake_case_word and 2*3*4"},
	} {
		if got := string(Mrkdwn(tc.in, n)); got != tc.want {
			t.Errorf("Mrkdwn(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
