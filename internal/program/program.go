// Package program is the use case of program cycles: the committee opens a cycle,
// edits it, and everyone reads the active one. Earlier cycles stay readable.
package program

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Store is what the service needs from storage.
type Store interface {
	CreateCycle(ctx context.Context, c mentor.Cycle) (rev int, err error)
	UpdateCycle(ctx context.Context, c mentor.Cycle, expectRev int) (rev int, err error)
	Cycle(ctx context.Context, id string) (mentor.Cycle, int, error)
	ActiveCycle(ctx context.Context) (mentor.Cycle, int, error)
	Cycles(ctx context.Context) ([]mentor.Cycle, error)
}

// Service runs the cycle use case.
type Service struct {
	store Store
	clock clock.Clock
}

// New returns the service.
func New(store Store, c clock.Clock) *Service { return &Service{store: store, clock: c} }

// Active returns the active cycle and its revision; mentor.ENOTFOUND when none is.
func (s *Service) Active(ctx context.Context) (mentor.Cycle, int, error) {
	return s.store.ActiveCycle(ctx)
}

// Get returns a cycle by id.
func (s *Service) Get(ctx context.Context, id string) (mentor.Cycle, int, error) {
	return s.store.Cycle(ctx, id)
}

// All returns every cycle, oldest first.
func (s *Service) All(ctx context.Context) ([]mentor.Cycle, error) { return s.store.Cycles(ctx) }

// Draft returns the cycle the committee's form should show: the active one with its
// revision for an edit, or, when fresh is set or nothing is active, a new cycle with
// the program's defaults and a new id (revision 0). Choosing the id up front makes
// the later Save idempotent: a redelivered submission finds its cycle made.
func (s *Service) Draft(ctx context.Context, fresh bool) (mentor.Cycle, int, error) {
	if !fresh {
		c, rev, err := s.store.ActiveCycle(ctx)
		if err == nil {
			return c, rev, nil
		}
		if mentor.ErrorCode(err) != mentor.ENOTFOUND {
			return mentor.Cycle{}, 0, err
		}
	}
	c := mentor.DefaultCycle(s.clock.Now())
	c.ID = uuid.NewString()
	active, _, err := s.store.ActiveCycle(ctx)
	switch {
	case err == nil:
		c.Previous = active.ID
	case mentor.ErrorCode(err) != mentor.ENOTFOUND:
		return mentor.Cycle{}, 0, err
	}
	return c, 0, nil
}

// Save validates c and stores it: rev 0 creates it (and makes it the active cycle),
// any other rev edits it if nobody changed it since (else mentor.ECONFLICT).
// An empty evaluation due date takes the default, May 1 of the end year.
func (s *Service) Save(ctx context.Context, actor string, c mentor.Cycle, rev int) (mentor.Cycle, error) {
	c.Name = strings.TrimSpace(c.Name)
	if c.EvaluationDue.IsZero() && !c.Start.IsZero() && !c.End.IsZero() {
		c.EvaluationDue = mentor.DefaultEvaluationDue(c.Start, c.End)
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	c.UpdatedAt = now
	if rev == 0 {
		c.CreatedAt, c.CreatedBy = now, actor
		_, err := s.store.CreateCycle(ctx, c)
		return c, err
	}
	old, _, err := s.store.Cycle(ctx, c.ID)
	if err != nil {
		return c, err
	}
	c.CreatedAt, c.CreatedBy = old.CreatedAt, old.CreatedBy
	_, err = s.store.UpdateCycle(ctx, c, rev)
	return c, err
}
