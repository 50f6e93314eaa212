package graph

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Actor returns one actor by id. Under load, lookups are coalesced (coalesce.go).
func (s *Store) Actor(ctx context.Context, id string) (*Actor, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	v, found, err := s.actors.get(ctx, id, oneShape, nil)
	if err != nil {
		return nil, s.mapErr(ctx, err)
	}
	if !found {
		return nil, notFound("id", id)
	}
	d := s.newDecoder()
	a := d.actor(v)
	return a, d.finish(ctx)
}

// oneShape is the shape of reads that all share one statement.
func oneShape() string { return "" }

// lookupActor finds the actor with the given id, or the one an id merged into another resolves to, and
// returns its projection.
func (s *Store) lookupActor(ctx context.Context, id string, _ any) (any, bool, error) {
	recs, err := s.read(ctx, `OPTIONAL MATCH (a:Actor {id: $id})
OPTIONAL MATCH (r:Redirect {id: $id}) OPTIONAL MATCH (m:Actor {id: r.to})
WITH coalesce(a, m) AS n WHERE n IS NOT NULL
RETURN `+actorProj("n")+" AS actor", map[string]any{"id": id})
	if err != nil || len(recs) == 0 {
		return nil, false, err
	}
	return recs[0].Values[0], true, nil
}

// lookupActors is lookupActor for several ids in one statement: the projections by the id asked.
func (s *Store) lookupActors(ctx context.Context, ids []string, _ any) (map[string]any, error) {
	recs, err := s.read(ctx, `UNWIND $ids AS id
OPTIONAL MATCH (a:Actor {id: id})
OPTIONAL MATCH (r:Redirect {id: id}) OPTIONAL MATCH (m:Actor {id: r.to})
WITH id, coalesce(a, m) AS n WHERE n IS NOT NULL
RETURN id, `+actorProj("n")+" AS actor", map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	found := make(map[string]any, len(recs))
	for _, rec := range recs {
		id, _ := rec.Values[0].(string)
		found[id] = rec.Values[1]
	}
	return found, nil
}

// Actors pages through actors ordered by id.
func (s *Store) Actors(ctx context.Context, q ActorsQuery) (*ActorPage, error) {
	if err := checkRange("first", q.First, 0, MaxFirst); err != nil {
		return nil, err
	}
	params := map[string]any{"first": q.First, "after": "", "kind": nil}
	if q.Kind != nil {
		if !q.Kind.Valid() {
			return nil, Invalid("kind", "unknown actor kind %q", *q.Kind)
		}
		params["kind"] = string(*q.Kind)
	}
	if q.After != nil {
		after, err := decodeCursor("after", *q.After)
		if err != nil {
			return nil, err
		}
		params["after"] = after
	}
	recs, err := s.read(ctx, `CALL () {
  MATCH (n:Actor) WHERE $kind IS NULL OR n.kind = $kind RETURN count(n) AS total
}
CALL () {
  MATCH (n:Actor) WHERE ($kind IS NULL OR n.kind = $kind) AND n.id > $after
  WITH n ORDER BY n.id LIMIT $first + 1
  RETURN collect(`+actorProj("n")+`) AS page
}
RETURN total, page`, params)
	if err != nil {
		return nil, err
	}
	d := s.newDecoder()
	page := d.actorList(recs[0].Values[1])
	out := &ActorPage{TotalCount: int(num(recs[0].Values[0]))}
	if len(page) > q.First {
		page, out.HasNextPage = page[:q.First], true
	}
	out.Actors = page
	for _, a := range page {
		out.Cursors = append(out.Cursors, encodeCursor(a.ID))
	}
	return out, d.finish(ctx)
}

func encodeCursor(key string) string { return base64.RawURLEncoding.EncodeToString([]byte("c:" + key)) }

func decodeCursor(field, c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "c:") || len(b) > MaxIDLength*2 {
		return "", Invalid(field, "is not a cursor returned by this API")
	}
	return string(b[2:]), nil
}

// searchCandidates is how many full-text hits are re-ranked per requested result.
const searchCandidates = 5

