package graph

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// The initial load: how Import writes a large dataset into a database that holds no actor yet. See the doc
// of Import (import.go) for what it guarantees; this file is how.
//
//  1. One transaction creates the run's marker, (:ImportRun {id, state: "running", startedAt, actors,
//     relations}), and only if no actor exists (so that every actor, and every relation from one, written
//     afterwards belongs to the run).
//  2. For a large load the deferrable indexes (schema.go: actor_kind, actor_search, rel_<type>_id,
//     rel_<type>_valid) are dropped, so that rows are not indexed one by one; the constraints stay.
//  3. Actors are created (CREATE, not MERGE: none exists) in transactions of tuning.chunk rows by
//     tuning.nodeWriters concurrent writers, statements of tuning.nodeBatch rows of one kind, properties
//     passed as columns (one list per property) rather than one map per row. Each statement returns the
//     internal ids of the nodes it created; those ids, by actor id, are all the load keeps of the actors.
//  4. Relations are created in transactions of tuning.chunk rows, one after the other (concurrent ones
//     contend for the locks of the hubs), statements of tuning.relBatch rows of one type, their ends found
//     by internal node id.
//  5. The dropped indexes are created again, in one schema transaction (one population pass), and awaited.
//  6. One last transaction writes the sources (MERGE, exactly as the one-transaction path does) and deletes
//     the marker, after checking that it is still there.
//
// Steps 3 and 4 read the dataset's lists in windows of tuning.window entries (Stream), the next window read
// while the last one is written, grouped by kind or type within a window: the load holds at most three
// windows of entries, whatever the dataset's size.
//
// A failure in 2-6 removes what the run wrote (removeInitialLoad) before Import returns its error. A process
// killed meanwhile leaves the marker, and the next Import or RecoverImport removes the run first, indexes
// included.

// importRunLabel marks an initial load in progress.
const importRunLabel = "ImportRun"

// importTuning shapes Import. Tests shrink it to force the chunked path on small datasets.
type importTuning struct {
	// bulkRows is the smallest dataset (actors + relations) that goes through the initial load when the
	// database holds no actor; smaller ones are one transaction on any database.
	bulkRows int
	// chunk is the number of rows (actors or relations) per transaction of the initial load.
	chunk int
	// nodeBatch and relBatch are the rows per statement.
	nodeBatch, relBatch int
	// nodeWriters is the number of concurrent actor transactions.
	nodeWriters int
	// window is the number of actors or relations the initial load reads before writing them.
	window int
	// deferIndexes is the smallest dataset (actors + relations) for which the deferrable indexes are
	// dropped during the load and built afterwards.
	deferIndexes int
	// interrupt, when set, is called after each relation chunk with the number of chunks written; an error
	// fails the load there. abandon reports whether to return without cleaning up (a killed process).
	interrupt func(chunks int) (err error, abandon bool)
}

var tuning = importTuning{
	bulkRows:     20_000,
	chunk:        20_000,
	nodeBatch:    5_000,
	nodeWriters:  2,
	relBatch:     5_000,
	window:       100_000,
	deferIndexes: 100_000,
}

// importMu serialises the imports of this process: an import reads the database's state (actors? a marker?)
// and acts on it.
var importMu sync.Mutex

// importState says what Import must know before choosing a path: the markers of unfinished initial loads and
// whether the database holds actors.
func (s *Store) importState(ctx context.Context) (runs []string, actors bool, err error) {
	recs, err := s.readWithin(ctx, s.cfg.WriteTimeout, `CALL () { MATCH (m:`+importRunLabel+`) RETURN collect(m.id) AS runs }
CALL () { MATCH (n:Actor) RETURN count(n) > 0 AS actors }
RETURN runs, actors`, nil)
	if err != nil {
		return nil, false, err
	}
	return strs(recs[0].Values[0]), recs[0].Values[1].(bool), nil
}

// RecoverImport removes what an interrupted initial load left behind (its actors and relations, its marker;
// see Import) and reports whether there was one. Import does this itself first; package seed calls it before
// validating a dataset, so that ids of a half-loaded run are not taken as existing.
func (s *Store) RecoverImport(ctx context.Context) (bool, error) {
	importMu.Lock()
	defer importMu.Unlock()
	runs, _, err := s.recoverImport(ctx)
	return len(runs) > 0, err
}

// recoverImport removes every unfinished initial load; it returns the runs removed and whether actors remain.
func (s *Store) recoverImport(ctx context.Context) ([]string, bool, error) {
	runs, actors, err := s.importState(ctx)
	if err != nil || len(runs) == 0 {
		return nil, actors, err
	}
	s.log.Warn("removing an interrupted initial load", "runs", runs)
	if err := s.removeInitialLoad(ctx, runs); err != nil {
		return nil, false, err
	}
	return runs, false, nil
}

