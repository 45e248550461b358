// Package nudges is the use case of the program's reminders (product.md's nudge
// table): which nudges a duo gets, when each falls due, whether it is still needed
// when it does, and the committee's weekly digest. Nudges are durable jobs of the
// scheduler; sending one is the Notifier's business.
//
// What is due is decided here, from the state at the moment the job runs: a nudge
// whose reason is gone is dropped, one whose reason moved (the duo wrote again, the
// cycle's thresholds changed) is postponed to its new time. So a message event costs
// no scheduling at all: the keep-in-touch nudge finds the newer message when it
// comes due and moves itself.
package nudges

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/scheduler"
)

// JobKind is the scheduler kind of every nudge job.
const JobKind = "nudge"

// Store is what the service reads.
type Store interface {
	Cycle(ctx context.Context, id string) (mentor.Cycle, int, error)
	ActiveCycle(ctx context.Context) (mentor.Cycle, int, error)
	Duos(ctx context.Context, cycleID string, ids []string) ([]mentor.Duo, error)
	DuoIDs(ctx context.Context, cycleID string) ([]string, error)
	Participant(ctx context.Context, cycleID, userID string) (mentor.Participant, error)
	Participants(ctx context.Context, cycleID string) ([]mentor.Participant, error)
	Evaluated(ctx context.Context, cycleID, userID string) (bool, error)
	EvaluatedAll(ctx context.Context, cycleID string) (map[string]bool, error)
}

// Scheduler is where nudges wait.
type Scheduler interface {
	Schedule(ctx context.Context, j mentor.Job, mode mentor.ScheduleMode) (bool, error)
	Cancel(ctx context.Context, keys ...string) error
}

// Nudge is one reminder to send now.
type Nudge struct {
	Kind  mentor.NudgeKind
	Cycle mentor.Cycle
	Duo   *mentor.Duo // nil for the evaluation and annual-meeting nudges of a person, and the digest
	To    string      // the person's user id; "" for the committee channel
	// ID identifies this sending: the same nudge performed twice (a retry after an
	// uncertain failure) has the same ID, and the Notifier looks for it in Slack's
	// history (message metadata) before posting again.
	ID        string
	Uncertain bool
	DaysLeft  int     // evaluation and annual meeting: days until the date
	QuietDays int     // keep in touch: days since the duo last wrote
	Digest    *Digest // the committee's digest
}

// Notifier sends nudges (in Slack: a DM, or a post in the committee channel, with the
// message metadata of product.md).
type Notifier interface {
	Nudge(ctx context.Context, n Nudge) error
}

// Service plans and performs nudges.
type Service struct {
	store Store
	sched Scheduler
	clock clock.Clock
}

// New returns the service.
func New(store Store, sched Scheduler, clk clock.Clock) *Service {
	return &Service{store: store, sched: sched, clock: clk}
}

// job builds a nudge job.
func job(kind mentor.NudgeKind, c mentor.Cycle, duoID, userID string, days int, due time.Time) mentor.Job {
	key := "nudge:" + string(kind) + ":" + c.ID
	data := map[string]string{"kind": string(kind), "cycle": c.ID}
	switch kind {
	case mentor.NudgeEvaluation:
		key += ":" + userID + ":" + strconv.Itoa(days)
		data["user"], data["days"] = userID, strconv.Itoa(days)
	case mentor.NudgeAnnualMeeting:
		key += ":" + userID
		data["user"] = userID
	case mentor.NudgeDigest:
	default:
		key += ":" + duoID
		data["duo"] = duoID
		if userID != "" {
			key += ":" + userID
			data["user"] = userID
		}
	}
	return mentor.Job{Key: key, Kind: JobKind, Due: due, Data: data}
}

// duoJobs are the nudges of duo d in cycle c, due when the rules say, counted from
// the duo's approval (the channel opens moments later).
func duoJobs(c mentor.Cycle, d mentor.Duo) []mentor.Job {
	base := d.CreatedAt
	r := c.Reminders
	days := func(n int) time.Time { return base.AddDate(0, 0, n) }
	jobs := []mentor.Job{
		job(mentor.NudgeWelcome, c, d.ID, "", 0, days(r.WelcomeDays)),
		job(mentor.NudgeContact, c, d.ID, "", 0, days(r.ContactDays)),
		job(mentor.NudgeAgreementOverdue, c, d.ID, "", 0, days(r.AgreementCommitteeDays)),
	}
	for _, u := range []string{d.MenteeID, d.MentorID} {
		jobs = append(jobs,
			job(mentor.NudgeAgreement, c, d.ID, u, 0, days(r.AgreementDays)),
			job(mentor.NudgeKeepInTouch, c, d.ID, u, 0, base.Add(quiet(c, d))))
	}
	return jobs
}