// Search finds actors by name or alias (see SearchQuery). Candidates come from the full-text index; they
// are re-ranked so that an exact name or alias beats a partial or fuzzy one.
func (s *Store) Search(ctx context.Context, q SearchQuery) ([]*SearchHit, error) {
	if len(q.Text) > MaxSearchText {
		return nil, Invalid("text", "must be at most %d characters", MaxSearchText)
	}
	if err := checkRange("first", q.First, 1, MaxSearchFirst); err != nil {
		return nil, err
	}
	f := Filter{Kinds: q.Kinds}
	if _, err := f.validate(); err != nil {
		return nil, err
	}
	norm := normalizeSearch(q.Text)
	if norm == "" {
		return nil, Invalid("text", "must contain at least one letter or digit")
	}
	if n := len(strings.Fields(norm)); n > 12 {
		return nil, Invalid("text", "must have at most 12 words, got %d", n)
	}
	recs, err := s.read(ctx, `CALL db.index.fulltext.queryNodes('actor_search', $query, {limit: $candidates}) YIELD node, score
WHERE $kinds IS NULL OR node.kind IN $kinds
RETURN `+actorProj("node")+` AS actor, node.searchKeys AS keys, score
LIMIT $candidates`, map[string]any{
		"query": luceneQuery(norm), "kinds": kindsParam(q.Kinds), "candidates": q.First * searchCandidates,
	})
	if err != nil {
		return nil, err
	}
	d := s.newDecoder()
	hits := make([]*SearchHit, 0, len(recs))
	for _, rec := range recs {
		score := num(rec.Values[2]) + matchBonus(norm, strs(rec.Values[1]))
		hits = append(hits, &SearchHit{Actor: d.actor(rec.Values[0]), Score: score})
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Actor.ID < hits[j].Actor.ID
	})
	if len(hits) > q.First {
		hits = hits[:q.First]
	}
	return hits, d.finish(ctx)
}

