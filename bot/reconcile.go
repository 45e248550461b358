package bot

import (
	"context"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/scheduler"
)

// JobReconcile is the check that finds duos stored without the job that opens them
// (a replica killed between the two writes of an approval) and schedules that job.
// It runs when a replica starts and then once a day; it is one job for the whole
// program, so one replica runs it at a time.
const JobReconcile = "reconcile"

// reconcileEvery is how often the check runs after a start.
const reconcileEvery = 24 * time.Hour

// reconcileGrace leaves alone a duo approved this recently: its approval is still
// scheduling the opening itself.
const reconcileGrace = 2 * time.Minute

// scheduleReconcile has the check run now (a start is when a killed replica's work
// is most likely left over).
func (b *Bot) scheduleReconcile(ctx context.Context) error {
	return b.cfg.Scheduler.Now(ctx, mentor.Job{Key: "reconcile", Kind: JobReconcile}, mentor.ScheduleEarlier)
}

// performReconcile schedules the opening of every duo of the active cycle that is
// neither open nor ended, unless its opening is scheduled already (a kept job is
// left as it is, with its retries and backoff), then comes back in a day.
func (b *Bot) performReconcile(ctx context.Context, _ mentor.Job) error {
	now := b.cfg.Clock.Now()
	next := scheduler.Later(now.Add(reconcileEvery))
	c, _, err := b.program.Active(ctx)
	if mentor.ErrorCode(err) == mentor.ENOTFOUND {
		return next
	}
	if err != nil {
		return err
	}
	found := 0
	err = b.cfg.Duos.Each(ctx, c.ID, func(d mentor.Duo) error {
		if d.Ended() || d.Setup.Done() || now.Sub(d.CreatedAt) < reconcileGrace {
			return nil
		}
		j := openDuoJob(c, d.ID)
		added, err := b.cfg.Scheduler.Schedule(ctx, j, mentor.ScheduleKeep)
		if err != nil {
			return err
		}
		if added {
			found++
			b.cfg.Scheduler.Kick(j.Key)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if found > 0 {
		b.log.Warn("duos found stored without their opening job; opening them now", "cycle", c.ID, "duos", found)
	}
	return next
}