// personJobs are the nudges of a participant of cycle c: evaluation reminders and
// the annual meeting's.
func personJobs(c mentor.Cycle, userID string) []mentor.Job {
	var jobs []mentor.Job
	for _, n := range c.Reminders.EvaluationDays {
		jobs = append(jobs, job(mentor.NudgeEvaluation, c, "", userID, n, c.EvaluationDue.AddDate(0, 0, -n)))
	}
	if !c.AnnualMeeting.IsZero() {
		jobs = append(jobs, job(mentor.NudgeAnnualMeeting, c, "", userID, 0, c.AnnualMeeting.AddDate(0, 0, -c.Reminders.AnnualMeetingDays)))
	}
	return jobs
}

// quiet is how long duo d may stay silent before the keep-in-touch nudge: its agreed
// interval plus the cycle's margin.
func quiet(c mentor.Cycle, d mentor.Duo) time.Duration {
	iv := d.KeepInTouchInterval()
	return iv + iv*time.Duration(c.Reminders.KeepInTouchPercent)/100
}

// PlanDuo schedules the nudges of a new duo and of its two members. It is idempotent:
// planning the same duo again keeps what is scheduled.
func (s *Service) PlanDuo(ctx context.Context, c mentor.Cycle, d mentor.Duo) error {
	jobs := duoJobs(c, d)
	jobs = append(jobs, personJobs(c, d.MenteeID)...)
	jobs = append(jobs, personJobs(c, d.MentorID)...)
	for _, j := range jobs {
		if _, err := s.sched.Schedule(ctx, j, mentor.ScheduleKeep); err != nil {
			return fmt.Errorf("plan nudges of duo %s: %w", d.ID, err)
		}
	}
	return nil
}

// DuoEnded cancels the nudges of a dissolved duo. The people's own evaluation and
// annual-meeting reminders stay; they are dropped when they fall due if the person is
// no longer in a duo.
func (s *Service) DuoEnded(ctx context.Context, c mentor.Cycle, d mentor.Duo) error {
	var keys []string
	for _, j := range duoJobs(c, d) {
		keys = append(keys, j.Key)
	}
	return s.sched.Cancel(ctx, keys...)
}

// FirstMessage cancels the nudge a member's first message answers: the mentor's
// welcome or the mentee's initial contact.
func (s *Service) FirstMessage(ctx context.Context, c mentor.Cycle, d mentor.Duo, userID string) error {
	kind := mentor.NudgeContact
	if userID == d.MentorID {
		kind = mentor.NudgeWelcome
	}
	return s.sched.Cancel(ctx, job(kind, c, d.ID, "", 0, time.Time{}).Key)
}

// AgreementSigned cancels the agreement nudges once both signed, and moves the
// keep-in-touch nudges to the agreed interval when that makes them earlier (a later
// time is found by the nudge itself when it comes due).
func (s *Service) AgreementSigned(ctx context.Context, c mentor.Cycle, d mentor.Duo) error {
	keys := []string{job(mentor.NudgeAgreementOverdue, c, d.ID, "", 0, time.Time{}).Key}
	for _, u := range []string{d.MenteeID, d.MentorID} {
		keys = append(keys, job(mentor.NudgeAgreement, c, d.ID, u, 0, time.Time{}).Key)
	}
	if err := s.sched.Cancel(ctx, keys...); err != nil {
		return err
	}
	due := lastWord(d).Add(quiet(c, d))
	for _, u := range []string{d.MenteeID, d.MentorID} {
		if _, err := s.sched.Schedule(ctx, job(mentor.NudgeKeepInTouch, c, d.ID, u, 0, due), mentor.ScheduleEarlier); err != nil {
			return err
		}
	}
	return nil
}

