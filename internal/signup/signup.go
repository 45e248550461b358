// Package signup is the use case of joining the program: signing up as a mentor or a
// mentee for the active cycle, editing the sign-up while unmatched, and leaving.
package signup

import (
	"context"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Store is what the service needs from storage.
type Store interface {
	SaveSignup(ctx context.Context, p mentor.Participant, now time.Time) error
	Withdraw(ctx context.Context, cycleID, userID string, now time.Time) (mentor.Status, []string, error)
	Participant(ctx context.Context, cycleID, userID string) (mentor.Participant, error)
	Participants(ctx context.Context, cycleID string) ([]mentor.Participant, error)
	ParticipantsWith(ctx context.Context, cycleID string, role mentor.Role, status mentor.Status, start, stop int) ([]mentor.Participant, error)
	Counts(ctx context.Context, cycleID string) (mentor.Counts, error)
	Cycle(ctx context.Context, id string) (mentor.Cycle, int, error)
}

// Service runs the sign-up use case.
type Service struct {
	store Store
	clock clock.Clock
}

// New returns the service.
func New(store Store, c clock.Clock) *Service { return &Service{store: store, clock: c} }

// Join validates p and saves it as the person's sign-up for cycle c: a new sign-up,
// an edit of a pending one, or a return after leaving. It fails with mentor.EINVALID
// when the cycle is over, FieldErrors for bad fields, and mentor.ECONFLICT when the
// person is already in a duo. Idempotent: the same submission twice is one sign-up.
func (s *Service) Join(ctx context.Context, c mentor.Cycle, p mentor.Participant) (mentor.Participant, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	if !c.Open(now) {
		return p, mentor.Errorf(mentor.EINVALID, "This program cycle has ended, so it no longer takes sign-ups.")
	}
	p.CycleID = c.ID
	normalize(&p)
	if err := p.ValidateIn(c); err != nil {
		return p, err
	}
	old, err := s.store.Participant(ctx, c.ID, p.UserID)
	switch {
	case err == nil && old.Status != mentor.StatusWithdrawn:
		p.CreatedAt = old.CreatedAt
	case err == nil, mentor.ErrorCode(err) == mentor.ENOTFOUND:
		p.CreatedAt = now
	default:
		return p, err
	}
	p.UpdatedAt = now
	p.WithdrawnAt = time.Time{}
	if err := s.store.SaveSignup(ctx, p, now); err != nil {
		return p, err
	}
	p.Status = mentor.StatusPending
	return p, nil
}

// normalize trims free text and drops fields that do not belong to the role.
func normalize(p *mentor.Participant) {
	p.Needs = strings.TrimSpace(p.Needs)
	p.Offer = strings.TrimSpace(p.Offer)
	p.OtherAreas = strings.TrimSpace(p.OtherAreas)
	p.CVURL = strings.TrimSpace(p.CVURL)
	if p.Role == mentor.RoleMentee {
		p.Offer, p.Capacity = "", 0
	} else {
		p.Needs = ""
	}
}

// Get returns a person's sign-up for a cycle; mentor.ENOTFOUND if there is none.
func (s *Service) Get(ctx context.Context, cycleID, userID string) (mentor.Participant, error) {
	return s.store.Participant(ctx, cycleID, userID)
}

// Leaving is the outcome of Leave: who left, what they were, the duos affected.
type Leaving struct {
	Participant mentor.Participant
	WasStatus   mentor.Status
	DuoIDs      []string
	AlreadyLeft bool
}

// Leave withdraws the person from cycle c. Leaving twice is harmless (AlreadyLeft).
func (s *Service) Leave(ctx context.Context, c mentor.Cycle, userID string) (Leaving, error) {
	p, err := s.store.Participant(ctx, c.ID, userID)
	if err != nil {
		return Leaving{}, err
	}
	was, duos, err := s.store.Withdraw(ctx, c.ID, userID, s.clock.Now())
	if err != nil {
		return Leaving{}, err
	}
	p.Status = mentor.StatusWithdrawn
	return Leaving{Participant: p, WasStatus: was, DuoIDs: duos, AlreadyLeft: was == mentor.StatusWithdrawn}, nil
}

// Counts returns the cycle's numbers.
func (s *Service) Counts(ctx context.Context, cycleID string) (mentor.Counts, error) {
	return s.store.Counts(ctx, cycleID)
}

// All returns every sign-up of the cycle.
func (s *Service) All(ctx context.Context, cycleID string) ([]mentor.Participant, error) {
	return s.store.Participants(ctx, cycleID)
}

// Pending returns the people waiting for a match, mentees first, then mentors
// without a mentee, each by sign-up time: limit of them from offset on.
func (s *Service) Pending(ctx context.Context, cycleID string, offset, limit int) ([]mentor.Participant, error) {
	counts, err := s.store.Counts(ctx, cycleID)
	if err != nil {
		return nil, err
	}
	return s.pending(ctx, cycleID, counts, offset, limit)
}

// Overview is what the committee sees of a cycle: its numbers and one page of the
// pending sign-ups.
type Overview struct {
	Counts  mentor.Counts
	Pending []mentor.Participant // page Page (0-based) of the pending sign-ups
	Page    int                  // clamped to the pages there are
	Total   int                  // all pending sign-ups
}

// Overview returns the cycle's numbers and page `page` (of `size` people) of the
// pending sign-ups, counting once for both.
func (s *Service) Overview(ctx context.Context, cycleID string, page, size int) (Overview, error) {
	counts, err := s.store.Counts(ctx, cycleID)
	if err != nil {
		return Overview{}, err
	}
	total := counts.PendingMentees + counts.PendingMentors
	pages := max((total+size-1)/size, 1)
	page = min(max(page, 0), pages-1)
	pending, err := s.pending(ctx, cycleID, counts, page*size, size)
	return Overview{Counts: counts, Pending: pending, Page: page, Total: total}, err
}

func (s *Service) pending(ctx context.Context, cycleID string, counts mentor.Counts, offset, limit int) ([]mentor.Participant, error) {
	if limit <= 0 {
		return nil, nil // a Redis range 0..-1 would mean "everything"
	}
	var out []mentor.Participant
	if offset < counts.PendingMentees {
		mentees, err := s.store.ParticipantsWith(ctx, cycleID, mentor.RoleMentee, mentor.StatusPending, offset, offset+limit-1)
		if err != nil {
			return nil, err
		}
		out = mentees
	}
	if rest := limit - len(out); rest > 0 {
		from := max(offset-counts.PendingMentees, 0)
		mentors, err := s.store.ParticipantsWith(ctx, cycleID, mentor.RoleMentor, mentor.StatusPending, from, from+rest-1)
		if err != nil {
			return nil, err
		}
		out = append(out, mentors...)
	}
	return out, nil
}

// maxCyclesBack bounds how far Previous looks back for a person's last sign-up.
const maxCyclesBack = 3

// Previous returns userID's sign-up in the latest of the cycles before c (following
// each cycle's Previous, at most maxCyclesBack of them) and that cycle, so that a
// person who re-applies, as people do every year, starts from their last answers.
// found is false when there is none.
func (s *Service) Previous(ctx context.Context, c mentor.Cycle, userID string) (p mentor.Participant, from mentor.Cycle, found bool, err error) {
	id := c.Previous
	for i := 0; i < maxCyclesBack && id != ""; i++ {
		from, _, err = s.store.Cycle(ctx, id)
		if mentor.ErrorCode(err) == mentor.ENOTFOUND {
			return p, from, false, nil
		}
		if err != nil {
			return p, from, false, err
		}
		p, err = s.store.Participant(ctx, id, userID)
		switch {
		case err == nil:
			return p, from, true, nil
		case mentor.ErrorCode(err) != mentor.ENOTFOUND:
			return p, from, false, err
		}
		id = from.Previous
	}
	return mentor.Participant{}, mentor.Cycle{}, false, nil
}

// Reapply turns last cycle's sign-up p into a new one for cycle c: the same answers
// (areas the new cycle still offers), as a new sign-up with no duo, asking afresh
// whom to continue with and whom to request.
func Reapply(p mentor.Participant, c mentor.Cycle) mentor.Participant {
	out := p
	out.CycleID = c.ID
	out.Status, out.Duos = "", nil
	out.CreatedAt, out.UpdatedAt, out.WithdrawnAt = time.Time{}, time.Time{}, time.Time{}
	// Wishes about partners belong to one cycle: whom to continue with is asked
	// afresh, and a requested mentor is named again if still wanted.
	out.ContinueWith, out.RequestMentor = nil, ""
	out.Areas = nil
	for _, a := range p.Areas {
		for _, o := range c.TopicOptions() {
			if o.Value == a {
				out.Areas = append(out.Areas, a)
			}
		}
	}
	return out
}
