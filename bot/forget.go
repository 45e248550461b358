package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/privacy"
)

// handleHomeForget opens the forget modal, for committee members only.
func (b *Bot) handleHomeForget(ctx context.Context, cb *slack.InteractionCallback, _ *slack.BlockAction) error {
	if err := b.requireCommittee(ctx, cb.User.ID); err != nil {
		return err
	}
	_, err := b.api.OpenViewContext(ctx, cb.TriggerID, *views.ForgetModal())
	return err
}

// handleForgetSubmit forgets the chosen person in every cycle and replaces the modal
// with what was removed. Membership is checked again here: the submission is what
// acts, and whoever sends it must be on the committee now. The log names who asked
// and how many cycles, never whom they forgot.
func (b *Bot) handleForgetSubmit(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	if err := b.requireCommittee(ctx, cb.User.ID); err != nil {
		return nil, err
	}
	userID, err := views.ParseForget(cb.View)
	if err != nil {
		return nil, err
	}
	done, err := b.cfg.Privacy.Forget(ctx, userID, "")
	if err != nil && len(done) == 0 {
		return nil, err
	}
	refused := ""
	if err != nil {
		refused = mentor.ErrorMessage(err)
	}
	b.log.Info("forgot a person on request", "by", cb.User.ID, "cycles", len(done), "refused", refused != "")
	return slack.NewUpdateViewSubmissionResponse(views.ForgetDone(userID, privacy.Summary(done), refused)), nil
}
