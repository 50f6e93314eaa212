package graph_test

import (
	"context"
	"slices"
	"testing"

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
