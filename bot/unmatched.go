package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Job kinds of finishing a pairing round.
const (
	JobFinishRound = "finish_round" // find who the round left without a partner, and schedule a DM each
	JobUnmatchedDM = "unmatched_dm" // tell one person, kindly, that they stay in the pool
)

// handlePairFinish finishes the pairing round (once, whoever clicks) and has
// everyone it left without a partner told, as a durable job. A repeated click
// schedules nothing more.
func (b *Bot) handlePairFinish() ActionHandler {
	return b.pairingAction(func(ctx context.Context, c mentor.Cycle, meta views.PairingMeta, cb *slack.InteractionCallback, _ *slack.BlockAction) (int, *mentor.PairingRound, error) {
		if _, _, err := b.pairing.Finish(ctx, c.ID, meta.RoundID, cb.User.ID); err != nil {
			return meta.Page, nil, err
		}
		// Scheduled whether or not this click finished it: a replica that died
		// between the two steps is made good by the next click.
		return meta.Page, nil, b.cfg.Scheduler.Now(ctx, mentor.Job{Key: "finish-round:" + c.ID + ":" + meta.RoundID, Kind: JobFinishRound,
			Data: map[string]string{"cycle": c.ID, "round": meta.RoundID}}, mentor.ScheduleKeep)
	})
}

// performFinishRound schedules one DM job for each person the round left without a
// partner; each job checks again before it sends.
func (b *Bot) performFinishRound(ctx context.Context, j mentor.Job) error {
	c, _, err := b.program.Get(ctx, j.Data["cycle"])
	if err != nil {
		return ignoreGone(err)
	}
	r, err := b.pairing.Round(ctx, c.ID, j.Data["round"])
	if err != nil {
		return ignoreGone(err)
	}
	mentees, mentors, err := b.pairing.Unmatched(ctx, r)
	if err != nil {
		return err
	}
	now := b.cfg.Clock.Now()
	for _, p := range append(mentees, mentors...) {
		job := mentor.Job{Key: "unmatched:" + c.ID + ":" + r.ID + ":" + p.UserID, Kind: JobUnmatchedDM, Due: now,
			Data: map[string]string{"cycle": c.ID, "round": r.ID, "user": p.UserID}}
		if _, err := b.cfg.Scheduler.Schedule(ctx, job, mentor.ScheduleKeep); err != nil {
			return err
		}
	}
	b.log.Info("pairing round finished", "round", r.ID, "unmatched_mentees", len(mentees), "unmatched_mentors", len(mentors))
	return nil
}

// performUnmatchedDM tells one person, once, that the round left them without a
// partner, unless they found one (or left) since.
func (b *Bot) performUnmatchedDM(ctx context.Context, j mentor.Job) error {
	c, _, err := b.program.Get(ctx, j.Data["cycle"])
	if err != nil {
		return ignoreGone(err)
	}
	p, waiting, err := b.pairing.StillUnmatched(ctx, c.ID, j.Data["user"])
	if err != nil || !waiting {
		return err
	}
	_, err = b.postOnce(ctx, p.UserID, views.UnmatchedDM(c, p), j.Key, j.Retried(), j.CreatedAt)
	return err
}