// removeInitialLoad deletes what the given runs wrote: every relation from an actor, every actor (the runs
// started on a database without actors and nothing else writes actors meanwhile); it creates the deferrable
// indexes again, and deletes the markers last, so that a cleanup interrupted in turn is redone.
func (s *Store) removeInitialLoad(ctx context.Context, runs []string) error {
	for _, c := range []string{
		"MATCH (:Actor)-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS",
		"MATCH (n:Actor) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS",
	} {
		if err := s.autoCommit(ctx, c, nil); err != nil {
			return err
		}
	}
	if err := s.setDeferredIndexes(ctx, false); err != nil {
		return err
	}
	_, err := s.write(ctx, []statement{{cypher: "MATCH (m:" + importRunLabel + ") WHERE m.id IN $runs DELETE m",
		params: map[string]any{"runs": runs}}})
	return err
}

// setDeferredIndexes drops the deferrable indexes (drop) or creates those that are missing and waits until
// they are online, in one schema transaction either way (Neo4j then populates them in one pass).
func (s *Store) setDeferredIndexes(ctx context.Context, drop bool) error {
	var stmts []statement
	for _, ix := range deferrableIndexes() {
		c := ix.create
		if drop {
			c = ix.drop()
		}
		stmts = append(stmts, statement{cypher: c})
	}
	if _, err := s.write(ctx, stmts); err != nil || drop {
		return err
	}
	return s.awaitIndexes(ctx)
}

// initialLoad writes d into a database without actors as described at the top of this file.
func (s *Store) initialLoad(ctx context.Context, d *Stream) (*ImportResult, error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	run := hex.EncodeToString(b[:])
	out, err := s.writeFunc(ctx, func(q runFunc) (any, error) {
		return q(`MATCH (n:Actor) WITH count(n) AS actors WHERE actors = 0
CREATE (m:`+importRunLabel+` {id: $run, state: 'running', startedAt: datetime(), actors: $actors, relations: $relations})
RETURN m.id`, map[string]any{"run": run, "actors": d.Actors, "relations": d.Relations})
	})
	if err != nil {
		return nil, err
	}
	if len(out.([]*neo4j.Record)) == 0 {
		return nil, Errorf(ECONFLICT, "actors were written while the import started; import again")
	}
	res, abandon, err := s.loadRun(ctx, run, d)
	if err != nil {
		if !abandon {
			if cerr := s.removeInitialLoad(context.WithoutCancel(ctx), []string{run}); cerr != nil {
				s.log.Error("initial load failed and could not be removed; the next import removes it",
					"run", run, "err", cerr)
			}
		}
		return nil, err
	}
	return res, nil
}

