package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

// TestPostSameBytes sends each request to two services over the seeded Neo4j, one answering POST through
// post and one through gqlgen's transport.POST, and requires the same status, Content-Type and body bytes,
// and from post a Content-Length that is the body's. The cases cover data-only answers (written as they
// are, small and large, with non-ASCII text, quotes, escapes and numbers), answers with characters
// encoding/json escapes (written through it), and every error path of the transport.
func TestPostSameBytes(t *testing.T) {
	store := testenv.Seeded(t)
	cfg := DefaultConfig()
	cfg.Auth = AuthConfig{AnonymousRole: graph.RoleAnalyst}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ours := httptest.NewServer(New(store, cfg, log))
	t.Cleanup(ours.Close)
	theirs := httptest.NewServer(newHandler(store, cfg, log, transport.POST{}))
	t.Cleanup(theirs.Close)

	gql := func(query string, vars map[string]any) string {
		b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	actor := `{ id name kind aliases description countryCode degree evidence { source { id title } line claim } }`
	type postCase struct {
		name   string
		body   string
		accept string
		status int
		want   string // a fragment the body must hold
		ours   bool   // post answers differently from transport.POST (a bad body): check post's answer only
	}
	cases := []postCase{
		{"actor with non-ASCII aliases", gql(`query($id: ID!) { actor(id: $id) `+actor+` }`, map[string]any{"id": "afghanistan"}),
			"", 200, `"Afġānistān"`, false},
		{"search", gql(`{ search(text: "karrar") { score actor { id name } } }`, nil), "", 200, `"al-karrar-office"`, false},
		{"depth-2 neighbourhood (large)", gql(`{ neighbourhood(id: "iskp", depth: 2) { nodes { id name aliases } edges { id type from { id } to { id } confidence since until } } }`, nil),
			"application/json", 200, `"iskp"`, false},
		{"paths", gql(`{ paths(from: "al-karrar-office", to: "iskp", k: 3) { length credibility nodes { id } edges { id type } } }`, nil),
			"", 200, `"length":2`, false},
		{"quotes, escapes, control characters, emoji, numbers", gql(`{ cypher(query: "RETURN 'say \"hi\"\\\\ \\n\\t\\u0001 é 😀' AS s, 0.1 AS f, 1.0e300 AS big, -7 AS i, [true, null] AS l") { columns rows truncated } }`, nil),
			"*/*", 200, `"columns":["s","f","big","i","l"]`, false},
		{"null data: unknown actor", gql(`{ actor(id: "no-such-actor") { id } }`, nil), "", 200, `"data":{"actor":null}`, false},
		{"NOT_FOUND error", gql(`{ neighbourhood(id: "no-such-actor") { nodes { id } } }`, nil), "", 200, `NOT_FOUND`, false},
		{"INVALID error", gql(`{ neighbourhood(id: "iskp", depth: 9) { nodes { id } } }`, nil), "", 200, `INVALID`, false},
		{"FORBIDDEN: a write in cypher", gql(`{ cypher(query: "CREATE (n:X) RETURN n") { rows } }`, nil), "", 200, `"errors"`, false},
		{"validation error", gql(`{ actor(id: "iskp") { nope } }`, nil), "", 422, `nope`, false},
		{"validation error, graphql-response+json", gql(`{ actor(id: "iskp") { nope } }`, nil),
			"application/graphql-response+json", 400, `nope`, false},
		{"unknown Accept: graphql-response+json", gql(`{ actor(id: "iskp") { id } }`, nil), "text/html", 200, `"iskp"`, false},
		{"parse error", gql(`{ actor(id: `, nil), "", 422, `"errors"`, false},
		{"malformed JSON", `{"query": `, "", 400, `"message":"body: the request body is not a GraphQL request in JSON ({\"query\": …, \"variables\": {…}}): unexpected EOF","extensions":{"code":"INVALID","field":"body"`, true},
		{"not a request object", `[1, 2]`, "", 400, `"code":"INVALID","field":"body"`, true},
		{"persisted query not found", `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + strings.Repeat("a", 64) + `"}}}`,
			"", 200, `PERSISTED_QUERY_NOT_FOUND`, false},
		{"too complex", gql(`{ neighbourhood(id: "iskp", limit: 1000) { nodes { relations(first: 500) { nodes { id } } } } }`, nil),
			"", 200, `complexity`, false},
	}
	// Each character encoding/json escapes, alone in a string of the data: the answer goes through it.
	for _, c := range []string{"<", ">", "&", "\u2028", "\u2029"} {
		cases = append(cases, postCase{fmt.Sprintf("%+q in the data", c), gql("{ cypher(query: \"RETURN 1 AS `a"+c+"’`\") { columns } }", nil),
			"", 200, fmt.Sprintf(`"columns":["a\u%04x’"]`, []rune(c)[0]), false})
	}
	send := func(url, body, accept string) (*http.Response, []byte) {
		req, err := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Request-Id", "post-test") // both answers carry the same request id
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	large := false
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, gotBody := send(ours.URL, tc.body, tc.accept)
			if got.StatusCode != tc.status {
				t.Errorf("status %d, want %d", got.StatusCode, tc.status)
			}
			if !tc.ours {
				want, wantBody := send(theirs.URL, tc.body, tc.accept)
				if !bytes.Equal(gotBody, wantBody) {
					t.Errorf("body\n got %s\nwant %s", gotBody, wantBody)
				}
				if want.StatusCode != got.StatusCode {
					t.Errorf("status %d, gqlgen %d", got.StatusCode, want.StatusCode)
				}
				if g, w := got.Header.Get("Content-Type"), want.Header.Get("Content-Type"); g != w {
					t.Errorf("Content-Type %q, gqlgen %q", g, w)
				}
				if len(gotBody) > 2048 && want.Header.Get("Content-Length") == "" {
					large = true // net/http sent gqlgen's answer chunked
				}
			}
			if cl := got.Header.Get("Content-Length"); cl != strconv.Itoa(len(gotBody)) {
				t.Errorf("Content-Length %q for %d bytes", cl, len(gotBody))
			}
			if !bytes.Contains(gotBody, []byte(tc.want)) {
				t.Errorf("body lacks %s: %.500s", tc.want, gotBody)
			}
		})
	}
	if !large {
		t.Error("no answer was large enough to be sent chunked by transport.POST")
	}

	// A body over the cap gets INVALID, field body, 413: refused by the middleware from its Content-Length,
	// or, sent without one (chunked), cut by the size cap while post reads it.
	wantMsg := fmt.Sprintf("body: the request body is larger than %d bytes", cfg.MaxBodyBytes)
	for _, chunked := range []bool{false, true} {
		var big io.Reader = strings.NewReader(`{"query": "{ stats { actors } }", "pad": "` + strings.Repeat("x", int(cfg.MaxBodyBytes)) + `"}`)
		if chunked {
			big = io.MultiReader(big) // a reader whose length net/http cannot know
		}
		resp, err := http.Post(ours.URL+"/graphql", "application/json", big)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out struct {
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
		}
		_ = json.Unmarshal(b, &out)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || len(out.Errors) != 1 || out.Errors[0].Message != wantMsg ||
			out.Errors[0].Extensions["code"] != graph.EINVALID || out.Errors[0].Extensions["field"] != "body" ||
			out.Errors[0].Extensions["requestId"] != resp.Header.Get("X-Request-Id") {
			t.Errorf("body over the cap (chunked %v): %d %s", chunked, resp.StatusCode, b)
		}
	}
}

