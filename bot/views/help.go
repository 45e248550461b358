package views

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// HelpEntry is one line of the help: how to type it and what it does.
type HelpEntry struct {
	Usage     string // "/mentorship join"
	Summary   string
	Committee bool
}

// Help lists the subcommands a person may run. unknown, when set, is a subcommand the
// person typed that does not exist; it is named (escaped) at the top.
func Help(entries []HelpEntry, unknown string) Message {
	var everyone, committee []string
	for _, e := range entries {
		line := fmt.Sprintf("`%s`  %s", e.Usage, e.Summary)
		if e.Committee {
			committee = append(committee, line)
		} else {
			everyone = append(everyone, line)
		}
	}
	var blocks []slack.Block
	text := "mentorbot runs the mentorship program: sign up, get matched with a mentor or mentee, and keep in touch."
	if unknown != "" {
		text = fmt.Sprintf("I don't know `%s`. Here is what you can do:", SafeText(unknown, 40))
		blocks = append(blocks, section("unknown", text))
	} else {
		blocks = append(blocks, section("intro", text))
	}
	blocks = append(blocks, section("everyone", "*Commands*\n"+strings.Join(everyone, "\n")))
	if len(committee) > 0 {
		blocks = append(blocks, section("committee", "*Committee*\n"+strings.Join(committee, "\n")))
	}
	blocks = append(blocks, contextBlock("tip", "Your program status is always on mentorbot's *Home* tab."))
	return Message{Text: text, Blocks: blocks}
}
