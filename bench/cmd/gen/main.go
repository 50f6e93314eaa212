// Command gen generates a synthetic actor graph (package bench/gen) and prints its shape; it can also write
// the query sample as JSON and the dataset in the seed format: as YAML (small scales) or JSON Lines.
//
//	go run ./bench/cmd/gen -scale S -seed 1 [-yaml bench/out/xs.yaml] [-jsonl bench/out/s.jsonl] [-sample bench/out/sample.json]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/actorgraph/actorgraph/bench/gen"
	"github.com/actorgraph/actorgraph/seed"
)

func main() {
	scale := flag.String("scale", "S", "XS, S, M or L")
	seedN := flag.Uint64("seed", 1, "generator seed")
	yamlOut := flag.String("yaml", "", "write the dataset as seed-format YAML to this file")
	jsonlOut := flag.String("jsonl", "", "write the dataset as seed-format JSON Lines to this file")
	sampleOut := flag.String("sample", "", "write the query sample as JSON to this file")
	validate := flag.Bool("validate", true, "run graph.Dataset.Validate on the result")
	flag.Parse()
	sc, ok := gen.Scales[*scale]
	if !ok {
		fail(fmt.Errorf("unknown scale %q", *scale))
	}
	start := time.Now()
	res := gen.Generate(*seedN, sc)
	fmt.Printf("generated %s (seed %d) in %s\n", sc.Name, *seedN, time.Since(start).Round(time.Millisecond))
	st, _ := json.MarshalIndent(res.Stats, "", "  ")
	fmt.Println(string(st))
	fmt.Printf("hubs: %v %v\n", res.Sample.Hubs, res.Sample.HubDegrees)
	if *validate {
		start = time.Now()
		errs := res.Dataset.Validate(nil, nil)
		fmt.Printf("validate: %d problems in %s\n", len(errs), time.Since(start).Round(time.Millisecond))
		for i, e := range errs {
			if i == 10 {
				break
			}
			fmt.Println("  ", e)
		}
		if len(errs) > 0 {
			os.Exit(1)
		}
	}
	if *sampleOut != "" {
		b, _ := json.MarshalIndent(res.Sample, "", "  ")
		fail(os.WriteFile(*sampleOut, b, 0o644))
	}
	if *yamlOut != "" {
		f, err := os.Create(*yamlOut)
		fail(err)
		fail(seed.WriteYAML(f, res.Dataset))
		fail(f.Close())
	}
	if *jsonlOut != "" {
		f, err := os.Create(*jsonlOut)
		fail(err)
		fail(seed.WriteJSONL(f, res.Dataset))
		fail(f.Close())
	}
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
