package graph

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Edits. Each is one write transaction that validates like an import, locks what it changes, checks the
// version the editor last read (a stale version gets CONFLICT and changes nothing), bumps the version, and
// records an Audit node: who, when, what, and the entity before and after. History reads them back.

// RelationPatch changes some fields of a relation; nil fields stay as they are.
type RelationPatch struct {
	Since, Until *string // "" clears
	Status       *Status
	Confidence   *float64
	Via          []string // nil: unchanged; empty: cleared
	Evidence     []EvidenceInput
	AddEvidence  []EvidenceInput
}

// AuditEntry is one recorded change.
type AuditEntry struct {
	ID       string
	At       time.Time
	Who      string
	Action   string // upsertActor, addRelation, updateRelation, retireRelation, mergeActors
	Target   string // the actor or relation id changed
	Subjects []string
	Before   map[string]any // the entity before (nil when created)
	After    map[string]any // the entity after (nil when deleted)
	Reason   *string
}

type runFunc func(cypher string, params map[string]any) ([]*neo4j.Record, error)

const actorSnap = "{.id, .kind, .name, .aliases, .description, .countryCode, .evSource, .evLine, .evClaim, .version}"

// snapshot turns a projected actor or relation into the JSON-ready map the audit trail stores.
func snapshot(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := map[string]any{}
	for k, v := range m {
		switch k {
		case "evSource", "evLine", "evClaim", "sinceKey", "untilKey", "_lock", "searchKeys", "searchText", "retiredDegree":
		default:
			if v != nil {
				out[k] = v
			}
		}
	}
	src, lines, claims := strs(m["evSource"]), m["evLine"], strs(m["evClaim"])
	ls, _ := lines.([]any)
	var ev []any
	for i := range src {
		e := map[string]any{"source": src[i], "claim": ""}
		if i < len(claims) {
			e["claim"] = claims[i]
		}
		if i < len(ls) && num(ls[i]) > 0 {
			e["line"] = int64(num(ls[i]))
		}
		ev = append(ev, e)
	}
	if ev != nil {
		out["evidence"] = ev
	}
	return out
}

