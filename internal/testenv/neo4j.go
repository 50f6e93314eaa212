package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Instance is a Neo4j of a test's own (its own port and data folder), started and stopped through the
// project's launcher script, so that a test can stop, kill and restart it under a running service.
type Instance struct {
	t    testing.TB
	Port int
	dir  string
}

// StartNeo4j starts a Neo4j for this test on port; it is stopped when the test ends.
func StartNeo4j(t testing.TB, port int) *Instance {
	t.Helper()
	RequireNeo4j(t)
	n := &Instance{t: t, Port: port, dir: t.TempDir()}
	n.Start()
	t.Cleanup(func() { n.script("stop") })
	return n
}

// URI is the instance's Bolt URI (routing scheme).
func (n *Instance) URI() string { return "neo4j://127.0.0.1:" + strconv.Itoa(n.Port) }

// Start starts the instance (again) and returns once Bolt answers.
func (n *Instance) Start() { n.t.Helper(); n.script("start") }

// Stop stops the instance cleanly (SIGTERM).
func (n *Instance) Stop() { n.t.Helper(); n.script("stop") }

// Kill kills the JVM with SIGKILL, as a crash would, and waits until it is gone.
func (n *Instance) Kill() {
	n.t.Helper()
	b, err := os.ReadFile(filepath.Join(n.dir, "neo4j.pid"))
	if err != nil {
		n.t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		n.t.Fatal(err)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	for i := 0; i < 200 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(50 * time.Millisecond)
	}
}

func (n *Instance) script(cmd string) {
	n.t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	c := exec.Command(filepath.Join(root, "tools/neo4j/neo4j.sh"), cmd)
	c.Env = append(os.Environ(), "NEO4J_PORT="+strconv.Itoa(n.Port), "NEO4J_DATA_DIR="+n.dir, "NEO4J_HEAP=1g")
	if out, err := c.CombinedOutput(); err != nil {
		n.t.Fatalf("neo4j.sh %s: %v\n%s", cmd, err, out)
	}
}
