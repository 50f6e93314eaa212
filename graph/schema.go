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
		"CREATE INDEX actor_kind IF NOT EXISTS FOR (n:Actor) ON (n.kind)",
		"CREATE CONSTRAINT redirect_id IF NOT EXISTS FOR (n:Redirect) REQUIRE n.id IS UNIQUE",
		"CREATE CONSTRAINT apikey_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE",
		"CREATE CONSTRAINT apikey_hash IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.hash IS UNIQUE",
		"CREATE INDEX audit_target IF NOT EXISTS FOR (a:Audit) ON (a.target)",
		"CREATE FULLTEXT INDEX actor_search IF NOT EXISTS FOR (n:Actor) ON EACH [n.searchText] " +
			"OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words', `fulltext.eventually_consistent`: false}}",
	}
	for _, t := range RelTypes {
		lt := strings.ToLower(string(t))
		stmts = append(stmts,
			fmt.Sprintf("CREATE INDEX rel_%s_id IF NOT EXISTS FOR ()-[r:%s]-() ON (r.id)", lt, t),
			fmt.Sprintf("CREATE INDEX rel_%s_valid IF NOT EXISTS FOR ()-[r:%s]-() ON (r.sinceKey, r.untilKey)", lt, t),
		)
	}
	return stmts
}

// applySchema runs the schema statements, one per transaction (Neo4j does not mix schema and data
// changes), then waits for the indexes to come online.
func (s *Store) applySchema(ctx context.Context) error {
	for _, c := range schemaStatements() {
		if _, err := s.write(ctx, []statement{{cypher: c}}); err != nil {
			return err
		}
	}
	_, err := s.readWithin(ctx, s.cfg.WriteTimeout, "CALL db.awaitIndexes(300)", nil)
	return err
}
