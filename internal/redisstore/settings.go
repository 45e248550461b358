package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/mentorbot/mentorbot/internal/matching"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// A cycle's matching settings, under the cycle's hash tag T:
//
//	T:match_settings   hash: data (JSON of matching.Settings), rev

func (s *Store) settingsKey(cycleID string) string { return s.tag(cycleID) + ":match_settings" }

// saveSettingsScript replaces the settings if their revision is still ARGV[2]
// (0: never saved). KEYS: the settings hash. ARGV: json, expected rev.
// Returns the new rev, or the error reply CONFLICT.
var saveSettingsScript = newScript(`
local rev = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
if rev ~= tonumber(ARGV[2]) then return redis.error_reply('CONFLICT') end
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'rev', rev + 1)
return rev + 1
`)

// MatchSettings returns the cycle's matching settings and their revision: the
// defaults (zero Settings) and revision 0 when the committee never changed them.
func (s *Store) MatchSettings(ctx context.Context, cycleID string) (matching.Settings, int, error) {
	var out matching.Settings
	vals, err := s.rdb.HMGet(ctx, s.settingsKey(cycleID), "data", "rev").Result()
	if err != nil {
		return out, 0, wrap(err, "get matching settings of %s", cycleID)
	}
	data, _ := vals[0].(string)
	if data == "" {
		return out, 0, nil
	}
	if err := json.Unmarshal([]byte(data), &out); err != nil {
		return out, 0, fmt.Errorf("decode matching settings of %s: %w", cycleID, err)
	}
	rev, _ := strconv.Atoi(str(vals[1]))
	return out, rev, nil
}

// SaveMatchSettings replaces the cycle's matching settings in one atomic step, if
// their revision is still expectRev (0 for never saved); otherwise it fails with
// mentor.ECONFLICT and changes nothing. It returns the new revision.
func (s *Store) SaveMatchSettings(ctx context.Context, cycleID string, set matching.Settings, expectRev int) (int, error) {
	data, err := json.Marshal(set)
	if err != nil {
		return 0, fmt.Errorf("encode matching settings: %w", err)
	}
	rev, err := s.run(ctx, s.rdb, saveSettingsScript, []string{s.settingsKey(cycleID)}, data, expectRev).Int()
	if isReply(err, "CONFLICT") {
		return 0, mentor.Errorf(mentor.ECONFLICT, "Someone else changed the matching settings while you were editing them. Close this window and open the settings again to see theirs.")
	}
	return rev, wrap(err, "save matching settings of %s", cycleID)
}