func audit(run runFunc, ctx context.Context, action, target string, subjects []string, before, after map[string]any, reason string) error {
	enc := func(m map[string]any) any {
		if m == nil {
			return nil
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	var idb [8]byte
	_, _ = rand.Read(idb[:])
	now := time.Now().UTC()
	_, err := run(`CREATE (:Audit {id: $id, at: $at, seq: $seq, who: $who, action: $action, target: $target,
  subjects: $subjects, before: $before, after: $after, reason: $reason})`, map[string]any{
		"id": hex.EncodeToString(idb[:]), "at": now.Format(time.RFC3339Nano), "seq": now.UnixNano(), "who": actorName(ctx),
		"action": action, "target": target, "subjects": nonNil(subjects), "before": enc(before), "after": enc(after),
		"reason": nullIfEmpty(reason),
	})
	return err
}

func conflict(format string, args ...any) error {
	return &Error{Code: ECONFLICT, Field: "version", Message: fmt.Sprintf(format, args...)}
}

// validateIn checks a one-entry dataset against what the transaction sees.
func validateIn(run runFunc, d *Dataset) error {
	var actorIDs, sourceIDs []string
	collect := func(ev []EvidenceInput) {
		for _, e := range ev {
			sourceIDs = append(sourceIDs, e.Source)
		}
	}
	for _, a := range d.Actors {
		collect(a.Evidence)
	}
	for _, r := range d.Relations {
		actorIDs = append(actorIDs, r.From, r.To)
		actorIDs = append(actorIDs, r.Via...)
		collect(r.Evidence)
	}
	recs, err := run(existingCypher, existingParams(actorIDs, sourceIDs))
	if err != nil {
		return err
	}
	actors, sources := existingSets(recs)
	if errs := d.Validate(func(id string) bool { return actors[id] }, func(id string) bool { return sources[id] }); len(errs) > 0 {
		e := errs[0]
		msg := e.Msg
		if len(errs) > 1 {
			msg += fmt.Sprintf(" (and %d more problems)", len(errs)-1)
		}
		return Invalid("input."+e.Field, "%s", msg)
	}
	return nil
}

// UpsertActor creates an actor (version nil: the id must be new) or updates one (version must be the
// actor's current version). The kind may change; search keys follow the name and aliases.
func (s *Store) UpsertActor(ctx context.Context, in ActorInput, version *int) (*Actor, error) {
	if err := Require(ctx, RoleEditor); err != nil {
		return nil, err
	}
	_, err := s.writeFunc(ctx, func(run runFunc) (any, error) {
		if err := validateIn(run, &Dataset{Actors: []ActorInput{in}}); err != nil {
			return nil, err
		}
		recs, err := run("MATCH (n:Actor {id: $id}) SET n._lock = true RETURN n "+actorSnap+" AS snap", map[string]any{"id": in.ID})
		if err != nil {
			return nil, err
		}
		var before map[string]any
		if len(recs) == 1 {
			before = snapshot(recs[0].Values[0].(map[string]any))
			current := int(num(before["version"]))
			if version == nil {
				return nil, conflict("actor %s already exists (version %d): pass its version to update it", in.ID, current)
			}
			if *version != current {
				return nil, conflict("actor %s is at version %d, not %d: reload it and apply your change again", in.ID, current, *version)
			}
		} else if version != nil {
			return nil, notFound("input.id", in.ID)
		}
		keys := searchKeys(in.Name, in.Aliases)
		src, line, claim := evidenceLists(in.Evidence)
		recs, err = run(`MERGE (n:Actor {id: $id})
SET n += $props, n.version = coalesce(n.version, 0) + 1
REMOVE n._lock
WITH n
CALL (n) { WITH n, [l IN labels(n) WHERE l <> 'Actor' AND l <> $label] AS old UNWIND old AS l REMOVE n:$(l) }
SET n:$($label)
RETURN n `+actorSnap+` AS snap`, map[string]any{"id": in.ID, "label": in.Kind.Label(), "props": map[string]any{
			"name": in.Name, "kind": string(in.Kind), "aliases": nonNil(in.Aliases), "description": nullIfEmpty(in.Description),
			"countryCode": nullIfEmpty(in.CountryCode), "searchKeys": keys, "searchText": strings.Join(keys, " "),
			"evSource": src, "evLine": line, "evClaim": claim}})
		if err != nil {
			return nil, err
		}
		after := snapshot(recs[0].Values[0].(map[string]any))
		return nil, audit(run, ctx, "upsertActor", in.ID, []string{in.ID}, before, after, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Actor(ctx, in.ID)
}

// relationKey splits a relation id into its ends and type, checking the type.
func relationKey(field, id string) (from string, t RelType, to string, err error) {
	parts := strings.Split(id, ":")
	if len(parts) < 3 || len(parts) > 4 || !RelType(parts[1]).Valid() {
		return "", "", "", Invalid(field, "%q is not a relation id like from:TYPE:to", id)
	}
	return parts[0], RelType(parts[1]), parts[2], nil
}

const relSnap = "r {.*, type: type(r), from: startNode(r).id, to: endNode(r).id}"

// AddRelation creates a relation; one with the same id must not exist.
func (s *Store) AddRelation(ctx context.Context, in RelationInput) (*Relation, error) {
	if err := Require(ctx, RoleEditor); err != nil {
		return nil, err
	}
	id := in.ID()
	_, err := s.writeFunc(ctx, func(run runFunc) (any, error) {
		if err := validateIn(run, &Dataset{Relations: []RelationInput{in}}); err != nil {
			return nil, err
		}
		// Lock the start actor: concurrent adds of one id serialise here and the second sees the first.
		recs, err := run(fmt.Sprintf(`MATCH (a:Actor {id: $from}) SET a._lock = true REMOVE a._lock
WITH a OPTIONAL MATCH (a)-[r:%s {id: $id}]->() RETURN r.version`, in.Type), map[string]any{"from": in.From, "id": id})
		if err != nil {
			return nil, err
		}
		if len(recs) > 0 && recs[0].Values[0] != nil {
			return nil, conflict("relation %s already exists (version %d): use updateRelation", id, int(num(recs[0].Values[0])))
		}
		row := relationRow(&in)
		recs, err = run(fmt.Sprintf(`MATCH (a:Actor {id: $from}) MATCH (b:Actor {id: $to})
CREATE (a)-[r:%s {id: $id}]->(b) SET r += $props, r.version = 1
RETURN %s AS snap`, in.Type, relSnap), row)
		if err != nil {
			return nil, err
		}
		after := snapshot(recs[0].Values[0].(map[string]any))
		return nil, audit(run, ctx, "addRelation", id, []string{id, in.From, in.To}, nil, after, "")
	})
	if err != nil {
		return nil, err
	}
	return s.relationByID(ctx, id)
}

// lockRelation locks a relation and returns its snapshot, checking its version.
func lockRelation(run runFunc, id string, version int) (map[string]any, error) {
	from, t, _, err := relationKey("id", id)
	if err != nil {
		return nil, err
	}
	recs, err := run(fmt.Sprintf(`MATCH (:Actor {id: $from})-[r:%s {id: $id}]->() SET r._lock = true REMOVE r._lock RETURN %s AS snap`, t, relSnap),
		map[string]any{"from": from, "id": id})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, &Error{Code: ENOTFOUND, Field: "id", Message: fmt.Sprintf("no relation with id %q", id)}
	}
	raw := recs[0].Values[0].(map[string]any)
	if current := int(num(raw["version"])); current != version {
		return nil, conflict("relation %s is at version %d, not %d: reload it and apply your change again", id, current, version)
	}
	return raw, nil
}

// UpdateRelation applies a patch to a relation at the given version.
func (s *Store) UpdateRelation(ctx context.Context, id string, version int, patch RelationPatch) (*Relation, error) {
	if err := Require(ctx, RoleEditor); err != nil {
		return nil, err
	}
	_, err := s.writeFunc(ctx, func(run runFunc) (any, error) {
		raw, err := lockRelation(run, id, version)
		if err != nil {
			return nil, err
		}
		in := relationInputFrom(raw)
		if patch.Since != nil {
			in.Since = *patch.Since
		}
		if patch.Until != nil {
			in.Until = *patch.Until
		}
		if patch.Status != nil {
			in.Status = *patch.Status
		}
		if patch.Confidence != nil {
			in.Confidence = patch.Confidence
		}
		if patch.Via != nil {
			in.Via = patch.Via
		}
		if patch.Evidence != nil {
			in.Evidence = patch.Evidence
		}
		in.Evidence = append(in.Evidence, patch.AddEvidence...)
		if err := validateIn(run, &Dataset{Relations: []RelationInput{in}}); err != nil {
			return nil, err
		}
		row := relationRow(&in)
		recs, err := run(fmt.Sprintf(`MATCH (:Actor {id: $from})-[r:%s {id: $id}]->() SET r += $props, r.version = r.version + 1 RETURN %s AS snap`,
			in.Type, relSnap), row)
		if err != nil {
			return nil, err
		}
		return nil, audit(run, ctx, "updateRelation", id, []string{id, in.From, in.To}, snapshot(raw), snapshot(recs[0].Values[0].(map[string]any)), "")
	})
	if err != nil {
		return nil, err
	}
	return s.relationByID(ctx, id)
}

// RetireRelation soft-deletes a relation: it stays, marked retired with the reason, and vanishes from
// queries unless they ask for retired relations.
func (s *Store) RetireRelation(ctx context.Context, id string, version int, reason string) (*Relation, error) {
	if err := Require(ctx, RoleEditor); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 2000 {
		return nil, Invalid("reason", "must say why, in 1 to 2000 characters")
	}
	_, err := s.writeFunc(ctx, func(run runFunc) (any, error) {
		raw, err := lockRelation(run, id, version)
		if err != nil {
			return nil, err
		}
		if raw["retired"] == true {
			return nil, conflict("relation %s is already retired", id)
		}
		from, t, _, _ := relationKey("id", id)
		recs, err := run(fmt.Sprintf(`MATCH (a:Actor {id: $from})-[r:%s {id: $id}]->(b)
SET r.retired = true, r.retiredReason = $reason, r.retiredAt = $at, r.retiredBy = $who, r.version = r.version + 1,
    a.retiredDegree = coalesce(a.retiredDegree, 0) + 1, b.retiredDegree = coalesce(b.retiredDegree, 0) + 1
RETURN %s AS snap`, t, relSnap), map[string]any{"from": from, "id": id, "reason": reason,
			"at": time.Now().UTC().Format(time.RFC3339), "who": actorName(ctx)})
		if err != nil {
			return nil, err
		}
		after := snapshot(recs[0].Values[0].(map[string]any))
		return nil, audit(run, ctx, "retireRelation", id, []string{id, str(raw["from"]), str(raw["to"])}, snapshot(raw), after, reason)
	})
	if err != nil {
		return nil, err
	}
	return s.relationByID(ctx, id)
}

// MergeActors folds duplicate into canonical: duplicate's relations move to canonical (a relation that
// would then exist twice keeps one copy with the evidence of both; one between the two is dropped), its
// name and aliases become canonical's aliases, its evidence joins canonical's, routes naming it name
// canonical, and its id resolves to canonical from then on. canonicalVersion guards canonical.
func (s *Store) MergeActors(ctx context.Context, duplicate, canonical string, canonicalVersion int) (*Actor, error) {
	if err := Require(ctx, RoleEditor); err != nil {
		return nil, err
	}
	if err := checkID("duplicate", duplicate); err != nil {
		return nil, err
	}
	if err := checkID("into", canonical); err != nil {
		return nil, err
	}
	if duplicate == canonical {
		return nil, Invalid("into", "must differ from duplicate")
	}
	_, err := s.writeFunc(ctx, func(run runFunc) (any, error) {
		recs, err := run(`OPTIONAL MATCH (d:Actor {id: $dup}) OPTIONAL MATCH (c:Actor {id: $into})
FOREACH (n IN [x IN [d, c] WHERE x IS NOT NULL] | SET n._lock = true REMOVE n._lock)
RETURN d `+actorSnap+`, c `+actorSnap+`,
  CASE WHEN d IS NULL THEN [] ELSE COLLECT { MATCH (d)-[r]-() RETURN `+relSnap+` } END`,
			map[string]any{"dup": duplicate, "into": canonical})
		if err != nil {
			return nil, err
		}
		v := recs[0].Values
		if v[0] == nil {
			return nil, notFound("duplicate", duplicate)
		}
		if v[1] == nil {
			return nil, notFound("into", canonical)
		}
		dup, can := v[0].(map[string]any), v[1].(map[string]any)
		if current := int(num(can["version"])); current != canonicalVersion {
			return nil, conflict("actor %s is at version %d, not %d", canonical, current, canonicalVersion)
		}
		// names and aliases, evidence
		seen := map[string]bool{strings.ToLower(str(can["name"])): true}
		var aliases []string
		for _, a := range append(append(strs(can["aliases"]), str(dup["name"])), strs(dup["aliases"])...) {
			if k := strings.ToLower(a); !seen[k] {
				seen[k] = true
				aliases = append(aliases, a)
			}
		}
		keys := searchKeys(str(can["name"]), aliases)
		moved := []string{}
		for _, r := range v[2].([]any) {
			moved = append(moved, str(r.(map[string]any)["id"]))
		}
		sort.Strings(moved)
		// move relations: new id with canonical in place of duplicate; merge into an existing twin
		for _, dir := range []struct{ match, create string }{
			{"(d)-[r]->(o) WHERE o <> c", "(c)-[n:$(type(r))]->(o)"},
			{"(o)-[r]->(d) WHERE o <> c", "(o)-[n:$(type(r))]->(c)"},
		} {
			newID := "replace(r.id, $dup + ':', $into + ':')"
			if strings.HasPrefix(dir.create, "(o)") {
				newID = "replace(r.id, ':' + $dup, ':' + $into)"
			}
			if _, err := run(fmt.Sprintf(`MATCH (d:Actor {id: $dup}) MATCH (c:Actor {id: $into})
MATCH %[1]s
WITH c, o, r, %[3]s AS nid
OPTIONAL MATCH (c)-[twin]-(o) WHERE twin.id = nid
CALL (c, o, r, nid, twin) {
  WITH * WHERE twin IS NULL
  CREATE %[2]s SET n = properties(r), n.id = nid
}
CALL (r, twin) {
  WITH * WHERE twin IS NOT NULL
  SET twin.evSource = twin.evSource + r.evSource, twin.evLine = twin.evLine + r.evLine, twin.evClaim = twin.evClaim + r.evClaim,
      twin.version = twin.version + 1
}
DELETE r`, dir.match, dir.create, newID), map[string]any{"dup": duplicate, "into": canonical}); err != nil {
				return nil, err
			}
		}
		recs, err = run(`MATCH (d:Actor {id: $dup}) MATCH (c:Actor {id: $into})
SET c.aliases = $aliases, c.searchKeys = $keys, c.searchText = $text,
    c.evSource = c.evSource + d.evSource, c.evLine = c.evLine + d.evLine, c.evClaim = c.evClaim + d.evClaim,
    c.version = c.version + 1
WITH d, c
CALL (d) { MATCH ()-[f:FUNDS]->() WHERE $dup IN f.via SET f.via = [x IN f.via | CASE x WHEN $dup THEN $into ELSE x END] }
CALL () { MATCH (x:Redirect {to: $dup}) SET x.to = $into }
MERGE (red:Redirect {id: $dup}) SET red.to = $into
DETACH DELETE d
WITH c
SET c.retiredDegree = COUNT { (c)-[r]-() WHERE r.retired = true }
RETURN c `+actorSnap, map[string]any{"dup": duplicate, "into": canonical, "aliases": nonNil(aliases), "keys": keys,
			"text": strings.Join(keys, " ")})
		if err != nil {
			return nil, err
		}
		after := snapshot(recs[0].Values[0].(map[string]any))
		before := snapshot(can)
		before["merged"] = snapshot(dup)
		before["movedRelations"] = moved
		subjects := append([]string{canonical, duplicate}, moved...)
		return nil, audit(run, ctx, "mergeActors", canonical, subjects, before, after, "merged "+duplicate+" into "+canonical)
	})
	if err != nil {
		return nil, err
	}
	return s.Actor(ctx, canonical)
}

// relationFromSnapshot rebuilds the input form of a stored relation.
func relationInputFrom(raw map[string]any) RelationInput {
	in := RelationInput{Type: RelType(str(raw["type"])), From: str(raw["from"]), To: str(raw["to"]), Key: str(raw["key"]),
		Since: str(raw["since"]), Until: str(raw["until"]), Status: Status(str(raw["status"])), Via: strs(raw["via"])}
	if c, ok := raw["confidence"].(float64); ok {
		in.Confidence = &c
	}
	for _, e := range evidence(raw["evSource"], raw["evLine"], raw["evClaim"]) {
		ei := EvidenceInput{Source: e.Source.ID, Claim: e.Claim}
		if e.Line != nil {
			ei.Line = *e.Line
		}
		in.Evidence = append(in.Evidence, ei)
	}
	return in
}

// relationByID reads one relation, retired or not.
func (s *Store) relationByID(ctx context.Context, id string) (*Relation, error) {
	from, t, _, err := relationKey("id", id)
	if err != nil {
		return nil, err
	}
	recs, err := s.read(ctx, fmt.Sprintf(`MATCH (a:Actor {id: $from})-[r:%s {id: $id}]->(b)
RETURN %s`, t, subgraphReturn("[a, b]", "[r]")), map[string]any{"from": from, "id": id})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, &Error{Code: ENOTFOUND, Field: "id", Message: fmt.Sprintf("no relation with id %q", id)}
	}
	g, err := s.decodeSubgraph(ctx, recs[0].Values, 0)
	if err != nil {
		return nil, err
	}
	return g.Edges[0], nil
}

// Relation returns one relation by id, retired or not.
func (s *Store) Relation(ctx context.Context, id string) (*Relation, error) {
	return s.relationByID(ctx, id)
}

// History returns the recorded changes of an actor or relation (including changes of relations that
// touch the actor), oldest first.
func (s *Store) History(ctx context.Context, id string, first int) ([]*AuditEntry, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if err := checkRange("first", first, 1, MaxFirst); err != nil {
		return nil, err
	}
	recs, err := s.read(ctx, `MATCH (a:Audit) WHERE a.target = $id OR $id IN a.subjects
RETURN a {.*} AS a ORDER BY a.seq, a.id LIMIT $first`, map[string]any{"id": id, "first": first})
	if err != nil {
		return nil, err
	}
	out := make([]*AuditEntry, 0, len(recs))
	for _, rec := range recs {
		m := rec.Values[0].(map[string]any)
		e := &AuditEntry{ID: str(m["id"]), Who: str(m["who"]), Action: str(m["action"]), Target: str(m["target"]),
			Subjects: strs(m["subjects"]), Reason: strPtr(m["reason"])}
		e.At, _ = time.Parse(time.RFC3339Nano, str(m["at"]))
		for _, p := range []struct {
			key string
			dst *map[string]any
		}{{"before", &e.Before}, {"after", &e.After}} {
			if js := str(m[p.key]); js != "" {
				_ = json.Unmarshal([]byte(js), p.dst)
			}
		}
		out = append(out, e)
	}
	return out, nil
}
