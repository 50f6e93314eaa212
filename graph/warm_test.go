package graph_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

// TestWarm checks that a store opened with Config.Warm is not ready while it warms up, is ready after, and
// that the warm-up runs every query shape on the seed without a failure; on an empty graph it runs nothing.
func TestWarm(t *testing.T) {
	seeded := testenv.Seeded(t)
	ctx := context.Background()

	release := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	texts := map[string]bool{}
	cfg := testenv.Config(testenv.RequireNeo4j(t))
	cfg.Warm = true
	cfg.Trace = func(cypher string, _ map[string]any) {
		if strings.HasPrefix(cypher, "CALL db.awaitIndexes") {
			return // applying the schema, before the warm-up
		}
		once.Do(func() { <-release }) // hold the warm-up at its first statement
		mu.Lock()
		texts[cypher] = true
		mu.Unlock()
	}
	s, err := graph.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })

	// Until the warm-up returns, Ready says why the store is not ready.
	deadline := time.Now().Add(time.Minute)
	for {
		err := s.Ready(ctx)
		if err != nil && strings.Contains(err.Error(), "warming up") {
			if code := graph.ErrorCode(err); code != graph.EUNAVAILABLE {
				t.Fatalf("Ready while warming up: code %s, want %s", code, graph.EUNAVAILABLE)
			}
			break
		}
		if err == nil || time.Now().After(deadline) {
			close(release)
			t.Fatalf("Ready before the warm-up returned: %v, want a warming-up error", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(release)
	testenv.WaitReady(t, s, 2*time.Minute)

	mu.Lock()
	n := len(texts)
	funding := 0
	for c := range texts {
		if strings.Contains(c, ":FUNDS") {
			funding++
		}
	}
	mu.Unlock()
	// 1 to choose the actors, then actor, search, relations, connections, the two coalesced statements, 4 depths, 10+6 path hops, 6
	// funding hops: distinct texts, except where two shapes share a statement.
	if n < 27 {
		t.Errorf("warm-up sent %d distinct statements, want at least 27", n)
	}
	if funding < graph.MaxFundingHops {
		t.Errorf("warm-up sent %d distinct fundingChannels statements, want one per maxHops (%d)", funding, graph.MaxFundingHops)
	}

	start := time.Now()
	run, failed, err := seeded.Warm(ctx)
	t.Logf("Warm on the seed (plans cached by the other store): %d queries in %s", run, time.Since(start))
	if err != nil || failed != 0 {
		t.Fatalf("Warm on the seed: run %d, failed %d, err %v; want no failure", run, failed, err)
	}
	want := 6 + graph.MaxDepth + graph.MaxShortestHops + graph.MaxPathHops + graph.MaxFundingHops
	if run != want {
		t.Errorf("Warm on the seed ran %d queries, want %d", run, want)
	}

	if err := seeded.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	if run, failed, err := seeded.Warm(ctx); run != 0 || failed != 0 || err != nil {
		t.Errorf("Warm on an empty graph: run %d, failed %d, err %v; want 0, 0, nil", run, failed, err)
	}
}
