package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// ImportResult counts what an import touched.
type ImportResult struct {
	Sources, Actors, Relations int
	// Created counts nodes and relationships that did not exist before; zero on a repeated import.
	NodesCreated, RelationshipsCreated int
}

// importBatch is the number of rows per UNWIND statement.
const importBatch = 2000

// Import writes the dataset in one write transaction, in batches of UNWIND ... MERGE statements keyed on
// ids, so that it is applied whole or not at all, and a repeated import changes nothing. It does not
// validate: call Dataset.Validate (the seed package does) first.
func (s *Store) Import(ctx context.Context, d *Dataset) (*ImportResult, error) {
	stmts := importStatements(d)
	sums, err := s.write(ctx, stmts)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Sources: len(d.Sources), Actors: len(d.Actors), Relations: len(d.Relations)}
	for _, sum := range sums {
		c := sum.Counters()
		res.NodesCreated += c.NodesCreated()
		res.RelationshipsCreated += c.RelationshipsCreated()
	}
	s.forgetSources()
	return res, nil
}

func importStatements(d *Dataset) []statement {
	var stmts []statement
	batches := func(cypher string, rows []map[string]any) {
		for i := 0; i < len(rows); i += importBatch {
			end := min(i+importBatch, len(rows))
			stmts = append(stmts, statement{cypher: cypher, params: map[string]any{"rows": rows[i:end]}})
		}
	}

	srcRows := make([]map[string]any, len(d.Sources))
	for i, src := range d.Sources {
		srcRows[i] = map[string]any{"id": src.ID, "props": map[string]any{
			"title": src.Title, "publisher": nullIfEmpty(src.Publisher), "authors": src.Authors,
			"date": nullIfEmpty(src.Date), "file": nullIfEmpty(src.File),
		}}
	}
	batches("UNWIND $rows AS row MERGE (s:Source {id: row.id}) SET s += row.props", srcRows)

	byKind := map[Kind][]map[string]any{}
	for _, a := range d.Actors {
		keys := searchKeys(a.Name, a.Aliases)
		src, line, claim := evidenceLists(a.Evidence)
		byKind[a.Kind] = append(byKind[a.Kind], map[string]any{"id": a.ID, "props": map[string]any{
			"name": a.Name, "kind": string(a.Kind), "aliases": nonNil(a.Aliases),
			"description": nullIfEmpty(a.Description), "countryCode": nullIfEmpty(a.CountryCode),
			"searchKeys": keys, "searchText": strings.Join(keys, " "),
			"evSource": src, "evLine": line, "evClaim": claim,
		}})
	}
	for _, k := range Kinds {
		// The kind label is the only part of the statement not passed as a parameter; it comes from the
		// closed list Kinds. An actor whose kind changed loses its old label.
		var others []string
		for _, o := range Kinds {
			if o != k {
				others = append(others, o.Label())
			}
		}
		batches(fmt.Sprintf("UNWIND $rows AS row MERGE (n:Actor {id: row.id}) SET n += row.props, n.version = coalesce(n.version, 1), n:%s REMOVE n:%s",
			k.Label(), strings.Join(others, ":")), byKind[k])
	}

	byType := map[RelType][]map[string]any{}
	for _, r := range d.Relations {
		byType[r.Type] = append(byType[r.Type], relationRow(&r))
	}
	for _, t := range RelTypes {
		batches(fmt.Sprintf(`UNWIND $rows AS row
MATCH (a:Actor {id: row.from}) MATCH (b:Actor {id: row.to})
MERGE (a)-[r:%s {id: row.id}]->(b)
SET r += row.props, r.version = coalesce(r.version, 1)`, t), byType[t])
	}
	return stmts
}

// relationRow is the parameter row of one relation: its endpoints and every stored property.
func relationRow(r *RelationInput) map[string]any {
	sinceKey, untilKey := MinDateKey, MaxDateKey
	if d, err := ParseDate(r.Since); err == nil {
		sinceKey = d.Start()
	}
	if d, err := ParseDate(r.Until); err == nil {
		untilKey = d.End()
	}
	src, line, claim := evidenceLists(r.Evidence)
	var conf any
	if r.Confidence != nil {
		conf = *r.Confidence
	}
	return map[string]any{"id": r.ID(), "from": r.From, "to": r.To, "props": map[string]any{
		"key": nullIfEmpty(r.Key), "since": nullIfEmpty(r.Since), "until": nullIfEmpty(r.Until),
		"sinceKey": sinceKey, "untilKey": untilKey, "status": string(r.Status), "confidence": conf,
		"via": nonNil(r.Via), "evSource": src, "evLine": line, "evClaim": claim,
	}}
}

