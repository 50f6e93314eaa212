package load

import (
	"encoding/json"
	"os"
	"sync"
)

// Statement is one Cypher statement with its parameters, as the store sent it (graph.Config.Trace).
type Statement struct {
	Cypher string         `json:"cypher"`
	Params map[string]any `json:"params"`
}

// Trace maps a query name to, per sample item, the statements the service sent to answer it.
type Trace map[string][][]Statement

// ReadTrace reads a trace written by the load command.
func ReadTrace(path string) (Trace, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Trace
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	for _, items := range t {
		for _, stmts := range items {
			for _, st := range stmts {
				for k, v := range st.Params {
					st.Params[k] = FixNumbers(v)
				}
			}
		}
	}
	return t, nil
}

// recorder collects the statements traced while one GraphQL request runs.
type recorder struct {
	mu    sync.Mutex
	stmts []Statement
}

func (r *recorder) trace(cypher string, params map[string]any) {
	cp := make(map[string]any, len(params))
	for k, v := range params {
		cp[k] = v
	}
	r.mu.Lock()
	r.stmts = append(r.stmts, Statement{Cypher: cypher, Params: cp})
	r.mu.Unlock()
}

func (r *recorder) take() []Statement {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.stmts
	r.stmts = nil
	return out
}
