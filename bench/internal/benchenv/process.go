package benchenv

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// StartProcess runs a server process of the benchmark (the service, the peer) in dir with env added to this
// process's, its output going to logPath.
func StartProcess(bin string, args, env []string, dir, logPath string) (*exec.Cmd, error) {
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return nil, err
	}
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = lf, lf
	err = cmd.Start()
	lf.Close() // the child has its own copy
	if err != nil {
		return nil, err
	}
	return cmd, nil
}

// Terminate stops a process StartProcess started: SIGTERM, then SIGKILL after 10 s.
func Terminate(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// WaitHTTP polls url until it answers 200, for at most a minute.
func WaitHTTP(ctx context.Context, url, method string) error {
	deadline := time.Now().Add(time.Minute)
	var last error
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, method, url, nil)
		req.Header.Set("apollo-require-preflight", "true")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		last = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
	return last
}

// BuiltCommit is the commit bench/build.sh built bin from (the COMMIT file beside it), or "" when unknown.
func BuiltCommit(bin string) string {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(bin), "COMMIT"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
