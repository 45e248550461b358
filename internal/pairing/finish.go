package pairing

import (
	"context"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Finish marks round roundID of cycle cycleID finished by actor, once: first is true
// for the call that finished it. A finished round stays readable and its open
// proposals can still be approved; finishing only says "this round is done: tell
// those left without a partner".
func (s *Service) Finish(ctx context.Context, cycleID, roundID, actor string) (r mentor.PairingRound, first bool, err error) {
	now := s.clock.Now()
	r, err = s.store.UpdateRound(ctx, cycleID, roundID, func(r *mentor.PairingRound) error {
		first = false // UpdateRound may run this more than once
		if !r.Finished() {
			r.FinishedAt, r.FinishedBy, first = now, actor, true
		}
		return nil
	})
	return r, first, err
}

// Unmatched returns the people round r left without a partner: everyone who had
// signed up when the round was proposed and is still waiting, mentees without a
// mentor and mentors without a mentee (people who left are not included).
func (s *Service) Unmatched(ctx context.Context, r mentor.PairingRound) (mentees, mentors []mentor.Participant, err error) {
	ps, err := s.store.Participants(ctx, r.CycleID)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range ps {
		if p.Status != mentor.StatusPending || len(p.Duos) > 0 || p.CreatedAt.After(r.CreatedAt) {
			continue
		}
		if p.Role == mentor.RoleMentee {
			mentees = append(mentees, p)
		} else {
			mentors = append(mentors, p)
		}
	}
	return mentees, mentors, nil
}

// StillUnmatched reports whether userID still waits for a partner in cycle cycleID.
func (s *Service) StillUnmatched(ctx context.Context, cycleID, userID string) (mentor.Participant, bool, error) {
	p, err := s.store.Participant(ctx, cycleID, userID)
	if mentor.ErrorCode(err) == mentor.ENOTFOUND {
		return p, false, nil
	}
	if err != nil {
		return p, false, err
	}
	return p, p.Status == mentor.StatusPending && len(p.Duos) == 0, nil
}
