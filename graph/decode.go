package graph

import (
	"context"
	"fmt"
)

// Cypher projections shared by every read. An actor and a relation always come back with the same keys,
// so one decoder serves every query.
func actorProj(v string) string {
	return v + " {.id, .name, .kind, .aliases, .description, .countryCode, .evSource, .evLine, .evClaim, .version, " +
		"degree: COUNT { (" + v + ")--() } - coalesce(" + v + ".retiredDegree, 0)}"
}

func relProj(r string) string {
	return r + " {.id, .since, .until, .status, .confidence, .via, .evSource, .evLine, .evClaim, .version, .retired, .retiredReason, type: type(" + r +
		"), from: startNode(" + r + ").id, to: endNode(" + r + ").id}"
}

// viaNodes is a COLLECT subquery returning the actors named in the via lists of the relationships in the
// list variable rels.
func viaNodes(rels string) string {
	return "COLLECT { UNWIND " + rels + " AS vr UNWIND coalesce(vr.via, []) AS vid WITH DISTINCT vid " +
		"MATCH (v:Actor {id: vid}) RETURN " + actorProj("v") + " }"
}

// subgraphReturn ends a query whose list variables nodes and rels hold the answer.
func subgraphReturn(nodes, rels string) string {
	return "[n IN " + nodes + " | " + actorProj("n") + "] AS nodes, [r IN " + rels + " | " + relProj("r") + "] AS edges, " +
		viaNodes(rels) + " AS viaNodes"
}

// decoder turns projected maps into domain values, sharing one *Actor per id and one *Relation per id
// (a relation on several of an answer's paths is decoded once), and resolving citations against the
// store's sources.
type decoder struct {
	s      *Store
	actors map[string]*Actor
	rels   map[string]*Relation // by id; a relation without one (an analyst's Cypher may return any) is not shared
	// every relation decoded, once: finish resolves its ends, route and citations once every actor is in
	pending []pendingRelation
}

// pendingRelation is a decoded relation with the projected ids of its ends and its via list.
type pendingRelation struct {
	r             *Relation
	from, to, via any
}

func (s *Store) newDecoder() *decoder {
	return &decoder{s: s, actors: map[string]*Actor{}, rels: map[string]*Relation{}}
}

func (d *decoder) actor(v any) *Actor {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	id := str(m["id"])
	if a := d.actors[id]; a != nil {
		return a
	}
	a := &Actor{
		ID: id, Name: str(m["name"]), Kind: Kind(str(m["kind"])), Aliases: strs(m["aliases"]),
		Description: strPtr(m["description"]), CountryCode: strPtr(m["countryCode"]),
		Degree: int(num(m["degree"])), Evidence: evidence(m), Version: int(num(m["version"])),
	}
	d.actors[id] = a
	return a
}

func (d *decoder) actorList(v any) []*Actor {
	list, _ := v.([]any)
	out := make([]*Actor, 0, len(list))
	for _, x := range list {
		if a := d.actor(x); a != nil {
			out = append(out, a)
		}
	}
	return out
}

// relation decodes a projected relation, or returns the one already decoded with its id; its From, To
// and Via are set by finish.
func (d *decoder) relation(v any) *Relation {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	id := str(m["id"])
	if r := d.rels[id]; r != nil {
		return r
	}
	r := &Relation{
		ID: id, Type: RelType(str(m["type"])), Since: strPtr(m["since"]), Until: strPtr(m["until"]),
		Status: Status(str(m["status"])), Evidence: evidence(m), Version: int(num(m["version"])),
		Retired: m["retired"] == true, RetiredReason: strPtr(m["retiredReason"]),
	}
	if c, ok := m["confidence"].(float64); ok {
		r.Confidence = &c
	}
	if id != "" {
		d.rels[id] = r
	}
	d.pending = append(d.pending, pendingRelation{r: r, from: m["from"], to: m["to"], via: m["via"]})
	return r
}

func (d *decoder) relations(v any) []*Relation {
	list, _ := v.([]any)
	out := make([]*Relation, 0, len(list))
	seen := map[string]bool{}
	for _, x := range list {
		r := d.relation(x)
		if r == nil || seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		out = append(out, r)
	}
	return out
}

// finish links relations to their actors and resolves citation sources (loading the source list once when
// a citation names a source the store has not seen).
func (d *decoder) finish(ctx context.Context) error {
	var evs []*Evidence
	for _, a := range d.actors {
		evs = append(evs, a.Evidence...)
	}
	for _, p := range d.pending {
		r := p.r
		r.From, r.To = d.actors[str(p.from)], d.actors[str(p.to)]
		if r.From == nil || r.To == nil {
			return &Error{Code: EINTERNAL, Message: fmt.Sprintf("relation %s came back without its ends", r.ID)}
		}
		r.Via = []*Actor{}
		for _, id := range strs(p.via) {
			if a := d.actors[id]; a != nil {
				r.Via = append(r.Via, a)
			}
		}
		evs = append(evs, r.Evidence...)
	}
	d.pending = nil
	return d.s.resolveSources(ctx, evs)
}

// evidence decodes the three parallel citation lists; Source holds only the id until resolveSources.
func evidence(m map[string]any) []*Evidence {
	src, lines, claims := strs(m["evSource"]), m["evLine"], strs(m["evClaim"])
	ls, _ := lines.([]any)
	out := make([]*Evidence, 0, len(src))
	for i, id := range src {
		e := &Evidence{Source: &Source{ID: id}}
		if i < len(claims) {
			e.Claim = claims[i]
		}
		if i < len(ls) {
			if n := int(num(ls[i])); n > 0 {
				e.Line = &n
			}
		}
		out = append(out, e)
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strPtr(v any) *string {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	return &s
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func num(v any) float64 {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return 0
}
