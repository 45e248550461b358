package pairing

import (
	"context"
	"sync"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// The pairing modal shows, for every approved pair of the round, whether its
// channel is open yet: thousands of duos in a large cycle, read on every click. A
// duo's opening, once done, stays done, so a service remembers those duos and
// reads only the ones still being set up.

// maxOpenedKept bounds the memory of opened duos (a few hundred bytes each).
const maxOpenedKept = 50_000

type openedDuos struct {
	mu   sync.Mutex
	byID map[string]mentor.Duo // by cycle id + " " + duo id
}

// ApprovedDuos returns the duos with the given ids (those that exist), reading
// from the store only those not known to be open already.
func (s *Service) ApprovedDuos(ctx context.Context, cycleID string, ids []string) (map[string]mentor.Duo, error) {
	out := make(map[string]mentor.Duo, len(ids))
	var missing []string
	s.opened.mu.Lock()
	for _, id := range ids {
		if d, ok := s.opened.byID[cycleID+" "+id]; ok {
			out[id] = d
		} else {
			missing = append(missing, id)
		}
	}
	s.opened.mu.Unlock()
	ds, err := s.store.Duos(ctx, cycleID, missing)
	if err != nil {
		return nil, err
	}
	s.opened.mu.Lock()
	defer s.opened.mu.Unlock()
	if s.opened.byID == nil || len(s.opened.byID)+len(ds) > maxOpenedKept {
		s.opened.byID = map[string]mentor.Duo{}
	}
	for _, d := range ds {
		out[d.ID] = d
		if d.Setup.Done() {
			s.opened.byID[cycleID+" "+d.ID] = d
		}
	}
	return out, nil
}
