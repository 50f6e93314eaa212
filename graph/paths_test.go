package graph_test

import (
	"cmp"
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

// TestPathsAgainstEnumeration checks Paths, under actor filters and both rankings, against every simple
// path of the seed enumerated by a plain variable-length match: under both rankings exactly the k first
// enumerated paths, in their order (by LENGTH also with the lengths the seed has, so that the cases keep
// going through Yen's rounds, whose spur searches must pick, among equally short ways, the one that makes
// the best whole path). Every path must be a simple walk from `from` to `to`, in
// which each relation joins the actors around it, that passes no avoided actor and no actor of another
// kind. Each answer must come back the same on a second call.
func TestPathsAgainstEnumeration(t *testing.T) {
	s := testenv.Seeded(t)
	ctx := context.Background()
	tests := []struct {
		from, to string
		k        int
		avoid    []string
		kinds    []graph.Kind
		dir      graph.Direction
		types    []graph.RelType
		minConf  float64
		lengths  []int // the k shortest lengths, as the seed has them
	}{
		{from: "ttp", to: "iskp", k: 5, lengths: []int{1, 1, 1, 2, 2}},
		{from: "al-karrar-office", to: "iskp", k: 5, lengths: []int{1, 2, 2, 2, 2}},
		{from: "taliban", to: "haqqani-network", k: 3, lengths: []int{1, 2, 2}},
		{from: "al-karrar-office", to: "iskp", k: 1, lengths: []int{1}},
		{from: "ttp", to: "haqqani-network", k: 5, kinds: []graph.Kind{graph.KindGroup, graph.KindPerson}, lengths: []int{2, 2, 2, 2, 2}},
		{from: "ttp", to: "haqqani-network", k: 5, avoid: []string{"taliban", "afghanistan", "pakistan"}, lengths: []int{2, 2, 2, 2, 2}},
		{from: "al-karrar-office", to: "iskp", k: 3, avoid: []string{"no-such-actor"}, lengths: []int{1, 2, 2}},
		// Yen's rounds with avoided actors: all paths of 2 but one pass one of them.
		{from: "al-karrar-office", to: "iskp", k: 8, avoid: []string{"turkey", "islamic-state"}, lengths: []int{1, 2, 3, 3, 3, 3, 4, 4}},
		// The shortest path (2) passes an actor of another kind; through groups and people it takes 3.
		{from: "abdul-rahman-al-ghamdi", to: "hawala-traders", k: 3, kinds: []graph.Kind{graph.KindGroup, graph.KindPerson}, lengths: []int{3, 3, 3}},
		// Yen's rounds under a kinds filter: one direct relation, four paths of 2, then paths of 3.
		{from: "al-karrar-office", to: "iskp", k: 8, kinds: []graph.Kind{graph.KindGroup, graph.KindFinanceOffice}, lengths: []int{1, 2, 2, 2, 2, 3, 3, 3}},
		// 369 paths of at most 3 relations and 4,914 of 4; by CREDIBILITY four of the best five are 4 long,
		// so every path of 4 must be ranked, not the first of them that make up 1,000.
		{from: "ttp", to: "al-qaeda", k: 10, lengths: []int{1, 2, 2, 2, 2, 2, 2, 2, 2, 2}},
		// Directions, types and confidence: each half of a search that meets in the middle keeps them.
		{from: "al-karrar-office", to: "iskp", k: 5, dir: graph.Out, lengths: []int{1, 2, 2, 3, 3}},
		{from: "iskp", to: "al-karrar-office", k: 5, dir: graph.In, lengths: []int{1, 2, 2, 3, 3}},
		{from: "al-karrar-office", to: "iskp", k: 4, types: []graph.RelType{"FUNDS", "FINANCE_OFFICE_OF", "RIVAL_OF"}, lengths: []int{1, 2, 2, 2}},
		{from: "ttp", to: "iskp", k: 5, minConf: 0.9, lengths: []int{2, 2, 2, 2, 4}},
	}
	for _, tc := range tests {
		for _, rank := range []graph.PathRank{graph.RankLength, graph.RankCredibility} {
			t.Run(fmt.Sprintf("%s-%s-%v-%v-%s-%v-%v-%s", tc.from, tc.to, tc.avoid, tc.kinds, tc.dir, tc.types, tc.minConf, rank), func(t *testing.T) {
				q := graph.PathQuery{From: tc.from, To: tc.to, K: tc.k, MaxHops: 4, Avoid: tc.avoid, RankBy: rank}
				q.Kinds, q.Direction, q.Types = tc.kinds, tc.dir, tc.types
				if tc.minConf > 0 {
					q.MinConfidence = &tc.minConf
				}
				all := enumeratePaths(t, s, q)
				got, err := s.Paths(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				want := all[:min(tc.k, len(all))]
				if rank == graph.RankLength {
					var enumerated []int
					for _, w := range want {
						enumerated = append(enumerated, w.Length)
					}
					if !slices.Equal(lengths(got), tc.lengths) || !slices.Equal(enumerated, tc.lengths) {
						t.Fatalf("lengths %v, enumeration %v, want %v", lengths(got), enumerated, tc.lengths)
					}
				}
				if len(got) != len(want) {
					t.Fatalf("%d paths, want %d", len(got), len(want))
				}
				for i, w := range want {
					if g := pathIDs(got[i]); g != w.ids {
						t.Errorf("path %d: %s, want %s", i, g, w.ids)
					}
				}
				avoided := map[string]bool{}
				for _, id := range tc.avoid {
					avoided[id] = true
				}
				for _, p := range got {
					checkWalk(t, p, tc.from, tc.to)
					for _, n := range p.Nodes[1:p.Length] {
						if avoided[n.ID] || len(tc.kinds) > 0 && !slices.Contains(tc.kinds, n.Kind) {
							t.Errorf("path %s passes %s (%s)", pathIDs(p), n.ID, n.Kind)
						}
					}
				}
				again, err := s.Paths(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(again) != len(got) {
					t.Fatalf("second call: %d paths, first call %d", len(again), len(got))
				}
				for i := range again {
					if pathIDs(again[i]) != pathIDs(got[i]) {
						t.Errorf("second call, path %d: %s, first call %s", i, pathIDs(again[i]), pathIDs(got[i]))
					}
				}
			})
		}
	}
}

// enumerated is a path found by enumeratePaths: its relation ids, as pathIDs writes them, and its length.
type enumerated struct {
	ids    string
	Length int
}

// enumeratePaths returns every simple path of at most q.MaxHops non-retired relations from q.From to q.To,
// in q.Direction, of q.Types and at least q.MinConfidence, whose inner actors pass q.Avoid and q.Kinds, in
// the order of Paths for q.RankBy.
func enumeratePaths(t *testing.T, s *graph.Store, q graph.PathQuery) []enumerated {
	t.Helper()
	left, right := "-", "-"
	switch q.Direction {
	case graph.Out:
		right = "->"
	case graph.In:
		left = "<-"
	}
	var minConf any
	if q.MinConfidence != nil {
		minConf = *q.MinConfidence
	}
	res, err := s.Cypher(context.Background(), graph.CypherQuery{Query: fmt.Sprintf(`
MATCH (a:Actor {id: $from}), (b:Actor {id: $to})
MATCH p = (a)%[2]s[rs*1..%[1]d]%[3]s(b)
WHERE all(r IN rs WHERE r.retired IS NULL AND (size($types) = 0 OR type(r) IN $types)
                    AND ($minConf IS NULL OR r.confidence >= $minConf))
  AND all(i IN range(0, length(p) - 1) WHERE NOT nodes(p)[i] IN nodes(p)[i + 1..])
  AND all(x IN nodes(p)[1..-1] WHERE NOT x.id IN $avoid AND (size($kinds) = 0 OR x.kind IN $kinds))
RETURN [r IN rs | r.id] AS ids, length(p) AS length,
       reduce(c = 1.0, e IN rs | c * coalesce(e.confidence, 0.5)) AS credibility,
       size([e IN rs WHERE e.status <> 'STATED']) AS weak`, q.MaxHops, left, right),
		Params: map[string]any{"from": q.From, "to": q.To, "avoid": jsonList(q.Avoid), "kinds": jsonList(q.Kinds),
			"types": jsonList(q.Types), "minConf": minConf},
		Limit: graph.MaxCypherRows})
	if err != nil {
		t.Fatal(err)
	}
	if res.Truncated {
		t.Fatalf("more than %d paths from %s to %s", graph.MaxCypherRows, q.From, q.To)
	}
	type row struct {
		enumerated
		rels        []string
		credibility float64
		weak        int
	}
	rows := make([]row, len(res.Rows))
	for i, r := range res.Rows {
		for _, id := range r["ids"].([]any) {
			rows[i].rels = append(rows[i].rels, id.(string))
		}
		rows[i].ids = strings.Join(rows[i].rels, " ")
		rows[i].Length = int(r["length"].(int64))
		rows[i].credibility = r["credibility"].(float64)
		rows[i].weak = int(r["weak"].(int64))
	}
	slices.SortFunc(rows, func(x, y row) int {
		keys := []int{
			x.Length - y.Length,
			-cmp.Compare(x.credibility, y.credibility),
			x.weak - y.weak,
		}
		if q.RankBy == graph.RankCredibility {
			keys[0], keys[1], keys[2] = keys[1], keys[2], keys[0]
		}
		for _, k := range keys {
			if k != 0 {
				return k
			}
		}
		return slices.Compare(x.rels, y.rels)
	})
	out := make([]enumerated, len(rows))
	for i, r := range rows {
		out[i] = r.enumerated
	}
	return out
}

// jsonList is xs as a list of JSON values, as analysts' parameters are (never nil: an empty list).
func jsonList[S ~string](xs []S) []any {
	out := []any{}
	for _, x := range xs {
		out = append(out, string(x))
	}
	return out
}

// pathIDs writes a path's relation ids, in walk order, separated by spaces.
func pathIDs(p *graph.Path) string {
	ids := make([]string, len(p.Edges))
	for i, e := range p.Edges {
		ids[i] = e.ID
	}
	return strings.Join(ids, " ")
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

// TestConnectionsBestPerPair checks that Connections takes, for each pair, the MaxPathsPerPair best of its
// shortest paths in Paths' order by CREDIBILITY (pakistan and syria have 35 of length 3 in the seed), by
// comparing its relations with those of the best shortest paths enumeratePaths finds pair by pair, on two
// calls.
func TestConnectionsBestPerPair(t *testing.T) {
	s := testenv.Seeded(t)
	ctx := context.Background()
	ids := []string{"pakistan", "syria", "ttp"}
	want := map[string]bool{}
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			// Every path by CREDIBILITY; those of the shortest length keep that order among themselves.
			all := enumeratePaths(t, s, graph.PathQuery{From: ids[i], To: ids[j], MaxHops: 3, RankBy: graph.RankCredibility})
			if len(all) == 0 {
				t.Fatalf("no path from %s to %s", ids[i], ids[j])
			}
			length := slices.MinFunc(all, func(x, y enumerated) int { return x.Length - y.Length }).Length
			shortest := slices.DeleteFunc(all, func(e enumerated) bool { return e.Length > length })
			if ids[i] == "pakistan" && ids[j] == "syria" && len(shortest) <= graph.MaxPathsPerPair {
				t.Fatalf("pakistan and syria have %d shortest paths; the test needs more than %d", len(shortest), graph.MaxPathsPerPair)
			}
			for _, e := range shortest[:min(len(shortest), graph.MaxPathsPerPair)] {
				for _, id := range strings.Fields(e.ids) {
					want[id] = true
				}
			}
		}
	}
	for call := 1; call <= 2; call++ {
		g, err := s.Connections(ctx, graph.ConnectionsQuery{IDs: ids, MaxHops: 3})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, e := range g.Edges {
			got[e.ID] = true
		}
		for id := range want {
			if !got[id] {
				t.Errorf("call %d: relation %s of a best shortest path is missing", call, id)
			}
		}
		for id := range got {
			if !want[id] {
				t.Errorf("call %d: relation %s is on no best shortest path", call, id)
			}
		}
	}
}

// TestPathsCredibilityStopsAtMaxShortestGroup pins the rule that ends a search by CREDIBILITY: the lengths
// are searched shortest first, each whole, until the paths seen reach MaxShortestGroup. Between a and b
// there are n paths of 2 relations (confidence 0.5 each: credibility 0.25) and one of 3 (confidence 1:
// credibility 1). With n one below the cap, length 3 is searched and its path, the most credible, comes
// first; with n at the cap, the search stops after length 2 and returns the first paths of 2 in Paths'
// order. Both answers must come back the same on a second call.
func TestPathsCredibilityStopsAtMaxShortestGroup(t *testing.T) {
	s := testenv.Store(t)
	t.Cleanup(func() { _ = s.Wipe(context.Background()) })
	ctx := context.Background()
	long := "a:ALLIED_WITH:x x:ALLIED_WITH:y y:ALLIED_WITH:b"
	two := func(i int) string { return fmt.Sprintf("a:ALLIED_WITH:m%04d m%04d:ALLIED_WITH:b", i, i) }
	for _, tc := range []struct {
		n    int
		want []string
	}{
		{graph.MaxShortestGroup - 1, []string{long, two(0), two(1)}},
		{graph.MaxShortestGroup, []string{two(0), two(1), two(2)}},
	} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			testenv.Holding(t, s, ladder(tc.n))
			q := graph.PathQuery{From: "a", To: "b", K: 3, MaxHops: 3, RankBy: graph.RankCredibility}
			for call := 1; call <= 2; call++ {
				ps, err := s.Paths(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, p := range ps {
					got = append(got, pathIDs(p))
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("call %d: paths\n%s\nwant\n%s", call, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
				}
			}
		})
	}
}

// ladder is a graph of groups a and b joined through n groups m0000... by two relations of confidence 0.5
// each, and through x and y by three of confidence 1.
func ladder(n int) *graph.Dataset {
	half, one := 0.5, 1.0
	ev := []graph.EvidenceInput{{Source: "src", Claim: "Synthetic."}}
	d := &graph.Dataset{Sources: []graph.SourceInput{{ID: "src", Title: "Synthetic"}}}
	group := func(id string) {
		d.Actors = append(d.Actors, graph.ActorInput{ID: id, Kind: graph.KindGroup, Name: "Group " + id, Evidence: ev})
	}
	link := func(from, to string, conf *float64) {
		d.Relations = append(d.Relations, graph.RelationInput{Type: graph.AlliedWith, From: from, To: to,
			Status: graph.Stated, Confidence: conf, Evidence: ev})
	}
	for _, id := range []string{"a", "b", "x", "y"} {
		group(id)
	}
	link("a", "x", &one)
	link("x", "y", &one)
	link("y", "b", &one)
	for i := range n {
		m := fmt.Sprintf("m%04d", i)
		group(m)
		link("a", m, &half)
		link(m, "b", &half)
	}
	return d
}
