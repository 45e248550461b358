package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

// newStore returns a store on a private Redis, and the Redis for direct inspection.
func newStore(t *testing.T) (*redisstore.Store, *redistest.Redis) {
	t.Helper()
	r := redistest.New(t)
	return r.Store(), r
}

// mustSignup signs p up for its cycle, as pending.
func mustSignup(t *testing.T, s *redisstore.Store, p mentor.Participant) {
	t.Helper()
	if err := s.SaveSignup(context.Background(), p, t0); err != nil {
		t.Fatalf("sign up %s: %v", p.UserID, err)
	}
}

// mustDuo approves duo id of mentorID and menteeID (both signed up) in cycle, created
// at t0 plus minutes.
func mustDuo(t *testing.T, s *redisstore.Store, cycle, id, mentorID, menteeID string, minutes int) mentor.Duo {
	t.Helper()
	d := mentor.Duo{ID: id, CycleID: cycle, MentorID: mentorID, MenteeID: menteeID, Score: 7,
		Reasons: "shared areas", ApprovedBy: "UK", CreatedAt: t0.Add(time.Duration(minutes) * time.Minute)}
	got, created, err := s.CreateDuo(context.Background(), d)
	if err != nil || !created {
		t.Fatalf("create duo %s = %v, %v", id, created, err)
	}
	return got
}

// mustGetDuo reads one duo back.
func mustGetDuo(t *testing.T, s *redisstore.Store, cycle, id string) mentor.Duo {
	t.Helper()
	ds, err := s.Duos(context.Background(), cycle, []string{id})
	if err != nil || len(ds) != 1 {
		t.Fatalf("read duo %s = %v, %v", id, ds, err)
	}
	return ds[0]
}

// pair signs up mentor MR (capacity 1) and mentee ME in cycle "c" and makes duo D.
func pair(t *testing.T, s *redisstore.Store) mentor.Duo {
	t.Helper()
	mustSignup(t, s, mentorP("c", "MR", 1))
	mustSignup(t, s, mentee("c", "ME"))
	return mustDuo(t, s, "c", "D", "MR", "ME", 0)
}

func wantCode(t *testing.T, label string, err error, code string) {
	t.Helper()
	if got := mentor.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", label, err, got, code)
	}
}
