// Package closeout is the use case of the end of a cycle (the guidelines' last
// step): after the cycle's end date each running duo is closed once, both members are
// thanked and invited to share their experience, and the duo chooses to go on without
// the bot (the channel stays) or to close (the channel is archived after the cycle's
// grace period). People whose every duo is closed end the cycle as completed.
//
// Each step is a durable job of the scheduler, so it happens once however many
// replicas run: one job per cycle finds the duos to close when the cycle ends, then
// one job per duo closes it and posts the close-out (performed by the bot), and one
// job archives a channel when its grace period is over.
package closeout

import (
	"context"
	"fmt"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/scheduler"
)

// Job kinds of this use case. The bot performs JobDuo and JobArchive (they talk to
// Slack); the service performs JobCycle.
const (
	JobCycle   = "close_cycle"      // when the cycle ends: schedule the close-out of each running duo
	JobDuo     = "closeout"         // close one duo and post its close-out message
	JobArchive = "closeout_archive" // archive a duo's channel when its grace period is over
)

// Store is what the service needs from storage.
type Store interface {
	Cycle(ctx context.Context, id string) (mentor.Cycle, int, error)
	DuoIDs(ctx context.Context, cycleID string) ([]string, error)
	Duos(ctx context.Context, cycleID string, ids []string) ([]mentor.Duo, error)
	CloseDuo(ctx context.Context, cycleID, duoID string, at time.Time) (mentor.Duo, bool, error)
	ChooseClose(ctx context.Context, cycleID, duoID, userID string, choice mentor.CloseChoice, at time.Time) (mentor.Duo, bool, error)
	CloseoutPosted(ctx context.Context, cycleID, duoID, ts string) error
	ChannelArchived(ctx context.Context, cycleID, duoID string, at time.Time) error
}

// Scheduler keeps the durable jobs.
type Scheduler interface {
	Schedule(ctx context.Context, j mentor.Job, mode mentor.ScheduleMode) (bool, error)
	Cancel(ctx context.Context, keys ...string) error
	Kick(key string)
}

// Nudges are told when a duo's reminders stop.
type Nudges interface {
	DuoEnded(ctx context.Context, c mentor.Cycle, d mentor.Duo) error
}

// Service runs the use case. It is safe for concurrent use.
type Service struct {
	store  Store
	sched  Scheduler
	nudges Nudges
	clock  clock.Clock
}

// New returns the service.
func New(store Store, sched Scheduler, nudges Nudges, clk clock.Clock) *Service {
	return &Service{store: store, sched: sched, nudges: nudges, clock: clk}
}

// CycleJob is the job that closes cycle c's duos when it ends.
func CycleJob(c mentor.Cycle) mentor.Job {
	return mentor.Job{Key: "close-cycle:" + c.ID, Kind: JobCycle, Due: c.CloseAt(), Data: map[string]string{"cycle": c.ID}}
}

// DuoJob is the job that closes duo duoID of cycle cycleID.
func DuoJob(cycleID, duoID string) mentor.Job {
	return mentor.Job{Key: "closeout:" + cycleID + ":" + duoID, Kind: JobDuo, Data: map[string]string{"cycle": cycleID, "duo": duoID}}
}

// ArchiveJob is the job that archives duo d's channel when the grace period of
// cycle c is over.
func ArchiveJob(c mentor.Cycle, d mentor.Duo) mentor.Job {
	return mentor.Job{Key: "closeout-archive:" + c.ID + ":" + d.ID, Kind: JobArchive, Due: d.ArchiveAt(c),
		Data: map[string]string{"cycle": c.ID, "duo": d.ID}}
}

// PlanCycle schedules the close of cycle c at its end. After an edit of the cycle
// (edited=true) the job moves to the new end; otherwise a scheduled one is kept. It
// is idempotent: a cycle closed already closes no duo twice.
func (s *Service) PlanCycle(ctx context.Context, c mentor.Cycle, edited bool) error {
	mode := mentor.ScheduleKeep
	if edited {
		mode = mentor.ScheduleReplace
	}
	_, err := s.sched.Schedule(ctx, CycleJob(c), mode)
	return err
}

