package redisstore

// maxWatchRetries bounds optimistic-locking retries before giving up with ECONFLICT.
const maxWatchRetries = 8
