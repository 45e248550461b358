package redisstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

// A store keeps the rounds it read decoded, by revision. What another replica
// changes shows at the next read; what a caller does to a round it got changes
// nothing kept; and two replicas changing one round at once lose neither change.
func TestRoundsKeptInMemoryFollowEveryWriter(t *testing.T) {
	r := redistest.New(t)
	a, b := r.Store(), r.Store()
	ctx := context.Background()
	round := mentor.PairingRound{ID: "R", CycleID: "c", CreatedAt: t0}
	for i := range 20 {
		round.Proposals = append(round.Proposals, mentor.Proposal{MenteeID: fmt.Sprintf("UE%02d", i), MentorID: "UR", State: mentor.ProposalOpen})
	}
	if err := a.SaveRound(ctx, round); err != nil {
		t.Fatal(err)
	}
	read := func(s interface {
		Round(context.Context, string, string) (mentor.PairingRound, error)
	}) mentor.PairingRound {
		t.Helper()
		got, err := s.Round(ctx, "c", "R")
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	got := read(a)
	got.Proposals[0].State = mentor.ProposalApproved // the caller's copy only
	if read(a).Proposals[0].State != mentor.ProposalOpen {
		t.Fatal("changing a round read back changed the store's kept copy")
	}

	if _, err := b.UpdateRound(ctx, "c", "R", func(r *mentor.PairingRound) error {
		r.Proposals[1].State, r.Changed = mentor.ProposalSkipped, "by b"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := read(a); got.Proposals[1].State != mentor.ProposalSkipped || got.Changed != "by b" {
		t.Fatalf("replica a reads %+v after b's change", got.Proposals[1])
	}

	// A failover to a replica that lost the last write: the same revision comes
	// back with other data, and what was kept for it is not used.
	key := r.Prefix + "{c:c}:round:R"
	rev, err := r.Client().HGet(ctx, key, "rev").Result()
	if err != nil {
		t.Fatal(err)
	}
	other := round
	other.Changed = "the replica's older write"
	data, _ := json.Marshal(other)
	if err := r.Client().HSet(ctx, key, "data", data, "rev", rev, "ver", "older").Err(); err != nil {
		t.Fatal(err)
	}
	if got := read(a); got.Changed != "the replica's older write" {
		t.Fatalf("after a failover at the same revision, replica a reads %q", got.Changed)
	}

	var wg sync.WaitGroup
	for i, s := range []interface {
		UpdateRound(context.Context, string, string, func(*mentor.PairingRound) error) (mentor.PairingRound, error)
	}{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.UpdateRound(ctx, "c", "R", func(r *mentor.PairingRound) error {
				r.Proposals[2+i].State = mentor.ProposalApproved
				return nil
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for name, st := range map[string]*redisstore.Store{"a": a, "b": b} {
		got := read(st)
		for i := 2; i < 6; i++ {
			if got.Proposals[i].State != mentor.ProposalApproved {
				t.Fatalf("replica %s: proposal %d is %s after four concurrent changes", name, i, got.Proposals[i].State)
			}
		}
	}
}
