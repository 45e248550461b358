// Package evaluation is the use case of the program evaluation (product.md, flow 8):
// each participant who is or was in a duo sends one evaluation a cycle, for the
// committee only. Sending it again replaces it; after the due date it is still
// accepted, and marked late. Once a person has evaluated, their evaluation reminders
// stop.
//
// The evaluation is confidential: nothing here tells the partner, posts anywhere or
// logs what was written. What the committee does with it is another use case's.
package evaluation

import (
	"context"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Store keeps the evaluations.
type Store interface {
	// Evaluation returns a person's evaluation; mentor.ENOTFOUND when there is none.
	Evaluation(ctx context.Context, cycleID, userID string) (mentor.Evaluation, error)
	// SaveEvaluation stores e as e.UserID's only evaluation of e.CycleID, keeping the
	// first SubmittedAt, and reports whether it replaced one.
	SaveEvaluation(ctx context.Context, e mentor.Evaluation) (mentor.Evaluation, bool, error)
	// EvaluatedAmong returns which of userIDs evaluated the cycle, in one read.
	EvaluatedAmong(ctx context.Context, cycleID string, userIDs []string) (map[string]bool, error)
}

// Records are what the service reads of the program: who signed up, their duos and
// what the duos agreed on.
type Records interface {
	Participant(ctx context.Context, cycleID, userID string) (mentor.Participant, error)
	Duos(ctx context.Context, cycleID string, ids []string) ([]mentor.Duo, error)
	DuoIDs(ctx context.Context, cycleID string) ([]string, error)
	Agreement(ctx context.Context, cycleID, duoID string, version int) (mentor.Agreement, error)
}

// Nudges are told when a person has evaluated, so their reminders stop.
type Nudges interface {
	Evaluated(ctx context.Context, c mentor.Cycle, userID string) error
}

// Service runs the use case. It is safe for concurrent use.
type Service struct {
	store   Store
	records Records
	nudges  Nudges
	clock   clock.Clock
}

// New returns the service. nudges may be nil (no reminders to stop).
func New(store Store, records Records, nudges Nudges, clk clock.Clock) *Service {
	return &Service{store: store, records: records, nudges: nudges, clock: clk}
}

// Refusals: who may not evaluate, in words they can act on.
var (
	errNotParticipant = mentor.Errorf(mentor.EFORBIDDEN,
		"The program evaluation is for this cycle's mentors and mentees, and you're not signed up for it. If you think you should be, tell the mentorship committee.")
	errNoDuo = mentor.Errorf(mentor.EFORBIDDEN,
		"You can evaluate the program once you've been in a duo this cycle, and you haven't been in one yet.")
)

// participant returns userID's sign-up for cycle c and the duos they are or were in
// (their open duos; only when they have none, the ended ones, which takes a read of
// every duo of the cycle). mentor.EFORBIDDEN when they are not signed up or were
// never in a duo.
func (s *Service) participant(ctx context.Context, c mentor.Cycle, userID string) (mentor.Participant, []mentor.Duo, error) {
	p, err := s.records.Participant(ctx, c.ID, userID)
	if mentor.ErrorCode(err) == mentor.ENOTFOUND {
		return p, nil, errNotParticipant
	}
	if err != nil {
		return p, nil, err
	}
	duos, err := s.records.Duos(ctx, c.ID, p.Duos)
	if err != nil {
		return p, nil, err
	}
	if len(duos) == 0 {
		// Dissolving a duo takes it off both people's lists; they still took part.
		if duos, err = s.endedDuosOf(ctx, c, userID); err != nil {
			return p, nil, err
		}
	}
	if len(duos) == 0 {
		return p, nil, errNoDuo
	}
	return p, duos, nil
}

// endedDuosOf returns the duos of cycle c userID was a member of, read in pages.
func (s *Service) endedDuosOf(ctx context.Context, c mentor.Cycle, userID string) ([]mentor.Duo, error) {
	var out []mentor.Duo
	err := mentor.EachDuo(ctx, s.records, c.ID, func(d mentor.Duo) error {
		if d.Has(userID) {
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// Form returns what userID's evaluation form for cycle c starts from: the evaluation
// they sent (to change it), or a new one for their role with the activities their
// duos agreed on (the union over the current agreements of their duos: a mentor may
// have several). mentor.EFORBIDDEN when they may not evaluate (see Submit).
func (s *Service) Form(ctx context.Context, c mentor.Cycle, userID string) (mentor.Evaluation, error) {
	p, duos, err := s.participant(ctx, c, userID)
	if err != nil {
		return mentor.Evaluation{}, err
	}
	e, err := s.store.Evaluation(ctx, c.ID, userID)
	switch {
	case err == nil:
		e.Role = p.Role // the questions follow the sign-up
		return e, nil
	case mentor.ErrorCode(err) != mentor.ENOTFOUND:
		return e, err
	}
	var agreements []mentor.Agreement
	for _, d := range duos {
		a, err := s.records.Agreement(ctx, c.ID, d.ID, 0)
		switch {
		case err == nil:
			agreements = append(agreements, a)
		case mentor.ErrorCode(err) != mentor.ENOTFOUND:
			return mentor.Evaluation{}, err
		}
	}
	return mentor.DefaultEvaluation(c, p, agreements), nil
}

// Outcome is what Submit did.
type Outcome struct {
	// Evaluation is the evaluation as stored: SubmittedAt is the first submission,
	// UpdatedAt this one, Late whether this one came after the due date.
	Evaluation mentor.Evaluation
	// Replaced reports that it replaced an evaluation the person sent before.
	Replaced bool
	// RemindersErr is set when the evaluation was saved but stopping the person's
	// remaining evaluation reminders failed. It is no failure of the submission: a
	// reminder checks, when it falls due, whether the person has evaluated, and is
	// dropped. The caller logs it.
	RemindersErr error
}

// Submit validates e and stores it as userID's evaluation of cycle c, replacing the
// one they sent before. Only a participant of c who is or was in a duo may evaluate
// (mentor.EFORBIDDEN otherwise, whatever the form held); the role is their sign-up's.
// It is accepted after the due date too, marked Late (the due date counts in the
// person's own time zone, as their reminders do). Problems with the answers are
// mentor.FieldErrors keyed like the form's inputs. Then the person's evaluation
// reminders are cancelled.
func (s *Service) Submit(ctx context.Context, c mentor.Cycle, e mentor.Evaluation, userID string) (Outcome, error) {
	now := s.clock.Now().UTC()
	p, _, err := s.participant(ctx, c, userID)
	if err != nil {
		return Outcome{}, err
	}
	e.CycleID, e.UserID, e.Role = c.ID, userID, p.Role
	e.SubmittedAt, e.UpdatedAt = now, now
	e.Late = c.EvaluationLate(now, mentor.Location(p.TZ, p.TZOffset))
	if err := e.Validate(c); err != nil {
		return Outcome{}, err
	}
	saved, replaced, err := s.store.SaveEvaluation(ctx, e)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Evaluation: saved, Replaced: replaced}
	if s.nudges != nil {
		out.RemindersErr = s.nudges.Evaluated(ctx, c, userID)
	}
	return out, nil
}

// Evaluated returns which of userIDs have evaluated cycle cycleID (only those who did
// are in the map), in one read: for the stages of a page of duos ("evaluated" once
// both members have).
func (s *Service) Evaluated(ctx context.Context, cycleID string, userIDs []string) (map[string]bool, error) {
	return s.store.EvaluatedAmong(ctx, cycleID, userIDs)
}
