package graph

import "context"

// Hooks for the import tests of package graph_test (which cannot be package graph: they need testenv, which
// imports graph).

// ImportTuning is what a test may change of the import's sizes; zero fields keep their value.
type ImportTuning struct {
	BulkRows, Chunk, NodeBatch, RelBatch, Window, DeferIndexes int
	// Interrupt is called after each relation chunk (see importTuning.interrupt).
	Interrupt func(chunks int) (err error, abandon bool)
}

// SetImportTuning changes the import's sizes until the returned func restores them.
func SetImportTuning(t ImportTuning) (restore func()) {
	old := tuning
	for _, f := range []struct {
		dst *int
		v   int
	}{{&tuning.bulkRows, t.BulkRows}, {&tuning.chunk, t.Chunk},
		{&tuning.nodeBatch, t.NodeBatch}, {&tuning.relBatch, t.RelBatch}, {&tuning.window, t.Window}, {&tuning.deferIndexes, t.DeferIndexes}} {
		if f.v != 0 {
			*f.dst = f.v
		}
	}
	tuning.interrupt = t.Interrupt
	return func() { tuning = old }
}

// WipeData deletes every node but API keys and audit records.
func (s *Store) WipeData(ctx context.Context) error {
	return s.autoCommit(ctx, "MATCH (n) WHERE NOT n:ApiKey AND NOT n:Audit CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS", nil)
}

// ImportMarkers counts the (:ImportRun) markers and the relationship indexes that are online.
func (s *Store) ImportMarkers(ctx context.Context) (markers, relIndexesOnline int, err error) {
	recs, err := s.read(ctx, "MATCH (m:"+importRunLabel+") RETURN count(m)", nil)
	if err != nil {
		return 0, 0, err
	}
	idx, err := s.read(ctx, "SHOW INDEXES YIELD name, state WHERE name STARTS WITH 'rel_' AND state = 'ONLINE' RETURN count(*)", nil)
	if err != nil {
		return 0, 0, err
	}
	return int(recs[0].Values[0].(int64)), int(idx[0].Values[0].(int64)), nil
}
