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

// ImportResult counts what an import touched: the dataset's sources, actors and relations, and of them
// the nodes (actors and sources) and relationships that did not exist before, zero on a repeated import.
// Both import paths count the same for the same dataset.
type ImportResult struct {
	Sources, Actors, Relations         int
	NodesCreated, RelationshipsCreated int
}

// importBatch is the number of rows per UNWIND statement of the one-transaction path.
const importBatch = 2000

// MaxTransactionImport is the largest dataset, counted in actors plus relations, that Import writes into a
// database that already holds actors. Such an import is one transaction, and Neo4j holds a transaction's
// changes in its heap until it commits: at 1,000,000 relations a 6 GB heap runs out at commit and the database
// panics. Import refuses a larger dataset before writing anything.
const MaxTransactionImport = 200_000

// Import writes a dataset so that, seen from outside, it is applied whole or not at all, and so that importing
// the same dataset again changes nothing. It does not validate: call Dataset.Validate (the seed package
// does) first; an invalid dataset (duplicate ids, unknown ends) may be written differently by the two paths.
//
// Into a database that already holds actors (or for a dataset of fewer than 20,000 actors and relations),
// the import is one write transaction of UNWIND ... MERGE batches keyed on ids; its error leaves the
// database as it was. A dataset of more than MaxTransactionImport actors and relations is refused there with
// an INVALID error naming the field ("relations" or "actors"), before anything is written: load it into an
// empty database, or split it.
//
// Into a database without actors, a larger dataset is an initial load (bulk.go): many transactions of
// CREATE statements, much faster, but not one transaction, so all-or-nothing is kept another way. An
// (:ImportRun {id, state, startedAt}) marker is written before the first actor and deleted in the last
// transaction, which also writes the sources; a load that fails deletes what it wrote (every actor and
// relation: there were none before) before returning its error; a load whose process or database dies
// leaves the marker, and the next Import (or RecoverImport, which package seed calls first) deletes the
// unfinished load before doing anything else. :ApiKey, :Audit and :Source nodes that were there before are
// kept. The graph an initial load writes is the one the one-transaction path writes for the same dataset:
// same nodes, labels, properties (version 1) and relations, so the same Fingerprint. While it runs, readers
// can see part of the dataset, and other writes of actors or relations are not supported (the cleanup of a
// failed load deletes every actor).
//
// Imports of one process run one at a time. Two processes must not load into one empty database at once:
// each would take the other's marker for an interrupted load.
func (s *Store) Import(ctx context.Context, d *Dataset) (*ImportResult, error) {
	return s.ImportStream(ctx, d.Stream())
}

// Stream is a dataset that is read rather than held: its sources (few, held), then its actors, then its
// relations, each list read once, in order, by ImportStream. It is how a dataset too large for memory is
// imported: the initial load holds a few windows of entries at a time (tuning.window, bulk.go), plus the
// internal id of each actor. Check it with a Validator, entry by entry, before importing it.
type Stream struct {
	Sources []SourceInput
	// Actors and Relations are the lengths of the two lists, known before the import: they choose the
	// path, and the marker of an initial load records them. A list read with another length fails the
	// import (CONFLICT), which then writes nothing.
	Actors, Relations int
	// EachActor calls yield with every actor in order, until yield returns false, and returns the error
	// that ended the reading early, if any. The entries are yield's to keep. EachRelation likewise.
	EachActor    func(yield func(*ActorInput) bool) error
	EachRelation func(yield func(*RelationInput) bool) error

	held *Dataset // set when the stream reads a Dataset (Dataset.Stream)
}

// Stream returns d as a Stream.
func (d *Dataset) Stream() *Stream {
	return &Stream{Sources: d.Sources, Actors: len(d.Actors), Relations: len(d.Relations), held: d,
		EachActor: eachOf(d.Actors), EachRelation: eachOf(d.Relations)}
}

