package bot

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/slackapi"
	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// performCloseout closes one duo at the end of its cycle and posts the close-out
// message in its channel, once: the close is one script, the post carries its key in
// its metadata and is looked up in the channel's history on a retry.
func (b *Bot) performCloseout(ctx context.Context, j mentor.Job) error {
	c, d, err := b.jobDuo(ctx, j)
	if err != nil || d.ID == "" {
		return err
	}
	if d, err = b.cfg.Closeout.Close(ctx, c, d.ID); err != nil {
		return ignoreGone(err)
	}
	if d.Ended() || d.Close.PostTS != "" || d.ChannelID == "" {
		return nil // dissolved, told already, or never opened (nobody to tell)
	}
	ts, err := b.postOnce(ctx, d.ChannelID, views.CloseoutMessage(c, d), "closeout:"+d.ID, j.Retried(), j.CreatedAt)
	if slackapi.Is(err, slackapi.IsArchived) || slackapi.Is(err, slackapi.ChannelNotFound) {
		return nil // the channel is gone: nobody left to tell there
	}
	if err != nil {
		return err
	}
	if err := b.cfg.Closeout.Posted(ctx, c, d, ts); err != nil {
		return err
	}
	b.refreshHomes(ctx, d.MenteeID, d.MentorID)
	return nil
}

// handleCloseoutChoice records a member's choice on the close-out message and
// redraws it for both.
func (b *Bot) handleCloseoutChoice(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	cycleID, duoID, ok := strings.Cut(act.Value, "|")
	if !ok {
		return mentor.Errorf(mentor.EINVALID, "That button is out of date.")
	}
	c, _, err := b.program.Get(ctx, cycleID)
	if err != nil {
		return err
	}
	choice := mentor.CloseContinue
	if act.ActionID == views.ActionCloseoutClose {
		choice = mentor.CloseArchive
	}
	d, changed, err := b.cfg.Closeout.Choose(ctx, c, duoID, cb.User.ID, choice)
	if err != nil || !changed {
		return err
	}
	return b.scheduleRedraw(ctx, c, d, redrawCloseout)
}

// redrawCloseout updates the close-out message of duo d (not posted yet: its post
// will show the choice).
func (b *Bot) redrawCloseout(ctx context.Context, c mentor.Cycle, d mentor.Duo) error {
	if d.Close.PostTS == "" || d.ChannelID == "" {
		return nil
	}
	err := b.reply.Update(ctx, d.ChannelID, d.Close.PostTS, views.CloseoutMessage(c, d))
	if slackapi.Is(err, slackapi.MessageNotFound) || slackapi.Is(err, slackapi.IsArchived) || slackapi.Is(err, slackapi.ChannelNotFound) {
		return nil
	}
	return err
}

// performCloseoutArchive archives the channel of a duo that chose to close, when its
// grace period is over: a last note in the channel (once), the archive, the record,
// and the close-out message redrawn to say so.
func (b *Bot) performCloseoutArchive(ctx context.Context, j mentor.Job) error {
	c, _, err := b.program.Get(ctx, j.Data["cycle"])
	if err != nil {
		return ignoreGone(err)
	}
	d, ok, err := b.cfg.Closeout.ArchiveDue(ctx, c, j.Data["duo"])
	if err != nil || !ok {
		return err
	}
	if _, err := b.postOnce(ctx, d.ChannelID, views.CloseoutArchiving(d), "closeout-archiving:"+d.ID, j.Retried(), j.CreatedAt); err != nil &&
		!slackapi.Is(err, slackapi.IsArchived) && !slackapi.Is(err, slackapi.ChannelNotFound) {
		return err
	}
	err = b.api.ArchiveConversationContext(ctx, d.ChannelID)
	if err != nil && !slackapi.Is(err, slackapi.AlreadyArchived) && !slackapi.Is(err, slackapi.ChannelNotFound) {
		return err
	}
	if err := b.cfg.Closeout.Archived(ctx, c, d); err != nil {
		return err
	}
	if d, err = b.cfg.Duos.Duo(ctx, c.ID, d.ID); err != nil {
		return ignoreGone(err)
	}
	// The message is in an archived channel now: updating it may be refused, which
	// changes nothing that matters.
	if err := b.redrawCloseout(ctx, c, d); err != nil {
		b.log.Info("could not mark the close-out message archived", "duo", d.ID, "err", err)
	}
	b.refreshHomes(ctx, d.MenteeID, d.MentorID)
	return nil
}