// Evaluated cancels a person's evaluation reminders.
func (s *Service) Evaluated(ctx context.Context, c mentor.Cycle, userID string) error {
	var keys []string
	for _, n := range c.Reminders.EvaluationDays {
		keys = append(keys, job(mentor.NudgeEvaluation, c, "", userID, n, time.Time{}).Key)
	}
	return s.sched.Cancel(ctx, keys...)
}

// PlanDigest schedules the cycle's next weekly digest unless one is scheduled (a
// digest being retried keeps its slot). It is idempotent.
func (s *Service) PlanDigest(ctx context.Context, c mentor.Cycle) error {
	return s.planDigest(ctx, c, mentor.ScheduleKeep)
}

func (s *Service) planDigest(ctx context.Context, c mentor.Cycle, mode mentor.ScheduleMode) error {
	now := s.clock.Now()
	if at, ok := c.NextDigest(now); ok && now.Before(c.End.AddDate(0, 0, 1)) {
		return s.scheduleDigest(ctx, c, at, mode)
	}
	return nil
}

// PlanCycle schedules the cycle's weekly digest and, after an edit, moves every
// nudge of its duos that the new thresholds make earlier (a later one finds its new
// time when it comes due). It reads every duo of the cycle: run it in the background.
// It is idempotent.
func (s *Service) PlanCycle(ctx context.Context, c mentor.Cycle) error {
	// The digest has one slot at a time: the next one of the cycle's new settings.
	if err := s.planDigest(ctx, c, mentor.ScheduleReplace); err != nil {
		return err
	}
	return mentor.EachDuo(ctx, s.store, c.ID, func(d mentor.Duo) error {
		if d.Ended() {
			return nil
		}
		jobs := append(duoJobs(c, d), append(personJobs(c, d.MenteeID), personJobs(c, d.MentorID)...)...)
		for _, j := range jobs {
			if _, err := s.sched.Schedule(ctx, j, mentor.ScheduleEarlier); err != nil {
				return err
			}
		}
		return nil
	})
}

// lastWord is when duo d last showed life: its last message, or its opening.
func lastWord(d mentor.Duo) time.Time {
	t := d.CreatedAt
	if o := d.OpenedAt(); o.After(t) {
		t = o
	}
	if l := d.Activity.Last(); l.After(t) {
		t = l
	}
	return t
}

