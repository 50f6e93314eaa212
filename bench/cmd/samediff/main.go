// Command samediff posts every request the load benchmark sends ActorGraph (every query, every sample item)
// to two running services and counts, per query, the answers whose bytes differ and the requests either
// answered with an error. It is how a change meant to leave every answer as it was (a statement's shape, the
// decoder, the writer) is checked on the generated graphs.
//
//	samediff -scale S -before http://127.0.0.1:18091/graphql -after http://127.0.0.1:18092/graphql
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/actorgraph/actorgraph/bench/internal/benchenv"
	"github.com/actorgraph/actorgraph/bench/load"
)

func main() {
	scale := flag.String("scale", "S", "scale of the loaded dataset (its sample is bench/out/SCALE/sample.json)")
	before := flag.String("before", "", "GraphQL URL of the service before the change")
	after := flag.String("after", "", "GraphQL URL of the service after the change")
	flag.Parse()
	if *before == "" || *after == "" {
		fmt.Fprintln(os.Stderr, "samediff: -before and -after are required")
		os.Exit(2)
	}
	differ, err := run(*scale, *before, *after)
	if err != nil {
		fmt.Fprintln(os.Stderr, "samediff:", err)
		os.Exit(1)
	}
	if differ {
		os.Exit(3)
	}
}

// run reports every query's counts and whether any answer differed or failed.
func run(scale, before, after string) (bool, error) {
	sample, err := benchenv.ReadSample(benchenv.SamplePath(scale))
	if err != nil {
		return false, err
	}
	a, err := load.NewGraphQLSystem("before", before, 0, false, sample, nil)
	if err != nil {
		return false, err
	}
	defer a.Close()
	b, err := load.NewGraphQLSystem("after", after, 0, false, sample, nil)
	if err != nil {
		return false, err
	}
	defer b.Close()
	ctx := context.Background()
	bad := false
	for _, q := range load.Queries {
		bodies, err := a.Bodies(q)
		if err != nil {
			return false, err
		}
		differ, failed, size := 0, 0, 0
		for _, body := range bodies {
			x, errX := a.Post(ctx, body)
			y, errY := b.Post(ctx, body)
			if errX != nil || errY != nil {
				failed++
			}
			if !bytes.Equal(x, y) {
				differ++
			}
			size += len(x)
		}
		bad = bad || differ > 0 || failed > 0
		fmt.Printf("%-20s %4d requests: %d answers differ, %d failed (%d bytes before)\n", q.Name, len(bodies), differ, failed, size)
	}
	return bad, nil
}
