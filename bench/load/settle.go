package load

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Settle waits until Neo4j runs no transaction but its own probe, so that no cell inherits the work of the
// one before (the peer does not stop a transaction when its client gives up). Transactions still running
// after wait are terminated; it returns how many it terminated.
func (r *RawSystem) Settle(ctx context.Context, wait time.Duration) (int, error) {
	const others = `SHOW TRANSACTIONS YIELD transactionId, currentQuery
WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' AND NOT currentQuery STARTS WITH 'TERMINATE'
RETURN collect(transactionId) AS ids`
	deadline := time.Now().Add(wait)
	for {
		res, err := neo4j.ExecuteQuery(ctx, r.driver, others, nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase("system"))
		if err != nil {
			return 0, err
		}
		ids, _ := res.Records[0].Values[0].([]any)
		if len(ids) == 0 {
			return 0, nil
		}
		if time.Now().After(deadline) {
			_, err := neo4j.ExecuteQuery(ctx, r.driver, "TERMINATE TRANSACTIONS $ids", map[string]any{"ids": ids},
				neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase("system"))
			return len(ids), err
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
