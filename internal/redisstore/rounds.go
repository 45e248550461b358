package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Pairing rounds, under the cycle's hash tag T:
//
//	T:round:<id>   hash: data (JSON of mentor.PairingRound), rev; expires after RoundTTL

// RoundTTL is how long a pairing round stays usable after its last change.
const RoundTTL = 7 * 24 * time.Hour

func (s *Store) roundKey(cycleID, id string) string { return s.tag(cycleID) + ":round:" + id }

// SaveRound stores a new pairing round.
func (s *Store) SaveRound(ctx context.Context, r mentor.PairingRound) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode round: %w", err)
	}
	key := s.roundKey(r.CycleID, r.ID)
	pipe := s.rdb.TxPipeline()
	pipe.HSet(ctx, key, "data", data, "rev", 1)
	pipe.Expire(ctx, key, RoundTTL)
	_, err = pipe.Exec(ctx)
	return wrap(err, "save round %s", r.ID)
}

// Round returns a pairing round; mentor.ENOTFOUND once it expired.
func (s *Store) Round(ctx context.Context, cycleID, id string) (mentor.PairingRound, error) {
	var r mentor.PairingRound
	raw, err := s.rdb.HGet(ctx, s.roundKey(cycleID, id), "data").Result()
	if isNil(err) {
		return r, errRoundGone
	}
	if err != nil {
		return r, wrap(err, "get round %s", id)
	}
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return r, fmt.Errorf("decode round %s: %w", id, err)
	}
	return r, nil
}

var errRoundGone = mentor.Errorf(mentor.ENOTFOUND, "These proposals have expired. Run `/mentorship match` again for fresh ones.")

// UpdateRound applies change to a round atomically (see updateJSON) and keeps it
// alive for another RoundTTL.
func (s *Store) UpdateRound(ctx context.Context, cycleID, id string, change func(*mentor.PairingRound) error) (mentor.PairingRound, error) {
	key := s.roundKey(cycleID, id)
	r, err := updateJSON(ctx, s, key, errRoundGone.Message, change)
	if err == nil {
		s.rdb.Expire(ctx, key, RoundTTL)
	}
	return r, err
}