// Perform is the scheduler's performer of nudge jobs: it re-checks the nudge against
// the state now, postpones it to when it is due (in the recipient's working hours), or
// sends it through send.
func (s *Service) Perform(ctx context.Context, j mentor.Job, send Notifier) error {
	later := scheduler.Later
	now := s.clock.Now()
	c, _, err := s.store.Cycle(ctx, j.Data["cycle"])
	if mentor.ErrorCode(err) == mentor.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	kind := mentor.NudgeKind(j.Data["kind"])
	if kind == mentor.NudgeDigest {
		return s.digest(ctx, c, j, now, send)
	}
	n := Nudge{Kind: kind, Cycle: c, To: j.Data["user"], Uncertain: j.Retried()}
	var due time.Time
	var d mentor.Duo
	if id := j.Data["duo"]; id != "" {
		ds, err := s.store.Duos(ctx, c.ID, []string{id})
		if err != nil {
			return err
		}
		if len(ds) == 0 || ds[0].Ended() {
			return nil
		}
		d = ds[0]
		n.Duo = &d
		if !d.Setup.Done() {
			return later(now.Add(time.Hour)) // nobody can write in a channel that isn't open yet
		}
	}
	// The recipient, for their time zone (and to drop nudges to people who left).
	var p mentor.Participant
	switch kind {
	case mentor.NudgeWelcome:
		n.To = d.MentorID
	case mentor.NudgeContact:
		n.To = d.MenteeID
	case mentor.NudgeAgreementOverdue:
		n.To = ""
	}
	loc := c.Zone()
	if n.To != "" {
		p, err = s.store.Participant(ctx, c.ID, n.To)
		if err != nil && mentor.ErrorCode(err) != mentor.ENOTFOUND {
			return err
		}
		if p.Status == mentor.StatusWithdrawn {
			return nil
		}
		loc = mentor.Location(p.TZ, p.TZOffset)
	}
	var ok bool
	switch kind {
	case mentor.NudgeWelcome:
		due, ok = d.OpenedAt().AddDate(0, 0, c.Reminders.WelcomeDays), d.Activity.MentorFirst.IsZero()
	case mentor.NudgeContact:
		due, ok = d.OpenedAt().AddDate(0, 0, c.Reminders.ContactDays), d.Activity.MenteeFirst.IsZero()
	case mentor.NudgeAgreement:
		due, ok = d.OpenedAt().AddDate(0, 0, c.Reminders.AgreementDays), !d.Agreement.Signed()
	case mentor.NudgeAgreementOverdue:
		due, ok = d.OpenedAt().AddDate(0, 0, c.Reminders.AgreementCommitteeDays), !d.Agreement.Signed()
	case mentor.NudgeKeepInTouch:
		base := lastWord(d)
		if sent := parseUnix(j.Data["sent"]); sent.After(base) {
			base = sent
		}
		due, ok = base.Add(quiet(c, d)), true
		n.QuietDays = int(now.Sub(lastWord(d)).Hours() / 24)
	case mentor.NudgeEvaluation:
		// "n days before the due date" is a day of the person's own calendar.
		days, _ := strconv.Atoi(j.Data["days"])
		due = civil(c.EvaluationDue.AddDate(0, 0, -days), loc)
		ok = !due.Before(j.CreatedAt.Add(-24*time.Hour)) && slices.Contains(c.Reminders.EvaluationDays, days)
		if ok {
			ok, err = s.stillNeedsEvaluation(ctx, c, n.To)
			if err != nil {
				return err
			}
		}
		n.DaysLeft = daysUntil(now.In(loc), civil(c.EvaluationDue, loc))
	case mentor.NudgeAnnualMeeting:
		due = civil(c.AnnualMeeting.AddDate(0, 0, -c.Reminders.AnnualMeetingDays), loc)
		ok = !c.AnnualMeeting.IsZero() && now.Before(civil(c.AnnualMeeting, loc))
		if ok {
			ok, err = s.inADuo(ctx, c, n.To)
			if err != nil {
				return err
			}
		}
		n.DaysLeft = daysUntil(now.In(loc), civil(c.AnnualMeeting, loc))
	default:
		return nil // a kind this version does not know: drop it
	}
	if !ok || now.After(c.End.AddDate(0, 0, 1)) {
		return nil
	}
	at := due
	if n.To != "" {
		// Overdue (a replica was down over the weekend, the clock moved): still
		// only within the person's hours, the next such time from now.
		at = mentor.NudgeTime(latest(due, now), loc, c.Reminders)
	}
	if at.After(now) {
		return later(at)
	}
	n.ID = j.Key + ":" + strconv.FormatInt(due.Unix(), 10)
	if err := send.Nudge(ctx, n); err != nil {
		return err
	}
	if kind == mentor.NudgeKeepInTouch {
		// The next one, should the duo stay quiet: a full quiet period from now.
		next := mentor.Job{Key: j.Key, Kind: j.Kind, Due: now.Add(quiet(c, d)), Data: copyData(j.Data)}
		next.Data["sent"] = strconv.FormatInt(now.Unix(), 10)
		_, err := s.sched.Schedule(ctx, next, mentor.ScheduleReplace)
		return err
	}
	return nil
}

func (s *Service) stillNeedsEvaluation(ctx context.Context, c mentor.Cycle, userID string) (bool, error) {
	in, err := s.inADuo(ctx, c, userID)
	if err != nil || !in {
		return false, err
	}
	done, err := s.store.Evaluated(ctx, c.ID, userID)
	return !done, err
}

// inADuo reports whether the person takes part in cycle c with at least one duo.
func (s *Service) inADuo(ctx context.Context, c mentor.Cycle, userID string) (bool, error) {
	p, err := s.store.Participant(ctx, c.ID, userID)
	if mentor.ErrorCode(err) == mentor.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return p.Status != mentor.StatusWithdrawn && len(p.Duos) > 0, nil
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// civil is the start of date's calendar day (a civil date stored at 00:00 UTC) in loc.
func civil(date time.Time, loc *time.Location) time.Time {
	return time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, loc)
}

// daysUntil counts the calendar days from now's day to day's, both in now's zone.
func daysUntil(now, day time.Time) int {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	d := int(day.Sub(today).Round(time.Hour).Hours() / 24)
	return max(d, 0)
}

