package load

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
	"time"

	"github.com/actorgraph/actorgraph/bench/gen"
	"github.com/actorgraph/actorgraph/bench/internal/benchenv"
	"github.com/actorgraph/actorgraph/httpapi"
)

// Capture asks every query of every sample item once through an in-process ActorGraph (the store with
// graph.Config.Trace set, behind the real HTTP handler) and records the statements the store sent for
// each. The raw system replays them; the peer takes the search query's Lucene string from them. It also
// reports, per query, how many items answered with an error. A query whose items take longer than budget
// in all is captured only for the items asked so far: the trace is shorter, and the benchmark then uses only
// those items (for every system).
func Capture(ctx context.Context, uri string, s *gen.Sample, queries []Query, budget time.Duration) (Trace, map[string]int, error) {
	rec := &recorder{}
	cfg := benchenv.StoreConfig(uri, false)
	cfg.Trace = rec.trace
	store, err := benchenv.OpenStore(cfg, 2*time.Minute)
	if err != nil {
		return nil, nil, err
	}
	defer store.Close(context.Background())
	h := httpapi.New(store, httpapi.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	post := func(doc string, vars map[string]any) ([]byte, error) {
		b, _ := json.Marshal(map[string]any{"query": doc, "variables": vars})
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			return w.Body.Bytes(), fmt.Errorf("HTTP %d", w.Code)
		}
		if bytes.Contains(w.Body.Bytes(), []byte(`"errors":[`)) {
			return w.Body.Bytes(), fmt.Errorf("GraphQL errors")
		}
		return w.Body.Bytes(), nil
	}
	// Load the store's source cache first, so that no item's statements include that one-off read.
	if _, err := post(`{ sources { id } }`, nil); err != nil {
		return nil, nil, fmt.Errorf("warm-up query failed: %w", err)
	}
	rec.take()
	tr := Trace{}
	errs := map[string]int{}
	for _, q := range queries {
		deadline := time.Now().Add(budget)
		for i := range q.Items(s) {
			if i > 0 && time.Now().After(deadline) {
				break
			}
			if _, err := post(q.Doc, q.Vars(s, i)); err != nil {
				errs[q.Name]++
			}
			tr[q.Name] = append(tr[q.Name], rec.take())
		}
	}
	return tr, errs, nil
}

// WriteTrace writes a trace as JSON (for bench/cmd/profile).
func WriteTrace(path string, t Trace) error { return benchenv.WriteJSON(path, t) }

// FixNumbers turns the float64 that JSON decoding gives for every number back into int64 where the value is
// integral, as the store passed it (LIMIT and list slicing need integers).
func FixNumbers(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	case []any:
		for i := range x {
			x[i] = FixNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = FixNumbers(x[k])
		}
	}
	return v
}