// BenchmarkWriteResponse compares post's writing of a data-only answer with transport.POST's
// (encoding/json) on answers of the sizes the benchmark's actor, neighbourhood(depth: 1) and hub
// neighbourhood(depth: 2) answers have (BENCHMARKS.md):
//
//	go test ./httpapi -run '^$' -bench WriteResponse -benchmem
func BenchmarkWriteResponse(b *testing.B) {
	for _, size := range []int{300, 8000, 240000} {
		var sb strings.Builder
		sb.WriteString(`{"neighbourhood":{"nodes":[`)
		for i := 0; sb.Len() < size; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(`{"id":"iskp","name":"Islamic State – Khorasan Province","kind":"GROUP","aliases":["ISKP","Wilāyat Khurāsān"],"degree":1234,"__typename":"Actor"}`)
		}
		sb.WriteString(`]}}`)
		resp := &graphql.Response{Data: json.RawMessage(sb.String())}
		w := discard{http.Header{}}
		b.Run(fmt.Sprintf("encoding-json/%dB", len(resp.Data)), func(b *testing.B) {
			for b.Loop() {
				out, _ := json.Marshal(resp)
				_, _ = w.Write(out)
			}
		})
		b.Run(fmt.Sprintf("post/%dB", len(resp.Data)), func(b *testing.B) {
			for b.Loop() {
				writeResponse(w, http.StatusOK, resp)
			}
		})
	}
}

// discard is a ResponseWriter that drops what it is given.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
