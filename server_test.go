package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

func TestLoadConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		check   func(config) bool
		wantErr string
	}{
		{"defaults", nil, func(c config) bool {
			return c.Port == 8080 && c.Host == "127.0.0.1" && c.Store.URI == "neo4j://127.0.0.1:7687" &&
				c.Store.QueryTimeout == 10*time.Second && c.HTTP.Introspection && c.Store.Warm &&
				c.Store.MaxHeavy == graph.DefaultMaxHeavy() && c.Store.MaxLookups == graph.DefaultMaxLookups
		}, ""},
		{"overrides", map[string]string{"PORT": "9000", "NEO4J_URI": "neo4j+s://x.databases.neo4j.io", "NEO4J_USER": "neo4j",
			"NEO4J_PASSWORD": "pw", "QUERY_TIMEOUT": "3s", "INTROSPECTION": "false", "WARM_UP": "false", "MAX_HEAVY_QUERIES": "3",
			"MAX_LOOKUPS": "8"}, func(c config) bool {
			return c.Store.MaxHeavy == 3 && c.Store.MaxLookups == 8 && c.Port == 9000 && c.Store.URI == "neo4j+s://x.databases.neo4j.io" && c.Store.User == "neo4j" &&
				c.Store.Password == "pw" && c.Store.QueryTimeout == 3*time.Second && !c.HTTP.Introspection && !c.Store.Warm
		}, ""},
		{"bad port", map[string]string{"PORT": "http"}, nil, "PORT"},
		{"port out of range", map[string]string{"PORT": "70000"}, nil, "PORT"},
		{"bad timeout", map[string]string{"QUERY_TIMEOUT": "10"}, nil, "QUERY_TIMEOUT"},
		{"bad bool", map[string]string{"INTROSPECTION": "maybe"}, nil, "INTROSPECTION"},
		{"bad warm-up", map[string]string{"WARM_UP": "later"}, nil, "WARM_UP"},
		{"bad heavy-query bound", map[string]string{"MAX_HEAVY_QUERIES": "-1"}, nil, "MAX_HEAVY_QUERIES"},
		{"bad lookup bound", map[string]string{"MAX_LOOKUPS": "many"}, nil, "MAX_LOOKUPS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadConfig(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || !tc.check(c) {
				t.Fatalf("config %+v, err %v", c, err)
			}
		})
	}
}

