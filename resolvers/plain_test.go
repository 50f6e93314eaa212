package resolvers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/actorgraph/actorgraph/graph"
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
	plain := newPlainSchema(t, store)
	gqlgen := serveSchema(t, store, plain.ExecutableSchema, 100)
	fast := serveSchema(t, store, plain, 100)

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
	post := func(url, q string, vars map[string]any) []byte { return []byte(postQuery(t, url, q, vars)) }
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
	plain, ts := plainServer(t, 100)

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
				if got := postQuery(t, ts.URL, tc.query, v); got != tc.want[i] {
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

// TestPlanCacheLetsDocumentsGo: the plan cache keeps no operation alive. An entry leaves once its operation
// is collected, and a full cache takes no more until entries leave.
func TestPlanCacheLetsDocumentsGo(t *testing.T) {
	var c opCache[*compiled]
	ops := make([]*ast.OperationDefinition, maxOps)
	for i := range ops {
		ops[i] = &ast.OperationDefinition{Name: "op" + strconv.Itoa(i)}
		c.put(ops[i], &compiled{})
	}
	extra := &ast.OperationDefinition{Name: "extra"}
	c.put(extra, &compiled{})
	if c.get(extra) != nil || c.len() != maxOps {
		t.Fatalf("a full cache took another operation (%d held)", c.len())
	}
	kept := ops[7]
	if c.get(kept) == nil {
		t.Fatal("a held operation has no plan")
	}
	ops = nil
	for i := 0; i < 200 && c.len() > 1; i++ { // cleanups run after a collection, on a goroutine of their own
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	if n := c.len(); n != 1 {
		t.Fatalf("%d entries once all but one of their operations were collected, want 1", n)
	}
	if c.get(kept) == nil {
		t.Error("the live operation lost its plan")
	}
	if c.put(extra, &compiled{}); c.get(extra) == nil {
		t.Error("the cache has room again but did not take an operation")
	}
	runtime.KeepAlive(kept)
	runtime.KeepAlive(extra)
}

// TestPlanCacheFollowsQueryCache: through gqlgen, with a query cache of two documents, twenty different query
// texts leave at most the two documents gqlgen still holds in the plan cache once the others are collected:
// a compiled plan does not keep its document alive.
func TestPlanCacheFollowsQueryCache(t *testing.T) {
	plain, ts := plainServer(t, 2)
	for i := range 20 {
		got := postQuery(t, ts.URL, fmt.Sprintf(`{ a%d: actor(id: "iskp") { id } }`, i), nil)
		if want := fmt.Sprintf(`{"data":{"a%d":{"id":"iskp"}}}`, i); got != want {
			t.Fatalf("query %d: %s, want %s", i, got, want)
		}
	}
	if n := plain.compiles.Load(); n != 20 {
		t.Errorf("%d compilations for 20 texts, want 20", n)
	}
	for i := 0; i < 200 && plain.plans.len() > 2; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	if n := plain.plans.len(); n > 2 {
		t.Errorf("the plan cache holds %d operations, gqlgen's query cache 2", n)
	}
}

// plainServer serves the plain-path schema over the seeded Neo4j (serveSchema).
func plainServer(t *testing.T, cacheSize int) (*plainSchema, *httptest.Server) {
	t.Helper()
	store := testenv.Seeded(t)
	plain := newPlainSchema(t, store)
	return plain, serveSchema(t, store, plain, cacheSize)
}

// newPlainSchema is NewSchema over store, which must be the plain-path schema.
func newPlainSchema(t *testing.T, store graph.Graph) *plainSchema {
	t.Helper()
	plain, ok := NewSchema(store).(*plainSchema)
	if !ok {
		t.Fatal("NewSchema does not return the plain-path schema")
	}
	return plain
}

// serveSchema serves es over store through gqlgen's handler as httpapi configures it for what the plain
// path depends on: POST, a query cache of cacheSize documents (plans are cached by parsed document), the
// loaders, the error presenter and panic recovery.
func serveSchema(t *testing.T, store graph.Graph, es graphql.ExecutableSchema, cacheSize int) *httptest.Server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := handler.New(es)
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](cacheSize))
	srv.AroundOperations(WithLoaders(store))
	srv.SetErrorPresenter(ErrorPresenter(log, nil))
	srv.SetRecoverFunc(Recover(log, nil))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// postQuery posts a query and its variables and returns the whole answer.
