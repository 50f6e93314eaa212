package graph

import (
	"context"
	"fmt"
	"strings"
)

// Cypher projections shared by every read. An actor and a relation always come back as a list of the
// same columns, in the order of the constants below, so one decoder serves every query. A list rather than
// a map: Bolt carries no key per value and the driver builds no map per actor or relation, which is most of
// what a large answer costs to send and decode.
const (
	aID = iota
	aName
	aKind
	aAliases
	aDescription
	aCountryCode
	aEvSource
	aEvLine
	aEvClaim
	aVersion
	aDegree // computed: relations not retired
	actorCols
)

// actorReads names the stored property each column of an actor's projection reads (all but aDegree).
var actorReads = [aDegree]string{aID: "id", aName: "name", aKind: "kind", aAliases: "aliases",
	aDescription: "description", aCountryCode: "countryCode", aEvSource: "evSource", aEvLine: "evLine",
	aEvClaim: "evClaim", aVersion: "version"}

const (
	rID = iota
	rSince
	rUntil
	rStatus
	rConfidence
	rVia
	rEvSource
	rEvLine
	rEvClaim
	rVersion
	rRetired
	rRetiredReason
	rType // computed: the relationship's type and the ids of its ends
	rFrom
	rTo
	relCols
)

// relReads names the stored property each column of a relation's projection reads (all before rType).
var relReads = [rType]string{rID: "id", rSince: "since", rUntil: "until", rStatus: "status",
	rConfidence: "confidence", rVia: "via", rEvSource: "evSource", rEvLine: "evLine", rEvClaim: "evClaim",
	rVersion: "version", rRetired: "retired", rRetiredReason: "retiredReason"}

// projection writes [v.p1, v.p2, ..., computed...].
func projection(v string, props []string, computed ...string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, p := range props {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v + "." + p)
	}
	for _, c := range computed {
		b.WriteString(", " + c)
	}
	b.WriteByte(']')
	return b.String()
}

func actorProj(v string) string {
	return projection(v, actorReads[:], "COUNT { ("+v+")--() } - coalesce("+v+".retiredDegree, 0)")
}

func relProj(r string) string {
	return projection(r, relReads[:], "type("+r+")", "startNode("+r+").id", "endNode("+r+").id")
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

// actor decodes an actor's projection (actorProj), or returns the one already decoded with its id.
func (d *decoder) actor(v any) *Actor {
	c, ok := v.([]any)
	if !ok || len(c) != actorCols {
		return nil
	}
	id := str(c[aID])
	if a := d.actors[id]; a != nil {
		return a
	}
	a := &Actor{
		ID: id, Name: str(c[aName]), Kind: Kind(str(c[aKind])), Aliases: strs(c[aAliases]),
		Description: strPtr(c[aDescription]), CountryCode: strPtr(c[aCountryCode]),
		Degree: int(num(c[aDegree])), Evidence: evidence(c[aEvSource], c[aEvLine], c[aEvClaim]),
		Version: int(num(c[aVersion])),
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

// relation decodes a relation's projection (relProj), or returns the one already decoded with its id; its
// From, To and Via are set by finish.
func (d *decoder) relation(v any) *Relation {
	c, ok := v.([]any)
	if !ok || len(c) != relCols {
		return nil
	}
	id := str(c[rID])
	if r := d.rels[id]; r != nil {
		return r
	}
	r := &Relation{
		ID: id, Type: RelType(str(c[rType])), Since: strPtr(c[rSince]), Until: strPtr(c[rUntil]),
		Status: Status(str(c[rStatus])), Evidence: evidence(c[rEvSource], c[rEvLine], c[rEvClaim]),
		Version: int(num(c[rVersion])), Retired: c[rRetired] == true, RetiredReason: strPtr(c[rRetiredReason]),
	}
	if conf, ok := c[rConfidence].(float64); ok {
		r.Confidence = &conf
	}
	if id != "" {
		d.rels[id] = r
	}
	d.pending = append(d.pending, pendingRelation{r: r, from: c[rFrom], to: c[rTo], via: c[rVia]})
	return r
}

// relationColumns lays out a relationship read whole (an analyst's Cypher) as relProj would project it.
func relationColumns(props map[string]any, typ, from, to string) []any {
	c := make([]any, relCols)
	for i, p := range relReads {
		c[i] = props[p]
	}
	c[rType], c[rFrom], c[rTo] = typ, from, to
	return c
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
func evidence(sources, lines, claimList any) []*Evidence {
	src, claims := strs(sources), strs(claimList)
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
