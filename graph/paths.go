package graph

import (
	"context"
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
)

// Paths returns up to q.K simple paths of at most q.MaxHops relations between q.From and q.To, ordered
// by q.RankBy with the relation ids as the last key, so that equal paths always come back in the same
// order. Filters prune the search itself, not its results. Ranked by LENGTH, the candidates are every
// shortest path (Neo4j's bidirectional allShortestPaths, at most MaxShortestGroup of them, the actor
// filters Avoid and Kinds checked on each actor the search reaches), extended, when there are fewer than
// q.K of those, by Yen's k-shortest-paths algorithm over the same operator. Ranked by CREDIBILITY, the
// candidates are every simple path of at most q.MaxHops relations; where there are more than
// MaxShortestGroup, every path of the shortest lengths that hold MaxShortestGroup, each length found by a
// search that meets in the middle (walks). The answer is the first q.K simple paths in that order unless a
// cap cuts the candidates: by LENGTH, unless the shortest paths, or the shortest ways on from one of Yen's
// spurs, are more than MaxShortestGroup; by CREDIBILITY, unless a length holds more than MaxWalksPerLength.
// Within the caps every call gives the same answer. Unknown ends
// give NOT_FOUND; unconnected ends give no path. The query timeout bounds the whole call, Yen's rounds and
// the wait for a heavy-read slot included: past it, TIMEOUT.
func (s *Store) Paths(ctx context.Context, q PathQuery) ([]*Path, error) {
	return s.paths(ctx, q, MaxPathHops)
}

// ShortestPath returns the shortest path (nil when there is none), allowing up to MaxShortestHops; among
// several shortest paths, the first in the order of Paths. Ranked by LENGTH it is one statement, and under
// load such statements are coalesced (coalesce.go).
func (s *Store) ShortestPath(ctx context.Context, q PathQuery) (*Path, error) {
	q.K = 1
	var ps []*Path
	var err error
	if q.RankBy == RankCredibility {
		ps, err = s.paths(ctx, q, MaxShortestHops)
	} else {
		ps, err = s.shortestPaths(ctx, q)
	}
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	return ps[0], nil
}

// MaxShortestGroup caps the shortest paths Paths ranks for one pair of actors: two actors linked through
// supernodes can have millions of equally short paths.
const MaxShortestGroup = 1000

// checked validates q for a search of at most maxHops relations and returns its date filter.
func (q *PathQuery) checked(maxHops int) (*Date, error) {
	asOf, err := q.validate(maxHops)
	if err != nil {
		return nil, err
	}
	if q.From == q.To {
		return nil, Invalid("to", "must differ from from (%q)", q.From)
	}
	return asOf, nil
}

// pathParams are the parameters of q's path statements.
func pathParams(q PathQuery, asOf *Date) map[string]any {
	return filterParams(map[string]any{"from": q.From, "to": q.To, "k": q.K, "avoid": q.Avoid, "maxGroup": MaxShortestGroup}, &q.Filter, asOf)
}

func (s *Store) paths(ctx context.Context, q PathQuery, maxHops int) ([]*Path, error) {
	asOf, err := q.checked(maxHops)
	if err != nil {
		return nil, err
	}
	ctx, release, err := s.admit(ctx, HeavyPaths, s.cfg.QueryTimeout)
	if err != nil {
		return nil, err
	}
	defer release()
	c := conds{&q.Filter, asOf}
	params := pathParams(q, asOf)
	if q.RankBy == RankCredibility {
		// Every simple path up to MaxHops, shortest first: a longer path can be the more credible one.
		balls, err := s.balls(ctx, q.From, q.To)
		if err != nil {
			return nil, err
		}
		params["maxWalks"] = MaxWalksPerLength
		_, avoid := avoidNodes(q)
		return s.runPaths(ctx, q, rankPaths(q, walks(q, c, balls, avoid), asLists, "$from", "$to"), params)
	}
	ps, err := s.runPaths(ctx, q, shortestGroup(q, c, "$from", "$to"), params)
	if err != nil || len(ps) == 0 || len(ps) >= q.K {
		return ps, err
	}
	return s.yen(ctx, q, c, ps)
}

