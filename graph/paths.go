package graph

import (
	"context"
	"fmt"
)

// Paths returns up to q.K simple paths of at most q.MaxHops relations between q.From and q.To, ordered
// by q.RankBy with the relation ids as the last key, so that equal paths always come back in the same
// order. Filters prune the search itself, not its results. Ranked by LENGTH, the candidates are every
// shortest path (Neo4j's bidirectional allShortestPaths, at most MaxShortestGroup of them), extended,
// when there are fewer than q.K of those, by Yen's k-shortest-paths algorithm over the same operator.
// Ranked by CREDIBILITY, or when actors are filtered (Avoid, Kinds), the candidates are GQL's SHORTEST
// 3k paths (10k, at least 50, by CREDIBILITY), less those that revisit an actor. Unknown ends give
// NOT_FOUND; unconnected ends give no path. The query timeout bounds the whole call, Yen's rounds
// and the wait for a heavy-read slot included: past it, TIMEOUT.
func (s *Store) Paths(ctx context.Context, q PathQuery) ([]*Path, error) {
	return s.paths(ctx, q, MaxPathHops)
}

// ShortestPath returns the shortest path (nil when there is none), allowing up to MaxShortestHops; among
// several shortest paths, the first in the order of Paths.
func (s *Store) ShortestPath(ctx context.Context, q PathQuery) (*Path, error) {
	q.K = 1
	ps, err := s.paths(ctx, q, MaxShortestHops)
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	return ps[0], nil
}

// MaxShortestGroup caps the shortest paths Paths ranks for one pair of actors: two actors linked through
// supernodes can have millions of equally short paths.
const MaxShortestGroup = 1000

func (s *Store) paths(ctx context.Context, q PathQuery, maxHops int) ([]*Path, error) {
	asOf, err := q.validate(maxHops)
	if err != nil {
		return nil, err
	}
	if q.From == q.To {
		return nil, Invalid("to", "must differ from from (%q)", q.From)
	}
	ctx, release, err := s.admit(ctx, HeavyPaths, s.cfg.QueryTimeout)
	if err != nil {
		return nil, err
	}
	defer release()
	// More candidates than asked for: some revisit an actor, and ranking by credibility must see longer ones.
	candidates := q.K * 3
	// The last key, the relation ids, makes the order total: equal paths come back in the same order.
	order := "length(p), credibility DESC, weak, [e IN relationships(p) | e.id]"
	if q.RankBy == RankCredibility {
		candidates = max(q.K*10, 50)
		order = "credibility DESC, weak, length(p), [e IN relationships(p) | e.id]"
	}
	c := conds{&q.Filter, asOf}
	var inner []string // the condition on the actors a path passes through (and on its far end b)
	if len(q.Avoid) > 0 {
		inner = append(inner, "NOT x.id IN $avoid")
	}
	if len(q.Kinds) > 0 {
		inner = append(inner, "("+c.node("x")+" OR x = b)")
	}
	l, r := arrows(q.Direction)
	shortest := fmt.Sprintf("MATCH p = SHORTEST %d (a)(()%s[r%s WHERE %s]%s(x:Actor WHERE %s)){1,%d}(b)",
		candidates, l, typeSpec(q.Types), c.rel("r"), r, and(inner), q.MaxHops)
	statement := func(find string) string {
		return fmt.Sprintf(`OPTIONAL MATCH (a:Actor {id: $from})
OPTIONAL MATCH (b:Actor {id: $to})
CALL (a, b) {
  WITH a, b WHERE a IS NOT NULL AND b IS NOT NULL
  %[1]s
  WITH p WHERE all(i IN range(0, length(p) - 1) WHERE NOT nodes(p)[i] IN nodes(p)[i + 1..])
  WITH p, reduce(c = 1.0, e IN relationships(p) | c * coalesce(e.confidence, 0.5)) AS credibility,
       size([e IN relationships(p) WHERE e.status <> 'STATED']) AS weak
  ORDER BY %[2]s
  LIMIT $k
  RETURN collect({nodes: [n IN nodes(p) | %[3]s], edges: [e IN relationships(p) | %[4]s],
                  via: %[5]s, credibility: credibility}) AS paths
}
RETURN a IS NOT NULL AS hasFrom, b IS NOT NULL AS hasTo, paths`,
			find, order, actorProj("n"), relProj("e"), viaNodes("relationships(p)"))
	}
	avoid := q.Avoid
	if avoid == nil {
		avoid = []string{}
	}
	params := filterParams(map[string]any{"from": q.From, "to": q.To, "k": q.K, "avoid": avoid, "maxGroup": MaxShortestGroup}, &q.Filter, asOf)
	if len(inner) == 0 && q.RankBy == RankLength {
		// Without actor filters, Neo4j's bidirectional shortest path operator finds the shortest paths
		// at a fraction of SHORTEST's cost on graphs with supernodes (BENCHMARKS.md, "paths"). Shortest
		// paths are simple, so fewer than k of them means the group is smaller than k: then longer
		// paths are needed, and Yen's algorithm finds them with the same operator. None at all means
		// none within MaxHops.
		search := fmt.Sprintf("MATCH p = allShortestPaths((a)%s[rs%s*1..%d]%s(b))", l, typeSpec(q.Types), q.MaxHops, r)
		cond := c.rel("r")
		conditioned := fmt.Sprintf("%s WHERE all(r IN rs WHERE %s)", search, cond) // the search under the filters
		var group string
		if c.filtered() {
			group = fmt.Sprintf(`CALL (a, b) {
    %s
    RETURN p LIMIT $maxGroup
  }`, conditioned)
		} else {
			// Only retired relations are left out, and they are rare: a condition on the search makes
			// Neo4j read a property of every relation it expands (half the throughput at M once any
			// relation was retired), so the search runs without it and drops the paths that use a retired
			// relation. The shortest paths that use none, when there are any, are the shortest paths
			// under the condition; only when every shortest path uses one does the search run again
			// with the condition.
			group = fmt.Sprintf(`CALL (a, b) {
    CALL (a, b) {
      %[1]s
      RETURN p LIMIT $maxGroup
    }
    WITH collect(p) AS found
    WITH found, [p IN found WHERE all(r IN relationships(p) WHERE %[2]s)] AS kept
    CALL (a, b, found, kept) {
      WITH * WHERE kept = [] AND found <> []
      %[3]s
      WITH p LIMIT $maxGroup
      RETURN collect(p) AS again
    }
    UNWIND kept + again AS p
    RETURN p
  }`, search, cond, conditioned)
		}
		ps, err := s.runPaths(ctx, q, statement(group), params)
		if err != nil || len(ps) == 0 || len(ps) >= q.K {
			return ps, err
		}
		return s.yen(ctx, q, c, ps)
	}
	return s.runPaths(ctx, q, statement(shortest), params)
}

