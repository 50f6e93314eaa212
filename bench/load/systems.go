package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/actorgraph/actorgraph/bench/gen"
	"github.com/actorgraph/actorgraph/graph"
)

// System is one of the benchmarked systems: it binds a query to a function that runs sample items.
type System interface {
	Name() string
	Bind(q Query) (DoFunc, error)
	// Pid is the process whose RSS is reported for the system.
	Pid() int
	Close()
}

// GraphQLSystem posts GraphQL documents to an HTTP endpoint (ActorGraph or the peer). A response counts as
// an error when its status is not 200 or it carries a GraphQL "errors" list.
type GraphQLSystem struct {
	name   string
	url    string
	pid    int
	peer   bool
	sample *gen.Sample
	trace  Trace
	client *poster
}

// NewGraphQLSystem returns the system at url (http://127.0.0.1:PORT/graphql or /). With peer set it asks
// each query's PeerDoc instead of Doc.
func NewGraphQLSystem(name, url string, pid int, peer bool, s *gen.Sample, tr Trace) (*GraphQLSystem, error) {
	c, err := newPoster(url)
	if err != nil {
		return nil, err
	}
	return &GraphQLSystem{name: name, url: url, pid: pid, peer: peer, sample: s, trace: tr, client: c}, nil
}

func (g *GraphQLSystem) Name() string { return g.name }
func (g *GraphQLSystem) Pid() int     { return g.pid }
func (g *GraphQLSystem) Close()       { g.client.close() }

// Bind encodes every item's request body up front, so that the loop only sends bytes.
func (g *GraphQLSystem) Bind(q Query) (DoFunc, error) {
	bodies, err := g.Bodies(q)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, item int) (int, error) {
		b, err := g.Post(ctx, bodies[item])
		return len(b), err
	}, nil
}

// Bodies returns the request body of each of q's items, as this system sends them.
func (g *GraphQLSystem) Bodies(q Query) ([][]byte, error) {
	n := q.Items(g.sample)
	bodies := make([][]byte, n)
	for i := range n {
		doc, vars := q.Doc, q.Vars(g.sample, i)
		if g.peer {
			var stmts []Statement
			if items := g.trace[q.Name]; i < len(items) {
				stmts = items[i]
			}
			doc, vars = q.PeerDoc, q.PeerVars(g.sample, i, stmts)
		}
		b, err := json.Marshal(map[string]any{"query": doc, "variables": vars})
		if err != nil {
			return nil, err
		}
		bodies[i] = b
	}
	return bodies, nil
}

// Post sends one request body and returns the answer's body, with CheckAnswer's error.
func (g *GraphQLSystem) Post(ctx context.Context, body []byte) ([]byte, error) {
	status, b, err := g.client.post(ctx, body)
	if err != nil {
		return nil, err
	}
	return b, CheckAnswer(status, b)
}

// CheckAnswer returns the error a GraphQL answer counts as: a status other than 200, or a body that carries
// an "errors" list; nil for any other answer.
func CheckAnswer(status int, body []byte) error {
	if status != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.300s", status, body)
	}
	if i := bytes.Index(body, []byte(`"errors":[`)); i >= 0 {
		return fmt.Errorf("GraphQL errors: %.300s", body[i:])
	}
	return nil
}

// RawSystem replays, with neo4j-go-driver from a Go loop, the exact statements and parameters the service
// sent for each item (captured through graph.Config.Trace), the way the store runs them: a read session,
// a managed read transaction with the service's server-side timeout, every record fetched.
type RawSystem struct {
	driver  neo4j.DriverWithContext
	trace   Trace
	timeout time.Duration
	maxRows int
	pid     int
}

// NewRawSystem opens a driver configured as graph.Open configures the store's.
func NewRawSystem(uri string, tr Trace, pid int) (*RawSystem, error) {
	driver, err := neo4j.NewDriverWithContext(uri, neo4j.NoAuth(), func(c *neo4j.Config) {
		c.SocketConnectTimeout = 2 * time.Second
		c.ConnectionAcquisitionTimeout = 3 * time.Second
		c.MaxTransactionRetryTime = 0
		c.MaxConnectionPoolSize = 100
		c.ConnectionLivenessCheckTimeout = 30 * time.Second
	})
	if err != nil {
		return nil, err
	}
	warm, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := driver.VerifyConnectivity(warm); err != nil {
		return nil, err
	}
	def := graph.DefaultConfig()
	return &RawSystem{driver: driver, trace: tr, timeout: def.QueryTimeout, maxRows: def.MaxRows, pid: pid}, nil
}

func (r *RawSystem) Name() string { return "raw" }
func (r *RawSystem) Pid() int     { return r.pid }
func (r *RawSystem) Close()       { _ = r.driver.Close(context.Background()) }

// Bind returns the replay of the query's captured statements.
func (r *RawSystem) Bind(q Query) (DoFunc, error) {
	items := r.trace[q.Name]
	if len(items) == 0 {
		return nil, fmt.Errorf("no captured statements for %s", q.Name)
	}
	return func(ctx context.Context, item int) (int, error) {
		rows := 0
		for _, st := range items[item] {
			n, err := r.run(ctx, st)
			if err != nil {
				return rows, err
			}
			rows += n
		}
		return rows, nil
	}, nil
}

// run runs one statement the way the store does (graph.Store's readOnce): an auto-commit read transaction
// with the service's timeout, every record fetched up to the row cap.
func (r *RawSystem) run(ctx context.Context, st Statement) (int, error) {
	sess := r.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeRead, DatabaseName: "neo4j", FetchSize: 1000})
	defer sess.Close(context.WithoutCancel(ctx))
	res, err := sess.Run(ctx, st.Cypher, st.Params, neo4j.WithTxTimeout(r.timeout))
	if err != nil {
		return 0, err
	}
	n := 0
	for n < r.maxRows && res.Next(ctx) {
		n++
	}
	return n, res.Err()
}

// Records runs the statements of one item (each bounded by the service's timeout) and returns the values
// of the last one's records (to compare the answers of two versions of a statement).
func (r *RawSystem) Records(ctx context.Context, stmts []Statement) ([][]any, error) {
	var out [][]any
	for _, st := range stmts {
		sess := r.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeRead, DatabaseName: "neo4j"})
		vals, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			res, err := tx.Run(ctx, st.Cypher, st.Params)
			if err != nil {
				return nil, err
			}
			recs, err := res.Collect(ctx)
			if err != nil {
				return nil, err
			}
			v := make([][]any, len(recs))
			for i, rec := range recs {
				v[i] = rec.Values
			}
			return v, nil
		}, neo4j.WithTxTimeout(r.timeout))
		sess.Close(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		out = vals.([][]any)
	}
	return out, nil
}