// evidenceLists stores citations as three parallel lists (Neo4j properties cannot hold maps).
// A citation without a line stores line 0.
func evidenceLists(ev []EvidenceInput) (src []string, line []int64, claim []string) {
	src, line, claim = make([]string, len(ev)), make([]int64, len(ev)), make([]string, len(ev))
	for i, e := range ev {
		src[i], line[i], claim[i] = e.Source, int64(e.Line), e.Claim
	}
	return src, line, claim
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Existing reports which of the given actor and source ids are already in the database.
func (s *Store) Existing(ctx context.Context, actorIDs, sourceIDs []string) (map[string]bool, map[string]bool, error) {
	actors, sources := map[string]bool{}, map[string]bool{}
	if len(actorIDs) == 0 && len(sourceIDs) == 0 {
		return actors, sources, nil
	}
	recs, err := s.read(ctx, existingCypher, existingParams(actorIDs, sourceIDs))
	if err != nil {
		return nil, nil, err
	}
	actors, sources = existingSets(recs)
	return actors, sources, nil
}

// existingCypher finds which of $actors and $sources exist; Existing and the edits' validation share it.
const existingCypher = `CALL () { UNWIND $actors AS id MATCH (n:Actor {id: id}) RETURN collect(id) AS actors }
CALL () { UNWIND $sources AS id MATCH (n:Source {id: id}) RETURN collect(id) AS sources }
RETURN actors, sources`

func existingParams(actorIDs, sourceIDs []string) map[string]any {
	return map[string]any{"actors": nonNil(actorIDs), "sources": nonNil(sourceIDs)}
}

// existingSets decodes the answer of existingCypher.
func existingSets(recs []*neo4j.Record) (actors, sources map[string]bool) {
	actors, sources = map[string]bool{}, map[string]bool{}
	for _, id := range strs(recs[0].Values[0]) {
		actors[id] = true
	}
	for _, id := range strs(recs[0].Values[1]) {
		sources[id] = true
	}
	return actors, sources
}

// Wipe deletes every node and relationship, in batches. It exists for tests and benchmarks, which own
// their database; nothing in the service calls it.
func (s *Store) Wipe(ctx context.Context) error {
	_, err := s.write(ctx, []statement{{cypher: "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"}})
	if err != nil {
		// CALL ... IN TRANSACTIONS needs an implicit transaction; fall back to one transaction.
		_, err = s.write(ctx, []statement{{cypher: "MATCH (n) DETACH DELETE n"}})
	}
	s.forgetSources()
	return err
}

// Fingerprint hashes every node's labels and properties and every relationship's type, ends and
// properties, in a stable order: two databases with the same fingerprint hold the same graph. Tests use it
// to show that an import is idempotent and that a rejected one wrote nothing.
func (s *Store) Fingerprint(ctx context.Context) (string, error) {
	recs, err := s.readWithin(ctx, s.cfg.WriteTimeout, `CALL () {
  MATCH (n) WITH n ORDER BY elementId(n)
  RETURN collect([labels(n), properties(n)]) AS nodes
}
CALL () {
  MATCH (a)-[r]->(b) WITH a, r, b ORDER BY elementId(r)
  RETURN collect([type(r), a.id, b.id, properties(r)]) AS rels
}
RETURN nodes, rels`, nil)
	if err != nil {
		return "", err
	}
	var lines []string
	for _, v := range recs[0].Values {
		for _, item := range v.([]any) {
			lines = append(lines, canonical(item))
		}
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:]), nil
}

// canonical renders a value with map keys sorted, so that equal values render equally.
func canonical(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%q:%s", k, canonical(x[k]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = canonical(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	default:
		return fmt.Sprintf("%#v", x)
	}
}