// PerformCycle is the performer of JobCycle: at the cycle's end it schedules the
// close-out of every duo still running (in pages of duos; the per-duo jobs make each
// close happen once, whoever runs this). They are due at once and left to the sweep,
// which takes as many as there are workers, round after round, without flooding the
// queue of kicked jobs.
func (s *Service) PerformCycle(ctx context.Context, j mentor.Job) error {
	c, _, err := s.store.Cycle(ctx, j.Data["cycle"])
	if mentor.ErrorCode(err) == mentor.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if at := c.CloseAt(); s.clock.Now().Before(at) {
		return scheduler.Later(at) // the end moved later since this was scheduled
	}
	now := s.clock.Now()
	return mentor.EachDuo(ctx, s.store, c.ID, func(d mentor.Duo) error {
		if d.Ended() || d.Close.PostTS != "" {
			return nil
		}
		job := DuoJob(c.ID, d.ID)
		job.Due = now
		if _, err := s.sched.Schedule(ctx, job, mentor.ScheduleKeep); err != nil {
			return fmt.Errorf("schedule the close-out of duo %s: %w", d.ID, err)
		}
		return nil
	})
}

// Close closes duo duoID of cycle c now, once, and stops its reminders. It returns
// the duo (closed, or as it is when it was dissolved: d.Ended()).
func (s *Service) Close(ctx context.Context, c mentor.Cycle, duoID string) (mentor.Duo, error) {
	d, closed, err := s.store.CloseDuo(ctx, c.ID, duoID, s.clock.Now())
	if err != nil {
		return d, err
	}
	if closed || d.Closed() {
		if err := s.nudges.DuoEnded(ctx, c, d); err != nil {
			return d, err
		}
	}
	return d, nil
}

// Choose records what member userID chose for their closed duo and plans what
// follows: closing schedules the channel's archiving after the grace period;
// continuing cancels it. changed is false when the choice was already made.
func (s *Service) Choose(ctx context.Context, c mentor.Cycle, duoID, userID string, choice mentor.CloseChoice) (mentor.Duo, bool, error) {
	if choice != mentor.CloseContinue && choice != mentor.CloseArchive {
		return mentor.Duo{}, false, mentor.Errorf(mentor.EINVALID, "Choose to continue on your own or to close the channel.")
	}
	d, changed, err := s.store.ChooseClose(ctx, c.ID, duoID, userID, choice, s.clock.Now())
	if err != nil || !changed {
		return d, changed, err
	}
	job := ArchiveJob(c, d)
	if choice == mentor.CloseContinue {
		return d, true, s.sched.Cancel(ctx, job.Key)
	}
	if _, err := s.sched.Schedule(ctx, job, mentor.ScheduleReplace); err != nil {
		return d, true, err
	}
	if !job.Due.After(s.clock.Now()) {
		s.sched.Kick(job.Key) // no grace period: archive at once
	}
	return d, true, nil
}

// ArchiveDue reads duo duoID of cycle c for its archiving job: whether its channel is
// to be archived now (ok), or later (a postponement for the scheduler), or not at all
// (the duo chose to continue, was dissolved, or was archived already).
func (s *Service) ArchiveDue(ctx context.Context, c mentor.Cycle, duoID string) (d mentor.Duo, ok bool, err error) {
	ds, err := s.store.Duos(ctx, c.ID, []string{duoID})
	if err != nil || len(ds) == 0 {
		return d, false, err
	}
	d = ds[0]
	if d.Ended() || d.ChannelID == "" || d.Close.Choice != mentor.CloseArchive || !d.Close.ArchivedAt.IsZero() {
		return d, false, nil
	}
	if at := d.ArchiveAt(c); s.clock.Now().Before(at) {
		return d, false, scheduler.Later(at)
	}
	return d, true, nil
}

// Posted records where duo d's close-out message is, so it is never posted again.
func (s *Service) Posted(ctx context.Context, c mentor.Cycle, d mentor.Duo, ts string) error {
	return s.store.CloseoutPosted(ctx, c.ID, d.ID, ts)
}

// Archived records that duo d's channel was archived as it chose: the choice is
// final from now on.
func (s *Service) Archived(ctx context.Context, c mentor.Cycle, d mentor.Duo) error {
	return s.store.ChannelArchived(ctx, c.ID, d.ID, s.clock.Now())
}
