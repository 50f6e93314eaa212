package graph_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

// TestPathsStrategies checks the two ways Paths finds k paths against each other on the seed: the
// bidirectional shortest group extended by Yen's algorithm (no actor filter) and GQL's SHORTEST (forced by
// an Avoid naming no actor) must find paths of the same lengths, and every path must be a simple walk
// from `from` to `to` in which each relation joins the actors around it.
func TestPathsStrategies(t *testing.T) {
	s := testenv.Seeded(t)
	ctx := context.Background()
	tests := []struct {
		from, to string
		k        int
		lengths  []int // the k shortest lengths, as the seed has them
	}{
		{"ttp", "iskp", 5, []int{1, 1, 1, 2, 2}},
		{"al-karrar-office", "iskp", 5, []int{1, 2, 2, 2, 2}},
		{"taliban", "haqqani-network", 3, []int{1, 2, 2}},
		{"al-karrar-office", "iskp", 1, []int{1}},
	}
	for _, tc := range tests {
		t.Run(tc.from+"-"+tc.to, func(t *testing.T) {
			q := graph.PathQuery{From: tc.from, To: tc.to, K: tc.k, MaxHops: 4}
			yen, err := s.Paths(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			q.Avoid = []string{"no-such-actor"}
			shortest, err := s.Paths(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := lengths(yen), lengths(shortest); !slices.Equal(got, want) || !slices.Equal(got, tc.lengths) {
				t.Errorf("lengths: group+Yen %v, SHORTEST %v, want %v", got, want, tc.lengths)
			}
			seen := map[string]bool{}
			for _, p := range yen {
				checkWalk(t, p, tc.from, tc.to)
				key := ""
				for _, e := range p.Edges {
					key += e.ID + " "
				}
				if seen[key] {
					t.Errorf("path %s returned twice", key)
				}
				seen[key] = true
			}
		})
	}
}

func lengths(ps []*graph.Path) []int {
	out := make([]int, len(ps))
	for i, p := range ps {
		out[i] = p.Length
	}
	return out
}

func checkWalk(t *testing.T, p *graph.Path, from, to string) {
	t.Helper()
	if len(p.Nodes) != p.Length+1 || len(p.Edges) != p.Length || p.Nodes[0].ID != from || p.Nodes[p.Length].ID != to {
		t.Fatalf("malformed path %+v", p)
	}
	visited := map[string]bool{}
	for i, n := range p.Nodes {
		if visited[n.ID] {
			t.Errorf("path revisits %s", n.ID)
		}
		visited[n.ID] = true
		if i < p.Length {
			e := p.Edges[i]
			a, b := e.From.ID, e.To.ID
			if !(a == n.ID && b == p.Nodes[i+1].ID) && !(b == n.ID && a == p.Nodes[i+1].ID) {
				t.Errorf("edge %s does not join %s and %s", e.ID, n.ID, p.Nodes[i+1].ID)
			}
		}
	}
}

// TestPathsBoundedAsAWhole checks that the query timeout bounds a Paths call as a whole, not each of its
// statements: with every statement delayed by 400 ms and a 1 s timeout, a call that needs three statements
// (the shortest group, then two of Yen's rounds) fails with TIMEOUT instead of answering after 1.2 s.
func TestPathsBoundedAsAWhole(t *testing.T) {
	testenv.Seeded(t)
	var slow atomic.Bool
	var statements atomic.Int32
	cfg := testenv.Config(testenv.RequireNeo4j(t))
	cfg.QueryTimeout = time.Second
	cfg.Trace = func(cypher string, _ map[string]any) {
		if strings.HasPrefix(cypher, "CALL db.awaitIndexes") {
			return
		}
		statements.Add(1)
		if slow.Load() {
			time.Sleep(400 * time.Millisecond)
		}
	}
	s := testenv.Open(t, cfg)
	ctx := context.Background()
	q := graph.PathQuery{From: "al-karrar-office", To: "iskp", K: 5, MaxHops: 4}

	ps, err := s.Paths(ctx, q)
	if err != nil || len(ps) != 5 {
		t.Fatalf("Paths: %d paths, err %v; want 5", len(ps), err)
	}
	if n := statements.Load(); n < 3 {
		t.Fatalf("Paths ran %d statements; the test needs a call of at least 3", n)
	}

	slow.Store(true)
	start := time.Now()
	ps, err = s.Paths(ctx, q)
	took := time.Since(start)
	if code := graph.ErrorCode(err); code != graph.ETIMEOUT {
		t.Fatalf("slow Paths: %d paths, err %v (code %q), want %s", len(ps), err, code, graph.ETIMEOUT)
	}
	if took > 1500*time.Millisecond {
		t.Errorf("slow Paths returned after %s, want about the 1 s timeout", took)
	}
}

// TestPathsSkipRetired retires, one by one, the direct relations between two actors, and checks after each
// that the shortest path and the paths leave every retired relation out, falling back to longer paths once
// none of the shortest is left, and that IncludeRetired brings the direct link back.
func TestPathsSkipRetired(t *testing.T) {
	s := testenv.Seeded(t)
	ctx := graph.WithPrincipal(context.Background(), &graph.Principal{Name: "test", Role: graph.RoleEditor})
	q := graph.PathQuery{From: "iskp", To: "taliban", K: 3, MaxHops: 4}
	retired := map[string]bool{}
	check := func(step string) *graph.Path {
		t.Helper()
		sp, err := s.ShortestPath(ctx, q)
		if err != nil || sp == nil {
			t.Fatalf("%s: ShortestPath: %v, err %v", step, sp, err)
		}
		ps, err := s.Paths(ctx, q)
		if err != nil || len(ps) != q.K {
			t.Fatalf("%s: Paths: %d paths, err %v; want %d", step, len(ps), err, q.K)
		}
		for _, p := range append([]*graph.Path{sp}, ps...) {
			checkWalk(t, p, q.From, q.To)
			for _, e := range p.Edges {
				if retired[e.ID] || e.Retired {
					t.Errorf("%s: a path uses retired relation %s", step, e.ID)
				}
			}
		}
		if ps[0].Length != sp.Length {
			t.Errorf("%s: Paths starts with length %d, ShortestPath has %d", step, ps[0].Length, sp.Length)
		}
		return sp
	}
	sp := check("before")
	if sp.Length != 1 {
		t.Fatalf("iskp and taliban: shortest path of length %d, the test needs a direct relation", sp.Length)
	}
	for step := 1; sp.Length == 1; step++ {
		if step > 10 {
			t.Fatal("still a direct relation after 10 retirements")
		}
		e := sp.Edges[0]
		if _, err := s.RetireRelation(ctx, e.ID, e.Version, "test"); err != nil {
			t.Fatalf("retire %s: %v", e.ID, err)
		}
		retired[e.ID] = true
		sp = check(fmt.Sprintf("after retiring %d", step))
	}
	if sp.Length != 2 {
		t.Errorf("with every direct relation retired: shortest path of length %d, want 2", sp.Length)
	}
	q.IncludeRetired = true
	if sp, err := s.ShortestPath(ctx, q); err != nil || sp == nil || sp.Length != 1 || !retired[sp.Edges[0].ID] {
		t.Errorf("IncludeRetired: %+v, err %v; want a retired direct relation", sp, err)
	}
}