func kindsParam(kinds []Kind) any {
	if len(kinds) == 0 {
		return nil
	}
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

// Sources lists the source documents.
func (s *Store) Sources(ctx context.Context) ([]*Source, error) {
	if err := s.loadSources(ctx); err != nil {
		return nil, err
	}
	s.srcMu.RLock()
	defer s.srcMu.RUnlock()
	out := make([]*Source, 0, len(s.sources))
	for _, src := range s.sources {
		out = append(out, src)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// loadSources reads every Source node into the cache.
func (s *Store) loadSources(ctx context.Context) error {
	recs, err := s.read(ctx, "MATCH (s:Source) RETURN s {.*} AS s ORDER BY s.id LIMIT 100000", nil)
	if err != nil {
		return err
	}
	m := make(map[string]*Source, len(recs))
	for _, rec := range recs {
		p, _ := rec.Values[0].(map[string]any)
		src := &Source{ID: str(p["id"]), Title: str(p["title"]), Publisher: strPtr(p["publisher"]),
			Authors: strs(p["authors"]), Date: strPtr(p["date"]), File: strPtr(p["file"])}
		m[src.ID] = src
	}
	s.srcMu.Lock()
	s.sources = m
	s.srcMu.Unlock()
	return nil
}

func (s *Store) forgetSources() {
	s.srcMu.Lock()
	s.sources = nil
	s.srcMu.Unlock()
}

// resolveSources replaces the id-only Source of each citation by the cached source, loading the cache when
// it is empty or misses an id. Sources are reference data: they change only through an import.
func (s *Store) resolveSources(ctx context.Context, evs []*Evidence) error {
	if len(evs) == 0 {
		return nil
	}
	lookup := func() bool {
		s.srcMu.RLock()
		defer s.srcMu.RUnlock()
		if s.sources == nil {
			return false
		}
		for _, e := range evs {
			if src := s.sources[e.Source.ID]; src != nil {
				e.Source = src
			} else if e.Source.Title == "" {
				return false
			}
		}
		return true
	}
	if lookup() {
		return nil
	}
	if err := s.loadSources(ctx); err != nil {
		return err
	}
	if !lookup() {
		for _, e := range evs {
			if e.Source.Title == "" {
				e.Source.Title = e.Source.ID // a citation of a source that is not loaded: show its id
			}
		}
	}
	return nil
}

// Stats counts actors, relations and sources, by kind and by type.
func (s *Store) Stats(ctx context.Context) (*Stats, error) {
	recs, err := s.read(ctx, `CALL () { MATCH (n:Actor) RETURN count(n) AS actors }
CALL () { MATCH (:Actor)-[r]->(:Actor) WHERE r.retired IS NULL RETURN count(r) AS relations }
CALL () { MATCH (s:Source) RETURN count(s) AS sources }
CALL () { MATCH (n:Actor) WITH n.kind AS kind, count(*) AS c ORDER BY kind RETURN collect([kind, c]) AS byKind }
CALL () { MATCH (:Actor)-[r]->(:Actor) WHERE r.retired IS NULL WITH type(r) AS type, count(*) AS c ORDER BY type RETURN collect([type, c]) AS byType }
RETURN actors, relations, sources, byKind, byType`, nil)
	if err != nil {
		return nil, err
	}
	v := recs[0].Values
	st := &Stats{Actors: int(num(v[0])), Relations: int(num(v[1])), Sources: int(num(v[2]))}
	for _, p := range v[3].([]any) {
		pair := p.([]any)
		st.ByKind = append(st.ByKind, KindCount{Kind: Kind(str(pair[0])), Count: int(num(pair[1]))})
	}
	for _, p := range v[4].([]any) {
		pair := p.([]any)
		st.ByType = append(st.ByType, TypeCount{Type: RelType(str(pair[0])), Count: int(num(pair[1]))})
	}
	return st, nil
}

// conds writes the WHERE conditions of a filter for one statement: only the predicates the filter sets
// appear, so that an unfiltered traversal reads no property it does not need (each predicate is a
// property read per relation or actor expanded, on every hop). The parameters are those of filterParams.
// The statement text then varies with the filter: at most 2^5 texts, hence plans, per query shape.
type conds struct {
	f    *Filter
	asOf *Date
}

// rel is the condition on relationship variable r ("true" when nothing is filtered).
func (c conds) rel(r string) string {
	var out []string
	if !c.f.IncludeRetired {
		out = append(out, r+".retired IS NULL")
	}
	if c.asOf != nil {
		out = append(out, fmt.Sprintf("%[1]s.sinceKey <= $asOfEnd AND %[1]s.untilKey >= $asOfStart", r))
	}
	if c.f.MinConfidence != nil {
		out = append(out, r+".confidence >= $minConfidence")
	}
	if len(c.f.Statuses) > 0 {
		out = append(out, r+".status IN $statuses")
	}
	return and(out)
}

// node is the condition on actor variable n: its kind, when the filter names kinds. It tests the kinds'
// labels, which every write keeps equal to the kind property: a label is read with the node, a property
// from the node's property records, for every actor a search reaches.
func (c conds) node(n string) string {
	if len(c.f.Kinds) == 0 {
		return "true"
	}
	labels := make([]string, len(c.f.Kinds))
	for i, k := range c.f.Kinds {
		labels[i] = k.Label() // validated: one of Kinds
	}
	slices.Sort(labels)
	return n + ":" + strings.Join(slices.Compact(labels), "|")
}

// filtered reports whether the filter can leave out a relation other than a retired one.
func (c conds) filtered() bool {
	return c.asOf != nil || c.f.MinConfidence != nil || len(c.f.Statuses) > 0 || len(c.f.Kinds) > 0
}

func and(preds []string) string {
	if len(preds) == 0 {
		return "true"
	}
	return strings.Join(preds, " AND ")
}

// filterParams sets the parameters the conditions of conds use.
func filterParams(p map[string]any, f *Filter, asOf *Date) map[string]any {
	p["asOfStart"], p["asOfEnd"] = MinDateKey, MaxDateKey
	if asOf != nil {
		p["asOfStart"], p["asOfEnd"] = asOf.Start(), asOf.End()
	}
	p["minConfidence"] = nil
	if f.MinConfidence != nil {
		p["minConfidence"] = *f.MinConfidence
	}
	p["statuses"] = nil
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			st[i] = string(x)
		}
		p["statuses"] = st
	}
	p["kinds"] = kindsParam(f.Kinds)
	p["includeRetired"] = f.IncludeRetired
	return p
}

// typeSpec is the relationship type part of a pattern: ":A|B" for the filter's types, "" for all. Types
// are checked against RelTypes by Filter.validate before they get here.
func typeSpec(types []RelType) string {
	if len(types) == 0 {
		return ""
	}
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = string(t)
	}
	return ":" + strings.Join(parts, "|")
}

// arrows returns the left and right halves of a relationship pattern for a direction.
func arrows(dir Direction) (string, string) {
	switch dir {
	case Out:
		return "-", "->"
	case In:
		return "<-", "-"
	default:
		return "-", "-"
	}
}