// eachOf reads a held list as a Stream's Each functions read theirs.
func eachOf[T any](list []T) func(yield func(*T) bool) error {
	return func(yield func(*T) bool) error {
		for i := range list {
			if !yield(&list[i]) {
				break
			}
		}
		return nil
	}
}

// dataset reads the whole stream into a Dataset.
func (st *Stream) dataset() (*Dataset, error) {
	if st.held != nil {
		return st.held, nil
	}
	actors, err := collect(st.EachActor, "actors", st.Actors)
	if err != nil {
		return nil, err
	}
	rels, err := collect(st.EachRelation, "relations", st.Relations)
	if err != nil {
		return nil, err
	}
	return &Dataset{Sources: st.Sources, Actors: actors, Relations: rels}, nil
}

// collect reads one list of a stream (readWindows: its length checked) into a slice.
func collect[T any](each func(yield func(*T) bool) error, list string, want int) ([]T, error) {
	out := make([]T, 0, want)
	_, err := readWindows(each, list, want, func(window []*T) error {
		for _, e := range window {
			out = append(out, *e)
		}
		return nil
	})
	return out, err
}

// CheckTransactionImport returns the INVALID error (field "relations" or "actors", the larger) of an import of
// that many actors and relations into a database that already holds actors, when they are more than
// MaxTransactionImport; nil otherwise. ImportStream checks it before writing; package seed also checks it while
// reading a large file, so as to stop early.
func CheckTransactionImport(actors, relations int) error {
	if actors+relations <= MaxTransactionImport {
		return nil
	}
	field := "relations"
	if actors > relations {
		field = "actors"
	}
	return Invalid(field, "%d actors and %d relations are more than the %d actors and relations one import may "+
		"write into a database that already holds actors (one transaction): load them into an empty database, or split "+
		"the dataset", actors, relations, MaxTransactionImport)
}

// ImportStream is Import for a Stream, with Import's guarantees. Into a database without actors a stream of
// 20,000 actors and relations or more is an initial load, which reads it window by window; otherwise the
// import is one transaction, for which the stream is read into memory first (at most MaxTransactionImport
// actors and relations, as for Import).
func (s *Store) ImportStream(ctx context.Context, d *Stream) (*ImportResult, error) {
	importMu.Lock()
	defer importMu.Unlock()
	_, actors, err := s.recoverImport(ctx)
	if err != nil {
		return nil, err
	}
	rows := d.Actors + d.Relations
	if !actors && rows >= tuning.bulkRows {
		return s.initialLoad(ctx, d)
	}
	if err := CheckTransactionImport(d.Actors, d.Relations); err != nil {
		return nil, err
	}
	held, err := d.dataset()
	if err != nil {
		return nil, err
	}
	stmts := importStatements(held)
	sums, err := s.write(ctx, stmts)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Sources: len(held.Sources), Actors: len(held.Actors), Relations: len(held.Relations)}
	for _, sum := range sums {
		c := sum.Counters()
		res.NodesCreated += c.NodesCreated()
		res.RelationshipsCreated += c.RelationshipsCreated()
	}
	s.forgetSources()
	return res, nil
}

// batches appends to stmts one statement per importBatch rows.
func batches(stmts []statement, cypher string, rows []map[string]any) []statement {
	for i := 0; i < len(rows); i += importBatch {
		end := min(i+importBatch, len(rows))
		stmts = append(stmts, statement{cypher: cypher, params: map[string]any{"rows": rows[i:end]}})
	}
	return stmts
}

// sourceStatements merges the sources; both import paths write sources with them.
func sourceStatements(sources []SourceInput) []statement {
	srcRows := make([]map[string]any, len(sources))
	for i, src := range sources {
		srcRows[i] = map[string]any{"id": src.ID, "props": map[string]any{
			"title": src.Title, "publisher": nullIfEmpty(src.Publisher), "authors": src.Authors,
			"date": nullIfEmpty(src.Date), "file": nullIfEmpty(src.File),
		}}
	}
	return batches(nil, "UNWIND $rows AS row MERGE (s:Source {id: row.id}) SET s += row.props", srcRows)
}

