package graph_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

// TestHeavyAdmission checks Config.MaxHeavy with one slot: while a funding query holds the traversal slot
// (stopped before its statement reaches Neo4j), cheap reads, paths and Cypher (classes of their own) run at
// once; a second traversal waits without sending anything and fails with TIMEOUT when its timeout runs out;
// and a traversal that is waiting when the slot frees runs then, after the holder.
func TestHeavyAdmission(t *testing.T) {
	testenv.Seeded(t)
	var gate atomic.Pointer[chan struct{}] // when set, the funding statement waits for it to close
	var mu sync.Mutex
	var order []string // the funding and neighbourhood statements sent, in order
	sent := func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(order) }
	var count atomic.Int32
	cfg := testenv.Config(testenv.RequireNeo4j(t))
	cfg.MaxHeavy = 1
	cfg.QueryTimeout = 2 * time.Second
	cfg.Trace = func(cypher string, params map[string]any) {
		if strings.HasPrefix(cypher, "CALL db.awaitIndexes") {
			return
		}
		count.Add(1)
		kind := ""
		if _, ok := params["anchorID"]; ok {
			kind = "funding"
		} else if _, ok := params["perNode"]; ok {
			kind = "neighbourhood"
		}
		if kind != "" {
			mu.Lock()
			order = append(order, kind)
			mu.Unlock()
		}
		if g := gate.Load(); g != nil && kind == "funding" {
			<-*g
		}
	}
	s := testenv.Open(t, cfg)
	ctx := context.Background()
	use := func() graph.Admission { return s.Admission(graph.HeavyTraversal) }
	if got := use(); got != (graph.Admission{Max: 1}) {
		t.Fatalf("Admission(traversal) = %+v at rest, want Max 1 only", got)
	}
	if got := s.Admission(graph.HeavyPaths); got != (graph.Admission{Max: graph.PathsPerHeavy}) {
		t.Fatalf("Admission(paths) = %+v at rest, want Max %d only", got, graph.PathsPerHeavy)
	}

	funding := graph.FundingQuery{Recipient: ptr("iskp"), MaxHops: 3}
	// hold starts a funding query that keeps the one slot until the returned func is called.
	hold := func() (free func()) {
		g := make(chan struct{})
		gate.Store(&g)
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.FundingChannels(ctx, funding)
		}()
		waitFor(t, "the funding query to hold the slot", func() bool { return use().Running == 1 && len(sent()) > 0 })
		return func() { gate.Store(nil); close(g); <-done }
	}
	depth2 := graph.NeighbourhoodQuery{ID: "iskp", Depth: 2, PerNodeLimit: 10, Limit: 50}

	type read struct {
		name string
		run  func() error
	}
	others := []read{
		{"actor", func() error { _, err := s.Actor(ctx, "iskp"); return err }},
		{"neighbourhood depth 1", func() error {
			_, err := s.Neighbourhood(ctx, graph.NeighbourhoodQuery{ID: "iskp", Depth: 1, PerNodeLimit: 10, Limit: 50})
			return err
		}},
		{"search", func() error { _, err := s.Search(ctx, graph.SearchQuery{Text: "karrar", First: 5}); return err }},
		{"paths (slots of their own)", func() error {
			_, err := s.Paths(ctx, graph.PathQuery{From: "al-karrar-office", To: "iskp", K: 1, MaxHops: 4})
			return err
		}},
		{"cypher (slots of its own)", func() error {
			_, err := s.Cypher(ctx, graph.CypherQuery{Query: "MATCH (a:Actor {id: 'iskp'})--(b) RETURN count(b)", Limit: 10})
			return err
		}},
	}
	// Neo4j plans a statement the first time it sees it, which can take longer than the 2 s timeout: run
	// each once beforehand (a few tries: a timed-out first run still leaves its plan cached).
	deep := read{"neighbourhood depth 2", func() error { _, err := s.Neighbourhood(ctx, depth2); return err }}
	held := read{"funding channels", func() error { _, err := s.FundingChannels(ctx, funding); return err }}
	for _, r := range append(slices.Clone(others), deep, held) {
		for try := 0; r.run() != nil; try++ {
			if try == 5 {
				t.Fatalf("%s fails before the test begins", r.name)
			}
		}
	}

	free := hold()
	for _, tc := range others {
		start := time.Now()
		if err := tc.run(); err != nil {
			t.Errorf("%s while the slot is held: %v", tc.name, err)
		}
		if took := time.Since(start); took > 500*time.Millisecond {
			t.Errorf("%s took %s while the traversal slot is held: it must not wait", tc.name, took)
		}
	}
	before := count.Load()
	start := time.Now()
	_, err := s.Neighbourhood(ctx, depth2)
	took := time.Since(start)
	if graph.ErrorCode(err) != graph.ETIMEOUT || !strings.Contains(err.Error(), "for a free traversal slot (all 1 busy") {
		t.Errorf("depth 2 with the slot held: err %v, want TIMEOUT waiting for the traversal slot", err)
	}
	if took < 1900*time.Millisecond || took > 3*time.Second {
		t.Errorf("depth 2 gave up after %s, want the 2 s query timeout", took)
	}
	if n := count.Load() - before; n != 0 {
		t.Errorf("depth 2 sent %d statements while waiting, want 0", n)
	}
	if got := use(); got != (graph.Admission{Running: 1, Max: 1}) {
		t.Errorf("Admission(traversal) = %+v after the waiter gave up, want the holder only", got)
	}
	free()

	// A waiter runs as soon as the holder lets go, within its own timeout.
	mu.Lock()
	order = nil
	mu.Unlock()
	free = hold()
	result := make(chan error, 1)
	go func() {
		g, err := s.Neighbourhood(ctx, depth2)
		if err == nil && len(g.Nodes) < 2 {
			err = graph.Errorf(graph.EINTERNAL, "depth 2 of iskp gave %d actors", len(g.Nodes))
		}
		result <- err
	}()
	waitFor(t, "the depth-2 read to queue", func() bool { return use().Waiting == 1 })
	time.Sleep(200 * time.Millisecond)
	free()
	if err := <-result; err != nil {
		t.Errorf("queued depth 2 after the slot freed: %v", err)
	}
	if got := strings.Join(sent(), ","); got != "funding,neighbourhood" {
		t.Errorf("statements sent in order %s, want funding,neighbourhood", got)
	}
	if got := use(); got != (graph.Admission{Max: 1}) {
		t.Errorf("Admission(traversal) = %+v after both, want none running or waiting", got)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
