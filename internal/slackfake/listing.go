package slackfake

import "sort"

// Views returns every view the bot ever opened or published (modals, open or
// closed, and Home tabs), in creation order: for tools that look at
// everything the bot showed, such as the sandbox's renderer tests.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.views))
	for id := range s.views {
		ids = append(ids, id)
	}
	sort.Strings(ids) // IDs come from one counter of fixed width: creation order
	out := make([]View, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.snapshot(s.views[id]))
	}
	return out
}
