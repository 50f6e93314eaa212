// Package importx prototypes a faster bulk import than (*graph.Store).Import, for the proposal in
// BENCHMARKS.md. It writes exactly the properties graph/import.go writes (relationRow), so that the
// service reads the result unchanged; only the transaction shape differs:
//
//   - sources and actors go through Store.Import (one transaction: they are few);
//   - relations are split into chunks of Options.Chunk rows, each written in its own write transaction of
//     UNWIND batches of Options.Batch rows, by Options.Workers concurrent transactions;
//   - every relation written carries the run's marker (importRun); when any chunk fails, the relations the
//     run created are deleted again, so a failed import still leaves no relation behind.
//
// With Options.Create, new relations are written with CREATE instead of MERGE (only safe when the caller
// knows that no relation of the dataset exists yet, e.g. into an empty database).
package importx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/actorgraph/actorgraph/graph"
)

// Options shape the prototype import.
type Options struct {
	Workers int  // concurrent write transactions (default 2)
	Chunk   int  // relations per transaction (default 50,000)
	Batch   int  // rows per UNWIND statement (default 5,000)
	Create  bool // CREATE instead of MERGE for relations
	Log     func(format string, args ...any)
}

// Chunked imports d as described in the package comment.
func Chunked(ctx context.Context, store *graph.Store, uri string, d *graph.Dataset, o Options) (*graph.ImportResult, error) {
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Chunk <= 0 {
		o.Chunk = 50_000
	}
	if o.Batch <= 0 {
		o.Batch = 5_000
	}
	t := time.Now()
	res, err := store.Import(ctx, &graph.Dataset{Sources: d.Sources, Actors: d.Actors})
	if err != nil {
		return nil, err
	}
	if o.Log != nil {
		o.Log("nodes: %d actors, %d sources in %s", len(d.Actors), len(d.Sources), time.Since(t).Round(time.Millisecond))
	}
	t = time.Now()
	res.Relations = len(d.Relations)
	driver, err := neo4j.NewDriverWithContext(uri, neo4j.NoAuth())
	if err != nil {
		return nil, err
	}
	defer driver.Close(ctx)

	var b [8]byte
	_, _ = rand.Read(b[:])
	run := hex.EncodeToString(b[:])

	jobs := make(chan []graph.RelationInput)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := range jobs {
				created, err := writeChunk(ctx, driver, chunk, run, o)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				res.RelationshipsCreated += created
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < len(d.Relations); i += o.Chunk {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		jobs <- d.Relations[i:min(i+o.Chunk, len(d.Relations))]
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		// Undo: delete the relations this run created, in batches.
		_, _ = neo4j.ExecuteQuery(context.WithoutCancel(ctx), driver,
			"MATCH ()-[r]->() WHERE r.importRun = $run CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
			map[string]any{"run": run}, neo4j.EagerResultTransformer)
		return nil, firstErr
	}
	if o.Log != nil {
		o.Log("relations: %d in %s", len(d.Relations), time.Since(t).Round(time.Millisecond))
	}
	return res, nil
}

// writeChunk writes one chunk of relations in one write transaction, grouped by type, and returns how many
// relationships it created. A transient error (a deadlock between two chunks on a supernode) is retried.
func writeChunk(ctx context.Context, driver neo4j.DriverWithContext, rels []graph.RelationInput, run string, o Options) (int, error) {
	byType := map[graph.RelType][]map[string]any{}
	for i := range rels {
		byType[rels[i].Type] = append(byType[rels[i].Type], Row(&rels[i]))
	}
	verb := "MERGE (a)-[r:%s {id: row.id}]->(b) SET r += row.props, r.importRun = $run"
	if o.Create {
		verb = "CREATE (a)-[r:%s {id: row.id}]->(b) SET r += row.props, r.importRun = $run"
	}
	sess := driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeWrite, DatabaseName: "neo4j"})
	defer sess.Close(ctx)
	out, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		created := 0
		for _, t := range graph.RelTypes {
			rows := byType[t]
			for i := 0; i < len(rows); i += o.Batch {
				cy := "UNWIND $rows AS row MATCH (a:Actor {id: row.from}) MATCH (b:Actor {id: row.to}) " + fmt.Sprintf(verb, t)
				r, err := tx.Run(ctx, cy, map[string]any{"rows": rows[i:min(i+o.Batch, len(rows))], "run": run})
				if err != nil {
					return nil, err
				}
				sum, err := r.Consume(ctx)
				if err != nil {
					return nil, err
				}
				created += sum.Counters().RelationshipsCreated()
			}
		}
		return created, nil
	}, neo4j.WithTxTimeout(10*time.Minute))
	if err != nil {
		return 0, err
	}
	return out.(int), nil
}

// Row is the parameter row of one relation, the same as graph/import.go's relationRow.
func Row(r *graph.RelationInput) map[string]any {
	sinceKey, untilKey := graph.MinDateKey, graph.MaxDateKey
	if d, err := graph.ParseDate(r.Since); err == nil {
		sinceKey = d.Start()
	}
	if d, err := graph.ParseDate(r.Until); err == nil {
		untilKey = d.End()
	}
	src, line, claim := make([]string, len(r.Evidence)), make([]int64, len(r.Evidence)), make([]string, len(r.Evidence))
	for i, e := range r.Evidence {
		src[i], line[i], claim[i] = e.Source, int64(e.Line), e.Claim
	}
	var conf any
	if r.Confidence != nil {
		conf = *r.Confidence
	}
	via := r.Via
	if via == nil {
		via = []string{}
	}
	return map[string]any{"id": r.ID(), "from": r.From, "to": r.To, "props": map[string]any{
		"key": nullIfEmpty(r.Key), "since": nullIfEmpty(r.Since), "until": nullIfEmpty(r.Until),
		"sinceKey": sinceKey, "untilKey": untilKey, "status": string(r.Status), "confidence": conf,
		"via": via, "evSource": src, "evLine": line, "evClaim": claim,
	}}
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
