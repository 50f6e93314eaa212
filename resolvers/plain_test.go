package resolvers

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/actorgraph/actorgraph/internal/testenv"
)

// Every field of the plain types, through fragments: A for actors, and plainFragments for actors and
// relations.
const (
	actorFragments = `
fragment S on Source { id title publisher authors date file __typename }
fragment E on Evidence { source { ...S } line claim __typename }
fragment A on Actor { id name kind aliases description countryCode degree version evidence { ...E } __typename }`
	plainFragments = actorFragments + `
fragment R on Relation { id type from { ...A } to { id } since until status confidence via { ...A }
  evidence { ...E } version retired retiredReason __typename }`
)

// TestPlainPathSameBytes runs each query through gqlgen alone and twice through plainSchema, over the
// seeded Neo4j, and requires the same response bytes each time, that plainSchema wrote the answer itself
// exactly when the query is one it should answer, and that it compiled the query once, or once per request
// when the query holds a directive.
func TestPlainPathSameBytes(t *testing.T) {
	store := testenv.Seeded(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	serve := func(es graphql.ExecutableSchema) *httptest.Server {
		srv := handler.New(es)
		srv.AddTransport(transport.POST{})
		srv.SetQueryCache(lru.New[*ast.QueryDocument](100)) // as httpapi does: plans are cached by parsed document
		srv.AroundOperations(WithLoaders(store))
		srv.SetErrorPresenter(ErrorPresenter(log, nil))
		srv.SetRecoverFunc(Recover(log, nil))
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		return ts
	}
	plain, ok := NewSchema(store).(*plainSchema)
	if !ok {
		t.Fatal("NewSchema does not return the plain-path schema")
	}
	gqlgen := serve(plain.ExecutableSchema)
	fast := serve(plain)

	cases := []struct {
		name   string
		query  string
		vars   map[string]any
		served bool   // plainSchema writes the answer
		want   string // a fragment the answer must hold
	}{
		{"neighbourhood, every field", `query($id: ID!) { neighbourhood(id: $id, depth: 2) { nodes { ...A } edges { ...R } truncated omitted __typename } }` + plainFragments,
			map[string]any{"id": "iskp"}, true, `"id":"al-karrar-office"`},
		{"alias, inline fragment, skip and include", `query($no: Boolean!) { n: neighbourhood(id: "iskp") { ... on Subgraph { edges { id t: type } }
  nodes @skip(if: $no) { id } omitted @include(if: $no) nodes { name } } }`,
			map[string]any{"no": false}, true, `{"n":{"edges":[{"id":`},
		{"the same field twice merges", `{ neighbourhood(id: "ttp") { nodes { id } nodes { name kind } } }`, nil, true, `"kind":"GROUP"`},
		{"shortest path", `{ shortestPath(from: "al-karrar-office", to: "iskp") { length credibility nodes { id } edges { ...R } } }` + plainFragments,
			nil, true, `"length":`},
		{"paths ranked by credibility", `{ paths(from: "al-karrar-office", to: "iskp", k: 3, rankBy: CREDIBILITY) { length credibility nodes { ...A } edges { id confidence } } }` + actorFragments,
			nil, true, `"credibility":`},
		{"funding channels", `{ fundingChannels(recipient: "iskp") { funder { id } recipient { id } via { id name } path { length nodes { id } edges { ...R } } } }` + plainFragments,
			nil, true, `"funder":{"id":"al-karrar-office"}`},
		{"search", `{ search(text: "karrar") { score actor { ...A } } }` + actorFragments, nil, true, `"score":`},
		{"actor", `{ actor(id: "turkey") { ...A } }` + actorFragments, nil, true, `"kind":"COUNTRY"`},
		{"connections", `{ connections(ids: ["iskp", "ttp", "turkey"]) { nodes { id } edges { id from { id } to { id } } } }`, nil, true, `"edges":[`},
		{"no path is null", `{ shortestPath(from: "al-karrar-office", to: "iskp", types: [KILLED]) { length } }`, nil, false, `{"data":{"shortestPath":null}}`},
		{"an invalid argument: INVALID and null", `{ shortestPath(from: "iskp", to: "iskp") { length } }`, nil, false, `"code":"INVALID"`},
		{"unknown actor: NOT_FOUND and null", `{ actor(id: "no-such-actor") { id } }`, nil, false, `"code":"NOT_FOUND"`},
		{"an invalid argument of a non-null field: null data", `{ neighbourhood(id: "iskp", depth: 9) { omitted } }`, nil, false, `"code":"INVALID"`},
		{"a resolver field goes to gqlgen", `{ actor(id: "iskp") { id sources { id } } }`, nil, false, `"sources":[`},
		{"two root fields go to gqlgen", `{ a: actor(id: "iskp") { id } b: actor(id: "ttp") { id } }`, nil, false, `"b":{"id":"ttp"}`},
		{"other root fields go to gqlgen", `{ stats { actors } }`, nil, false, `"actors":`},
		{"a deferred fragment goes to gqlgen", `{ actor(id: "iskp") { id ... @defer { name } } }`, nil, false, ``},
	}
	post := func(url, q string, vars map[string]any) []byte {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
		resp, err := http.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := post(gqlgen.URL, tc.query, tc.vars)
			before, compiled := plain.served.Load(), plain.compiles.Load()
			got := post(fast.URL, tc.query, tc.vars)
			if served := plain.served.Load() > before; served != tc.served {
				t.Errorf("written by plainSchema: %v, want %v", served, tc.served)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("answers differ\n plain: %.2000s\ngqlgen: %.2000s", got, want)
			}
			if again := post(fast.URL, tc.query, tc.vars); !bytes.Equal(again, want) {
				t.Fatalf("second answer differs\n plain: %.2000s\ngqlgen: %.2000s", again, want)
			}
			wantCompiles := int64(1)
			if strings.Contains(tc.query, "@") {
				wantCompiles = 2
			}
			if n := plain.compiles.Load() - compiled; n != wantCompiles {
				t.Errorf("compiled %d times for two requests, want %d", n, wantCompiles)
			}
			if !strings.Contains(string(got), tc.want) {
				t.Errorf("answer lacks %s: %.2000s", tc.want, got)
			}
			if tc.served && len(got) < 40 {
				t.Errorf("answer too small to test anything: %s", got)
			}
		})
	}
}

