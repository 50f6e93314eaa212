// Package testenv gives tests the real test Neo4j that `make test` starts (ACTORGRAPH_TEST_NEO4J_URI).
// Outside make test, tests that need it are skipped with a message; under CI they fail instead.
package testenv

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/seed"
)

// URI is the test Neo4j's URI, or "".
func URI() string { return os.Getenv("ACTORGRAPH_TEST_NEO4J_URI") }

// RequireNeo4j skips (or, under CI, fails) the test when no test Neo4j is configured.
func RequireNeo4j(t testing.TB) string {
	t.Helper()
	uri := URI()
	if uri == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("ACTORGRAPH_TEST_NEO4J_URI is not set: run the tests with `make test`")
		}
		t.Skip("no test Neo4j: run `make test` (it sets ACTORGRAPH_TEST_NEO4J_URI)")
	}
	return uri
}

// Config is the store configuration of the test Neo4j at uri.
func Config(uri string) graph.Config {
	cfg := graph.DefaultConfig()
	cfg.URI = uri
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return cfg
}

// Store opens a store on the test Neo4j and waits until it is ready; it is closed when the test ends.
func Store(t testing.TB) *graph.Store {
	t.Helper()
	return Open(t, Config(RequireNeo4j(t)))
}

// Open opens a store with cfg (Config and then the test's own settings), closes it when the test ends, and
// waits until it is ready.
func Open(t testing.TB, cfg graph.Config) *graph.Store {
	t.Helper()
	s, err := graph.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	WaitReady(t, s, time.Minute)
	return s
}

// WaitReady waits until g is ready or fails the test.
func WaitReady(t testing.TB, g graph.Graph, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := g.Ready(context.Background())
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("neo4j not ready after %s: %v", within, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Seeded returns a store holding exactly the seed dataset (the database is wiped first).
func Seeded(t testing.TB) *graph.Store {
	t.Helper()
	s := Store(t)
	ctx := context.Background()
	if err := s.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	files, err := seed.Default()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Load(ctx, s, files); err != nil {
		t.Fatal(err)
	}
	return s
}

// Holding makes the test database hold exactly d: it checks d, wipes the database and imports d.
func Holding(t testing.TB, s *graph.Store, d *graph.Dataset) {
	t.Helper()
	if errs := d.Validate(nil, nil); len(errs) > 0 {
		t.Fatalf("dataset: %v", errs)
	}
	ctx := context.Background()
	if err := s.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, d); err != nil {
		t.Fatal(err)
	}
}

// Fingerprint returns s's fingerprint (graph.Store.Fingerprint) or fails the test.
func Fingerprint(t testing.TB, s *graph.Store) string {
	t.Helper()
	fp, err := s.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fp
}
