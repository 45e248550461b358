package redisstore_test

import (
	"context"
	"slices"
	"testing"
)

func TestACommitteeListFetchedBeforeAMembershipChangeIsNeverUsed(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	_, _, gen, ok, err := s.CommitteeMembers(ctx, "C0COMM")
	if err != nil || ok {
		t.Fatalf("empty store: ok %v, %v", ok, err)
	}
	if stored, err := s.SaveCommitteeMembers(ctx, "C0COMM", gen, []string{"UA", "UB"}, t0); !stored || err != nil {
		t.Fatalf("save: %v %v", stored, err)
	}
	members, at, _, ok, err := s.CommitteeMembers(ctx, "C0COMM")
	if !ok || err != nil || !slices.Equal(members, []string{"UA", "UB"}) || !at.Equal(t0) {
		t.Fatalf("read back: %v %v %v %v", members, at, ok, err)
	}
	if _, _, _, ok, _ := s.CommitteeMembers(ctx, "C0OTHER"); ok {
		t.Fatal("another channel's list was taken for this one")
	}

	// UB leaves; one replica bumps the generation. The stored list is stale at once…
	if err := s.BumpCommittee(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, newGen, ok, _ := s.CommitteeMembers(ctx, "C0COMM"); ok || newGen != gen+1 {
		t.Fatalf("after the change: ok %v, gen %d (was %d)", ok, newGen, gen)
	}
	// …and a list another replica fetched before the change is not stored.
	if stored, err := s.SaveCommitteeMembers(ctx, "C0COMM", gen, []string{"UA", "UB"}, t0); stored || err != nil {
		t.Fatalf("a list of the old generation was stored: %v %v", stored, err)
	}
	if stored, _ := s.SaveCommitteeMembers(ctx, "C0COMM", gen+1, []string{"UA"}, t0); !stored {
		t.Fatal("a list of the current generation was not stored")
	}
	if members, _, _, ok, _ := s.CommitteeMembers(ctx, "C0COMM"); !ok || !slices.Equal(members, []string{"UA"}) {
		t.Fatalf("current list: %v %v", members, ok)
	}
}
