// Command pathdiff compares the answers of two running services to paths(k) over the benchmark's sample
// pairs: how many answers differ, and of those how many rank higher or lower in paths' order by LENGTH
// (the list of (length, credibility) of the answer's paths, compared place by place). It is how a change to
// the path search is checked on the generated graphs, where no enumeration is possible.
//
//	pathdiff -scale S -before http://127.0.0.1:18091/graphql -after http://127.0.0.1:18092/graphql
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"time"

	"github.com/actorgraph/actorgraph/bench/internal/benchenv"
)

const query = `query($from: ID!, $to: ID!, $k: Int!) { paths(from: $from, to: $to, k: $k) { length credibility edges { id } } }`

type path struct {
	Length      int     `json:"length"`
	Credibility float64 `json:"credibility"`
	Edges       []struct {
		ID string `json:"id"`
	} `json:"edges"`
}

type answer struct {
	Data *struct {
		Paths []path `json:"paths"`
	} `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

func main() {
	scale := flag.String("scale", "S", "scale of the loaded dataset (its sample is bench/out/SCALE/sample.json)")
	before := flag.String("before", "", "GraphQL URL of the service before the change")
	after := flag.String("after", "", "GraphQL URL of the service after the change")
	k := flag.Int("k", 5, "paths per pair")
	flag.Parse()
	if *before == "" || *after == "" {
		fmt.Fprintln(os.Stderr, "pathdiff: -before and -after are required")
		os.Exit(2)
	}
	if err := run(*scale, *before, *after, *k); err != nil {
		fmt.Fprintln(os.Stderr, "pathdiff:", err)
		os.Exit(1)
	}
}

func run(scale, before, after string, k int) error {
	sample, err := benchenv.ReadSample(benchenv.SamplePath(scale))
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: time.Minute}
	var changed, higher, lower, lengths int
	for _, pr := range sample.Pairs {
		b, err := ask(client, before, pr, k)
		if err != nil {
			return err
		}
		a, err := ask(client, after, pr, k)
		if err != nil {
			return err
		}
		if reflect.DeepEqual(a, b) {
			continue
		}
		changed++
		switch c := compare(a, b); {
		case c < 0:
			higher++
		case c > 0:
			lower++
		}
		if !reflect.DeepEqual(lengthsOf(a), lengthsOf(b)) {
			lengths++
			fmt.Printf("%s -> %s: lengths %v before, %v after\n", pr[0], pr[1], lengthsOf(b), lengthsOf(a))
		}
	}
	fmt.Printf("%d pairs at %s, k=%d: %d answers differ; after ranks higher in %d, lower in %d; lengths differ in %d\n",
		len(sample.Pairs), scale, k, changed, higher, lower, lengths)
	return nil
}

// ask returns the paths of one pair; an answer with errors is an error.
func ask(client *http.Client, url string, pr [2]string, k int) ([]path, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"from": pr[0], "to": pr[1], "k": k}})
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var ans answer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return nil, fmt.Errorf("%s -> %s: %v", pr[0], pr[1], err)
	}
	if len(ans.Errors) > 0 || ans.Data == nil {
		return nil, fmt.Errorf("%s -> %s: %v", pr[0], pr[1], ans.Errors)
	}
	return ans.Data.Paths, nil
}

// compare orders two answers by paths' order by LENGTH, place by place: fewer relations, then higher
// credibility; a shorter answer (fewer paths found) ranks lower.
func compare(a, b []path) int {
	for i := range min(len(a), len(b)) {
		if a[i].Length != b[i].Length {
			return a[i].Length - b[i].Length
		}
		if a[i].Credibility != b[i].Credibility {
			if a[i].Credibility > b[i].Credibility {
				return -1
			}
			return 1
		}
	}
	return len(b) - len(a)
}

func lengthsOf(ps []path) []int {
	out := make([]int, len(ps))
	for i, p := range ps {
		out[i] = p.Length
	}
	return out
}
