package sandbox

import (
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"
)

// This file turns Slack mrkdwn into HTML. It is the one place of the sandbox that
// writes HTML by hand instead of through html/template, so every piece of text goes
// through html.EscapeString exactly once, after Slack's own escapes (&amp; &lt;
// &gt;) were undone exactly once: "&lt;b&gt;" shows as "<b>", never as a tag.

// Namer resolves the IDs in mentions to display names.
type Namer interface {
	UserName(id string) string
	ChannelName(id string) string
}

// placeholder marks where a finished piece of HTML goes back in after the text
// around it was escaped and formatted; NUL never survives from the input.
const placeholder = "\x00"

var (
	mdControl = regexp.MustCompile(`<([^<>]*)>`)
	mdPre     = regexp.MustCompile("(?s)```(.+?)```")
	mdCode    = regexp.MustCompile("`([^`\n]+)`")
	mdBold    = regexp.MustCompile(`(^|[^\w*])\*([^*\n]*[^*\s\n])\*`)
	mdItalic  = regexp.MustCompile(`(^|[^\w_])_([^_\n]*[^_\s\n])_`)
	mdStrike  = regexp.MustCompile(`(^|[^\w~])~([^~\n]*[^~\s\n])~`)
	mdHole    = regexp.MustCompile("\x00([0-9]+)\x00")
	mdEmoji   = regexp.MustCompile(`:([a-z0-9_+-]+):`)
)

// emoji maps the shortcodes the bot uses (and a few common ones) to characters;
// others stay as typed, as Slack shows an unknown shortcode.
func emoji(name string) (string, bool) {
	e, ok := map[string]string{
		"white_check_mark": "✅", "heavy_check_mark": "✔️", "x": "❌", "warning": "⚠️",
		"hourglass_flowing_sand": "⏳", "hourglass": "⌛", "wave": "👋", "speech_balloon": "💬",
		"lock": "🔒", "handshake": "🤝", "white_large_square": "⬜", "tada": "🎉",
		"arrows_counterclockwise": "🔄", "sparkles": "✨", "memo": "📝", "fast_forward": "⏩",
		"clipboard": "📋", "calendar": "📅", "broken_heart": "💔", "bell": "🔔", "email": "📧",
		"star": "⭐", "seedling": "🌱", "books": "📚", "spiral_calendar_pad": "🗓️", "pushpin": "📌",
		"bust_in_silhouette": "👤", "busts_in_silhouette": "👥", "raised_hands": "🙌", "thumbsup": "👍",
		"outbox_tray": "📤", "file_cabinet": "🗄️", "repeat": "🔁",
	}[name]
	return e, ok
}

// Mrkdwn renders Slack mrkdwn as HTML: *bold*, _italic_, ~strike~, `code`,
// ```preformatted```, "> " quotes, line breaks, links <url|label> (http, https and
// mailto only; anything else is shown as text), user and channel mentions, and
// special mentions (<!channel> shows as "@channel", pinging nobody).
func Mrkdwn(src string, names Namer) template.HTML {
	src = strings.ReplaceAll(src, placeholder, "")
	var holes []string
	hole := func(h string) string {
		holes = append(holes, h)
		return placeholder + strconv.Itoa(len(holes)-1) + placeholder
	}
	// Code first: nothing inside it is formatted or resolved.
	src = mdPre.ReplaceAllStringFunc(src, func(m string) string {
		return hole("<pre>" + escapeSlack(mdPre.FindStringSubmatch(m)[1]) + "</pre>")
	})
	src = mdCode.ReplaceAllStringFunc(src, func(m string) string {
		return hole("<code>" + escapeSlack(mdCode.FindStringSubmatch(m)[1]) + "</code>")
	})
	src = mdControl.ReplaceAllStringFunc(src, func(m string) string {
		return hole(control(m[1:len(m)-1], names))
	})
	out := escapeSlack(src)
	out = mdBold.ReplaceAllString(out, "$1<b>$2</b>")
	out = mdItalic.ReplaceAllString(out, "$1<i>$2</i>")
	out = mdStrike.ReplaceAllString(out, "$1<s>$2</s>")
	out = shortcodes(out)
	out = quotes(out)
	out = strings.ReplaceAll(out, "\n", "<br>")
	out = mdHole.ReplaceAllStringFunc(out, func(m string) string {
		i, _ := strconv.Atoi(m[1 : len(m)-1])
		return holes[i]
	})
	return template.HTML(out)
}

// PlainText renders a plain_text object's text: Slack shows it as typed.
func PlainText(s string) template.HTML {
	return template.HTML(strings.ReplaceAll(shortcodes(html.EscapeString(strings.ReplaceAll(s, placeholder, ""))), "\n", "<br>"))
}

// shortcodes replaces the emoji shortcodes it knows.
func shortcodes(s string) string {
	return mdEmoji.ReplaceAllStringFunc(s, func(m string) string {
		if e, ok := emoji(m[1 : len(m)-1]); ok {
			return e
		}
		return m
	})
}

// escapeSlack undoes Slack's three escapes, then escapes for HTML.
func escapeSlack(s string) string { return html.EscapeString(unescapeSlack(s)) }

func unescapeSlack(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// quotes wraps runs of lines starting with "> " (already escaped to "&gt; ") in a
// blockquote.
func quotes(s string) string {
	if !strings.Contains(s, "&gt;") {
		return s
	}
	var out, run []string
	flush := func() {
		if len(run) > 0 {
			out = append(out, "<blockquote>"+strings.Join(run, "\n")+"</blockquote>")
			run = nil
		}
	}
	for _, l := range strings.Split(s, "\n") {
		if q, ok := strings.CutPrefix(l, "&gt; "); ok {
			run = append(run, q)
			continue
		}
		if l == "&gt;" {
			run = append(run, "")
			continue
		}
		flush()
		out = append(out, l)
	}
	flush()
	return strings.Join(out, "\n")
}

// control renders the inside of one <…> sequence.
func control(inner string, names Namer) string {
	target, label, hasLabel := strings.Cut(inner, "|")
	span := func(class, text string) string {
		return `<span class="` + class + `">` + escapeSlack(text) + `</span>`
	}
	switch {
	case strings.HasPrefix(target, "@U"), strings.HasPrefix(target, "@W"):
		name := names.UserName(target[1:])
		return span("mention", "@"+name)
	case strings.HasPrefix(target, "#C"), strings.HasPrefix(target, "#G"), strings.HasPrefix(target, "#D"):
		name := label
		if !hasLabel || name == "" {
			name = names.ChannelName(target[1:])
		}
		return span("mention", "#"+name)
	case strings.HasPrefix(target, "!subteam^"):
		if hasLabel {
			return span("mention", label)
		}
		return span("mention", "@group")
	case strings.HasPrefix(target, "!date^"):
		return escapeSlack(label)
	case target == "!channel", target == "!here", target == "!everyone":
		return span("mention", "@"+target[1:])
	}
	url := unescapeSlack(target)
	lower := strings.ToLower(url)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "mailto:") {
		text := label
		if !hasLabel || label == "" {
			text = target
		}
		return `<a href="` + html.EscapeString(url) + `" rel="noopener noreferrer" target="_blank">` + escapeSlack(text) + `</a>`
	}
	// Not a control sequence Slack knows: Slack shows it as text.
	return escapeSlack("<" + inner + ">")
}
