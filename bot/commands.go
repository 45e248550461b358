package bot

import (
	"context"
	"strings"
	"unicode"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// subcommand is one /mentorship subcommand. Committee subcommands are refused to
// anyone outside the committee channel before run is called.
type subcommand struct {
	name      string
	args      string // shown in help, e.g. "[page]"
	summary   string
	committee bool
	run       func(ctx context.Context, cmd *slack.SlashCommand, args string) error
}

// handleMentorship routes "/mentorship <subcommand> <args>". An unknown or missing
// subcommand gets the help, limited to what this person may run.
func (b *Bot) handleMentorship(subs []subcommand) CommandHandler {
	byName := make(map[string]subcommand, len(subs))
	for _, s := range subs {
		byName[s.name] = s
	}
	return func(ctx context.Context, cmd *slack.SlashCommand) error {
		name, args := splitCommand(cmd.Text)
		sub, ok := byName[name]
		if !ok {
			return b.sendHelp(ctx, cmd, subs, name)
		}
		if sub.committee {
			member, err := b.committee.IsMember(ctx, cmd.UserID)
			if err != nil {
				return err
			}
			if !member {
				return mentor.Errorf(mentor.EFORBIDDEN,
					"`%s %s` is for the mentorship committee. If you think you should have access, ask to be added to the committee channel.", Command, sub.name)
			}
		}
		return sub.run(ctx, cmd, args)
	}
}

// splitCommand returns the lower-cased first word and the rest, trimmed. Any white
// space separates them: a tab, or the no-break space a phone keyboard may type.
func splitCommand(text string) (name, args string) {
	text = strings.TrimSpace(text)
	i := strings.IndexFunc(text, unicode.IsSpace)
	if i < 0 {
		return strings.ToLower(text), ""
	}
	return strings.ToLower(text[:i]), strings.TrimSpace(text[i:])
}

func (b *Bot) handleHelp(ctx context.Context, cmd *slack.SlashCommand, _ string) error {
	return b.sendHelp(ctx, cmd, b.subcommands(), "help")
}

// sendHelp answers with the subcommands this person may run. asked is what they
// typed, so an unknown word can be named in the answer.
func (b *Bot) sendHelp(ctx context.Context, cmd *slack.SlashCommand, subs []subcommand, asked string) error {
	member, err := b.committee.IsMember(ctx, cmd.UserID)
	if err != nil {
		// Help must work even when Slack can't tell us the committee: show the
		// everyone-part only.
		b.log.Warn("help without committee membership", "err", err)
		member = false
	}
	var entries []views.HelpEntry
	for _, s := range subs {
		if s.committee && !member {
			continue
		}
		entries = append(entries, views.HelpEntry{Usage: strings.TrimSpace(Command + " " + s.name + " " + s.args), Summary: s.summary, Committee: s.committee})
	}
	unknown := ""
	if asked != "" && asked != "help" {
		unknown = asked
	}
	return b.reply.Command(ctx, cmd, views.Help(entries, unknown))
}

// handleMembershipChange tells the committee cache when someone joins or leaves the
// committee channel, so access follows the channel on every replica at once.
func (b *Bot) handleMembershipChange() EventHandler {
	return func(ctx context.Context, ev *slackevents.EventsAPIEvent) error {
		channel := ""
		switch e := ev.InnerEvent.Data.(type) {
		case *slackevents.MemberJoinedChannelEvent:
			channel = e.Channel
		case *slackevents.MemberLeftChannelEvent:
			channel = e.Channel
		}
		if channel != b.committee.Channel() {
			return nil
		}
		return b.committee.Changed(ctx)
	}
}
