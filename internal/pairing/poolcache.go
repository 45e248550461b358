package pairing

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// The pairing modal used to read every sign-up of the cycle on each click (about
// 200 ms at 10,000 people, two or three times a click). A service keeps the last
// read in memory instead and catches up through the store's change log
// (Store.PoolChanges): each click costs one small read, plus the sign-ups that
// changed since. It is only a cache: every approval is still checked against
// Redis by the approve script.

// maxCatchUp is how many changed sign-ups a catch-up reads one by one; beyond it,
// reading everything again is as cheap.
const maxCatchUp = 2000

// maxSnapshotAge bounds how long a read is trusted at all: what the change log
// does not cover (last cycle's duos, the time-zone offsets of "now") is read again
// at least this often.
const maxSnapshotAge = 10 * time.Minute

// signups is one cycle's sign-ups as of pool revision rev. It is never changed
// once built (a catch-up builds a new one), so pools share it without locks.
type signups struct {
	rev    int64
	epoch  string
	stamp  string // the log's stamp of revision rev (see mentor.PoolChange)
	readAt time.Time
	byID   map[string]mentor.Participant
	all    []mentor.Participant // in sign-up order
	// order is each person's place in the sign-up order, as the store keeps it
	// (the participants zset's score; ties by user id).
	order map[string]float64
	// lastDuos are the duos of the cycle before this one, which the change log
	// does not cover: a previous cycle is over.
	lastDuos []mentor.Duo
	// derive works out, once, who can be paired (see pairable).
	derive  sync.Once
	derived pairable
	// root is the full read this one was caught up from (itself for a full read),
	// and log who changed at each catch-up since, oldest first.
	root *signups
	log  []changeBatch
}

// changeBatch is one catch-up: the people who changed up to revision rev.
type changeBatch struct {
	rev int64
	ids []string
}

// changedSince returns who changed after revision rev of the same full read as
// base; ok is false when su is not caught up from base (read again since).
func (su *signups) changedSince(base *signups, rev int64) (ids map[string]bool, ok bool) {
	if su.root != base {
		return nil, false
	}
	ids = map[string]bool{}
	for _, b := range su.log {
		if b.rev > rev {
			for _, id := range b.ids {
				ids[id] = true
			}
		}
	}
	return ids, true
}

// signupCache holds the latest signups of each cycle a service has read.
type signupCache struct {
	mu      sync.Mutex
	byCycle map[string]*signups
}

func (c *signupCache) get(cycleID string) *signups {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byCycle[cycleID]
}

// put keeps su unless a newer read of the cycle is there already.
func (c *signupCache) put(cycleID string, su *signups) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byCycle == nil {
		c.byCycle = map[string]*signups{}
	}
	if old := c.byCycle[cycleID]; old == nil || old.epoch != su.epoch || old.rev <= su.rev || old.readAt.Before(su.readAt) {
		c.byCycle[cycleID] = su
	}
}

// signups returns the cycle's sign-ups, caught up with the store.
func (s *Service) signups(ctx context.Context, cycleID string) (*signups, error) {
	now := s.clock.Now()
	if cur := s.cache.get(cycleID); cur != nil && now.Sub(cur.readAt) < maxSnapshotAge && !now.Before(cur.readAt) {
		pc, err := s.store.PoolChanges(ctx, cycleID, cur.rev)
		if err != nil {
			return nil, err
		}
		// A revision lower than ours: Redis lost its data (a restart without
		// persistence) and counts again from zero; only a full read is right.
		if pc.Epoch == cur.epoch && pc.Rev >= cur.rev && pc.SinceStamp == cur.stamp && len(pc.Changed) <= maxCatchUp {
			if len(pc.Changed) == 0 {
				return cur, nil
			}
			ps, order, err := s.store.SignupsInOrder(ctx, cycleID, pc.Changed)
			if err != nil {
				return nil, err
			}
			next := cur.with(pc.Rev, pc.Stamp, pc.Changed, ps, order)
			s.cache.put(cycleID, next)
			return next, nil
		}
	}
	// The revision first: whatever changes while everything is read is caught up
	// with next time (it has a later revision).
	pc, err := s.store.PoolChanges(ctx, cycleID, -1)
	if err != nil {
		return nil, err
	}
	all, order, err := s.store.SignupsInOrder(ctx, cycleID, nil)
	if err != nil {
		return nil, err
	}
	su := &signups{rev: pc.Rev, epoch: pc.Epoch, stamp: pc.Stamp, readAt: now, all: all, order: order,
		byID: make(map[string]mentor.Participant, len(all))}
	su.root = su
	for _, p := range all {
		su.byID[p.UserID] = p
	}
	if err := s.readLastCycle(ctx, cycleID, su); err != nil {
		return nil, err
	}
	s.cache.put(cycleID, su)
	return su, nil
}

// readLastCycle reads the duos of the cycle before cycleID into su.
func (s *Service) readLastCycle(ctx context.Context, cycleID string, su *signups) error {
	c, _, err := s.store.Cycle(ctx, cycleID)
	if mentor.ErrorCode(err) == mentor.ENOTFOUND || (err == nil && c.Previous == "") {
		return nil
	}
	if err != nil {
		return err
	}
	ids, err := s.store.DuoIDs(ctx, c.Previous)
	if err != nil || len(ids) == 0 {
		return err
	}
	su.lastDuos, err = s.store.Duos(ctx, c.Previous, ids)
	return err
}

// pairable is who of su can be paired, worked out on first use.
func (su *signups) pairable() pairable {
	su.derive.Do(func() { su.derived = pairableIn(su.all, su.byID, su.lastDuos) })
	return su.derived
}

// with returns su caught up to revision rev: changed are the people whose sign-up
// changed, ps the sign-ups of those that still exist, and order their places in
// the sign-up order.
func (su *signups) with(rev int64, stamp string, changed []string, ps []mentor.Participant, order map[string]float64) *signups {
	next := &signups{rev: rev, epoch: su.epoch, stamp: stamp, readAt: su.readAt, byID: maps.Clone(su.byID), order: maps.Clone(su.order),
		lastDuos: su.lastDuos,
		root:     su.root, log: append(slices.Clip(su.log), changeBatch{rev: rev, ids: changed})}
	for _, id := range changed {
		delete(next.byID, id)
		delete(next.order, id)
	}
	for _, p := range ps {
		next.byID[p.UserID] = p
		next.order[p.UserID] = order[p.UserID]
	}
	next.all = make([]mentor.Participant, 0, len(next.byID))
	for _, p := range next.byID {
		next.all = append(next.all, p)
	}
	slices.SortFunc(next.all, func(a, b mentor.Participant) int {
		return cmp.Or(cmp.Compare(next.order[a.UserID], next.order[b.UserID]), strings.Compare(a.UserID, b.UserID))
	})
	return next
}
