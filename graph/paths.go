package graph

import (
	"context"
	"fmt"
)

// Paths returns up to q.K simple paths of at most q.MaxHops relations between q.From and q.To. Candidates
// are Neo4j's SHORTEST paths under the filter (pruned during the search, not after); paths that revisit an
// actor are dropped, and the rest are ordered in Cypher by q.RankBy. Unknown ends give NOT_FOUND;
// unconnected ends give no path.
func (s *Store) Paths(ctx context.Context, q PathQuery) ([]*Path, error) {
	return s.paths(ctx, q, MaxPathHops)
}

// ShortestPath returns the shortest path (nil when there is none), allowing up to MaxShortestHops.
func (s *Store) ShortestPath(ctx context.Context, q PathQuery) (*Path, error) {
	q.K = 1
	ps, err := s.paths(ctx, q, MaxShortestHops)
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	return ps[0], nil
}

func (s *Store) paths(ctx context.Context, q PathQuery, maxHops int) ([]*Path, error) {
	asOf, err := q.validate(maxHops)
	if err != nil {
		return nil, err
	}
	if q.From == q.To {
		return nil, Invalid("to", "must differ from from (%q)", q.From)
	}
	// More candidates than asked for: some revisit an actor, and ranking by credibility must see longer ones.
	candidates := q.K * 3
	// The last key, the relation ids, makes the order total: equal paths come back in the same order.
	order := "length(p), credibility DESC, weak, [e IN relationships(p) | e.id]"
	if q.RankBy == RankCredibility {
		candidates = max(q.K*10, 50)
		order = "credibility DESC, weak, length(p), [e IN relationships(p) | e.id]"
	}
	l, r := arrows(q.Direction)
	cypher := fmt.Sprintf(`OPTIONAL MATCH (a:Actor {id: $from})
OPTIONAL MATCH (b:Actor {id: $to})
CALL (a, b) {
  WITH a, b WHERE a IS NOT NULL AND b IS NOT NULL
  MATCH p = SHORTEST %[1]d (a)(()%[2]s[r%[3]s WHERE %[4]s]%[5]s(x:Actor WHERE NOT x.id IN $avoid AND ($kinds IS NULL OR x.kind IN $kinds OR x = b))){1,%[6]d}(b)
  WITH p WHERE all(i IN range(0, length(p) - 1) WHERE NOT nodes(p)[i] IN nodes(p)[i + 1..])
  WITH p, reduce(c = 1.0, e IN relationships(p) | c * coalesce(e.confidence, 0.5)) AS credibility,
       size([e IN relationships(p) WHERE e.status <> 'STATED']) AS weak
  ORDER BY %[7]s
  LIMIT $k
  RETURN collect({nodes: [n IN nodes(p) | %[8]s], edges: [e IN relationships(p) | %[9]s],
                  via: %[10]s, credibility: credibility}) AS paths
}
RETURN a IS NOT NULL AS hasFrom, b IS NOT NULL AS hasTo, paths`,
		candidates, l, typeSpec(q.Types), relFilter("r"), r, q.MaxHops, order,
		actorProj("n"), relProj("e"), viaNodes("relationships(p)"))
	avoid := q.Avoid
	if avoid == nil {
		avoid = []string{}
	}
	params := filterParams(map[string]any{"from": q.From, "to": q.To, "k": q.K, "avoid": avoid}, &q.Filter, asOf)
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
	l, r := arrows(q.Direction)
	cypher := fmt.Sprintf(`MATCH (n:Actor) WHERE n.id IN $ids
WITH collect(n) AS ends
CALL (ends) {
  UNWIND $pairs AS pair
  MATCH (a:Actor {id: pair[0]}) MATCH (b:Actor {id: pair[1]})
  CALL (a, b) {
    MATCH p = ALL SHORTEST (a)(()%[1]s[r%[2]s WHERE %[3]s]%[4]s(x:Actor WHERE $kinds IS NULL OR x.kind IN $kinds OR x = b)){1,%[5]d}(b)
    RETURN p LIMIT 10
  }
  UNWIND nodes(p) AS n
  WITH p, collect(n) AS ns
  RETURN collect(ns) AS nodeLists, collect(relationships(p)) AS relLists
}
WITH ends, reduce(acc = ends, l IN nodeLists | acc + l) AS nodes, reduce(acc = [], l IN relLists | acc + l) AS rels
RETURN size(ends) AS found, [e IN ends | e.id] AS foundIDs, %[6]s`,
		l, typeSpec(q.Types), relFilter("r"), r, q.MaxHops, subgraphReturn("nodes", "rels"))
	params := filterParams(map[string]any{"ids": q.IDs, "pairs": pairs}, &q.Filter, asOf)
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

// FundingChannels returns chains of FUNDS relations valid at q.AsOf, at most q.MaxHops long and without a
// repeated actor. A chain ends at q.Recipient when it is given, else where the money stops (an actor
// with no further FUNDS relation) or at the hop cap; it starts at q.Funder when given, else at every
// actor upstream, so that each funder that reaches the recipient is listed with its route. With q.Through,
// the chain must pass the actor or name it in a relation's via (a transit country).
func (s *Store) FundingChannels(ctx context.Context, q FundingQuery) ([]*FundingChannel, error) {
	asOf, err := q.validate()
	if err != nil {
		return nil, err
	}
	var anchor, anchorID string
	switch {
	case q.Recipient != nil:
		anchor, anchorID = "MATCH (u:Actor)-[e:FUNDS]->(v:Actor {id: $recipient})", *q.Recipient
	case q.Funder != nil:
		anchor, anchorID = "MATCH (u:Actor {id: $funder})-[e:FUNDS]->(v:Actor)", *q.Funder
	default:
		anchor, anchorID = "MATCH (u:Actor)-[e:FUNDS]->(v:Actor) WHERE u.id = $through OR v.id = $through OR $through IN e.via", *q.Through
	}
	cypher := fmt.Sprintf(`OPTIONAL MATCH (anchor:Actor {id: $anchorID})
CALL (anchor) {
  WITH anchor WHERE anchor IS NOT NULL
  %[1]s
  WITH u, e, v WHERE %[2]s
  MATCH p1 = (f:Actor)-[r1:FUNDS*0..%[3]d]->(u)
  WHERE ($funder IS NULL OR f.id = $funder) AND all(x IN r1 WHERE %[4]s)
  MATCH p2 = (v)-[r2:FUNDS*0..%[3]d]->(t:Actor)
  WHERE ($recipient IS NULL OR t.id = $recipient) AND all(x IN r2 WHERE %[4]s)
  WITH r1 + [e] + r2 AS rels, nodes(p1) + nodes(p2) AS ns, t
  WHERE size(rels) <= %[3]d
    AND all(i IN range(0, size(ns) - 2) WHERE NOT ns[i] IN ns[i + 1..])
    AND ($through IS NULL OR any(n IN ns WHERE n.id = $through) OR any(x IN rels WHERE $through IN x.via))
    AND ($recipient IS NOT NULL OR size(rels) = %[3]d OR
         NOT EXISTS { MATCH (t)-[y:FUNDS]->(z:Actor) WHERE %[5]s AND NOT z IN ns })
  WITH DISTINCT rels, ns
  ORDER BY size(rels), [x IN rels | x.id] LIMIT %[6]d
  RETURN collect({nodes: [n IN ns | %[7]s], edges: [x IN rels | %[8]s], via: %[9]s}) AS channels
}
RETURN anchor IS NOT NULL AS found, channels`,
		anchor, relFilter("e"), q.MaxHops, relFilter("x"), relFilter("y"), MaxFundingResults,
		actorProj("n"), relProj("x"), viaNodes("rels"))
	params := filterParams(map[string]any{
		"anchorID": anchorID, "recipient": deref(q.Recipient), "funder": deref(q.Funder), "through": deref(q.Through),
	}, &Filter{}, asOf)
	recs, err := s.read(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 || recs[0].Values[0] != true {
		field := "through"
		if q.Recipient != nil {
			field = "recipient"
		} else if q.Funder != nil {
			field = "funder"
		}
		return nil, notFound(field, anchorID)
	}
	d := s.newDecoder()
	var out []*FundingChannel
	for _, x := range recs[0].Values[1].([]any) {
		m := x.(map[string]any)
		d.actorList(m["via"])
		p := d.path(m["nodes"], m["edges"], 0)
		out = append(out, &FundingChannel{Funder: p.Nodes[0], Recipient: p.Nodes[len(p.Nodes)-1], Path: p})
	}
	if err := d.finish(ctx); err != nil {
		return nil, err
	}
	for _, c := range out {
		c.Path.Credibility = credibility(c.Path.Edges)
		c.Via = route(c.Path)
	}
	return out, nil
}

// route lists a channel's intermediaries and transit actors in route order, without repeats: for each hop,
// the transit actors its relation names, then the actor the money reaches (except the final recipient).
func route(p *Path) []*Actor {
	seen := map[*Actor]bool{p.Nodes[0]: true, p.Nodes[len(p.Nodes)-1]: true}
	out := []*Actor{}
	for i, e := range p.Edges {
		for _, a := range e.Via {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
		if n := p.Nodes[i+1]; !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

func credibility(edges []*Relation) float64 {
	c := 1.0
	for _, e := range edges {
		if e.Confidence != nil {
			c *= *e.Confidence
		} else {
			c *= 0.5
		}
	}
	return c
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}
