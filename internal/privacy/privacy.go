// Package privacy answers data-deletion requests: it forgets a person in one cycle or
// in every cycle, keeping the program's anonymous counts.
package privacy

import (
	"context"
	"fmt"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Store is what forgetting needs of the state store.
type Store interface {
	Cycles(ctx context.Context) ([]mentor.Cycle, error)
	Cycle(ctx context.Context, id string) (mentor.Cycle, int, error)
	// Forget removes the person's data from one cycle, atomically and idempotently.
	Forget(ctx context.Context, cycleID, userID string, now time.Time) (mentor.Forgotten, error)
}

// Service forgets people.
type Service struct {
	store Store
	clock clock.Clock
}

// New returns the service.
func New(store Store, c clock.Clock) *Service { return &Service{store: store, clock: c} }

// Forget removes userID's data from cycleID, or from every cycle when cycleID is "",
// and returns what it removed, cycle by cycle (oldest first; a cycle with nothing of
// the person gives an empty Forgotten). Each cycle is forgotten atomically; a cycle
// where the person is in a running duo is refused (mentor.ECONFLICT), and the cycles
// before it stay forgotten: the returned list holds them, with the error. Forgetting
// again is harmless. mentor.ENOTFOUND for an unknown cycle, mentor.EINVALID for an id
// that is not a Slack user id.
func (s *Service) Forget(ctx context.Context, userID, cycleID string) ([]mentor.Forgotten, error) {
	if !mentor.ValidUserID(userID) {
		return nil, mentor.Errorf(mentor.EINVALID, "%q is not a Slack user id (U… or W…, as in the person's profile under ⋮ → Copy member ID).", userID)
	}
	var ids []string
	if cycleID != "" {
		if _, _, err := s.store.Cycle(ctx, cycleID); err != nil {
			if mentor.ErrorCode(err) == mentor.ENOTFOUND {
				return nil, mentor.Errorf(mentor.ENOTFOUND, "There is no program cycle %q.", cycleID)
			}
			return nil, err
		}
		ids = []string{cycleID}
	} else {
		cycles, err := s.store.Cycles(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range cycles {
			ids = append(ids, c.ID)
		}
	}
	now := s.clock.Now()
	var out []mentor.Forgotten
	for _, id := range ids {
		f, err := s.store.Forget(ctx, id, userID, now)
		if err != nil {
			return out, fmt.Errorf("forget in cycle %s: %w", id, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// Summary is what was removed, one line per kind, for the person who asked: the
// same words on the command line and in Slack. It names no one.
func Summary(fs []mentor.Forgotten) []string {
	var total mentor.Forgotten
	profiles := 0
	for _, f := range fs {
		if f.Profile {
			profiles++
		}
		total.Evaluations += f.Evaluations
		total.Concerns += f.Concerns
		total.Duos += f.Duos
		total.Agreements += f.Agreements
	}
	if profiles == 0 && total.Empty() {
		return []string{fmt.Sprintf("Nothing left to forget (%s searched).", plural(len(fs), "cycle"))}
	}
	return []string{
		fmt.Sprintf("sign-ups: %s removed (still counted, anonymously, as signed up)", plural(profiles, "sign-up")),
		fmt.Sprintf("evaluations: %s removed (still counted as submitted)", plural(total.Evaluations, "evaluation")),
		fmt.Sprintf("concerns: the text of %s removed (still counted)", plural(total.Concerns, "concern")),
		fmt.Sprintf("duos: %s anonymised: an anonymous stand-in instead of the person (still counted)", plural(total.Duos, "duo")),
		fmt.Sprintf("agreements: %s anonymised as to who wrote and signed them", plural(total.Agreements, "agreement")),
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
