package graph

import (
	"context"
	"fmt"
	"strings"
)

// schemaStatements creates, idempotently, what the queries rely on: unique actor and source ids, the
// full-text index search uses, and per relation type an index on id and one on the validity interval, so
// that "valid at date D" (sinceKey <= D <= untilKey) is an index range comparison.
func schemaStatements() []string {
	stmts := []string{
		"CREATE CONSTRAINT actor_id IF NOT EXISTS FOR (n:Actor) REQUIRE n.id IS UNIQUE",
		"CREATE CONSTRAINT source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE",
		"CREATE CONSTRAINT redirect_id IF NOT EXISTS FOR (n:Redirect) REQUIRE n.id IS UNIQUE",
		"CREATE CONSTRAINT apikey_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE",
		"CREATE CONSTRAINT apikey_hash IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.hash IS UNIQUE",
		"CREATE INDEX audit_target IF NOT EXISTS FOR (a:Audit) ON (a.target)",
	}
	for _, ix := range deferrableIndexes() {
		stmts = append(stmts, ix.create)
	}
	return stmts
}

// index is one index of the schema that an initial load may drop and build again afterwards (bulk.go).
type index struct{ name, create string }

// drop drops the index if it exists.
func (ix index) drop() string { return "DROP INDEX " + ix.name + " IF EXISTS" }

// deferrableIndexes are the indexes no statement of an initial load needs (the constraints stay): the
// actors' kind and full-text indexes and, per relation type, rel_<type>_id and rel_<type>_valid.
func deferrableIndexes() []index {
	ixs := []index{
		{"actor_kind", "CREATE INDEX actor_kind IF NOT EXISTS FOR (n:Actor) ON (n.kind)"},
		{"actor_search", "CREATE FULLTEXT INDEX actor_search IF NOT EXISTS FOR (n:Actor) ON EACH [n.searchText] " +
			"OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words', `fulltext.eventually_consistent`: false}}"},
	}
	for _, t := range RelTypes {
		lt := strings.ToLower(string(t))
		ixs = append(ixs,
			index{"rel_" + lt + "_id", fmt.Sprintf("CREATE INDEX rel_%s_id IF NOT EXISTS FOR ()-[r:%s]-() ON (r.id)", lt, t)},
			index{"rel_" + lt + "_valid", fmt.Sprintf("CREATE INDEX rel_%s_valid IF NOT EXISTS FOR ()-[r:%s]-() ON (r.sinceKey, r.untilKey)", lt, t)},
		)
	}
	return ixs
}

// awaitIndexes waits until every index is online (or failed), up to the write timeout.
func (s *Store) awaitIndexes(ctx context.Context) error {
	_, err := s.readWithin(ctx, s.cfg.WriteTimeout, "CALL db.awaitIndexes($seconds)",
		map[string]any{"seconds": int64(s.cfg.WriteTimeout.Seconds())})
	return err
}

// applySchema runs the schema statements, one per transaction (Neo4j does not mix schema and data
// changes), then waits for the indexes to come online.
func (s *Store) applySchema(ctx context.Context) error {
	for _, c := range schemaStatements() {
		if _, err := s.write(ctx, []statement{{cypher: c}}); err != nil {
			return err
		}
	}
	return s.awaitIndexes(ctx)
}
