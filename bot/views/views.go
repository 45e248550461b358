// Package views builds mentorbot's Block Kit: messages, modals and the App Home tab,
// and reads modal state back. It is pure: no Slack calls, no storage. Everything a
// person typed goes through Escape (mrkdwn) or a plain_text object before it is shown.
package views

import (
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Message is a message body: Text is the notification fallback, Blocks the layout,
// and Metadata (optional) Slack message metadata by which the bot finds its own
// posts again.
type Message struct {
	Text     string
	Blocks   []slack.Block
	Metadata *slack.SlackMetadata
}

// Escape makes s safe inside mrkdwn text: Slack's control characters &, < and > are
// replaced by entities exactly once, so typed text cannot ping @channel, mention
// someone or disguise a link.
func Escape(s string) string {
	return escaper.Replace(s)
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Truncate shortens plain text s to at most n characters (runes), ending in "…"
// when cut. For mrkdwn made with Escape use TruncateMrkdwn, which keeps entities
// whole.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n == 1 {
		return "…"
	}
	return string([]rune(s)[:n-1]) + "…"
}

// TruncateMrkdwn is Truncate for mrkdwn text in which every '&' starts an entity
// (as after Escape): a cut never leaves half an entity such as "&am".
func TruncateMrkdwn(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := string([]rune(s)[:n-1])
	if i := strings.LastIndexByte(cut, '&'); i >= 0 && !strings.Contains(cut[i:], ";") {
		cut = cut[:i]
	}
	return cut + "…"
}

// SafeText escapes s and truncates it to n characters: the way every typed value
// enters mrkdwn.
func SafeText(s string, n int) string { return TruncateMrkdwn(Escape(s), n) }

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func section(blockID, text string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(TruncateMrkdwn(text, 3000)), nil, nil, slack.SectionBlockOptionBlockID(blockID))
}

func contextBlock(blockID, text string) *slack.ContextBlock {
	return slack.NewContextBlock(blockID, mrkdwn(TruncateMrkdwn(text, 3000)))
}

// ErrorMessage is a private answer explaining a problem.
func ErrorMessage(text string) Message {
	return Message{
		Text:   text,
		Blocks: []slack.Block{section("error", ":warning: "+text)},
	}
}

// Notice is a private one-paragraph answer.
func Notice(text string) Message {
	return Message{Text: text, Blocks: []slack.Block{section("notice", text)}}
}

// ErrorModal is pushed over a form whose submission failed for a reason that is not
// one of its fields; closing it returns to the form as it was.
func ErrorModal(text string) *slack.ModalViewRequest {
	return &slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  plain("Couldn't save"),
		Close:  plain("Back"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{section("error", ":warning: "+text)}},
	}
}

// DoneModal replaces a submitted form with its outcome.
func DoneModal(title string, msg Message) *slack.ModalViewRequest {
	return &slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  plain(Truncate(title, 24)),
		Close:  plain("Done"),
		Blocks: slack.Blocks{BlockSet: msg.Blocks},
	}
}