// TestComposeFile checks docker-compose.yml against the server's real configuration, since no Docker
// engine runs where the tests do: the image tag, the env names, the ports and the wiring.
func TestComposeFile(t *testing.T) {
	b, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       any               `yaml:"build"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Ports       []string          `yaml:"ports"`
			Healthcheck *struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			DependsOn map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatal(err)
	}
	neo, app, seedJob := compose.Services["neo4j"], compose.Services["actorgraph"], compose.Services["seed"]
	if neo.Image != "neo4j:5.26-community" {
		t.Errorf("neo4j image %q, want neo4j:5.26-community", neo.Image)
	}
	if neo.Healthcheck == nil || len(neo.Healthcheck.Test) == 0 {
		t.Error("neo4j has no healthcheck")
	}
	if _, ok := compose.Volumes["neo4j-data"]; !ok {
		t.Error("no named volume for neo4j data")
	}
	for name, svc := range map[string]struct {
		env     map[string]string
		cmd     []string
		depends map[string]struct {
			Condition string `yaml:"condition"`
		}
	}{"actorgraph": {app.Environment, app.Command, app.DependsOn}, "seed": {seedJob.Environment, seedJob.Command, seedJob.DependsOn}} {
		for k := range svc.env {
			if !slices.Contains(envNames, k) {
				t.Errorf("%s sets %s, which the server does not read", name, k)
			}
		}
		if _, err := loadConfig(func(k string) string { return svc.env[k] }); err != nil {
			t.Errorf("%s environment does not load: %v", name, err)
		}
		if svc.env["NEO4J_URI"] != "neo4j://neo4j:7687" {
			t.Errorf("%s NEO4J_URI = %q", name, svc.env["NEO4J_URI"])
		}
		if svc.depends["neo4j"].Condition != "service_healthy" {
			t.Errorf("%s does not wait for neo4j's health", name)
		}
	}
	if !slices.Equal(seedJob.Command, []string{"seed", "--if-empty"}) {
		t.Errorf("seed command %v", seedJob.Command)
	}
	if app.DependsOn["seed"].Condition != "service_completed_successfully" {
		t.Error("the service does not wait for the seed job")
	}
	cfg, _ := loadConfig(func(k string) string { return app.Environment[k] })
	if cfg.Host != "0.0.0.0" {
		t.Errorf("in a container the service must listen on 0.0.0.0, got %s", cfg.Host)
	}
	if want := "8080:" + app.Environment["PORT"]; !slices.Contains(app.Ports, want) {
		t.Errorf("ports %v lack %s", app.Ports, want)
	}
	if cfg.HTTP.Auth.AnonymousRole != "" {
		t.Errorf("anonymous access must be off by default in docker-compose.yml, got %q", cfg.HTTP.Auth.AnonymousRole)
	}
	if neo.Environment["NEO4J_AUTH"] == "" || !strings.HasPrefix(neo.Environment["NEO4J_AUTH"], app.Environment["NEO4J_USER"]+"/") {
		t.Errorf("NEO4J_AUTH %q does not match NEO4J_USER %q", neo.Environment["NEO4J_AUTH"], app.Environment["NEO4J_USER"])
	}
}

// testConfig is the configuration of the commands with only NEO4J_URI set, to the test Neo4j.
func testConfig(t *testing.T) config {
	t.Helper()
	uri := testenv.RequireNeo4j(t)
	cfg, err := loadConfig(func(k string) string {
		if k == "NEO4J_URI" {
			return uri
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestKeysCommand creates, lists and revokes a key through the CLI against the test Neo4j.
func TestKeysCommand(t *testing.T) {
	cfg := testConfig(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	run := func(args ...string) string {
		t.Helper()
		var out strings.Builder
		if err := keysCmd(cfg, args, log, &out); err != nil {
			t.Fatalf("keys %v: %v", args, err)
		}
		return out.String()
	}
	created := run("create", "--role", "analyst", "--name", "cli-test")
	lines := strings.Split(strings.TrimSpace(created), "\n")
	key := lines[len(lines)-1]
	id := strings.Fields(lines[0])[2]
	if !strings.HasPrefix(key, "agk_") || !strings.Contains(lines[0], "cli-test (ANALYST)") {
		t.Fatalf("create printed %q", created)
	}
	store := testenv.Store(t)
	p, err := store.Authenticate(context.Background(), key)
	if err != nil || p.Role != graph.RoleAnalyst || p.Name != "cli-test" {
		t.Fatalf("the new key authenticates as %+v, %v", p, err)
	}
	if list := run("list"); !strings.Contains(list, id) || !strings.Contains(list, "cli-test") || strings.Contains(list, key) {
		t.Errorf("list: %q", list)
	}
	run("revoke", id)
	if list := run("list"); !strings.Contains(list, id) || strings.Contains(strings.SplitN(list[strings.Index(list, id):], "\n", 2)[0], " -") {
		t.Errorf("list after revoke: %q", list)
	}
	if err := keysCmd(cfg, []string{"create", "--role", "boss", "--name", "x"}, log, io.Discard); graph.ErrorCode(err) != graph.EINVALID {
		t.Errorf("unknown role: %v", err)
	}
}

// TestSeedCommandFiles loads files through the seed command into the seeded test database: YAML and JSON
// Lines each load (checked by the actor they add), a mix of the two is refused before anything is read, and
// a rejected JSON Lines file leaves the database as it was.
func TestSeedCommandFiles(t *testing.T) {
	cfg := testConfig(t)
	store := testenv.Seeded(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	yamlFile := write("a.yaml", `actors:
  - {id: cli-yaml-group, kind: GROUP, name: CLI YAML Group, evidence: [{source: rusi-2023, line: 1, claim: A test claim.}]}
`)
	jsonlFile := write("b.jsonl", `{"actor": {"id": "cli-jsonl-group", "kind": "GROUP", "name": "CLI JSONL Group", "evidence": [{"source": "rusi-2023", "line": 1, "claim": "A test claim."}]}}
{"relation": {"type": "RIVAL_OF", "from": "cli-jsonl-group", "to": "iskp", "status": "STATED", "confidence": 0.8, "evidence": [{"source": "rusi-2023", "line": 1, "claim": "A test claim."}]}}
`)
	badJSONL := write("c.jsonl", `{"actor": {"id": "cli-bad-group", "kind": "MILITIA", "name": "Bad", "evidence": [{"source": "rusi-2023", "line": 1, "claim": "A test claim."}]}}
`)
	for _, tc := range []struct {
		name   string
		files  []string
		field  string // the error's field; "" when the load must succeed
		loaded string // an actor the load adds
	}{
		{"YAML", []string{yamlFile}, "", "cli-yaml-group"},
		{"JSON Lines", []string{jsonlFile}, "", "cli-jsonl-group"},
		{"YAML and JSON Lines together", []string{yamlFile, badJSONL}, "file", ""},
		{"a rejected JSON Lines file", []string{badJSONL}, "actors[0] (cli-bad-group) kind", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := testenv.Fingerprint(t, store)
			var args []string
			for _, f := range tc.files {
				args = append(args, "--file", f)
			}
			err := seedCmd(cfg, args, log)
			if tc.field != "" {
				var ge *graph.Error
				if !errors.As(err, &ge) || ge.Code != graph.EINVALID || ge.Field != tc.field {
					t.Fatalf("error %v, want INVALID on field %q", err, tc.field)
				}
				if testenv.Fingerprint(t, store) != before {
					t.Error("the refused load changed the database")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a, err := store.Actor(context.Background(), tc.loaded); err != nil || a.ID != tc.loaded {
				t.Errorf("actor %s after the load: %+v, %v", tc.loaded, a, err)
			}
		})
	}
}

// TestGracefulShutdown sends SIGTERM to the real binary while requests run: they finish, new connections
// are refused, and the process exits cleanly.
func TestGracefulShutdown(t *testing.T) {
	uri := testenv.RequireNeo4j(t)
	bin := filepath.Join(t.TempDir(), "actorgraph")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "NEO4J_URI="+uri, "PORT="+strconv.Itoa(port), "HOST=127.0.0.1",
		"ANONYMOUS_ROLE=analyst", "SHUTDOWN_GRACE=20s")
	var logs strings.Builder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if i > 300 {
			t.Fatalf("the service never became ready:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	slow := `{"query":"{ cypher(query: \"UNWIND range(1, 30000000) AS x RETURN count(x) AS c\", timeoutMs: 30000) { rows } }"}`
	type result struct {
		status int
		body   string
		err    error
	}
	results := make(chan result, 5)
	for range 5 {
		go func() {
			resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(slow))
			if err != nil {
				results <- result{err: err}
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			results <- result{status: resp.StatusCode, body: string(b)}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second); err == nil {
		c.Close()
		t.Error("a new connection was accepted after SIGTERM")
	}
	for range 5 {
		r := <-results
		if r.err != nil || r.status != 200 || !strings.Contains(r.body, `"c":30000000`) {
			t.Errorf("an in-flight request did not finish: %d %v %s", r.status, r.err, r.body)
		}
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit: %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the process did not exit:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown log line:\n%s", logs.String())
	}
}
