package redisstore

import (
	"testing"

	"github.com/redis/go-redis/v9"
)

// REDIS_URL names a single Redis, a cluster or a Sentinel setup, and Open makes the
// client of each.
func TestOpenMakesTheClientTheURLNames(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want string
	}{
		{"redis://localhost:6379/0", "single"},
		{"rediss://user:pw@redis.example:6380/2", "single"},
		{"redis://node1:7000?addr=node2:7000&addr=node3:7000", "cluster"},
		{"redis://node1:7000?cluster=true", "cluster"},
		{"redis://sentinel1:26379/0?master_name=mymaster&addr=sentinel2:26379", "sentinel"},
	} {
		s, err := Open(tc.url, "p:", Options{})
		if err != nil {
			t.Fatalf("Open(%s): %v", tc.url, err)
		}
		got := "single"
		switch c := s.rdb.(type) {
		case *redis.ClusterClient:
			got = "cluster"
		case *redis.Client:
			if c.Options().Addr == "FailoverClient" {
				got = "sentinel"
			}
		}
		s.Close()
		if got != tc.want {
			t.Errorf("Open(%s) made a %s client, want %s", tc.url, got, tc.want)
		}
	}
	if _, err := Open("redis://node1:7000?addr=node2:7000&bogus=1", "p:", Options{}); err == nil {
		t.Error("an unknown option was accepted")
	}
}
