// Command profile runs one Cypher statement through the raw driver with PROFILE (or EXPLAIN) and prints
// the plan with rows and db hits per operator: the tool behind the query-shape notes in BENCHMARKS.md.
//
//	go run ./bench/cmd/profile -cypher 'MATCH (n:Actor {id: $id}) RETURN n' -params '{"id": "group-1"}'
//	go run ./bench/cmd/profile -trace bench/out/S/trace.json -query neighbourhood2_hub -item 0
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/actorgraph/actorgraph/bench/internal/benchenv"
	"github.com/actorgraph/actorgraph/bench/load"
)

func main() {
	uri := flag.String("uri", benchenv.DefaultURI, "Neo4j URI")
	cypher := flag.String("cypher", "", "statement (without PROFILE)")
	params := flag.String("params", "{}", "parameters as JSON")
	tracePath := flag.String("trace", "", "a trace file written by the load command")
	query := flag.String("query", "", "with -trace: the query name")
	item := flag.Int("item", 0, "with -trace: the sample item")
	stmt := flag.Int("stmt", -1, "with -trace: the statement of the item (-1: the last)")
	mode := flag.String("mode", "PROFILE", "PROFILE, EXPLAIN, or RUN (run as is and print the records)")
	flag.Parse()
	p := map[string]any{}
	if *tracePath != "" {
		tr, err := load.ReadTrace(*tracePath)
		fail(err)
		stmts := tr[*query][*item]
		s := stmts[len(stmts)-1]
		if *stmt >= 0 {
			s = stmts[*stmt]
		}
		*cypher, p = s.Cypher, s.Params
	} else {
		fail(json.Unmarshal([]byte(*params), &p))
		p = load.FixNumbers(p).(map[string]any)
	}
	ctx := context.Background()
	driver, err := neo4j.NewDriverWithContext(*uri, neo4j.NoAuth())
	fail(err)
	defer driver.Close(ctx)
	prefix := *mode + " "
	if *mode == "RUN" {
		prefix = ""
	}
	t := time.Now()
	res, err := neo4j.ExecuteQuery(ctx, driver, prefix+*cypher, p, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase("neo4j"))
	fail(err)
	fmt.Printf("%d records in %s\n", len(res.Records), time.Since(t).Round(time.Microsecond))
	if *mode == "RUN" {
		for _, r := range res.Records {
			fmt.Println(r.Values...)
		}
	}
	if pr := res.Summary.Profile(); pr != nil {
		printProfile(pr, 0)
	} else if pl := res.Summary.Plan(); pl != nil {
		printPlan(pl, 0)
	}
}

func printProfile(p neo4j.ProfiledPlan, depth int) {
	fmt.Printf("%s%s rows=%d dbHits=%d %s\n", strings.Repeat("  ", depth), p.Operator(), p.Records(), p.DbHits(), details(p.Arguments()))
	for _, c := range p.Children() {
		printProfile(c, depth+1)
	}
}

func printPlan(p neo4j.Plan, depth int) {
	fmt.Printf("%s%s %s\n", strings.Repeat("  ", depth), p.Operator(), details(p.Arguments()))
	for _, c := range p.Children() {
		printPlan(c, depth+1)
	}
}

func details(args map[string]any) string {
	d, _ := args["Details"].(string)
	if len(d) > 160 {
		d = d[:160] + "..."
	}
	return d
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(1)
	}
}
