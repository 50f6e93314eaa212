package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/httpapi"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

func TestRequestLimits(t *testing.T) {
	testenv.Seeded(t)
	cfg := httpapi.DefaultConfig()
	cfg.Introspection = false
	cfg.CORSOrigins = []string{"https://viz.example.org"}
	cfg.Metrics = httpapi.NewMetrics()
	scfg := testenv.Config(testenv.URI())
	scfg.Observe = cfg.Metrics.ObserveNeo4j
	store, err := graph.Open(scfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(context.Background())
	testenv.WaitReady(t, store, time.Minute)
	cfg.Metrics.WatchPool(store)
	srv := httptest.NewServer(httpapi.New(store, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer srv.Close()
	a := &api{t: t, url: srv.URL, store: store}

	var fields, aliases []string
	for i := range 21 {
		fields = append(fields, fmt.Sprintf("a%d: actor(id: \"iskp\") { id }", i))
	}
	for i := range 51 {
		aliases = append(aliases, fmt.Sprintf("x%d: id", i))
	}
	for _, tc := range []struct {
		name, query, field string
	}{
		{"21 root fields", "{ " + strings.Join(fields, " ") + " }", "query"},
		{"51 aliases", `{ actor(id: "iskp") { ` + strings.Join(aliases, " ") + ` } }`, "query"},
		{"long id", `{ actor(id: "` + strings.Repeat("x", 201) + `") { id } }`, "id"},
		{"long search", `{ search(text: "` + strings.Repeat("isk ", 60) + `") { score } }`, "text"},
		{"too many avoided", `{ paths(from: "iskp", to: "ttp", avoid: [` + strings.Repeat(`"a",`, 51) + `]) { length } }`, "avoid"},
		{"too many connected", `{ connections(ids: [` + strings.Repeat(`"iskp",`, 11) + `]) { omitted } }`, "ids"},
		{"depth 5", `{ neighbourhood(id: "iskp", depth: 5) { omitted } }`, "depth"},
		{"maxHops 11", `{ shortestPath(from: "iskp", to: "ttp", maxHops: 11) { length } }`, "maxHops"},
		{"paths maxHops 7", `{ paths(from: "iskp", to: "ttp", maxHops: 7) { length } }`, "maxHops"},
		{"limit 1001", `{ neighbourhood(id: "iskp", limit: 1001) { omitted } }`, "limit"},
		{"perNodeLimit 0", `{ neighbourhood(id: "iskp", perNodeLimit: 0) { omitted } }`, "perNodeLimit"},
		{"search first 101", `{ search(text: "iskp", first: 101) { score } }`, "first"},
	} {
		errs := a.query(tc.query, nil, nil)
		if len(errs) == 0 || errs[0].Extensions["code"] != graph.EINVALID || errs[0].Extensions["field"] != tc.field {
			t.Errorf("%s: want INVALID on %s, got %+v", tc.name, tc.field, errs)
		}
	}
	if errs := a.query(`{ __schema { queryType { name } } }`, nil, nil); len(errs) == 0 {
		t.Error("introspection answered while turned off")
	}

	// CORS: the allowlisted origin gets the headers, others are refused, the server's own origin passes.
	for _, tc := range []struct {
		origin, method string
		status         int
		allow          string
	}{
		{"https://viz.example.org", "OPTIONS", 204, "https://viz.example.org"},
		{"https://viz.example.org", "POST", 200, "https://viz.example.org"},
		{"https://evil.example.com", "OPTIONS", 403, ""},
		{"https://evil.example.com", "POST", 403, ""},
		{srv.URL, "POST", 200, ""},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+"/graphql", strings.NewReader(`{"query":"{ stats { actors } }"}`))
		req.Header.Set("Origin", tc.origin)
		req.Header.Set("Content-Type", "application/json")
		if tc.method == "OPTIONS" {
			req.Header.Set("Access-Control-Request-Method", "POST")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Access-Control-Allow-Origin") != tc.allow {
			t.Errorf("%s %s: %d allow=%q, want %d %q", tc.method, tc.origin, resp.StatusCode,
				resp.Header.Get("Access-Control-Allow-Origin"), tc.status, tc.allow)
		}
	}

	// Metrics count requests by root field and outcome, and Neo4j transactions. A body refused for its
	// Content-Length before the handler runs is counted like any other request.
	a.query(`{ actor(id: "no-such-actor") { id } }`, nil, nil)
	for range 2 {
		resp, err := http.Post(srv.URL+"/export", "application/json", strings.NewReader(strings.Repeat(" ", 1<<20+1)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("body over the cap: status %d, want 413", resp.StatusCode)
		}
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`actorgraph_requests_total{operation="actor",outcome="NOT_FOUND"} 1`,
		`actorgraph_requests_total{operation="/export",outcome="INVALID"} 2`,
		`actorgraph_request_duration_seconds_bucket{operation="stats",outcome="ok"`,
		`actorgraph_neo4j_transactions_total{mode="read",result="ok"}`,
		`actorgraph_neo4j_connections_in_use 0`,
		`actorgraph_neo4j_connections_max 100`,
		`actorgraph_heavy_queries_running{class="traversal"} 0`,
		`actorgraph_heavy_queries_waiting{class="cypher"} 0`,
		fmt.Sprintf("actorgraph_heavy_queries_max{class=\"traversal\"} %d\n", graph.DefaultMaxHeavy()),
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// panicky is a Graph whose investigation methods panic, to prove that a panic anywhere in a request is
// recovered into INTERNAL with a request id. It stands in for a bug, not for the database.
type panicky struct{ graph.Graph }

func (panicky) Search(context.Context, graph.SearchQuery) ([]*graph.SearchHit, error) { panic("boom") }
func (panicky) Neighbourhood(context.Context, graph.NeighbourhoodQuery) (*graph.Subgraph, error) {
	panic("boom")
}
func (panicky) Ready(context.Context) error { return nil }

func TestPanicsBecomeInternal(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	srv := httptest.NewServer(httpapi.New(panicky{}, httpapi.DefaultConfig(), log))
	defer srv.Close()
	a := &api{t: t, url: srv.URL}
	errs := a.query(`{ search(text: "iskp") { score } }`, nil, nil)
	if len(errs) != 1 || errs[0].Extensions["code"] != graph.EINTERNAL || errs[0].Extensions["requestId"] == nil || errs[0].Message != "internal error" {
		t.Fatalf("resolver panic: %+v", errs)
	}
	rid := errs[0].Extensions["requestId"].(string)
	if !strings.Contains(logs.String(), `"request_id":"`+rid+`"`) || !strings.Contains(logs.String(), "boom") {
		t.Errorf("the panic is not logged with request id %s:\n%s", rid, logs.String())
	}
	// The request's own log line: every field, with its value and type.
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" && m["request_id"] == rid {
			line = m
		}
	}
	for k, want := range map[string]any{"level": "INFO", "method": "POST", "path": "/graphql", "operation": "{search}",
		"status": 200.0, "outcome": graph.EINTERNAL} {
		if line[k] != want {
			t.Errorf("request log %s = %v, want %v (line %v)", k, line[k], want, line)
		}
	}
	if d, ok := line["duration_ms"].(float64); !ok || d <= 0 {
		t.Errorf("request log duration_ms = %v, want a positive number", line["duration_ms"])
	}
	resp, err := http.Get(srv.URL + "/export?id=iskp")
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Errors []gqlError `json:"errors"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if resp.StatusCode != 500 || len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != graph.EINTERNAL || out.Errors[0].Extensions["requestId"] == nil {
		t.Errorf("handler panic: %d %+v", resp.StatusCode, out)
	}
	if resp, err := http.Get(srv.URL + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("the service did not survive: %v", err)
	}
}

// TestInjectionIsInert sends ids, search strings and Cypher parameters built to break out of Cypher or
// Lucene: the graph is unchanged and no database error leaks.
func TestInjectionIsInert(t *testing.T) {
	a := newAPI(t)
	before, err := a.store.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	payloads := []string{
		`iskp'}) DETACH DELETE n //`,
		`"}) DETACH DELETE n //`,
		"iskp`) DETACH DELETE n //",
		`}) MATCH (n) DETACH DELETE n RETURN 1 //`,
		`' OR 1=1 --`,
		`\u0027) CALL db.createLabel('X') //`,
		`name:* OR *:*`,
		`iskp~0.1^100 AND NOT taliban`,
		`/.*/`,
		`[* TO *]`,
		`"unterminated`,
		`(((((((`,
		`\`,
		"isk\x00p",
		`$id`,
	}
	for _, p := range payloads {
		for _, q := range []string{
			`query($p: ID!) { actor(id: $p) { id } }`,
			`query($p: String!) { search(text: $p) { actor { id } } }`,
			`query($p: ID!) { neighbourhood(id: $p) { omitted } }`,
			`query($p: ID!) { paths(from: "iskp", to: $p) { length } }`,
			`query($p: ID!) { fundingChannels(through: $p) { via { id } } }`,
			`query($p: String!) { neighbourhood(id: "iskp", asOf: $p) { omitted } }`,
		} {
			for _, e := range a.query(q, map[string]any{"p": p}, nil) {
				if c := e.Extensions["code"]; c != graph.ENOTFOUND && c != graph.EINVALID {
					t.Errorf("%s with %q: %+v", q, p, e)
				}
				if strings.Contains(e.Message, "Neo") || strings.Contains(e.Message, "Lucene") || strings.Contains(e.Message, "line 1") {
					t.Errorf("a database error leaked: %s", e.Message)
				}
			}
		}
	}
	// Analysts' Cypher needs a role anonymous callers lack: refused before anything runs.
	var out struct {
		Cypher struct{ Rows []map[string]any }
	}
	errs := a.query(`query($p: JSON) { cypher(query: "MATCH (n:Actor) WHERE n.id = $id RETURN count(n) AS c", params: $p) { rows } }`,
		map[string]any{"p": map[string]any{"id": `x'}) DETACH DELETE n //`}}, &out)
	if code(errs) != graph.EFORBIDDEN { // anonymous callers are viewers here: refused before anything runs
		t.Errorf("anonymous cypher: %+v", errs)
	}
	after, err := a.store.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatal("an injection attempt changed the graph")
	}
}
