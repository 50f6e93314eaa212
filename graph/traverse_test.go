package graph_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

// hubDataset is a country with n nationals: the first `strong` of them STATED at confidence 0.95, the rest
// ALLEGED at 0.5, so that a filter can pick the strong ones out of a supernode.
func hubDataset(n, strong int) *graph.Dataset {
	ev := []graph.EvidenceInput{{Source: "src-hub", Line: 1, Claim: "synthetic"}}
	d := &graph.Dataset{
		Sources: []graph.SourceInput{{ID: "src-hub", Title: "Synthetic hub"}},
		Actors:  []graph.ActorInput{{ID: "hub", Kind: graph.KindCountry, Name: "Hubland", CountryCode: "HB", Evidence: ev}},
	}
	for i := range n {
		id := fmt.Sprintf("person-%04d", i)
		conf, status := 0.5, graph.Alleged
		if i < strong {
			conf, status = 0.95, graph.Stated
		}
		d.Actors = append(d.Actors, graph.ActorInput{ID: id, Kind: graph.KindPerson, Name: "Person " + id, Evidence: ev})
		d.Relations = append(d.Relations, graph.RelationInput{
			Type: graph.NationalOf, From: id, To: "hub", Status: status, Confidence: &conf, Evidence: ev,
		})
	}
	return d
}

// TestNeighbourhoodOfSupernode checks the per-actor scan bound on an actor with more relations than
// MaxScanPerActor: the per-node cap still holds, and omitted counts what was left out, exactly when a
// filter narrows the relations below the bound and from the degree otherwise.
func TestNeighbourhoodOfSupernode(t *testing.T) {
	s := testenv.Store(t)
	ctx := context.Background()
	n, strong := graph.MaxScanPerActor+100, 30
	testenv.Holding(t, s, hubDataset(n, strong))
	t.Cleanup(func() { _ = s.Wipe(context.Background()) })
	conf := 0.9
	tests := []struct {
		name        string
		filter      graph.Filter
		perNode     int
		wantEdges   int
		wantOmitted int
		wantMinConf float64
	}{
		{"unfiltered: cap, rest from the degree", graph.Filter{}, 50, 50, n - 50, 0},
		{"filter below the bound: exact count", graph.Filter{MinConfidence: &conf}, 50, strong, 0, 0.95},
		{"filter below the bound, capped", graph.Filter{Statuses: []graph.Status{graph.Stated}}, 10, 10, strong - 10, 0.95},
		{"filter matching more than the bound", graph.Filter{Statuses: []graph.Status{graph.Alleged}}, 50, 50, n - 50, 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := s.Neighbourhood(ctx, graph.NeighbourhoodQuery{
				ID: "hub", Depth: 1, Limit: 500, PerNodeLimit: tc.perNode, Filter: tc.filter,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Edges) != tc.wantEdges || len(g.Nodes) != tc.wantEdges+1 {
				t.Errorf("%d edges, %d nodes; want %d and %d", len(g.Edges), len(g.Nodes), tc.wantEdges, tc.wantEdges+1)
			}
			if g.Omitted != tc.wantOmitted || g.Truncated != (tc.wantOmitted > 0) {
				t.Errorf("omitted %d truncated %v; want %d", g.Omitted, g.Truncated, tc.wantOmitted)
			}
			for _, e := range g.Edges {
				if *e.Confidence < tc.wantMinConf {
					t.Errorf("edge %s confidence %v below %v", e.ID, *e.Confidence, tc.wantMinConf)
				}
			}
		})
	}
}

// TestNeighbourhoodKinds checks the kinds filter of neighbourhoods against the seed: with caps that do not
// bind, the actors returned are exactly those reached by a walk of at most depth relations whose actors
// after the start are all of the kinds (an actor of another kind is neither returned nor gone through),
// enumerated by a plain match on the kind property; every relation returned joins two of them.
func TestNeighbourhoodKinds(t *testing.T) {
	s := testenv.Seeded(t)
	ctx := context.Background()
	tests := []struct {
		id    string
		depth int
		kinds []graph.Kind
	}{
		{"iskp", 1, []graph.Kind{graph.KindCountry}},
		{"iskp", 2, []graph.Kind{graph.KindGroup, graph.KindPerson}},
		{"al-karrar-office", 2, []graph.Kind{graph.KindFinanceOffice, graph.KindGroup, graph.KindCountry}},
		{"taliban", 1, []graph.Kind{graph.KindPerson}},
		{"ttp", 2, []graph.Kind{graph.KindPerson, graph.KindGroup, graph.KindPerson}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s-%d-%v", tc.id, tc.depth, tc.kinds), func(t *testing.T) {
			res, err := s.Cypher(ctx, graph.CypherQuery{Query: fmt.Sprintf(`
MATCH p = (a:Actor {id: $id})-[rs*1..%d]-(o:Actor)
WHERE all(r IN rs WHERE r.retired IS NULL) AND o <> a
WITH o, all(x IN nodes(p)[1..] WHERE x.kind IN $kinds) AS kept
RETURN o.id AS id, max(CASE WHEN kept THEN 1 ELSE 0 END) AS kept`, tc.depth),
				Params: map[string]any{"id": tc.id, "kinds": jsonList(tc.kinds)}, Limit: graph.MaxCypherRows})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{tc.id: true}
			others := 0
			for _, r := range res.Rows {
				if r["kept"] == int64(1) {
					want[r["id"].(string)] = true
				} else {
					others++
				}
			}
			if len(want) < 2 || others == 0 {
				t.Fatalf("%d actors of the kinds, %d not: the case proves nothing", len(want)-1, others)
			}
			g, err := s.Neighbourhood(ctx, graph.NeighbourhoodQuery{ID: tc.id, Depth: tc.depth, Limit: graph.MaxLimit,
				PerNodeLimit: graph.MaxPerNodeLimit, Filter: graph.Filter{Kinds: tc.kinds}})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, n := range g.Nodes {
				got[n.ID] = true
			}
			for id := range want {
				if !got[id] {
					t.Errorf("missing %s", id)
				}
			}
			for id := range got {
				if !want[id] {
					t.Errorf("returned %s, not of the kinds or reached only through another kind", id)
				}
			}
			for _, e := range g.Edges {
				if !want[e.From.ID] || !want[e.To.ID] {
					t.Errorf("relation %s leaves the kinds", e.ID)
				}
			}
		})
	}
}
