package redisstore_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// An install from before the {program} hash tag keeps its cycles: MigrateKeys moves
// the index, the active cycle and each cycle's hash, once.
func TestMigrateKeysMovesCyclesOfTheOldLayout(t *testing.T) {
	s, r := newStore(t)
	ctx := context.Background()
	rdb := r.Client()
	old := mentor.DefaultCycle(t0)
	old.ID, old.CreatedAt = "c2025", t0
	data, _ := json.Marshal(old)
	p := r.Prefix
	rdb.HSet(ctx, p+"{c:c2025}:cycle", "data", data, "rev", 3)
	rdb.ZAdd(ctx, p+"cycles", redis.Z{Score: 1, Member: "c2025"})
	rdb.Set(ctx, p+"active_cycle", "c2025", 0)

	for range 2 { // a second start changes nothing
		if err := s.MigrateKeys(ctx); err != nil {
			t.Fatal(err)
		}
	}
	c, rev, err := s.ActiveCycle(ctx)
	if err != nil || c.ID != "c2025" || rev != 3 || c.Name != old.Name {
		t.Fatalf("active cycle after the move = %+v rev %d, %v", c, rev, err)
	}
	all, err := s.Cycles(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("cycles after the move = %v, %v", all, err)
	}
	if n := rdb.Exists(ctx, p+"cycles", p+"active_cycle", p+"{c:c2025}:cycle").Val(); n != 0 {
		t.Fatalf("%d old keys left", n)
	}
	// A fresh install has nothing to move.
	fresh, _ := newStore(t)
	if err := fresh.MigrateKeys(ctx); err != nil {
		t.Fatal(err)
	}
}
