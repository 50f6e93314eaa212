package load

import (
	"context"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// terminatedWait bounds how long Settle waits for terminated transactions to end.
const terminatedWait = 2 * time.Minute

// Settle waits until Neo4j runs no transaction but its own probe, so that no cell inherits the work of the
// one before (the peer does not stop a transaction when its client gives up). Transactions still running
// after wait are terminated, and it waits (up to terminatedWait) until they are gone: a terminated
// transaction stops only at its next check, and the peer's nested depth-2 statements ran on for more than
// 5 s, taking Neo4j's CPU from whichever system came next. It returns how many it terminated.
func (r *RawSystem) Settle(ctx context.Context, wait time.Duration) (int, error) {
	ids, err := r.waitIdle(ctx, wait)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	if _, err := neo4j.ExecuteQuery(ctx, r.driver, "TERMINATE TRANSACTIONS $ids", map[string]any{"ids": ids},
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase("system")); err != nil {
		return 0, err
	}
	left, err := r.waitIdle(ctx, terminatedWait)
	if err == nil && len(left) > 0 {
		err = fmt.Errorf("%d transactions still running %s after they were terminated", len(left), terminatedWait)
	}
	return len(ids), err
}

// waitIdle polls Neo4j until it runs no transaction but its own probe, for at most wait, and returns the
// ids of those still running then (none once it is idle).
func (r *RawSystem) waitIdle(ctx context.Context, wait time.Duration) ([]any, error) {
	const others = `SHOW TRANSACTIONS YIELD transactionId, currentQuery
WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' AND NOT currentQuery STARTS WITH 'TERMINATE'
RETURN collect(transactionId) AS ids`
	deadline := time.Now().Add(wait)
	for {
		res, err := neo4j.ExecuteQuery(ctx, r.driver, others, nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase("system"))
		if err != nil {
			return nil, err
		}
		ids, _ := res.Records[0].Values[0].([]any)
		if len(ids) == 0 || time.Now().After(deadline) {
			return ids, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
