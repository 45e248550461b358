package redisstore

import (
	"context"
	"time"
)

// Choice keys:
//
//	<p>view:<view id>:choice:<name>   hash: ts (action_ts of the latest click), value
//
// A form that redraws itself on a choice (the sign-up form's role) can get two
// clicks in quick succession, handled at once by different workers or replicas;
// the latest click must win, whichever redraw reaches Slack last.

// choiceTTL is how long a form's latest choice is kept: longer than anyone keeps a
// form open.
const choiceTTL = 2 * time.Hour

// latestChoiceScript records a click unless a later one was recorded, and returns
// the value of the latest. KEYS: the choice hash. ARGV: action ts, value, ttl s.
var latestChoiceScript = newScript(`
local ts = redis.call('HGET', KEYS[1], 'ts')
if not ts or tonumber(ARGV[1]) > tonumber(ts) then
  redis.call('HSET', KEYS[1], 'ts', ARGV[1], 'value', ARGV[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return redis.call('HGET', KEYS[1], 'value')
`)

// LatestChoice records that choice name of view viewID was set to value by a click
// at actionTS (Slack's action_ts), and returns the value of the latest click so far:
// value itself unless a later click was recorded already.
func (s *Store) LatestChoice(ctx context.Context, viewID, name, actionTS, value string) (string, error) {
	if actionTS == "" {
		actionTS = "0"
	}
	latest, err := s.run(ctx, s.rdb, latestChoiceScript, []string{s.key("view", viewID, "choice", name)},
		actionTS, value, int(choiceTTL/time.Second)).Text()
	return latest, wrap(err, "record choice %s of view %s", name, viewID)
}
