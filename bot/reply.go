package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Replier answers people privately. It is also the one place where an error becomes
// what the person sees: field errors under the inputs of a modal, any other *mentor.Error
// as its message, and everything else as "something went wrong".
type Replier struct {
	api  *slack.Client
	http *http.Client
	log  *slog.Logger
}

// NewReplier returns a Replier posting through api, and through hc for response_urls.
func NewReplier(api *slack.Client, hc *http.Client, log *slog.Logger) *Replier {
	return &Replier{api: api, http: hc, log: log}
}

// ToURL posts msg as an ephemeral answer to a response_url (slash commands and
// message buttons), replacing nothing.
func (r *Replier) ToURL(ctx context.Context, responseURL string, msg views.Message) error {
	return hideURL(slack.PostWebhookCustomHTTPContext(ctx, responseURL, r.http, &slack.WebhookMessage{
		ResponseType: slack.ResponseTypeEphemeral,
		Text:         msg.Text,
		Blocks:       blocksOrNil(msg.Blocks),
	}))
}

// hideURL drops the URL from an HTTP error: a response_url lets anyone who knows it
// post as the bot for half an hour, so it must not reach the logs.
func hideURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("post to response_url: %s: %w", ue.Op, ue.Err)
	}
	return err
}

// Replace swaps the message a button sat in for msg: an ephemeral stays private, a
// channel message is replaced for everyone.
func (r *Replier) Replace(ctx context.Context, responseURL string, msg views.Message) error {
	return hideURL(slack.PostWebhookCustomHTTPContext(ctx, responseURL, r.http, &slack.WebhookMessage{
		ReplaceOriginal: true,
		Text:            msg.Text,
		Blocks:          blocksOrNil(msg.Blocks),
	}))
}

// Post posts msg in a channel (or, given a user id, in the bot's DM with that
// person) and returns its timestamp.
func (r *Replier) Post(ctx context.Context, channel string, msg views.Message) (ts string, err error) {
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false)}
	if len(msg.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(msg.Blocks...))
	}
	if msg.Metadata != nil {
		opts = append(opts, slack.MsgOptionMetadata(*msg.Metadata))
	}
	_, ts, err = r.api.PostMessageContext(ctx, channel, opts...)
	return ts, err
}

// Update replaces the text and blocks of the bot's message ts in channel with msg.
func (r *Replier) Update(ctx context.Context, channel, ts string, msg views.Message) error {
	_, _, _, err := r.api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...))
	return err
}

// ToUser sends msg to the person's DM with the bot: the way to reach someone who
// clicked in a modal or on App Home, where there is no response_url.
func (r *Replier) ToUser(ctx context.Context, userID string, msg views.Message) error {
	_, err := r.Post(ctx, userID, msg)
	return err
}

// Command answers a slash command privately.
func (r *Replier) Command(ctx context.Context, cmd *slack.SlashCommand, msg views.Message) error {
	if cmd.ResponseURL != "" {
		return r.ToURL(ctx, cmd.ResponseURL, msg)
	}
	_, err := r.api.PostEphemeralContext(ctx, cmd.ChannelID, cmd.UserID, slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...))
	return err
}

// Interaction answers a block action privately: under the message it came from, or
// by DM when it came from a modal or App Home.
func (r *Replier) Interaction(ctx context.Context, cb *slack.InteractionCallback, msg views.Message) error {
	if cb.ResponseURL != "" {
		return r.ToURL(ctx, cb.ResponseURL, msg)
	}
	return r.ToUser(ctx, cb.User.ID, msg)
}

// CommandError tells the person who ran cmd what went wrong.
func (r *Replier) CommandError(ctx context.Context, cmd *slack.SlashCommand, err error) {
	if rerr := r.Command(ctx, cmd, views.ErrorMessage(mentor.ErrorMessage(err))); rerr != nil {
		r.log.Error("could not tell the user about an error", "user", cmd.UserID, "err", rerr)
	}
}

// InteractionError tells the person who clicked what went wrong.
func (r *Replier) InteractionError(ctx context.Context, cb *slack.InteractionCallback, err error) {
	if rerr := r.Interaction(ctx, cb, views.ErrorMessage(mentor.ErrorMessage(err))); rerr != nil {
		r.log.Error("could not tell the user about an error", "user", cb.User.ID, "err", rerr)
	}
}

// ViewError turns a view handler's error into the ack of the view_submission: field
// problems appear under their inputs; anything else is shown in a small modal pushed
// on top, so "Back" returns to the form with everything typed still there.
func (r *Replier) ViewError(cb *slack.InteractionCallback, err error) *slack.ViewSubmissionResponse {
	var fe mentor.FieldErrors
	if errors.As(err, &fe) {
		return slack.NewErrorsViewSubmissionResponse(map[string]string(fe))
	}
	return slack.NewPushViewSubmissionResponse(views.ErrorModal(mentor.ErrorMessage(err)))
}

func blocksOrNil(b []slack.Block) *slack.Blocks {
	if len(b) == 0 {
		return nil
	}
	return &slack.Blocks{BlockSet: b}
}
