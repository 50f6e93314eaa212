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
	"github.com/99designs/gqlgen/graphql/handler/transport"

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

// TestPlainPathSameBytes runs each query through gqlgen alone and through plainSchema, over the seeded
// Neo4j, and requires the same response bytes, and that plainSchema wrote the answer itself exactly when
// the query is one it should answer.
func TestPlainPathSameBytes(t *testing.T) {
	store := testenv.Seeded(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	serve := func(es graphql.ExecutableSchema) *httptest.Server {
		srv := handler.New(es)
		srv.AddTransport(transport.POST{})
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
			before := plain.served.Load()
			got := post(fast.URL, tc.query, tc.vars)
			if served := plain.served.Load() > before; served != tc.served {
				t.Errorf("written by plainSchema: %v, want %v", served, tc.served)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("answers differ\n plain: %.2000s\ngqlgen: %.2000s", got, want)
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
