package graph

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// yen extends a, the whole group of shortest paths (fewer than q.K, in Paths' order), to at most q.K
// loopless paths with Yen's algorithm: a candidate deviates from a chosen path at one of its actors (the
// spur) and follows from there the shortest way to q.To that avoids the root's actors, the actors q.Avoid
// and q.Kinds leave out, and the relations other chosen paths with the same root take next. The spur
// searches of one round are a single statement, each search Neo4j's bidirectional shortestPath; each
// round chooses the best candidate in Paths' order, so at most q.K-len(a) statements are sent. The
// result is in Paths' order.
func (s *Store) yen(ctx context.Context, q PathQuery, c conds, a []*Path) ([]*Path, error) {
	l, r := arrows(q.Direction)
	cypher := fmt.Sprintf(`UNWIND $spurs AS s
MATCH (x:Actor {id: s.from}) MATCH (b:Actor {id: $to})
MATCH p = shortestPath((x)%[1]s[rs%[2]s*1..%[3]d]%[4]s(b))
WHERE all(r IN rs WHERE %[5]s AND NOT r.id IN s.noRels) AND none(n IN nodes(p) WHERE n.id IN s.noNodes)%[9]s
WITH s, p WHERE length(p) <= s.maxLen
RETURN s.path AS path, s.at AS at, [n IN nodes(p) | %[6]s] AS nodes, [e IN relationships(p) | %[7]s] AS edges,
       %[8]s AS via`,
		l, typeSpec(q.Types), q.MaxHops, r, c.rel("r"), actorProj("n"), relProj("e"), viaNodes("relationships(p)"),
		onInner(actorConds(q, c, "n"), "n", "x", "b"))
	params := filterParams(map[string]any{"to": q.To, "avoid": q.Avoid}, &q.Filter, c.asOf)
	chosen := map[string]bool{}
	for _, p := range a {
		chosen[pathKey(p)] = true
	}
	var cands []*Path
	spurFrom := a // the paths whose spurs are still to be searched: all of a first, then the newest
	for len(a) < q.K {
		var spurs []map[string]any
		for pi, p := range spurFrom {
			for at := 0; at < p.Length; at++ {
				noRels := []string{}
				for _, o := range a {
					if o.Length > at && sameRoot(o, p, at) {
						noRels = append(noRels, o.Edges[at].ID)
					}
				}
				noNodes := make([]string, at)
				for i := range at {
					noNodes[i] = p.Nodes[i].ID
				}
				spurs = append(spurs, map[string]any{"path": pi, "at": at, "from": p.Nodes[at].ID,
					"noRels": noRels, "noNodes": noNodes, "maxLen": q.MaxHops - at})
			}
		}
		params["spurs"] = spurs
		recs, err := s.read(ctx, cypher, params)
		if err != nil {
			return nil, err
		}
		d := s.newDecoder()
		for _, rec := range recs {
			root, at := spurFrom[int(num(rec.Values[0]))], int(num(rec.Values[1]))
			d.actorList(rec.Values[4])
			spur := d.path(rec.Values[2], rec.Values[3], 0)
			p := &Path{
				Nodes: append(slices.Clone(root.Nodes[:at]), spur.Nodes...),
				Edges: append(slices.Clone(root.Edges[:at]), spur.Edges...),
			}
			p.Length, p.Credibility = len(p.Edges), credibility(p.Edges)
			if k := pathKey(p); !chosen[k] {
				chosen[k] = true
				cands = append(cands, p)
			}
		}
		if err := d.finish(ctx); err != nil {
			return nil, err
		}
		if len(cands) == 0 {
			break
		}
		slices.SortFunc(cands, comparePaths)
		a = append(a, cands[0])
		spurFrom, cands = a[len(a)-1:], cands[1:]
	}
	slices.SortStableFunc(a, comparePaths)
	return a, nil
}

// sameRoot reports whether o and p start with the same at relations.
func sameRoot(o, p *Path, at int) bool {
	for i := range at {
		if o.Edges[i].ID != p.Edges[i].ID {
			return false
		}
	}
	return true
}

// pathKey identifies a path by its relations and their direction of travel (its actors).
func pathKey(p *Path) string {
	var b strings.Builder
	for i, e := range p.Edges {
		b.WriteString(p.Nodes[i].ID)
		b.WriteByte(' ')
		b.WriteString(e.ID)
		b.WriteByte(' ')
	}
	return b.String()
}

// comparePaths is Paths' order by LENGTH, as the Cypher of paths writes it: fewer relations, higher
// credibility, fewer relations not STATED, then the relation ids.
func comparePaths(x, y *Path) int {
	if x.Length != y.Length {
		return x.Length - y.Length
	}
	if x.Credibility != y.Credibility {
		if x.Credibility > y.Credibility {
			return -1
		}
		return 1
	}
	if wx, wy := weak(x), weak(y); wx != wy {
		return wx - wy
	}
	for i := range x.Edges {
		if c := strings.Compare(x.Edges[i].ID, y.Edges[i].ID); c != 0 {
			return c
		}
	}
	return 0
}

func weak(p *Path) int {
	n := 0
	for _, e := range p.Edges {
		if e.Status != Stated {
			n++
		}
	}
	return n
}
