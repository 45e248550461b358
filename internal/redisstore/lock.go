package redisstore

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Lock takes a named lock for ttl and reports whether it got it. Locks keep two
// replicas from doing the same slow work (opening one duo) at once; they expire by
// themselves if a replica dies.
func (s *Store) Lock(ctx context.Context, name string, ttl time.Duration) (release func(), ok bool, err error) {
	key := s.key("lock", name)
	token := uuid.NewString()
	ok, err = s.rdb.SetNX(ctx, key, token, ttl).Result()
	if err != nil || !ok {
		return func() {}, false, wrap(err, "lock %s", name)
	}
	return func() {
		s.run(context.WithoutCancel(ctx), s.rdb, unlockScript, []string{key}, token)
	}, true, nil
}

// unlockScript deletes a lock only if it is still ours.
var unlockScript = newScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)