func postQuery(t *testing.T, url, query string, vars map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(got)
}

// TestWriterStrAsGqlgen requires the writer's strings to be the bytes gqlgen's String marshaler writes,
// escapes, invalid UTF-8 and text around them included, each after something already in the buffer.
func TestWriterStrAsGqlgen(t *testing.T) {
	cases := []struct{ name, s, want string }{
		{"empty", "", `""`},
		{"plain", "al-Karrar office", `"al-Karrar office"`},
		{"quote and backslash", `say "hi" \ bye`, `"say \"hi\" \\ bye"`},
		{"tab, return, newline", "a\tb\rc\nd", `"a\tb\rc\nd"`},
		{"other control bytes", "\x00\x01\x1f\x7f", `"\u0000\u0001\u001F` + "\x7f\""},
		{"escapes at both ends", "\"x\n", `"\"x\n"`},
		{"multi-byte", "Ḥaqqānī — الكرار \u2028", "\"Ḥaqqānī — الكرار \u2028\""},
		{"invalid UTF-8 kept as it is", "a\xff\xfe\"b", "\"a\xff\xfe\\\"b\""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var gq bytes.Buffer
			graphql.MarshalString(tc.s).MarshalGQL(&gq)
			if gq.String() != tc.want {
				t.Fatalf("gqlgen writes %q, the case expects %q", gq.String(), tc.want)
			}
			w := &writer{}
			w.b.WriteString("[1,")
			w.str(tc.s)
			if got := w.b.String(); got != "[1,"+tc.want {
				t.Errorf("writer wrote %q, want %q", got, "[1,"+tc.want)
			}
		})
	}
}

// TestWriterFloatAsGqlgen requires the writer's floats to be the bytes gqlgen's Float marshaler writes, and a
// value JSON cannot hold to be null and gqlgen's error.
func TestWriterFloatAsGqlgen(t *testing.T) {
	cases := []struct {
		name string
		f    float64
		want string
	}{
		{"zero", 0, "0"},
		{"negative zero", math.Copysign(0, -1), "-0"},
		{"confidence", 0.85, "0.85"},
		{"a product of confidences", 0.85 * 0.7 * 0.9, "0.5355"},
		{"a third", 1.0 / 3, "0.3333333333333333"},
		{"integral", 42, "42"},
		{"small: exponent", 1e-7, "1e-07"},
		{"large: exponent", 1e21, "1e+21"},
		{"large but below the exponent", 123456, "123456"},
		{"negative", -2.5, "-2.5"},
		{"NaN", math.NaN(), "null"},
		{"infinity", math.Inf(1), "null"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, nil)
			var gq bytes.Buffer
			gqErr := graphql.MarshalFloatContext(tc.f).MarshalGQLContext(ctx, &gq)
			if gqErr == nil && gq.String() != tc.want {
				t.Fatalf("gqlgen writes %q, the case expects %q", gq.String(), tc.want)
			}
			w := &writer{ctx: ctx}
			w.b.WriteString("[1,")
			w.float(tc.f)
			if got := w.b.String(); got != "[1,"+tc.want {
				t.Errorf("writer wrote %q, want %q", got, "[1,"+tc.want)
			}
			errs := graphql.GetErrors(ctx)
			if (gqErr != nil) != (len(errs) == 1) || gqErr != nil && errs[0].Message != gqErr.Error() {
				t.Errorf("errors %v, gqlgen's %v", errs, gqErr)
			}
		})
	}
}
