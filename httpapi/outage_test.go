package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/httpapi"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

type gqlResponse struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func postQuery(t *testing.T, url, query string) (gqlResponse, time.Duration) {
	t.Helper()
	start := time.Now()
	body, _ := json.Marshal(map[string]string{"query": query})
	resp, err := http.Post(url+"/graphql", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out, time.Since(start)
}

// TestNeo4jOutage stops the service's Neo4j under it and starts it again: readiness turns 503 within 2 s,
// queries fail fast with UNAVAILABLE, and the service recovers by itself.
func TestNeo4jOutage(t *testing.T) {
	n := testenv.StartNeo4j(t, 7689)
	cfg := testenv.Config(n.URI())
	cfg.QueryTimeout = 5 * time.Second
	store, err := graph.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(context.Background())
	testenv.WaitReady(t, store, time.Minute)
	srv := httptest.NewServer(httpapi.New(store, httpapi.DefaultConfig(), cfg.Logger))
	defer srv.Close()

	if r, _ := postQuery(t, srv.URL, "{ stats { actors } }"); len(r.Errors) > 0 {
		t.Fatalf("before the outage: %+v", r.Errors)
	}

	n.Stop()
	start := time.Now()
	for {
		resp, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Since(start) > 2*time.Second {
			t.Fatalf("/readyz still %d 2 s after neo4j stopped", resp.StatusCode)
		}
		time.Sleep(100 * time.Millisecond)
	}

	r, took := postQuery(t, srv.URL, "{ stats { actors } }")
	if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != graph.EUNAVAILABLE {
		t.Fatalf("during the outage: want UNAVAILABLE, got %+v", r)
	}
	if took > cfg.QueryTimeout {
		t.Fatalf("during the outage the query took %s, more than its timeout %s", took, cfg.QueryTimeout)
	}
	if r, _ := postQuery(t, srv.URL, "{ __schema { queryType { name } } }"); len(r.Errors) > 0 {
		t.Fatalf("introspection needs no database, got %+v", r.Errors)
	}

	n.Start()
	deadline := time.Now().Add(time.Minute)
	for {
		r, _ := postQuery(t, srv.URL, "{ stats { actors } }")
		if len(r.Errors) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery a minute after neo4j restarted: %+v", r.Errors)
		}
		time.Sleep(250 * time.Millisecond)
	}
	resp, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz after recovery: %d", resp.StatusCode)
	}
}
