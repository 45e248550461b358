package redistest_test

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/redistest"
)

// childEnv marks the test binary started by the test below.
const childEnv = "REDISTEST_CHILD"

// TestChildThatTimesOut is the child: it starts a redis-server, says where, and hangs
// until go test's -timeout kills it.
func TestChildThatTimesOut(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("runs only as the child of TestARedisServerDiesWithATimedOutTestProcess")
	}
	r := redistest.New(t)
	if r.Kind != redistest.KindServer {
		t.Skip("no redis-server")
	}
	os.Stdout.WriteString("URL " + r.URL + "\n")
	time.Sleep(time.Minute)
}

func TestARedisServerDiesWithATimedOutTestProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux ties a child's life to its parent's")
	}
	if _, err := exec.LookPath("redis-server"); err != nil || os.Getenv("REDIS_URL") != "" {
		t.Skip("needs a private redis-server")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildThatTimesOut$", "-test.timeout=2s", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	url := ""
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "URL "); ok {
			url = u
			break
		}
	}
	if url == "" {
		cmd.Wait()
		t.Skip("the child started no redis-server")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	cmd.Wait() // the child panics on its timeout and exits

	addr := strings.TrimSuffix(strings.TrimPrefix(url, "redis://"), "/0")
	answers := func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	}
	deadline := time.Now().Add(5 * time.Second)
	for answers() {
		if time.Now().After(deadline) {
			t.Fatalf("the redis-server at %s outlived its timed-out test process", url)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
