// Command relcost measures what Neo4j's transactional path costs per relation as a function of what each
// relation carries: it creates a generated scale's actors (an id only), then all its relations in the
// initial load's shape (graph/bulk.go: one UNWIND statement of up to 5,000 relations of one type, ends
// matched by internal id, 20,000 relations per transaction, no relationship index), with one of these
// property sets:
//
//	none     no property at all: the cost of the relationship itself
//	id       the id only
//	scalars  what the loader stores but the four lists (via and the three evidence lists)
//	packed   scalars, plus the evidence as one JSON string instead of three lists
//	full     what the loader stores (graph.RelationProperties)
//
// and prints the rate of the relations phase and the Neo4j JVM's CPU seconds during it. It needs an empty
// database (bench/relcost.sh starts a fresh Neo4j for each set) and refuses any other.
//
//	relcost -scale M -props full -uri neo4j://127.0.0.1:7694 -neo4j-pid-file .neo4j/relcost/neo4j.pid
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/actorgraph/actorgraph/bench/gen"
	"github.com/actorgraph/actorgraph/bench/proc"
	"github.com/actorgraph/actorgraph/graph"
)

// The initial load's batching (graph/bulk.go).
const (
	perStatement   = 5000
	perTransaction = 20000
)

var sets = []string{"none", "id", "scalars", "packed", "full"}

func main() {
	uri := flag.String("uri", "neo4j://127.0.0.1:7694", "Neo4j URI (an empty database)")
	scale := flag.String("scale", "M", "generated scale")
	set := flag.String("props", "full", "property set: "+strings.Join(sets, ", "))
	pidFile := flag.String("neo4j-pid-file", "", "pid file of the Neo4j JVM, to report its CPU time")
	flag.Parse()
	if err := run(*uri, *scale, *set, *pidFile); err != nil {
		fmt.Fprintln(os.Stderr, "relcost:", err)
		os.Exit(1)
	}
}

func run(uri, scale, set, pidFile string) error {
	sc, ok := gen.Scales[scale]
	if !ok {
		return fmt.Errorf("-scale: unknown scale %q", scale)
	}
	if !slices.Contains(sets, set) {
		return fmt.Errorf("-props: want one of %s, got %q", strings.Join(sets, ", "), set)
	}
	// A bound on the whole run: M takes about a minute, L (10M relations) about ten.
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	d := gen.Generate(1, sc).Dataset
	driver, err := neo4j.NewDriverWithContext(uri, neo4j.NoAuth())
	if err != nil {
		return err
	}
	defer driver.Close(ctx)
	sess := driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: "neo4j"})
	defer sess.Close(ctx)
	if n, err := neo4j.ExecuteQuery(ctx, driver, "MATCH (n) RETURN count(n) AS n", nil,
		neo4j.EagerResultTransformer); err != nil {
		return err
	} else if c := n.Records[0].Values[0].(int64); c != 0 {
		return fmt.Errorf("the database holds %d nodes: relcost needs an empty one", c)
	}

	start := time.Now()
	ids := make(map[string]int64, len(d.Actors))
	for chunk := range slices.Chunk(d.Actors, perTransaction) {
		list := make([]string, len(chunk))
		for i, a := range chunk {
			list[i] = a.ID
		}
		out, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			res, err := tx.Run(ctx, "UNWIND $ids AS id CREATE (n:RelCost {id: id}) RETURN id, id(n)", map[string]any{"ids": list})
			if err != nil {
				return nil, err
			}
			return res.Collect(ctx)
		})
		if err != nil {
			return err
		}
		for _, rec := range out.([]*neo4j.Record) {
			ids[rec.Values[0].(string)] = rec.Values[1].(int64)
		}
	}
	fmt.Printf("%s: %d actors (id only) in %.1f s\n", scale, len(ids), time.Since(start).Seconds())

	byType := map[graph.RelType][]*graph.RelationInput{}
	for i := range d.Relations {
		r := &d.Relations[i]
		byType[r.Type] = append(byType[r.Type], r)
	}
	cpu0 := jvmCPU(pidFile)
	start = time.Now()
	var tx []batch
	rows := 0
	for _, t := range graph.RelTypes {
		for rs := range slices.Chunk(byType[t], perStatement) {
			tx = append(tx, newBatch(t, rs, ids, set))
			if rows += len(rs); rows >= perTransaction {
				if err := write(ctx, sess, tx); err != nil {
					return err
				}
				tx, rows = nil, 0
			}
		}
	}
	if err := write(ctx, sess, tx); err != nil {
		return err
	}
	took := time.Since(start).Seconds()
	cpu := "unknown (no -neo4j-pid-file)"
	if cpu1 := jvmCPU(pidFile); cpu0 >= 0 && cpu1 >= 0 {
		cpu = fmt.Sprintf("%.1f s (%.0f µs per relation)", cpu1-cpu0, (cpu1-cpu0)/float64(len(d.Relations))*1e6)
	}
	fmt.Printf("props %s: %d relations in %.1f s = %.0f relations/s; Neo4j CPU %s\n",
		set, len(d.Relations), took, float64(len(d.Relations))/took, cpu)
	return nil
}

// batch is one statement: relations of one type with their property columns.
type batch struct {
	cypher string
	params map[string]any
}

func newBatch(t graph.RelType, rs []*graph.RelationInput, ids map[string]int64, set string) batch {
	from, to := make([]int64, len(rs)), make([]int64, len(rs))
	rows := make([]map[string]any, len(rs))
	var names []string
	for i, r := range rs {
		from[i], to[i] = ids[r.From], ids[r.To]
		rows[i] = properties(r, set)
		for k := range rows[i] {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	slices.Sort(names)
	params := map[string]any{"from": from, "to": to}
	parts := make([]string, len(names))
	for j, k := range names {
		col := make([]any, len(rs))
		for i := range rs {
			col[i] = rows[i][k] // absent: null, which sets nothing
		}
		params["p_"+k] = col
		parts[j] = fmt.Sprintf("%s: $p_%s[i]", k, k)
	}
	return batch{params: params, cypher: fmt.Sprintf(`UNWIND range(0, size($from) - 1) AS i
MATCH (a) WHERE id(a) = $from[i]
MATCH (b) WHERE id(b) = $to[i]
CREATE (a)-[:%s {%s}]->(b)`, t, strings.Join(parts, ", "))}
}

// properties returns the properties of r in the given set.
func properties(r *graph.RelationInput, set string) map[string]any {
	full := graph.RelationProperties(r)
	switch set {
	case "none":
		return nil
	case "id":
		return map[string]any{"id": full["id"]}
	case "full":
		return full
	}
	for _, list := range []string{"via", "evSource", "evLine", "evClaim"} {
		delete(full, list)
	}
	if set == "packed" {
		b, _ := json.Marshal(r.Evidence) // a list of plain structs: cannot fail
		full["evidence"] = string(b)
	}
	return full
}

func write(ctx context.Context, sess neo4j.SessionWithContext, stmts []batch) error {
	if len(stmts) == 0 {
		return nil
	}
	_, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		for _, st := range stmts {
			res, err := tx.Run(ctx, st.cypher, st.params)
			if err != nil {
				return nil, err
			}
			if _, err := res.Consume(ctx); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	return err
}

// jvmCPU returns the CPU seconds of the process in pidFile so far, or -1.
func jvmCPU(pidFile string) float64 {
	if pidFile == "" {
		return -1
	}
	pid, err := proc.PidFile(pidFile)
	if err != nil {
		return -1
	}
	return proc.CPUSeconds(pid)
}
