package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
)

// Relations pages through the relations of several actors in one round trip (the GraphQL loader batches
// Actor.relations through it). Relations are ordered by id; the cursor is the last id seen.
func (s *Store) Relations(ctx context.Context, ids []string, q RelationsQuery) ([]*RelationPage, error) {
	if err := checkIDs("ids", ids, MaxFirst); err != nil {
		return nil, err
	}
	if err := checkRange("first", q.First, 0, MaxFirst); err != nil {
		return nil, err
	}
	asOf, err := q.Filter.validate()
	if err != nil {
		return nil, err
	}
	after := ""
	if q.After != nil {
		if after, err = decodeCursor("after", *q.After); err != nil {
			return nil, err
		}
	}
	c := conds{&q.Filter, asOf}
	l, r := arrows(q.Direction)
	cypher := fmt.Sprintf(`UNWIND $ids AS aid
MATCH (a:Actor {id: aid})
CALL (a) {
  MATCH (a)%[1]s[r%[2]s]%[3]s(o:Actor) WHERE %[4]s AND %[6]s
  RETURN count(r) AS total
}
CALL (a) {
  MATCH (a)%[1]s[r%[2]s]%[3]s(o:Actor) WHERE %[4]s AND %[6]s AND r.id > $after
  WITH r, o ORDER BY r.id LIMIT $first + 1
  RETURN collect(r) AS rels, collect(o) AS others
}
RETURN a.id AS id, total, %[5]s`, l, typeSpec(q.Types), r, c.rel("r"), subgraphReturn("[a] + others", "rels"), c.node("o"))
	params := filterParams(map[string]any{"ids": ids, "first": q.First, "after": after}, &q.Filter, asOf)
	recs, err := s.read(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	d := s.newDecoder()
	byID := map[string]*RelationPage{}
	for _, rec := range recs {
		d.actorList(rec.Values[2])
		d.actorList(rec.Values[4])
		page := &RelationPage{TotalCount: int(num(rec.Values[1])), Relations: d.relations(rec.Values[3])}
		if len(page.Relations) > q.First {
			page.Relations, page.HasNextPage = page.Relations[:q.First], true
		}
		for _, rel := range page.Relations {
			page.Cursors = append(page.Cursors, encodeCursor(rel.ID))
		}
		byID[str(rec.Values[0])] = page
	}
	if err := d.finish(ctx); err != nil {
		return nil, err
	}
	out := make([]*RelationPage, len(ids))
	for i, id := range ids {
		if out[i] = byID[id]; out[i] == nil {
			out[i] = &RelationPage{}
		}
	}
	return out, nil
}

// ActorSources returns for each actor the sources cited by it or by its relations, ordered by id.
func (s *Store) ActorSources(ctx context.Context, ids []string) ([][]*Source, error) {
	if err := checkIDs("ids", ids, MaxFirst); err != nil {
		return nil, err
	}
	recs, err := s.read(ctx, `UNWIND $ids AS aid
MATCH (a:Actor {id: aid})
CALL (a) {
  OPTIONAL MATCH (a)-[r]-(:Actor)
  UNWIND coalesce(r.evSource, []) + a.evSource AS sid
  WITH DISTINCT sid ORDER BY sid
  RETURN collect(sid) AS sids
}
RETURN a.id, sids`, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	byID := map[string][]*Evidence{}
	var all []*Evidence
	for _, rec := range recs {
		for _, sid := range strs(rec.Values[1]) {
			e := &Evidence{Source: &Source{ID: sid}}
			byID[str(rec.Values[0])] = append(byID[str(rec.Values[0])], e)
			all = append(all, e)
		}
	}
	if err := s.resolveSources(ctx, all); err != nil {
		return nil, err
	}
	out := make([][]*Source, len(ids))
	for i, id := range ids {
		out[i] = []*Source{}
		for _, e := range byID[id] {
			out[i] = append(out[i], e.Source)
		}
	}
	return out, nil
}

// MaxScanPerActor bounds the relations Neighbourhood examines per frontier actor: an actor's PerNodeLimit
// relations are the best (highest confidence, then id) among the first MaxScanPerActor of its relations
// that pass the filter, in the order Neo4j stores them. Below the bound that is all of them; above it (a
// supernode: a country, an umbrella group) the cost stays that of an actor of MaxScanPerActor relations
// instead of growing with the degree (BENCHMARKS.md: depth 2 on hubs of 61,000 relations).
const MaxScanPerActor = 1000

// Neighbourhood expands breadth first from q.ID, one level per hop, entirely inside Neo4j. At each level
// every frontier actor contributes at most PerNodeLimit relations (highest confidence first, then by id,
// among at most MaxScanPerActor scanned), and new actors are admitted until Limit actors are in the
// subgraph. Omitted counts the relations left out by either cap. Without a filter an actor's relations not
// taken are counted from Neo4j's degree store (retired relations included); with one they are counted
// exactly, except beyond the first MaxScanPerActor, which the degree store counts whatever the filter. The
// levels are unrolled into one statement: depth is validated to 1..MaxDepth.
func (s *Store) Neighbourhood(ctx context.Context, q NeighbourhoodQuery) (*Subgraph, error) {
	arg, err := nearStatement(q)
	if err != nil {
		return nil, err
	}
	var v []any
	var found bool
	if q.Depth == 1 { // one actor's relations: cheap, no admission slot, coalesced under load (coalesce.go)
		v, found, err = s.near.get(ctx, q.ID, arg.shape, arg)
		if err != nil {
			return nil, s.mapErr(ctx, err)
		}
	} else {
		var release func()
		if ctx, release, err = s.admit(ctx, HeavyTraversal, s.cfg.QueryTimeout); err != nil {
			return nil, err
		}
		defer release()
		if v, found, err = s.nearOne(ctx, q.ID, arg); err != nil {
			return nil, err
		}
	}
	if !found {
		return nil, notFound("id", q.ID)
	}
	return s.decodeSubgraph(ctx, v[1:], int(num(v[0])))
}

// nearStatement builds q's statement but for its start (nearArg).
func nearStatement(q NeighbourhoodQuery) (nearArg, error) {
	asOf, err := q.validate()
	if err != nil {
		return nearArg{}, err
	}
	c := conds{&q.Filter, asOf}
	l, r := arrows(q.Direction)
	// The per-actor choice. Unfiltered, a top-N sort suffices and the cut comes from the degree store;
	// filtered, the scanned relations are counted, so that relations the filter leaves out are not.
	pick := `WITH r, m ORDER BY r.confidence DESC, r.id LIMIT $perNode
    WITH collect({r: r, m: m}) AS taken
    RETURN taken, COUNT { (f)%[1]s[%[2]s]%[3]s() } - size(taken) AS cut`
	if c.filtered() {
		pick = `WITH r, m ORDER BY r.confidence DESC, r.id
    WITH collect({r: r, m: m}) AS found
    WITH found, found[0..$perNode] AS taken
    RETURN taken, CASE WHEN size(found) < $maxScan THEN size(found) ELSE COUNT { (f)%[1]s[%[2]s]%[3]s() } END - size(taken) AS cut`
	}
	// m carries no label check: relationships only ever join two actors (Import, AddRelation), and the
	// check would cost a read per relation scanned.
	var b strings.Builder
	b.WriteString("WITH [start] AS seen, [start] AS frontier, [] AS rels, 0 AS omitted\n")
	for level := 0; level < q.Depth; level++ {
		fmt.Fprintf(&b, `CALL (frontier, seen) {
  UNWIND frontier AS f
  CALL (f, seen) {
    MATCH (f)%[1]s[r%[2]s]%[3]s(m)
    WHERE %[4]s AND %[5]s
    WITH r, m LIMIT $maxScan
    `+pick+`
  }
  WITH collect(taken) AS takenLists, sum(cut) AS cut
  WITH reduce(acc = [], t IN takenLists | acc + t) AS cands, cut
  CALL (cands, seen) {
    UNWIND cands AS c
    WITH c.m AS m WHERE NOT m IN seen
    RETURN collect(DISTINCT m) AS fresh
  }
  WITH cands, cut, fresh[0..($limit - size(seen))] AS added, fresh
  WITH cands, cut, added, seen + added AS nowSeen
  WITH added, nowSeen, [c IN cands WHERE c.m IN nowSeen | c.r] AS kept, cut + size(cands) AS offered
  RETURN added, nowSeen, kept, offered - size(kept) AS dropped
}
WITH nowSeen AS seen, added AS frontier, rels + kept AS rels, omitted + dropped AS omitted
`, l, typeSpec(q.Types), r, c.rel("r"), c.node("m"))
	}
	b.WriteString("RETURN omitted, " + subgraphReturn("seen", "rels"))
	params := filterParams(map[string]any{"perNode": q.PerNodeLimit, "limit": q.Limit, "maxScan": MaxScanPerActor}, &q.Filter, asOf)
	return nearArg{levels: b.String(), params: params}, nil
}

// nearArg is a neighbourhood statement but for its start: the levels and the return from the actor start
// on, and the parameters but for the start's id.
type nearArg struct {
	levels string
	params map[string]any
}

// shape tells apart the statements nearMany may not send together: those whose text or parameters differ.
func (a nearArg) shape() string { return statementShape(a.levels, a.params) }

// statementShape is the shape of a coalesced read (coalesce.go): reads of equal text and parameters (those
// but the read's own id or pair) have equal shapes.
func statementShape(text string, params map[string]any) string {
	p, err := json.Marshal(params) // strings, numbers, booleans, lists of strings and nulls: cannot fail
	if err != nil {
		p = fmt.Appendf(nil, "%p", params) // one shape of its own
	}
	return text + "\x00" + string(p)
}

// nearOne runs a neighbourhood statement from the actor with the given id: omitted, then the columns of
// subgraphReturn.
func (s *Store) nearOne(ctx context.Context, id string, arg any) ([]any, bool, error) {
	a := arg.(nearArg)
	params := maps.Clone(a.params)
	params["id"] = id
	recs, err := s.read(ctx, "MATCH (start:Actor {id: $id})\n"+a.levels, params)
	if err != nil || len(recs) == 0 {
		return nil, false, err
	}
	return recs[0].Values, true, nil
}

// nearMany is nearOne from several actors in one statement, by the id asked.
func (s *Store) nearMany(ctx context.Context, ids []string, arg any) (map[string][]any, error) {
	a := arg.(nearArg)
	params := maps.Clone(a.params)
	params["ids"] = ids
	recs, err := s.read(ctx, "UNWIND $ids AS id\nCALL (id) {\nMATCH (start:Actor {id: id})\n"+a.levels+
		"\n}\nRETURN id, omitted, nodes, edges, viaNodes", params)
	if err != nil {
		return nil, err
	}
	found := make(map[string][]any, len(recs))
	for _, rec := range recs {
		id, _ := rec.Values[0].(string)
		found[id] = rec.Values[1:]
	}
	return found, nil
}

// decodeSubgraph decodes the three columns of subgraphReturn.
func (s *Store) decodeSubgraph(ctx context.Context, v []any, omitted int) (*Subgraph, error) {
	d := s.newDecoder()
	g := &Subgraph{Nodes: d.actorList(v[0]), Omitted: omitted, Truncated: omitted > 0}
	d.actorList(v[2])
	g.Edges = d.relations(v[1])
	return g, d.finish(ctx)
}
