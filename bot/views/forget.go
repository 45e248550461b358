package views

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Forgetting a person (a data-deletion request), from the committee's App Home.
const (
	ActionHomeForget = "home_forget" // App Home (committee): open the forget modal

	CallbackForget     = "forget"      // the modal: whom to forget
	CallbackForgetDone = "forget_done" // what was removed

	BlockForgetUser  = "forget_user" // users select (block id = action id)
	BlockForgetIntro = "forget_intro"
	BlockForgetDone  = "forget_done"
)

// ForgetModal asks a committee member whom to forget, and says what that does.
func ForgetModal() *slack.ModalViewRequest {
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Choose a person"), BlockForgetUser)
	return &slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: CallbackForget,
		Title:      plain("Forget a person"),
		Submit:     plain("Forget"),
		Close:      plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(BlockForgetIntro, "For a data-deletion request. In every cycle, this removes the person's sign-up, "+
				"the text of their evaluations and concerns, and their name in duo and agreement records. "+
				"The program's numbers stay, under an anonymous stand-in. *This cannot be undone.* "+
				"Someone in a duo that is still running can't be forgotten until the duo ends."),
			input(BlockForgetUser, "Person to forget", "", sel, false),
		}},
	}
}

// ParseForget reads the chosen person from a submitted forget modal; a field error
// when nobody (or something that is not a user id) was chosen.
func ParseForget(v slack.View) (string, error) {
	u := StateOf(v).User(BlockForgetUser)
	if !mentor.ValidUserID(u) {
		return "", mentor.FieldErrors{BlockForgetUser: "Choose the person to forget."}
	}
	return u, nil
}

// ForgetDone replaces the modal with what was removed: summary holds one line per
// kind (privacy.Summary), and refused, if not empty, why some cycle was left as is.
func ForgetDone(userID string, summary []string, refused string) *slack.ModalViewRequest {
	var b strings.Builder
	b.WriteString("Forgetting <@" + Escape(userID) + ">, in every cycle:\n")
	for _, l := range summary {
		b.WriteString("• " + Escape(l) + "\n")
	}
	if refused != "" {
		b.WriteString("\n:warning: " + Escape(refused))
	}
	m := DoneModal("Forgotten", Message{Blocks: []slack.Block{section(BlockForgetDone, b.String())}})
	m.CallbackID = CallbackForgetDone
	return m
}
