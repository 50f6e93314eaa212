package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/httpapi"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

// FuzzGraphQLBody posts arbitrary bodies to /graphql over the real store: the service never panics, never
// answers 500, and every error it returns carries a code other than INTERNAL (a body is the caller's input:
// whatever is wrong with it is INVALID, NOT_FOUND, FORBIDDEN or one of GraphQL's own codes, never a bug).
func FuzzGraphQLBody(f *testing.F) {
	for _, s := range []string{
		`{"query":"{ actor(id: \"iskp\") { id name } }"}`,
		`{"query":"query($t: String!) { search(text: $t) { score } }","variables":{"t":"ISIS-K"}}`,
		`{"query":"{ neighbourhood(id: \"iskp\", depth: 9) { omitted } }"}`,
		`{"query":"{ paths(from: \"iskp\", to: \"ttp\", asOf: \"2021-02-30\") { length } }"}`,
		`{"query":"mutation { retireRelation(id: \"x\", version: 1, reason: \"r\") { id } }"}`,
		`[{"query":"{ stats { actors } }"},{"query":"{ sources { id } }"}]`,
		`{"query":"{ a: actor(id: \"iskp\") { ...F } } fragment F on Actor { ...F }"}`,
		`{"query":"{ __schema { types { name } } }"}`,
		`{"query": 42}`, `{"query":"{"}`, `not json`, ``, `{"variables":{"x":[[[[[[]]]]]]}}`,
	} {
		f.Add([]byte(s))
	}
	store := testenv.Store(f)
	h := httpapi.New(store, httpapi.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		var out struct {
			Errors []struct {
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("status %d, body is not JSON: %q", rec.Code, rec.Body)
		}
		for _, e := range out.Errors {
			if code := e.Extensions["code"]; code == nil || code == graph.EINTERNAL {
				t.Fatalf("an error with code %v for %q: %s", code, body, rec.Body)
			}
		}
		if rec.Code != http.StatusOK && len(out.Errors) == 0 {
			t.Fatalf("status %d without an error for %q", rec.Code, body)
		}
	})
}
