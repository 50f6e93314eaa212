package graph

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// yen extends a, the whole group of shortest paths (fewer than q.K, in Paths' order), to at most q.K
// loopless paths with Yen's algorithm: a candidate deviates from a chosen path at one of its actors (the
// spur) and follows from there the best way on to q.To, in Paths' order, that avoids the root's actors, the
// actors q.Avoid and q.Kinds leave out, and the relations other chosen paths with the same root take next.
// The spur searches of one round are one statement; each is Neo4j's bidirectional allShortestPaths, whose
// first MaxShortestGroup ways on are ranked as parts of the whole path (the root's credibility times the
// way's, then the way's weak relations and relation ids: the root is the same for all). Each round chooses
// the best candidate in Paths' order, so at most q.K-len(a) statements are sent; the result is in Paths'
// order and, unless a spur has more than MaxShortestGroup shortest ways on, is the first q.K simple paths
// in it. (Neo4j's shortestPath, which stops at the first shortest way it meets, is cheaper, but its choice
// among equally short ways is arbitrary: BENCHMARKS.md, "Yen's ties".) A path's spurs are searched from
// the point where it left the path it was found from on (Lawler's refinement), which halves that price.
func (s *Store) yen(ctx context.Context, q PathQuery, c conds, a []*Path) ([]*Path, error) {
	cypher := s.spurSearch(q, c)
	params := filterParams(map[string]any{"to": q.To, "avoid": q.Avoid, "maxGroup": MaxShortestGroup}, &q.Filter, c.asOf)
	seen := map[string]bool{} // the chosen paths and the candidates
	for _, p := range a {
		seen[pathKey(p)] = true
	}
	var cands []*Path
	// Where each path left the one it was found from (Lawler): a spur before that point has the same root
	// and the same relations to avoid as a search already made, and would find a candidate already held.
	// The shortest group's paths were not found from another: every spur.
	deviates := map[*Path]int{}
	spurFrom := a // the paths whose spurs are still to be searched: all of a first, then the newest
	for len(a) < q.K {
		var spurs []spur
		searched := map[string]bool{} // roots: paths of the group that share one share its search
		for _, p := range spurFrom {
			for at := deviates[p]; at < p.Length; at++ {
				root := pathKey(&Path{Nodes: p.Nodes, Edges: p.Edges[:at]})
				if searched[root] {
					continue
				}
				searched[root] = true
				// The relations the root's chosen paths take next all leave its last actor: each is
				// named with the actor at its other end, so that Neo4j finds it from the smaller side.
				noRels := []map[string]any{}
				taken := map[string]bool{}
				for _, o := range a {
					if o.Length > at && sameRoot(o, p, at) && !taken[o.Edges[at].ID] {
						taken[o.Edges[at].ID] = true
						noRels = append(noRels, map[string]any{"id": o.Edges[at].ID, "to": o.Nodes[at+1].ID})
					}
				}
				noNodes := make([]string, at)
				for i := range at {
					noNodes[i] = p.Nodes[i].ID
				}
				// The way on is ranked as part of the whole path: its credibility goes on from the
				// root's, multiplied in the order credibility multiplies, so the two agree to the last bit.
				spurs = append(spurs, spur{root: p, at: at, search: map[string]any{"from": p.Nodes[at].ID,
					"noRels": noRels, "noNodes": noNodes, "maxLen": q.MaxHops - at, "credibility": credibility(p.Edges[:at])}})
			}
		}
		found, err := s.searchSpurs(ctx, cypher, params, spurs)
		if err != nil {
			return nil, err
		}
		for _, f := range found {
			if k := pathKey(f.path); !seen[k] {
				seen[k] = true
				deviates[f.path] = f.at
				cands = append(cands, f.path)
			}
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

// spur is one spur search of Yen's rounds: from root's actor at, with search as its parameters (from,
// noRels as {id, to} pairs, noNodes, maxLen and the root's credibility); path is the whole path it found.
type spur struct {
	root   *Path
	at     int
	search map[string]any
	path   *Path
}

// spurSearch is the statement of a round's spur searches: for each of $spurs, by its index, the best of
// the first $maxGroup shortest ways on, as part of the whole path. The root's actors, the relations to
// avoid and q.Avoid's actors are looked up first and the search compares them by identity: compared by id,
// every relation and actor it expands cost Neo4j a property read, and paths(k: 5) twice the CPU under load
// (BENCHMARKS.md, "Yen's ties"). (Writing each position's own bound, q.MaxHops-at, into the pattern, one
// UNION branch per position, measured no faster.)
func (s *Store) spurSearch(q PathQuery, c conds) string {
	l, r := arrows(q.Direction)
	bind, avoid := avoidNodes(q)
	return fmt.Sprintf(`%[12]sUNWIND range(0, size($spurs) - 1) AS i
WITH i, $spurs[i] AS s%[13]s
CALL (s%[13]s) {
  MATCH (x:Actor {id: s.from}) MATCH (b:Actor {id: $to})
  CALL (s) { OPTIONAL MATCH (n:Actor) WHERE n.id IN s.noNodes RETURN collect(n) AS noNodes }
  CALL (s, x) {
    UNWIND s.noRels AS no
    MATCH (x)-[nr]-(:Actor {id: no.to}) WHERE nr.id = no.id
    RETURN collect(nr) AS noRels
  }
  MATCH p = allShortestPaths((x)%[1]s[rs%[2]s*1..%[3]d]%[4]s(b))
  WHERE all(r IN rs WHERE %[5]s AND NOT r IN noRels) AND none(n IN nodes(p) WHERE n IN noNodes)%[6]s
  WITH s, p LIMIT $maxGroup
  WITH s, p WHERE length(p) <= s.maxLen
  WITH p, %[10]s
  ORDER BY %[11]s
  LIMIT 1
  RETURN p
}
RETURN i, [n IN nodes(p) | %[7]s] AS nodes, [e IN relationships(p) | %[8]s] AS edges, %[9]s AS via`,
		l, typeSpec(q.Types), q.MaxHops, r, c.rel("r"), onInner(actorConds(q, c, "n"), "n", "x", "b"),
		actorProj("n"), relProj("e"), viaNodes("relationships(p)"), pathRank("s.credibility", asPath.rels), byLength(asPath),
		bind, avoid)
}

// searchSpurs runs spurSearch over spurs and returns each spur that has a way on, with its whole path.
func (s *Store) searchSpurs(ctx context.Context, cypher string, params map[string]any, spurs []spur) ([]spur, error) {
	list := make([]map[string]any, len(spurs))
	for i, sp := range spurs {
		list[i] = sp.search
	}
	params["spurs"] = list
	recs, err := s.read(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	d := s.newDecoder()
	out := make([]spur, 0, len(recs))
	for _, rec := range recs {
		sp := spurs[int(num(rec.Values[0]))]
		d.actorList(rec.Values[3])
		way := d.path(rec.Values[1], rec.Values[2], 0)
		p := &Path{
			Nodes: append(slices.Clone(sp.root.Nodes[:sp.at]), way.Nodes...),
			Edges: append(slices.Clone(sp.root.Edges[:sp.at]), way.Edges...),
		}
		p.Length, p.Credibility = len(p.Edges), credibility(p.Edges)
		sp.path = p
		out = append(out, sp)
	}
	if err := d.finish(ctx); err != nil {
		return nil, err
	}
	return out, nil
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
