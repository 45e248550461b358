package redistest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// ClusterEnv names the variable that runs every test of the process against one
// real Redis Cluster of three masters (started once, on loopback, with
// redis-server --cluster-enabled yes and redis-cli --cluster create), each test
// under its own key prefix. .ci/run sets it for the store's tests.
const ClusterEnv = "MENTORBOT_TEST_REDIS_CLUSTER"

// KindCluster is a Redis Cluster of three masters shared by the process's tests.
const KindCluster Kind = "cluster"

// cluster is the process's Redis Cluster: tests share it as they would share the
// Redis at REDIS_URL, each deleting only its own keys. It dies with the process.
type cluster struct {
	once sync.Once
	url  string
	err  error
}

var sharedCluster cluster // one per test binary: starting three servers per test would take seconds each

// newCluster returns a Redis for t on the process's cluster, starting it first.
func newCluster(t testing.TB, r *Redis) *Redis {
	t.Helper()
	sharedCluster.once.Do(func() { sharedCluster.url, sharedCluster.err = startCluster() })
	if sharedCluster.err != nil {
		t.Fatalf("redistest: start a Redis Cluster: %v", sharedCluster.err)
	}
	r.URL, r.Kind = sharedCluster.url, KindCluster
	t.Cleanup(r.deleteOwnClusterKeys)
	return r
}

// startCluster starts three cluster-enabled redis-servers in a temporary
// directory, joins them into one cluster and waits until it serves every slot. It
// returns the URL naming the three nodes.
func startCluster() (string, error) {
	server, err := exec.LookPath("redis-server")
	if err != nil {
		return "", fmt.Errorf("no redis-server on PATH: %w", err)
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return "", fmt.Errorf("no redis-cli on PATH (it comes with redis-server, or in redis-tools): %w", err)
	}
	dir, err := os.MkdirTemp("", "redistest-cluster-")
	if err != nil {
		return "", err
	}
	var addrs []string
	for i := 0; i < 3; i++ {
		port, err := freePort()
		if err != nil {
			return "", err
		}
		node := fmt.Sprintf("%s/%d", dir, port)
		if err := os.MkdirAll(node, 0o755); err != nil {
			return "", err
		}
		cmd := exec.Command(server, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000",
			"--save", "", "--appendonly", "no", "--protected-mode", "no",
			"--dir", node, "--logfile", "", "--loglevel", "warning")
		cmd.SysProcAttr = serverAttr()
		if err := cmd.Start(); err != nil {
			return "", err
		}
		go cmd.Wait() // reaped when it dies with the process
		deadline := time.Now().Add(5 * time.Second)
		for ping(port) != nil {
			if time.Now().After(deadline) {
				return "", fmt.Errorf("cluster node on port %d did not answer within 5s", port)
			}
			time.Sleep(5 * time.Millisecond)
		}
		addrs = append(addrs, "127.0.0.1:"+strconv.Itoa(port))
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("redis-cli --cluster create: %v: %s", err, out)
	}
	url := "redis://" + addrs[0] + "?addr=" + addrs[1] + "&addr=" + addrs[2]
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	defer c.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		info, err := c.ClusterInfo(context.Background()).Result()
		if err == nil && strings.Contains(info, "cluster_state:ok") {
			// Every node must agree before a test's first write lands anywhere.
			ok := true
			for _, a := range addrs {
				n := redis.NewClient(&redis.Options{Addr: a})
				i, err := n.ClusterInfo(context.Background()).Result()
				n.Close()
				ok = ok && err == nil && strings.Contains(i, "cluster_state:ok")
			}
			if ok {
				return url, nil
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("the cluster of %v did not reach cluster_state:ok within 20s (%v)", addrs, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// deleteOwnClusterKeys removes the keys under this test's prefix from every master.
func (r *Redis) deleteOwnClusterKeys() {
	o, err := redis.ParseClusterURL(r.URL)
	if err != nil {
		return
	}
	c := redis.NewClusterClient(o)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		iter := node.Scan(ctx, 0, r.Prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			node.Unlink(ctx, iter.Val()) // one key a call: keys of one node may sit in many slots
		}
		return nil
	})
}