// rankPaths is a statement of paths from the actor whose id is the expression from to the one whose id is
// to: it ranks the paths that find yields, as path p or as the lists x names, and returns the first $k.
func rankPaths(q PathQuery, find string, x pathExprs, from, to string) string {
	order := byLength(x)
	if q.RankBy == RankCredibility {
		order = byCredibility(x)
	}
	bindAvoid, avoid := avoidNodes(q)
	return fmt.Sprintf(`OPTIONAL MATCH (a:Actor {id: %[13]s})
OPTIONAL MATCH (b:Actor {id: %[14]s})
%[11]sCALL (a, b%[12]s) {
  WITH a, b WHERE a IS NOT NULL AND b IS NOT NULL
  %[1]s
  WITH %[7]s WHERE %[8]s
  WITH %[7]s, %[2]s
  ORDER BY %[3]s
  LIMIT $k
  RETURN collect({nodes: [n IN %[9]s | %[4]s], edges: [e IN %[10]s | %[5]s],
                  via: %[6]s, credibility: credibility}) AS paths
}
RETURN a IS NOT NULL AS hasFrom, b IS NOT NULL AS hasTo, paths`,
		find, pathRank("1.0", x.rels), order, actorProj("n"), relProj("e"), viaNodes(x.rels), x.vars, simple(x), x.nodes, x.rels,
		bindAvoid, avoid, from, to)
}