// loadRun is steps 2-6 of an initial load. abandon is true when a test interrupts it as a kill would.
func (s *Store) loadRun(ctx context.Context, run string, d *Stream) (res *ImportResult, abandon bool, err error) {
	res = &ImportResult{Sources: len(d.Sources), Actors: d.Actors, Relations: d.Relations}
	log := s.log.With("run", run)
	deferIdx := d.Actors+d.Relations >= tuning.deferIndexes
	t := time.Now()
	if deferIdx {
		if err := s.setDeferredIndexes(ctx, true); err != nil {
			return nil, false, err
		}
		log.Info("initial load: indexes dropped", "took", time.Since(t).Round(time.Millisecond))
	}

	t = time.Now()
	ids := make(map[string]int64, d.Actors)
	n, err := readWindows(d.EachActor, "actors", d.Actors, func(actors []*ActorInput) error {
		created, err := s.createActors(ctx, ids, actors)
		res.NodesCreated += created
		return err
	})
	if err != nil {
		return nil, false, err
	}
	log.Info("initial load: actors", "actors", n, "took", time.Since(t).Round(time.Millisecond))

	t = time.Now()
	chunks := 0
	var tx []statement
	txRows := 0
	send := func() error {
		sums, err := s.write(ctx, tx)
		if err != nil {
			return err
		}
		for _, sum := range sums {
			res.RelationshipsCreated += sum.Counters().RelationshipsCreated()
		}
		tx, txRows = nil, 0
		chunks++
		if tuning.interrupt != nil {
			if err, stop := tuning.interrupt(chunks); err != nil {
				abandon = stop
				return err
			}
		}
		return nil
	}
	_, err = readWindows(d.EachRelation, "relations", d.Relations, func(rels []*RelationInput) error {
		for _, st := range relationStatements(rels, ids) {
			tx = append(tx, st)
			if txRows += len(st.params["id"].([]string)); txRows >= tuning.chunk {
				if err := send(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil && len(tx) > 0 {
		err = send()
	}
	if err != nil {
		return nil, abandon, err
	}
	log.Info("initial load: relations", "relations", res.RelationshipsCreated, "chunks", chunks,
		"took", time.Since(t).Round(time.Millisecond))

	if deferIdx {
		t = time.Now()
		if err := s.setDeferredIndexes(ctx, false); err != nil {
			return nil, false, err
		}
		log.Info("initial load: indexes built", "took", time.Since(t).Round(time.Millisecond))
	}

	// The sources and the end of the run, in one transaction.
	final := append(sourceStatements(d.Sources), statement{
		cypher: "MATCH (m:" + importRunLabel + " {id: $run}) DELETE m", params: map[string]any{"run": run}})
	out, err := s.inWrite(ctx, func(ctx context.Context, tx neo4j.ManagedTransaction) (any, error) {
		sums, err := s.runAll(ctx, tx, final)
		if err != nil {
			return nil, err
		}
		// Checked inside the transaction, so that it does not commit when the marker was gone.
		if sums[len(sums)-1].Counters().NodesDeleted() != 1 {
			return nil, Errorf(ECONFLICT, "the import's marker was removed by another import; import again")
		}
		created := 0
		for _, sum := range sums[:len(sums)-1] {
			created += sum.Counters().NodesCreated()
		}
		return created, nil
	})
	if err != nil {
		return nil, false, err
	}
	res.NodesCreated += out.(int)
	s.forgetSources()
	return res, false, nil
}

// readWindows reads a list of a Stream through each, in windows of tuning.window entries, and calls flush
// with each window, in order, while the next one is read (reading a file and writing to Neo4j overlap); it
// returns how many entries were read. The first error of flush or of the reading ends it; so does a list
// whose length is not the one the stream announced (the dataset changed between its validation and its
// import).
func readWindows[T any](each func(yield func(*T) bool) error, list string, want int, flush func([]*T) error) (int, error) {
	size := max(tuning.window, 1)
	windows := make(chan []*T, 1)
	done := make(chan struct{})
	n := 0
	var rerr error
	go func() {
		defer close(windows)
		w := make([]*T, 0, min(size, want))
		rerr = each(func(e *T) bool {
			n++
			if w = append(w, e); len(w) < size {
				return true
			}
			select {
			case windows <- w:
				w = make([]*T, 0, size)
				return true
			case <-done:
				return false
			}
		})
		if rerr == nil && len(w) > 0 {
			select {
			case windows <- w:
			case <-done:
			}
		}
	}()
	var ferr error
	for w := range windows { // until the reader has returned: n and rerr are then set
		if ferr == nil {
			if ferr = flush(w); ferr != nil {
				close(done)
			}
		}
	}
	switch {
	case ferr != nil:
		return n, ferr
	case rerr != nil:
		var e *Error
		if errors.As(rerr, &e) {
			return n, rerr
		}
		return n, &Error{Code: EINVALID, Field: list, Message: "reading the dataset: " + rerr.Error(), Err: rerr}
	case n != want:
		return n, Errorf(ECONFLICT, "the dataset's %s were %d when it was checked and %d when it was imported: it changed meanwhile; import again", list, want, n)
	}
	return n, nil
}

// createActors creates the given actors, by kind, in transactions of about tuning.chunk rows run by
// tuning.nodeWriters concurrent writers (creating nodes takes no lock another creation waits for: the ids are
// distinct), records the internal id of each in ids, and returns how many it created.
func (s *Store) createActors(ctx context.Context, ids map[string]int64, actors []*ActorInput) (int, error) {
	type job struct {
		stmts []statement
		sent  [][]*ActorInput // the actors of each statement, by position
	}
	created := 0
	var mu sync.Mutex
	var firstErr error
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range max(tuning.nodeWriters, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				out, err := s.writeFunc(ctx, func(q runFunc) (any, error) {
					all := make([][]*neo4j.Record, len(j.stmts))
					for i, st := range j.stmts {
						recs, err := q(st.cypher, st.params)
						if err != nil {
							return nil, err
						}
						all[i] = recs
					}
					return all, nil
				})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					for i, recs := range out.([][]*neo4j.Record) {
						for _, rec := range recs {
							ids[j.sent[i][rec.Values[0].(int64)].ID] = rec.Values[1].(int64)
							created++
						}
					}
				}
				mu.Unlock()
			}
		}()
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
	byKind := map[Kind][]*ActorInput{}
	for _, a := range actors {
		byKind[a.Kind] = append(byKind[a.Kind], a)
	}
	var cur job
	rows := 0
	for _, k := range Kinds {
		as, cypher := byKind[k], createActorsCypher(k)
		for i := 0; i < len(as) && !failed(); i += tuning.nodeBatch {
			batch := as[i:min(i+tuning.nodeBatch, len(as))]
			id := make([]string, len(batch))
			cols := columns(actorProps, len(batch))
			for j, a := range batch {
				id[j] = a.ID
				for p, v := range actorValues(a) {
					cols[p][j] = v
				}
			}
			cur.stmts = append(cur.stmts, statement{cypher: cypher, params: columnParams(actorProps, cols, "id", id)})
			cur.sent = append(cur.sent, batch)
			if rows += len(batch); rows >= tuning.chunk {
				jobs <- cur
				cur, rows = job{}, 0
			}
		}
	}
	if len(cur.stmts) > 0 && !failed() {
		jobs <- cur
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return created, firstErr
	}
	return created, nil
}

// relationStatements returns the statements that create rels, by type, tuning.relBatch rows each. A relation
// whose end is not among ids is left out, as the one-transaction path's MATCH leaves it out.
func relationStatements(rels []*RelationInput, ids map[string]int64) []statement {
	byType := map[RelType][]*RelationInput{}
	for _, r := range rels {
		if _, ok := ids[r.From]; !ok {
			continue
		}
		if _, ok := ids[r.To]; !ok {
			continue
		}
		byType[r.Type] = append(byType[r.Type], r)
	}
	var stmts []statement
	for _, t := range RelTypes {
		rs, cypher := byType[t], createRelationsCypher(t)
		for i := 0; i < len(rs); i += tuning.relBatch {
			batch := rs[i:min(i+tuning.relBatch, len(rs))]
			cols := columns(relationProps, len(batch))
			id, from, to := make([]string, len(batch)), make([]int64, len(batch)), make([]int64, len(batch))
			for j, r := range batch {
				id[j], from[j], to[j] = r.ID(), ids[r.From], ids[r.To]
				for p, v := range relationValues(r) {
					cols[p][j] = v
				}
			}
			stmts = append(stmts, statement{cypher: cypher,
				params: columnParams(relationProps, cols, "id", id, "from", from, "to", to)})
		}
	}
	return stmts
}

// columns makes one list of n values per property name, in the order of names.
func columns(names []string, n int) [][]any {
	cols := make([][]any, len(names))
	for i := range names {
		cols[i] = make([]any, n)
	}
	return cols
}

// columnParams is the parameter map of a columnar statement: each column under its name, plus the given
// name-value pairs.
func columnParams(names []string, cols [][]any, more ...any) map[string]any {
	params := make(map[string]any, len(names)+len(more)/2)
	for i, n := range names {
		params[n] = cols[i]
	}
	for i := 0; i < len(more); i += 2 {
		params[more[i].(string)] = more[i+1]
	}
	return params
}

// createActorsCypher creates the actors of kind k from columns $id and actorProps, with version 1, and
// returns the position and internal id of each.
func createActorsCypher(k Kind) string {
	return fmt.Sprintf("UNWIND range(0, size($id) - 1) AS i CREATE (n:Actor:%s {%s}) RETURN i, id(n)",
		k.Label(), columnProps(actorProps))
}

// createRelationsCypher creates relations of type t from columns $id, $from, $to (internal node ids) and
// relationProps, with version 1.
func createRelationsCypher(t RelType) string {
	return fmt.Sprintf(`UNWIND range(0, size($id) - 1) AS i
MATCH (a) WHERE id(a) = $from[i]
MATCH (b) WHERE id(b) = $to[i]
CREATE (a)-[:%s {%s}]->(b)`, t, columnProps(relationProps))
}

// columnProps is the property map of row i: id, the named columns, version 1. A null value sets nothing, as
// in the one-transaction path's SET +=.
func columnProps(names []string) string {
	parts := []string{"id: $id[i]"}
	for _, p := range names {
		parts = append(parts, fmt.Sprintf("%s: $%s[i]", p, p))
	}
	return strings.Join(append(parts, "version: 1"), ", ")
}

// autoCommit runs one statement in an implicit transaction (CALL ... IN TRANSACTIONS needs one), bounded by
// the write timeout.
func (s *Store) autoCommit(ctx context.Context, cypher string, params map[string]any) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout+time.Second)
	defer cancel()
	done := s.track("write")
	sess := s.session(ctx, neo4j.AccessModeWrite)
	defer sess.Close(context.WithoutCancel(ctx))
	s.roundTrips.Add(1)
	res, err := sess.Run(ctx, cypher, params, neo4j.WithTxTimeout(s.cfg.WriteTimeout))
	if err == nil {
		_, err = res.Consume(ctx)
	}
	done(err)
	if err != nil {
		return s.mapErr(ctx, err)
	}
	return nil
}
