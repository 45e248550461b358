package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// handleProgram opens the cycle form: the active cycle to edit, or a new one with the
// program's defaults ("/mentorship program new" starts a new cycle even when one is
// active; the old one stays readable).
func (b *Bot) handleProgram(ctx context.Context, cmd *slack.SlashCommand, args string) error {
	return b.openProgram(ctx, cmd.TriggerID, args == "new")
}

func (b *Bot) openProgram(ctx context.Context, triggerID string, fresh bool) error {
	c, rev, err := b.program.Draft(ctx, fresh)
	if err != nil {
		return err
	}
	_, err = b.api.OpenViewContext(ctx, triggerID, *views.ProgramModal(c, rev))
	return err
}

// handleHomeProgram opens the cycle form from App Home (committee only).
func (b *Bot) handleHomeProgram(ctx context.Context, cb *slack.InteractionCallback, _ *slack.BlockAction) error {
	if err := b.requireCommittee(ctx, cb.User.ID); err != nil {
		return err
	}
	return b.openProgram(ctx, cb.TriggerID, false)
}

// handleProgramSubmit saves the cycle. A redelivered submission of a new cycle finds
// it made (the id was chosen when the form opened) and changes nothing.
func (b *Bot) handleProgramSubmit(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	if err := b.requireCommittee(ctx, cb.User.ID); err != nil {
		return nil, err
	}
	meta, err := views.ParseProgramMeta(cb.View)
	if err != nil {
		return nil, err
	}
	base := mentor.DefaultCycle(b.cfg.Clock.Now()) // fields the form does not show
	if meta.Rev > 0 {
		if base, _, err = b.program.Get(ctx, meta.CycleID); err != nil {
			return nil, err
		}
	}
	c, meta, err := views.ParseProgram(cb.View, base)
	if err != nil {
		return nil, err
	}
	saved, err := b.program.Save(ctx, cb.User.ID, c, meta.Rev)
	if err != nil {
		return nil, views.ProgramErrors(err)
	}
	verb := "opened"
	if meta.Rev > 0 {
		verb = "updated"
	}
	text := fmt.Sprintf("<@%s> %s the *%s* cycle: %s – %s, evaluations due %s.", cb.User.ID, verb, views.SafeText(saved.Name, 80),
		mentor.FormatDate(saved.Start), mentor.FormatDate(saved.End), mentor.FormatDate(saved.EvaluationDue))
	if err := b.schedulePost(ctx, fmt.Sprintf("cycle:%s:r%d", saved.ID, meta.Rev+1), "committee", views.Notice(text)); err != nil {
		b.log.Error("could not schedule the cycle notice", "cycle", saved.ID, "err", err)
	}
	if err := b.schedulePlanCycle(ctx, saved); err != nil {
		b.log.Error("could not schedule the cycle's nudges", "cycle", saved.ID, "err", err)
	}
	return slack.NewUpdateViewSubmissionResponse(views.DoneModal("Program cycle", views.Notice(fmt.Sprintf("The *%s* cycle is %s.", views.SafeText(saved.Name, 80), verb)))), nil
}

// JobPlanCycle re-plans a cycle's nudges after it was opened or edited.
const JobPlanCycle = "plan_cycle"

// schedulePlanCycle has the cycle's digest scheduled and its duos' nudges moved to
// the cycle's (new) thresholds, in the background: it reads every duo.
func (b *Bot) schedulePlanCycle(ctx context.Context, c mentor.Cycle) error {
	return b.cfg.Scheduler.Now(ctx, mentor.Job{Key: "plan-cycle:" + c.ID, Kind: JobPlanCycle,
		Data: map[string]string{"cycle": c.ID}}, mentor.ScheduleReplace)
}

func (b *Bot) performPlanCycle(ctx context.Context, j mentor.Job) error {
	c, _, err := b.program.Get(ctx, j.Data["cycle"])
	if err != nil {
		return ignoreGone(err)
	}
	if err := b.cfg.Closeout.PlanCycle(ctx, c, true); err != nil {
		return err
	}
	return b.cfg.Nudges.PlanCycle(ctx, c)
}

// planActiveCycle runs when a replica starts: it has the check for duos left
// half-open run now, and makes sure the active cycle's digest and close are
// scheduled (a cycle opened before this version of the bot has neither yet). It is
// cheap and idempotent.
func (b *Bot) planActiveCycle(ctx context.Context) error {
	if err := b.scheduleReconcile(ctx); err != nil {
		return err
	}
	c, _, err := b.program.Active(ctx)
	if mentor.ErrorCode(err) == mentor.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if err := b.cfg.Closeout.PlanCycle(ctx, c, false); err != nil {
		return err
	}
	return b.cfg.Nudges.PlanDigest(ctx, c)
}
