package bot

import (
	"github.com/slack-go/slack/slackevents"
)

// routes lists everything the bot answers, in one place.
func (b *Bot) routes() Routes {
	return Routes{
		Commands: map[string]CommandHandler{
			Command: b.handleMentorship(b.subcommands()),
		},
		Views:   map[string]ViewHandler{},
		Actions: map[string]ActionHandler{},
		Events: map[string]EventHandler{
			string(slackevents.MemberJoinedChannel): b.handleMembershipChange(),
			string(slackevents.MemberLeftChannel):   b.handleMembershipChange(),
		},
	}
}

// subcommands lists the /mentorship subcommands, in the order help shows them.
func (b *Bot) subcommands() []subcommand {
	return []subcommand{
		{name: "help", summary: "show this help", run: b.handleHelp},
	}
}
