package redisstore

import (
	"context"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// SaveSignupDeclaring is SaveSignup with the script's keys passed through declare
// first (nil: as they are), for the external tests: see saveSignup.
func (s *Store) SaveSignupDeclaring(ctx context.Context, p mentor.Participant, now time.Time, declare func([]string) []string) error {
	return s.saveSignup(ctx, p, now, declare)
}