// shortestGroup is the statement of q's shortest paths (by LENGTH, the first $k of the whole group) from
// the actor whose id is the expression from to the one whose id is to.
//
// Neo4j's bidirectional shortest path operator finds the shortest paths at a fraction of SHORTEST's cost
// on graphs with supernodes (BENCHMARKS.md, "paths"), and it checks conditions on the actors of nodes(p)
// as it searches (SHORTEST, with the same conditions on its actors, took 400 times as long at scale M).
// Shortest paths are simple, so fewer than k of them means the group is smaller than k: then longer paths
// are needed, and Yen's algorithm finds them with the same operator. None at all means none within
// MaxHops.
func shortestGroup(q PathQuery, c conds, from, to string) string {
	l, r := arrows(q.Direction)
	_, avoid := avoidNodes(q)
	onActors := actorConds(q, c, "x")
	search := fmt.Sprintf("MATCH p = allShortestPaths((a)%s[rs%s*1..%d]%s(b))", l, typeSpec(q.Types), q.MaxHops, r)
	cond := c.rel("r")
	// the search under the filters
	conditioned := fmt.Sprintf("%s WHERE all(r IN rs WHERE %s)%s", search, cond, onInner(onActors, "x", "a", "b"))
	var group string
	if c.filtered() || onActors != "true" {
		group = fmt.Sprintf(`CALL (a, b%s) {
    %s
    RETURN p LIMIT $maxGroup
  }`, avoid, conditioned)
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
	return rankPaths(q, group, asPath, from, to)
}

// shortestArg is a shortest path query ready to run from any pair of actors, as coalesced reads run it:
// the pair is the read's id (pairKey).
type shortestArg struct {
	q      PathQuery
	c      conds
	cypher string         // the statement for one pair ($from, $to)
	params map[string]any // its parameters but from and to
}

// shape tells apart the statements shortestMany may not send together: those whose text or parameters,
// but for the pair, differ.
func (a shortestArg) shape() string { return statementShape(a.cypher, a.params) }

// shortestPaths is Paths by LENGTH with k = 1: the shortest group, ranked, in one statement (Yen's rounds
// never extend a group of one). Under load these statements are coalesced (coalesce.go).
func (s *Store) shortestPaths(ctx context.Context, q PathQuery) ([]*Path, error) {
	asOf, err := q.checked(MaxShortestHops)
	if err != nil {
		return nil, err
	}
	c := conds{&q.Filter, asOf}
	params := pathParams(q, asOf)
	delete(params, "from")
	delete(params, "to")
	arg := shortestArg{q: q, c: c, cypher: shortestGroup(q, c, "$from", "$to"), params: params}
	v, _, err := s.shortest.get(ctx, pairKey(q.From, q.To), arg.shape, arg)
	if err != nil {
		return nil, s.mapErr(ctx, err)
	}
	return s.decodePaths(ctx, q, v)
}

// pairKey writes a pair of actor ids as one string that splitPair reads back, whatever the ids hold: the
// length of from, a colon, from, then to.
func pairKey(from, to string) string {
	return strconv.Itoa(len(from)) + ":" + from + to
}

func splitPair(key string) (from, to string) {
	n, rest, _ := strings.Cut(key, ":")
	i, _ := strconv.Atoi(n)
	return rest[:i], rest[i:]
}

// shortestOne runs a shortest path statement for the pair named by key (shortestArg), in a heavy-read slot:
// hasFrom, hasTo and the paths.
func (s *Store) shortestOne(ctx context.Context, key string, arg any) ([]any, bool, error) {
	a := arg.(shortestArg)
	ctx, release, err := s.admit(ctx, HeavyPaths, s.cfg.QueryTimeout)
	if err != nil {
		return nil, false, err
	}
	defer release()
	params := maps.Clone(a.params)
	params["from"], params["to"] = splitPair(key)
	recs, err := s.read(ctx, a.cypher, params)
	if err != nil {
		return nil, false, err
	}
	return recs[0].Values, true, nil
}

// shortestMany is shortestOne for several pairs in one statement, in one heavy-read slot, by key.
func (s *Store) shortestMany(ctx context.Context, keys []string, arg any) (map[string][]any, error) {
	a := arg.(shortestArg)
	ctx, release, err := s.admit(ctx, HeavyPaths, s.cfg.QueryTimeout)
	if err != nil {
		return nil, err
	}
	defer release()
	pairs := make([][]string, len(keys))
	for i, k := range keys {
		from, to := splitPair(k)
		pairs[i] = []string{from, to}
	}
	params := maps.Clone(a.params)
	params["pairs"] = pairs
	recs, err := s.read(ctx, `UNWIND range(0, size($pairs) - 1) AS i
CALL (i) {
  WITH $pairs[i] AS pair
  `+shortestGroup(a.q, a.c, "pair[0]", "pair[1]")+`
}
RETURN i, hasFrom, hasTo, paths`, params)
	if err != nil {
		return nil, err
	}
	found := make(map[string][]any, len(recs))
	for _, rec := range recs {
		found[keys[int(num(rec.Values[0]))]] = rec.Values[1:]
	}
	return found, nil
}

// pathExprs names a path in a statement: the variables that carry it, its actors, its relations and its
// length.
type pathExprs struct{ vars, nodes, rels, length string }

var (
	asPath  = pathExprs{"p", "nodes(p)", "relationships(p)", "length(p)"} // a path value p
	asLists = pathExprs{"ns, rs", "ns", "rs", "size(rs)"}                 // lists of actors ns and relations rs
)

// simple is the condition that the path x names visits no actor twice.
func simple(x pathExprs) string {
	return fmt.Sprintf("all(i IN range(0, %[1]s - 1) WHERE NOT %[2]s[i] IN %[2]s[i + 1..])", x.length, x.nodes)
}

// pathRank computes the ranking keys of the path whose relations are rels: its credibility (the product
// of its relations' confidences, 0.5 for one without, multiplied on from start: 1.0 for a whole path, the
// root's credibility for one of Yen's ways on) and weak, how many of them are not STATED.
func pathRank(start, rels string) string {
	return fmt.Sprintf(`reduce(c = %[1]s, e IN %[2]s | c * coalesce(e.confidence, 0.5)) AS credibility,
       size([e IN %[2]s WHERE e.status <> 'STATED']) AS weak`, start, rels)
}

// byLength and byCredibility are Paths' orders, over pathRank's keys (comparePaths is byLength in Go).
// The last key, the relation ids, makes each order total: equal paths come back in the same order.
func byLength(x pathExprs) string {
	return fmt.Sprintf("%s, credibility DESC, weak, [e IN %s | e.id]", x.length, x.rels)
}

func byCredibility(x pathExprs) string {
	return fmt.Sprintf("credibility DESC, weak, %s, [e IN %s | e.id]", x.length, x.rels)
}

// actorConds is the condition a path query puts on actor x, an actor a path passes through: not one
// of q.Avoid (the list avoid, which avoidNodes binds), of one of q.Kinds ($kinds); "true" when it sets
// neither.
func actorConds(q PathQuery, c conds, x string) string {
	var preds []string
	if len(q.Avoid) > 0 {
		preds = append(preds, "NOT "+x+" IN avoid")
	}
	if len(q.Kinds) > 0 {
		preds = append(preds, c.node(x))
	}
	return and(preds)
}

// avoidNodes returns what a path statement needs to compare the actors it meets with q.Avoid by identity:
// bind, a subquery that looks q.Avoid's actors up once as the list avoid, and scope, ", avoid", for the
// variables of every subquery that runs the search ("" and "" when q.Avoid is empty). Compared by id,
// every actor the search reaches would cost Neo4j a property read.
func avoidNodes(q PathQuery) (bind, scope string) {
	if len(q.Avoid) == 0 {
		return "", ""
	}
	return "CALL () { MATCH (v:Actor) WHERE v.id IN $avoid RETURN collect(v) AS avoid }\n", ", avoid"
}

// onInner writes cond, a condition on actor variable v, as one more condition (" AND ...") on every actor
// of path p but its ends, from and to: "" when cond is "true", so that an unfiltered search reads no
// property of the actors it meets.
func onInner(cond, v, from, to string) string {
	if cond == "true" {
		return ""
	}
	return fmt.Sprintf(" AND all(%[1]s IN nodes(p) WHERE %[1]s = %[2]s OR %[1]s = %[3]s OR (%[4]s))", v, from, to, cond)
}

// MaxWalksPerLength caps the paths of one length that Paths ranks by CREDIBILITY: through hubs, two actors
// can be joined by hundreds of thousands of paths of four relations (607,434 in one pair at scale M).
const MaxWalksPerLength = 100000

// walks returns the search of paths ranked by CREDIBILITY, yielding each as the lists ns (its actors) and
// rs (its relations). The lengths are searched shortest first, each one whole, until the paths seen reach
// MaxShortestGroup or the lengths reach q.MaxHops; each length gives its k most credible simple paths (of
// the first MaxWalksPerLength Neo4j finds). A longer path can be the more credible one, so ranking whole
// lengths, where taking the first MaxShortestGroup walks took an arbitrary part of the last, makes the
// answer the same on every call. Each length is a search that meets in the middle: the walks of h
// relations from a and those of n-h from b, joined on the actor m where they meet, h chosen by balls so
// that the two halves together are the fewest walks; each half is one pattern from its end, so that
// Neo4j checks the filters on each relation and actor as it expands. (GQL's SHORTEST maxHops GROUPS,
// which this replaced, took 15-50 s through a hub at scale M, nearly all of it inside its own operator.)
func walks(q PathQuery, c conds, balls [2]ball, avoid string) string {
	l, r := arrows(q.Direction)
	bl, br := arrows(reverse(q.Direction))
	types := typeSpec(q.Types)
	var b strings.Builder
	fmt.Fprintf(&b, "CALL (a, b%[1]s) {\n    WITH a, b%[1]s, 0 AS seen, [] AS found\n", avoid)
	for n := 1; n <= q.MaxHops; n++ {
		match := fmt.Sprintf(`MATCH (a)%s[r%s WHERE %s]%s(b)
        WITH [a, b] AS ns, [r] AS rs`, l, types, c.rel("r"), r)
		if n > 1 {
			h := split(n, balls)
			match = fmt.Sprintf(`MATCH p1 = (a)(()%[1]s[r%[3]s WHERE %[4]s]%[2]s(x:Actor WHERE %[5]s)){%[6]d}(m),
              p2 = (b)(()%[7]s[s%[3]s WHERE %[8]s]%[9]s(y:Actor WHERE %[10]s)){%[11]d}(m)
        USING JOIN ON m
        WITH nodes(p1) + reverse(nodes(p2))[1..] AS ns, relationships(p1) + reverse(relationships(p2)) AS rs`,
				l, r, types, c.rel("r"), actorConds(q, c, "x"), h, bl, c.rel("s"), br, actorConds(q, c, "y"), n-h)
		}
		match += "\n        WHERE " + simple(asLists)
		// Counting stops at MaxShortestGroup; ranking goes through the whole length, keeping only k.
		fmt.Fprintf(&b, `    OPTIONAL CALL (a, b, seen%[4]s) {
      WITH a, b%[4]s WHERE seen < $maxGroup
      CALL (a, b%[4]s) {
        %[1]s
        WITH ns LIMIT $maxGroup
        RETURN count(*) AS n
      }
      CALL (a, b%[4]s) {
        %[1]s
        WITH ns, rs LIMIT $maxWalks
        WITH ns, rs, %[2]s
        ORDER BY %[3]s
        LIMIT $k
        RETURN collect({ns: ns, rs: rs}) AS top
      }
      RETURN n, top
    }
    WITH a, b%[4]s, seen + coalesce(n, 0) AS seen, found + coalesce(top, []) AS found
`, match, pathRank("1.0", asLists.rels), byCredibility(asLists), avoid)
	}
	b.WriteString("    UNWIND found AS w\n    RETURN w.ns AS ns, w.rs AS rs\n  }")
	return b.String()
}

// reverse is the direction of a path read from its other end.
func reverse(d Direction) Direction {
	switch d {
	case Out:
		return In
	case In:
		return Out
	}
	return d
}

// A ball is how many walks leave an actor: of one relation (its degree) and of two (the sum of its
// neighbours' degrees; for an actor of more than denseBall relations, estimated as degree × denseBall).
type ball struct{ one, two float64 }

const denseBall = 10000

// walksOf estimates how many walks of h relations leave the actor, growing as its first two steps grow.
func (x ball) walksOf(h int) float64 {
	switch h {
	case 1:
		return x.one
	case 2:
		return x.two
	}
	return x.two * math.Pow(x.two/max(x.one, 1), float64(h-2))
}

// split returns how many of n relations a path search takes from a's side (1..n-1), the rest from b's,
// so that the walks the two halves enumerate are fewest.
func split(n int, balls [2]ball) int {
	best, cost := 1, math.Inf(1)
	for h := 1; h < n; h++ {
		if c := balls[0].walksOf(h) + balls[1].walksOf(n-h); c < cost {
			best, cost = h, c
		}
	}
	return best
}

// balls measures the balls of the two ends of a path query (zero for an unknown id: the path statement
// reports it).
func (s *Store) balls(ctx context.Context, from, to string) ([2]ball, error) {
	var out [2]ball
	recs, err := s.read(ctx, `UNWIND [$from, $to] AS id
MATCH (x:Actor {id: id})
WITH id, x, COUNT { (x)--() } AS one
RETURN id, one, CASE WHEN one > $dense THEN one * $dense
                     ELSE reduce(s = 0, n IN [(x)--(n) | n] | s + COUNT { (n)--() }) END AS two`,
		map[string]any{"from": from, "to": to, "dense": denseBall})
	if err != nil {
		return out, err
	}
	for _, rec := range recs {
		x := ball{num(rec.Values[1]), num(rec.Values[2])}
		if rec.Values[0] == from {
			out[0] = x
		}
		if rec.Values[0] == to {
			out[1] = x
		}
	}
	return out, nil
}

// runPaths runs a statement of paths and decodes its paths.
func (s *Store) runPaths(ctx context.Context, q PathQuery, cypher string, params map[string]any) ([]*Path, error) {
	recs, err := s.read(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return s.decodePaths(ctx, q, recs[0].Values)
}

// decodePaths decodes the columns of a statement of paths: hasFrom, hasTo, paths.
func (s *Store) decodePaths(ctx context.Context, q PathQuery, v []any) ([]*Path, error) {
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

// MaxPathsPerPair caps the shortest paths Connections takes for one pair of actors.
const MaxPathsPerPair = 10

// Connections returns how a set of actors are linked: the union of the shortest paths between every pair
// of them, under the filter, found as Paths finds them by LENGTH (Neo4j's bidirectional allShortestPaths,
// which checks the filter as it searches). Where a pair has more than MaxPathsPerPair shortest paths, it
// takes the best in Paths' order by CREDIBILITY, from the first MaxShortestGroup that Neo4j finds, so the
// subgraph is the same on every call unless a pair has more than MaxShortestGroup. Actors with no link
// within MaxHops appear alone.
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
    CALL (a, b) {
      MATCH p = allShortestPaths((a)%[1]s[rs%[2]s*1..%[5]d]%[4]s(b))
      WHERE all(r IN rs WHERE %[3]s)%[7]s
      RETURN p LIMIT $maxGroup
    }
    WITH p, %[8]s
    ORDER BY %[9]s
    RETURN p LIMIT $perPair
  }
  UNWIND nodes(p) AS n
  WITH p, collect(n) AS ns
  RETURN collect(ns) AS nodeLists, collect(relationships(p)) AS relLists
}
WITH ends, reduce(acc = ends, l IN nodeLists | acc + l) AS nodes, reduce(acc = [], l IN relLists | acc + l) AS rels
RETURN size(ends) AS found, [e IN ends | e.id] AS foundIDs, %[6]s`,
		l, typeSpec(q.Types), c.rel("r"), r, q.MaxHops, subgraphReturn("nodes", "rels"), onInner(c.node("x"), "x", "a", "b"), pathRank("1.0", asPath.rels), byCredibility(asPath))
	params := filterParams(map[string]any{"ids": q.IDs, "pairs": pairs, "maxGroup": MaxShortestGroup,
		"perPair": MaxPathsPerPair}, &q.Filter, asOf)
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
