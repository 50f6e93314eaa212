package load

import (
	"context"
	"testing"
	"time"

	"github.com/actorgraph/actorgraph/internal/testenv"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Settle returns at once on an idle Neo4j; a statement still running after the wait is terminated, and
// Settle returns only once it is gone.
func TestSettle(t *testing.T) {
	uri := testenv.RequireNeo4j(t)
	r, err := NewRawSystem(uri, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()

	for _, tc := range []struct {
		name       string
		running    bool // a long statement runs meanwhile
		terminated int
	}{
		{"idle", false, 0},
		{"one statement left running", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			if tc.running {
				go func() {
					_, err := neo4j.ExecuteQuery(ctx, r.driver,
						"UNWIND range(1, 10000000000) AS x WITH x WHERE x = -1 RETURN count(x)", nil, neo4j.EagerResultTransformer)
					done <- err
				}()
				// Wait until Neo4j lists it.
				for start := time.Now(); ; {
					ids, err := r.waitIdle(ctx, 0)
					if err != nil {
						t.Fatal(err)
					}
					if len(ids) > 0 {
						break
					}
					if time.Since(start) > 10*time.Second {
						t.Fatal("the long statement never showed up in SHOW TRANSACTIONS")
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			n, err := r.Settle(ctx, 300*time.Millisecond)
			if err != nil || n != tc.terminated {
				t.Fatalf("Settle = %d, %v; want %d, nil", n, err, tc.terminated)
			}
			if ids, err := r.waitIdle(ctx, 0); err != nil || len(ids) != 0 {
				t.Errorf("after Settle: still running %v (%v)", ids, err)
			}
			if tc.running {
				select {
				case err := <-done:
					if err == nil {
						t.Error("the terminated statement answered")
					}
				case <-time.After(10 * time.Second):
					t.Error("the terminated statement's client is still waiting")
				}
			}
		})
	}
}