// TestPlanCacheVariables sends one query text with different variables: a plan without directives is
// compiled once and serves every request, each with its own answer; a plan with @include is compiled for
// each request, so that the variable decides what is written.
func TestPlanCacheVariables(t *testing.T) {
	store := testenv.Seeded(t)
	plain, ok := NewSchema(store).(*plainSchema)
	if !ok {
		t.Fatal("NewSchema does not return the plain-path schema")
	}
	srv := handler.New(plain)
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](100))
	srv.AroundOperations(WithLoaders(store))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)

	tests := []struct {
		name     string
		query    string
		vars     []map[string]any
		want     []string // each request's whole answer
		compiles int64
	}{
		{"ids", `query($id: ID!) { actor(id: $id) { id kind } }`,
			[]map[string]any{{"id": "iskp"}, {"id": "turkey"}, {"id": "al-karrar-office"}},
			[]string{`{"data":{"actor":{"id":"iskp","kind":"GROUP"}}}`, `{"data":{"actor":{"id":"turkey","kind":"COUNTRY"}}}`,
				`{"data":{"actor":{"id":"al-karrar-office","kind":"FINANCE_OFFICE"}}}`}, 1},
		{"include", `query($k: Boolean!) { actor(id: "turkey") { id kind @include(if: $k) } }`,
			[]map[string]any{{"k": true}, {"k": false}, {"k": true}},
			[]string{`{"data":{"actor":{"id":"turkey","kind":"COUNTRY"}}}`, `{"data":{"actor":{"id":"turkey"}}}`,
				`{"data":{"actor":{"id":"turkey","kind":"COUNTRY"}}}`}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, served := plain.compiles.Load(), plain.served.Load()
			for i, v := range tc.vars {
				body, _ := json.Marshal(map[string]any{"query": tc.query, "variables": v})
				resp, err := http.Post(ts.URL, "application/json", bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != tc.want[i] {
					t.Errorf("request %d (%v): %s, want %s", i, v, got, tc.want[i])
				}
			}
			if n := plain.compiles.Load() - before; n != tc.compiles {
				t.Errorf("compiled %d times, want %d", n, tc.compiles)
			}
			if n := plain.served.Load() - served; n != int64(len(tc.vars)) {
				t.Errorf("plainSchema wrote %d answers, want %d", n, len(tc.vars))
			}
		})
	}
}