func importStatements(d *Dataset) []statement {
	stmts := sourceStatements(d.Sources)

	byKind := map[Kind][]map[string]any{}
	for i := range d.Actors {
		a := &d.Actors[i]
		byKind[a.Kind] = append(byKind[a.Kind], map[string]any{"id": a.ID, "props": propsMap(actorProps, actorValues(a))})
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
		stmts = batches(stmts, fmt.Sprintf("UNWIND $rows AS row MERGE (n:Actor {id: row.id}) SET n += row.props, n.version = coalesce(n.version, 1), n:%s REMOVE n:%s",
			k.Label(), strings.Join(others, ":")), byKind[k])
	}

	byType := map[RelType][]map[string]any{}
	for _, r := range d.Relations {
		byType[r.Type] = append(byType[r.Type], relationRow(&r))
	}
	for _, t := range RelTypes {
		stmts = batches(stmts, fmt.Sprintf(`UNWIND $rows AS row
MATCH (a:Actor {id: row.from}) MATCH (b:Actor {id: row.to})
MERGE (a)-[r:%s {id: row.id}]->(b)
SET r += row.props, r.version = coalesce(r.version, 1)`, t), byType[t])
	}
	return stmts
}

// actorProps names the properties an import stores on an actor besides id and version, in the order of
// actorValues. Both import paths (importStatements and the initial load) write exactly these.
var actorProps = []string{"name", "kind", "aliases", "description", "countryCode", "searchKeys", "searchText",
	"evSource", "evLine", "evClaim"}

// actorValues returns the values of actorProps for a; nil stands for "no such property".
func actorValues(a *ActorInput) []any {
	keys := searchKeys(a.Name, a.Aliases)
	src, line, claim := evidenceLists(a.Evidence)
	return []any{a.Name, string(a.Kind), nonNil(a.Aliases), nullIfEmpty(a.Description), nullIfEmpty(a.CountryCode),
		keys, strings.Join(keys, " "), src, line, claim}
}

// relationProps names the properties an import stores on a relation besides id and version, in the order of
// relationValues.
var relationProps = []string{"key", "since", "until", "sinceKey", "untilKey", "status", "confidence", "via",
	"evSource", "evLine", "evClaim"}

// relationValues returns the values of relationProps for r; nil stands for "no such property".
func relationValues(r *RelationInput) []any {
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
	return []any{nullIfEmpty(r.Key), nullIfEmpty(r.Since), nullIfEmpty(r.Until), sinceKey, untilKey,
		string(r.Status), conf, nonNil(r.Via), src, line, claim}
}

// propsMap pairs names with values.
func propsMap(names []string, values []any) map[string]any {
	m := make(map[string]any, len(names))
	for i, n := range names {
		m[n] = values[i]
	}
	return m
}

// RelationProperties returns the properties an import stores on the relation r, by name, as both import
// paths write them: its id, version 1, and the values of relationProps that are not null. It exists so that
// the benchmark (bench/cmd/relcost) can write exactly what the loader writes.
func RelationProperties(r *RelationInput) map[string]any {
	m := map[string]any{"id": r.ID(), "version": int64(1)}
	for i, v := range relationValues(r) {
		if v != nil {
			m[relationProps[i]] = v
		}
	}
	return m
}

// relationRow is the parameter row of one relation: its endpoints and every stored property.
func relationRow(r *RelationInput) map[string]any {
	return map[string]any{"id": r.ID(), "from": r.From, "to": r.To, "props": propsMap(relationProps, relationValues(r))}
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

// Wipe deletes every node and relationship, in batches of transactions. It exists for tests and benchmarks,
// which own their database; nothing in the service calls it.
func (s *Store) Wipe(ctx context.Context) error {
	err := s.autoCommit(ctx, "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS", nil)
	if err == nil {
		err = s.autoCommit(ctx, "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS", nil)
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
