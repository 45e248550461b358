package redisstore

import (
	"context"
	"strings"

	"github.com/redis/go-redis/v9"
)

// script is a Lua script. A store opened with Options.CheckKeys runs it rewritten
// so that every key it touches must be one it declared in KEYS: Redis Cluster (and
// Redis-compatible servers such as Dragonfly) require that, but a single Redis does
// not enforce it, so a script that builds a key name from what it reads would pass
// every test and fail in production.
type script struct {
	lua, checked *redis.Script
}

func newScript(src string) *script {
	return &script{lua: redis.NewScript(src), checked: redis.NewScript(checkedSource(src))}
}

// checkedPrelude wraps redis.call: each command's keys (the first argument; both
// for RENAME, the only multi-key command the scripts use; none for TIME) must be
// declared.
const checkedPrelude = `
local __declared = {}
for _, k in ipairs(KEYS) do __declared[k] = true end
local function __call(cmd, ...)
  local args = {...}
  local c, n = string.upper(cmd), 1
  if c == 'RENAME' then n = 2 elseif c == 'TIME' then n = 0 end
  for i = 1, n do
    if not __declared[args[i]] then
      error('UNDECLARED key ' .. tostring(args[i]) .. ' in ' .. string.upper(cmd))
    end
  end
  return redis.call(cmd, ...)
end
`

func checkedSource(src string) string {
	return checkedPrelude + strings.ReplaceAll(src, "redis.call(", "__call(")
}

// run runs sc through c (the client, or a transaction), checked when the store
// checks keys.
func (s *Store) run(ctx context.Context, c redis.Scripter, sc *script, keys []string, args ...any) *redis.Cmd {
	if s.checkKeys {
		return sc.checked.Run(ctx, c, keys, args...)
	}
	return sc.lua.Run(ctx, c, keys, args...)
}
