// Command variant measures a proposed change to one of the service's statements before it is made: it
// replays, through the raw driver, the statements a load run captured for a query (bench/out/SCALE/trace.json)
// as they are and with the change applied, in alternation, and prints latency and throughput of both, and
// how many items answer differently.
//
//	variant -trace bench/out/S/trace.json -query paths5 -replace 'x.id IN $avoid=>false' -conc 1,8 -duration 10s
//	variant -trace bench/out/S/trace.json -query fundingChannels -cypher-file proposals/funding.cypher
//
// -replace OLD=>NEW (repeatable) edits the statement text; -cypher-file replaces the whole statement (the
// parameters stay as captured).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/actorgraph/actorgraph/bench/internal/benchenv"
	"github.com/actorgraph/actorgraph/bench/load"
)

type replacements []string

func (r *replacements) String() string     { return strings.Join(*r, ";") }
func (r *replacements) Set(v string) error { *r = append(*r, v); return nil }

func main() {
	tracePath := flag.String("trace", "bench/out/S/trace.json", "trace written by the load command")
	query := flag.String("query", "paths5", "query name")
	uri := flag.String("uri", benchenv.DefaultURI, "Neo4j URI")
	cypherFile := flag.String("cypher-file", "", "replace the whole statement by this file's text")
	conc := flag.String("conc", "1,8", "concurrency levels")
	duration := flag.Duration("duration", 10*time.Second, "time per cell")
	items := flag.Int("items", 0, "use only the first N items (0: all)")
	compare := flag.Int("compare", 20, "compare the answers of the first N items")
	var reps replacements
	flag.Var(&reps, "replace", "OLD=>NEW edit of the statement (repeatable)")
	flag.Parse()

	tr, err := load.ReadTrace(*tracePath)
	fail(err)
	base := tr[*query]
	if len(base) == 0 {
		fail(fmt.Errorf("no statements for %q in %s", *query, *tracePath))
	}
	if *items > 0 && *items < len(base) {
		base = base[:*items]
	}
	var whole string
	if *cypherFile != "" {
		b, err := os.ReadFile(*cypherFile)
		fail(err)
		whole = string(b)
	}
	variant := make([][]load.Statement, len(base))
	changed := 0
	for i, stmts := range base {
		for j, st := range stmts {
			c := st.Cypher
			if whole != "" && j == len(stmts)-1 {
				c = whole
			}
			for _, r := range reps {
				old, repl, ok := strings.Cut(r, "=>")
				if !ok {
					fail(fmt.Errorf("-replace wants OLD=>NEW, got %q", r))
				}
				c = strings.ReplaceAll(c, old, repl)
			}
			if c != st.Cypher {
				changed++
			}
			variant[i] = append(variant[i], load.Statement{Cypher: c, Params: st.Params})
		}
	}
	if changed == 0 {
		fail(fmt.Errorf("the edits change no statement"))
	}
	trace := load.Trace{"base": base, "variant": variant}
	raw, err := load.NewRawSystem(*uri, trace, os.Getpid())
	fail(err)
	defer raw.Close()
	ctx := context.Background()

	// Same answers? Compare the records of the first items.
	diff := 0
	for i := 0; i < min(*compare, len(base)); i++ {
		a, errA := raw.Records(ctx, base[i])
		b, errB := raw.Records(ctx, variant[i])
		if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
			diff++
			if diff <= 3 {
				fmt.Printf("item %d answers differently (errors: %v / %v)\n", i, errA, errB)
			}
		}
	}
	fmt.Printf("%s: %d statements changed; %d of the first %d items answer differently\n", *query, changed, diff, min(*compare, len(base)))

	lim := load.Limits{Duration: *duration, MaxRequests: 1_000_000, RequestTimeout: 15 * time.Second}
	for _, cs := range strings.Split(*conc, ",") {
		c, err := strconv.Atoi(cs)
		fail(err)
		for _, name := range []string{"base", "variant"} {
			do, err := raw.Bind(load.Query{Name: name})
			fail(err)
			load.Run(ctx, 1, len(base), load.Limits{Duration: 3 * time.Second, MaxRequests: int64(len(base)), RequestTimeout: 15 * time.Second}, do)
			cell := load.Run(ctx, c, len(base), lim, do)
			fmt.Printf("%-8s c=%-2d %8.1f req/s  p50 %8.2f  p95 %8.2f  p99 %8.2f ms  err %d %s\n",
				name, c, cell.Throughput, cell.P50, cell.P95, cell.P99, cell.Errors, cell.FirstError)
		}
	}
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "variant:", err)
		os.Exit(1)
	}
}