func parseUnix(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n == 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func copyData(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Digest is the committee's weekly view of who needs attention.
type Digest struct {
	Duos               int
	Stalled            []mentor.Duo // no first contact in time, or quiet past the keep-in-touch limit
	MissingAgreements  []mentor.Duo // not signed by both after the agreement reminder
	MissingEvaluations []string     // after the due date: participants in duos without an evaluation
	EvaluationsDue     bool         // the due date has passed
}

// Empty reports whether nobody needs attention.
func (d Digest) Empty() bool {
	return len(d.Stalled) == 0 && len(d.MissingAgreements) == 0 && len(d.MissingEvaluations) == 0
}

// digest posts the committee's digest and schedules next week's.
func (s *Service) digest(ctx context.Context, c mentor.Cycle, j mentor.Job, now time.Time, send Notifier) error {
	active, _, err := s.store.ActiveCycle(ctx)
	if err != nil && mentor.ErrorCode(err) != mentor.ENOTFOUND {
		return err
	}
	if active.ID != c.ID || now.After(c.End.AddDate(0, 0, 1)) {
		return nil // the digest follows the active cycle only
	}
	// The slot this job was scheduled for; the cycle may have moved the digest or
	// switched it off since.
	slot := parseUnix(j.Data["slot"])
	if slot.IsZero() {
		slot = j.Due
	}
	if want, ok := c.NextDigest(slot.Add(-time.Second)); !ok {
		return nil
	} else if !want.Equal(slot) {
		next, _ := c.NextDigest(now.Add(-time.Second))
		return s.scheduleDigest(ctx, c, next, mentor.ScheduleReplace)
	}
	if slot.After(now) {
		return scheduler.Later(slot)
	}
	dg, err := s.Compute(ctx, c, now)
	if err != nil {
		return err
	}
	if err := send.Nudge(ctx, Nudge{Kind: mentor.NudgeDigest, Cycle: c, ID: j.Key + ":" + strconv.FormatInt(slot.Unix(), 10),
		Uncertain: j.Retried(), Digest: &dg}); err != nil {
		return err
	}
	if next, ok := c.NextDigest(slot); ok {
		return s.scheduleDigest(ctx, c, next, mentor.ScheduleReplace)
	}
	return nil
}

// scheduleDigest schedules the digest of slot at (its time is its id: a digest sent
// twice after an uncertain failure is found by it).
func (s *Service) scheduleDigest(ctx context.Context, c mentor.Cycle, at time.Time, mode mentor.ScheduleMode) error {
	if at.IsZero() {
		return nil
	}
	j := job(mentor.NudgeDigest, c, "", "", 0, at)
	j.Data["slot"] = strconv.FormatInt(at.Unix(), 10)
	_, err := s.sched.Schedule(ctx, j, mode)
	return err
}

// Compute gathers the digest of cycle c at now. It reads every duo of the cycle, in
// pages: once a week, not per event.
func (s *Service) Compute(ctx context.Context, c mentor.Cycle, now time.Time) (Digest, error) {
	var dg Digest
	inDuo := map[string]bool{}
	r := c.Reminders
	err := mentor.EachDuo(ctx, s.store, c.ID, func(d mentor.Duo) error {
		if d.Ended() || !d.Setup.Done() {
			return nil
		}
		dg.Duos++
		inDuo[d.MenteeID], inDuo[d.MentorID] = true, true
		opened := d.OpenedAt()
		noContact := d.Activity.FirstContact().IsZero() && now.After(opened.AddDate(0, 0, r.ContactDays))
		if noContact || now.After(lastWord(d).Add(quiet(c, d))) {
			dg.Stalled = append(dg.Stalled, d)
		}
		if !d.Agreement.Signed() && now.After(opened.AddDate(0, 0, r.AgreementDays)) {
			dg.MissingAgreements = append(dg.MissingAgreements, d)
		}
		return nil
	})
	if err != nil {
		return dg, err
	}
	if now.After(c.EvaluationDue.AddDate(0, 0, 1)) {
		dg.EvaluationsDue = true
		done, err := s.store.EvaluatedAll(ctx, c.ID)
		if err != nil {
			return dg, err
		}
		ps, err := s.store.Participants(ctx, c.ID)
		if err != nil {
			return dg, err
		}
		for _, p := range ps {
			if inDuo[p.UserID] && p.Status != mentor.StatusWithdrawn && !done[p.UserID] {
				dg.MissingEvaluations = append(dg.MissingEvaluations, p.UserID)
			}
		}
	}
	return dg, nil
}
