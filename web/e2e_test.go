package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/actorgraph/actorgraph/httpapi"
	"github.com/actorgraph/actorgraph/internal/testenv"
	"github.com/actorgraph/actorgraph/web"
)

// chromiumPath is Debian's chromium (apt-get install -y chromium); the e2e script launches it by this path.
const chromiumPath = "/usr/bin/chromium"

// TestE2EExplorer drives the explorer in headless Chromium against a server over the seeded test Neo4j: it
// runs web/e2e/explorer.test.mjs (playwright-core) and fails when the script does. Without Chromium or Node
// it is skipped, except under CI, where it fails.
func TestE2EExplorer(t *testing.T) {
	node := requireTool(t, "node", "install Node.js 20 or later")
	if _, err := os.Stat(chromiumPath); err != nil {
		missing(t, chromiumPath+" not found: install Debian's chromium (apt-get install -y chromium)")
	}
	store := testenv.Seeded(t)

	// Tests run in the package folder, web/.
	if _, err := os.Stat(filepath.Join("e2e", "node_modules", "playwright-core", "package.json")); err != nil {
		npm := requireTool(t, "npm", "install npm")
		run(t, 5*time.Minute, nil, npm, "ci", "--prefix", "e2e", "--no-audit", "--no-fund")
	}

	h := httpapi.New(store, httpapi.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	h.Handle("/", web.Handler())
	srv := httptest.NewServer(h)
	defer srv.Close()

	run(t, 5*time.Minute, []string{"ACTORGRAPH_URL=" + srv.URL}, node, filepath.Join("e2e", "explorer.test.mjs"))
}

// missing skips the test, or fails it under CI, where every tool must be there.
func missing(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func requireTool(t *testing.T, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, name+" not found on PATH: "+hint)
	}
	return p
}

// run runs a command with extra environment variables, logs its output, and fails the test if it fails.
func run(t *testing.T, timeout time.Duration, env []string, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	t.Logf("%s %v:\n%s", filepath.Base(name), args, out.String())
	if err != nil {
		t.Fatalf("%s %v: %v", filepath.Base(name), args, err)
	}
}
