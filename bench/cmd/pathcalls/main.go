// Command pathcalls times the store's path calls that the load benchmark does not run, those with actor
// filters (kinds, avoid), ranked by CREDIBILITY, and connections, and neighbourhoods under a kinds filter, on fixed pairs of the generated graph at
// scale M, through graph.Store as the service makes them. Each call runs twice; the second is reported.
// The query timeout is raised (-timeout) so that slow calls are measured instead of cut off.
//
//	pathcalls -uri neo4j://127.0.0.1:7690 -timeout 120s [-match avoid]
package main

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/actorgraph/actorgraph/graph"
)

// The pairs: two people with no path through groups and people, and pairs around group-2, a hub of 34,150
// relations at M, and city-5988 (M's actors, as bench/gen makes them from its fixed seed).
var pairs = [][2]string{
	{"person-35871", "person-48579"},
	{"group-1617", "person-16286"},
	{"person-16286", "group-2"},
	{"city-5988", "event-7948"},
}

// Sparse pairs: people of one relation whose one neighbour has few, so that few paths join them within
// four relations and, ranked by CREDIBILITY, the searches of five and six run.
var sparse = [][2]string{
	{"person-15662", "person-17562"},
	{"person-18226", "person-19132"},
	{"person-20166", "person-20572"},
}

var connected = [][]string{
	{"person-35871", "person-48579", "group-1617"},
	{"person-16286", "group-2", "city-5988"},
	{"city-5988", "event-7948"},
}

func main() {
	uri := flag.String("uri", "neo4j://127.0.0.1:7690", "Neo4j holding the generated graph at scale M")
	timeout := flag.Duration("timeout", 120*time.Second, "query timeout of each call")
	flag.StringVar(&only, "match", "", "run only the calls whose name contains this")
	flag.Parse()
	cfg := graph.DefaultConfig()
	cfg.URI = *uri
	cfg.QueryTimeout = *timeout
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := graph.Open(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pathcalls:", err)
		os.Exit(1)
	}
	defer s.Close(context.Background())
	ctx := context.Background()
	groupsAndPeople := graph.Filter{Kinds: []graph.Kind{graph.KindGroup, graph.KindPerson}}
	for _, p := range pairs {
		calls := []struct {
			name string
			q    graph.PathQuery
		}{
			{"shortestPath kinds GROUP,PERSON", graph.PathQuery{From: p[0], To: p[1], MaxHops: 10, Filter: groupsAndPeople}},
			{"paths k=5 kinds GROUP,PERSON", graph.PathQuery{From: p[0], To: p[1], MaxHops: 4, K: 5, Filter: groupsAndPeople}},
			{"shortestPath avoid country-1,group-1", graph.PathQuery{From: p[0], To: p[1], MaxHops: 10, Avoid: []string{"country-1", "group-1"}}},
			{"paths k=5 avoid country-1,group-1", graph.PathQuery{From: p[0], To: p[1], MaxHops: 4, K: 5, Avoid: []string{"country-1", "group-1"}}},
			{"paths k=20 avoid country-1,group-1", graph.PathQuery{From: p[0], To: p[1], MaxHops: 4, K: 20, Avoid: []string{"country-1", "group-1"}}},
			{"paths k=5 rankBy CREDIBILITY avoid country-1,group-1", graph.PathQuery{From: p[0], To: p[1], MaxHops: 4, K: 5, RankBy: graph.RankCredibility, Avoid: []string{"country-1", "group-1"}}},
			{"paths k=5 rankBy CREDIBILITY", graph.PathQuery{From: p[0], To: p[1], MaxHops: 4, K: 5, RankBy: graph.RankCredibility}},
			{"paths k=5 rankBy CREDIBILITY maxHops 6", graph.PathQuery{From: p[0], To: p[1], MaxHops: 6, K: 5, RankBy: graph.RankCredibility}},
			{"paths k=5 kinds GROUP,PERSON rankBy CREDIBILITY maxHops 6", graph.PathQuery{From: p[0], To: p[1], MaxHops: 6, K: 5, RankBy: graph.RankCredibility, Filter: groupsAndPeople}},
		}
		for _, c := range calls {
			twice(fmt.Sprintf("%s %s -> %s", c.name, p[0], p[1]), func() (string, error) {
				var ps []*graph.Path
				var err error
				if c.q.K == 0 {
					var sp *graph.Path
					sp, err = s.ShortestPath(ctx, c.q)
					if sp != nil {
						ps = []*graph.Path{sp}
					}
				} else {
					ps, err = s.Paths(ctx, c.q)
				}
				return describe(ps), err
			})
		}
	}
	for _, p := range sparse {
		for _, hops := range []int{4, 5, 6} {
			twice(fmt.Sprintf("paths k=5 rankBy CREDIBILITY maxHops %d %s -> %s", hops, p[0], p[1]), func() (string, error) {
				ps, err := s.Paths(ctx, graph.PathQuery{From: p[0], To: p[1], MaxHops: hops, K: 5, RankBy: graph.RankCredibility})
				return describe(ps), err
			})
		}
	}
	for _, id := range []string{"country-1", "group-2", "person-16286", "city-5988"} {
		for _, depth := range []int{1, 2} {
			twice(fmt.Sprintf("neighbourhood depth %d kinds GROUP,PERSON %s", depth, id), func() (string, error) {
				g, err := s.Neighbourhood(ctx, graph.NeighbourhoodQuery{ID: id, Depth: depth, Filter: groupsAndPeople, Limit: 200, PerNodeLimit: 50})
				if err != nil {
					return "", err
				}
				return describeGraph(g), nil
			})
		}
	}
	for _, ids := range connected {
		for _, f := range []graph.Filter{{}, groupsAndPeople} {
			twice(fmt.Sprintf("connections %v kinds %v", ids, f.Kinds), func() (string, error) {
				g, err := s.Connections(ctx, graph.ConnectionsQuery{IDs: ids, MaxHops: 4, Filter: f})
				if err != nil {
					return "", err
				}
				return describeGraph(g), nil
			})
		}
	}
}

