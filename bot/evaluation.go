package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/slackapi"
	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// The program evaluation is confidential: its answers go to the store and nowhere
// else. Nothing here posts or DMs them, and nothing logs them: the view handlers log
// no view, and the use case's errors never carry what was typed.

// handleEvaluate opens the evaluation of the active cycle (/mentorship evaluate).
func (b *Bot) handleEvaluate(ctx context.Context, cmd *slack.SlashCommand, _ string) error {
	c, err := b.activeCycle(ctx, cmd.UserID)
	if err != nil {
		return err
	}
	return b.openEvaluation(ctx, c, cmd.TriggerID, cmd.UserID)
}

// handleEvaluateButton opens the evaluation from a nudge's or App Home's button
// (value: the cycle id).
func (b *Bot) handleEvaluateButton(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	c, _, err := b.program.Get(ctx, act.Value)
	if err != nil {
		return err
	}
	return b.openEvaluation(ctx, c, cb.TriggerID, cb.User.ID)
}

// openEvaluation opens a modal at once (the trigger dies 3 s after the click), then
// reads the person's form and fills the modal in: their evaluation to change, or a new
// one. A person who may not evaluate reads why in the modal.
func (b *Bot) openEvaluation(ctx context.Context, c mentor.Cycle, triggerID, userID string) error {
	v, err := b.api.OpenViewContext(ctx, triggerID, *views.EvaluationLoading(c))
	if err != nil {
		return err
	}
	e, err := b.cfg.Evaluation.Form(ctx, c, userID)
	if err != nil {
		if code := mentor.ErrorCode(err); code == mentor.EINTERNAL || code == mentor.EUNAVAILABLE {
			b.log.Error("evaluation form failed", "user", userID, "err", err)
		}
		b.showInModal(ctx, v.ID, views.DoneModal("Program evaluation", views.ErrorMessage(mentor.ErrorMessage(err))))
		return nil
	}
	_, err = b.api.UpdateViewContext(ctx, *views.EvaluationModal(c, e, e.Role, views.EvaluationMeta{}), "", v.Hash, v.ID)
	if slackapi.Is(err, slackapi.HashConflict) {
		return nil // the person closed or changed the modal meanwhile
	}
	return err
}

// handleEvaluationSubmit stores the evaluation and answers in the modal. Field
// problems come back under their inputs; Home is redrawn in the background.
func (b *Bot) handleEvaluationSubmit(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	e, meta, err := views.ParseEvaluation(cb.View)
	if err != nil {
		return nil, err
	}
	c, _, err := b.program.Get(ctx, meta.CycleID)
	if err != nil {
		return nil, err
	}
	userID := cb.User.ID
	out, err := b.cfg.Evaluation.Submit(ctx, c, e, userID)
	if err != nil {
		return nil, err
	}
	if out.RemindersErr != nil {
		// Harmless: a reminder that falls due finds the evaluation and is dropped.
		b.log.Warn("evaluation saved; its reminders will be dropped when due", "user", userID, "err", out.RemindersErr)
	}
	b.router.Go("home after evaluation", func(ctx context.Context) error {
		b.refreshHomes(ctx, userID)
		return nil
	}, nil)
	msg := views.EvaluationThanks(c, out.Evaluation, out.Replaced)
	return slack.NewUpdateViewSubmissionResponse(views.DoneModal("Program evaluation", msg)), nil
}

// evaluatedAmong returns which of userIDs have evaluated cycle cycleID, for duo
// stages; nobody when the bot runs without the evaluation use case.
func (b *Bot) evaluatedAmong(ctx context.Context, cycleID string, userIDs []string) (map[string]bool, error) {
	if b.cfg.Evaluation == nil || len(userIDs) == 0 {
		return nil, nil
	}
	return b.cfg.Evaluation.Evaluated(ctx, cycleID, userIDs)
}