// runPaths runs a statement of paths and decodes its paths.
func (s *Store) runPaths(ctx context.Context, q PathQuery, cypher string, params map[string]any) ([]*Path, error) {
	recs, err := s.read(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	v := recs[0].Values
	if v[0] != true {
		return nil, notFound("from", q.From)
	}
	if v[1] != true {
		return nil, notFound("to", q.To)
	}
	d := s.newDecoder()
	var out []*Path
	for _, x := range v[2].([]any) {
		m := x.(map[string]any)
		d.actorList(m["via"])
		out = append(out, d.path(m["nodes"], m["edges"], num(m["credibility"])))
	}
	return out, d.finish(ctx)
}

// path decodes a walk, keeping edges in walk order (relations() would drop a repeated edge).
func (d *decoder) path(nodes, edges any, credibility float64) *Path {
	p := &Path{Nodes: d.actorList(nodes), Credibility: credibility}
	list, _ := edges.([]any)
	for _, e := range list {
		p.Edges = append(p.Edges, d.relation(e))
	}
	p.Length = len(p.Edges)
	return p
}

// Connections returns how a set of actors are linked: the union of all shortest paths (up to 10 per pair)
// between every pair of them, under the filter. Actors with no link within MaxHops appear alone.
func (s *Store) Connections(ctx context.Context, q ConnectionsQuery) (*Subgraph, error) {
	if len(q.IDs) < 2 {
		return nil, Invalid("ids", "give at least 2 actor ids")
	}
	if err := checkIDs("ids", q.IDs, MaxConnectionIDs); err != nil {
		return nil, err
	}
	if err := checkRange("maxHops", q.MaxHops, 1, MaxPathHops); err != nil {
		return nil, err
	}
	asOf, err := q.Filter.validate()
	if err != nil {
		return nil, err
	}
	var pairs [][]string
	for i := range q.IDs {
		for j := i + 1; j < len(q.IDs); j++ {
			if q.IDs[i] != q.IDs[j] {
				pairs = append(pairs, []string{q.IDs[i], q.IDs[j]})
			}
		}
	}
	c := conds{&q.Filter, asOf}
	l, r := arrows(q.Direction)
	cypher := fmt.Sprintf(`MATCH (n:Actor) WHERE n.id IN $ids
WITH collect(n) AS ends
CALL (ends) {
  UNWIND $pairs AS pair
  MATCH (a:Actor {id: pair[0]}) MATCH (b:Actor {id: pair[1]})
  CALL (a, b) {
    MATCH p = ALL SHORTEST (a)(()%[1]s[r%[2]s WHERE %[3]s]%[4]s(x:Actor WHERE %[7]s OR x = b)){1,%[5]d}(b)
    RETURN p LIMIT 10
  }
  UNWIND nodes(p) AS n
  WITH p, collect(n) AS ns
  RETURN collect(ns) AS nodeLists, collect(relationships(p)) AS relLists
}
WITH ends, reduce(acc = ends, l IN nodeLists | acc + l) AS nodes, reduce(acc = [], l IN relLists | acc + l) AS rels
RETURN size(ends) AS found, [e IN ends | e.id] AS foundIDs, %[6]s`,
		l, typeSpec(q.Types), c.rel("r"), r, q.MaxHops, subgraphReturn("nodes", "rels"), c.node("x"))
	params := filterParams(map[string]any{"ids": q.IDs, "pairs": pairs}, &q.Filter, asOf)
	ctx, release, err := s.admit(ctx, HeavyTraversal, s.cfg.QueryTimeout)
	if err != nil {
		return nil, err
	}
	defer release()
	recs, err := s.read(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	v := recs[0].Values
	found := map[string]bool{}
	for _, id := range strs(v[1]) {
		found[id] = true
	}
	for i, id := range q.IDs {
		if !found[id] {
			return nil, notFound(fmt.Sprintf("ids[%d]", i), id)
		}
	}
	g, err := s.decodeSubgraph(ctx, v[2:], 0)
	if err != nil {
		return nil, err
	}
	g.Nodes = uniqueActors(g.Nodes)
	return g, nil
}

func uniqueActors(in []*Actor) []*Actor {
	seen := map[*Actor]bool{}
	out := in[:0]
	for _, a := range in {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}