// describe writes how many paths there are, their lengths, and a hash of their actors and relations in
// order, so that two versions' answers can be compared.
func describe(ps []*graph.Path) string {
	lengths := make([]string, len(ps))
	h := fnv.New64a()
	for i, p := range ps {
		lengths[i] = fmt.Sprint(p.Length)
		for j, e := range p.Edges {
			fmt.Fprintf(h, "%s %s ", p.Nodes[j].ID, e.ID)
		}
		h.Write([]byte{'\n'})
	}
	return fmt.Sprintf("%d paths, lengths [%s], hash %016x", len(ps), strings.Join(lengths, " "), h.Sum64())
}

// describeGraph writes how many actors and relations a subgraph has, and a hash of their ids in order.
func describeGraph(g *graph.Subgraph) string {
	h := fnv.New64a()
	for _, n := range g.Nodes {
		fmt.Fprintf(h, "%s ", n.ID)
	}
	for _, e := range g.Edges {
		fmt.Fprintf(h, "%s ", e.ID)
	}
	return fmt.Sprintf("%d actors, %d relations, hash %016x", len(g.Nodes), len(g.Edges), h.Sum64())
}

// only, when set, names the calls to run: those whose name contains it.
var only string

// twice runs call twice and prints the second run's time and answer.
func twice(name string, call func() (string, error)) {
	if !strings.Contains(name, only) {
		return
	}
	var took time.Duration
	var answer string
	var err error
	for range 2 {
		start := time.Now()
		answer, err = call()
		took = time.Since(start)
	}
	if err != nil {
		answer = "error: " + err.Error()
	}
	fmt.Printf("%-70s %10v  %s\n", name, took.Round(time.Millisecond), answer)
}
