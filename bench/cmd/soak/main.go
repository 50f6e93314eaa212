// Command soak runs ActorGraph for a sustained period at a fixed request rate with a few writers, and
// checks that it stays healthy: no errors other than deliberate ones, p99 latency stable (the last minute
// within 25% of the first), memory flat. It serves the real HTTP handler in-process on 127.0.0.1 over the
// Neo4j at -uri (load the scale-M graph there first: see BENCHMARKS.md), and exits non-zero on a failed check.
//
//	go run ./bench/cmd/soak -uri neo4j://127.0.0.1:7690 -duration 10m -rate 40 -writers 2
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/httpapi"
)

type sample struct {
	minute   int
	took     time.Duration
	op       string
	code     string
	expected string // the code a deliberate error must have
}

func main() {
	uri := flag.String("uri", "neo4j://127.0.0.1:7690", "Neo4j holding the graph to soak against")
	duration := flag.Duration("duration", 10*time.Minute, "how long to run")
	rate := flag.Int("rate", 40, "read requests per second (open loop, fixed rate)")
	writers := flag.Int("writers", 2, "concurrent editors, each making one change every 2 s")
	out := flag.String("out", "", "write the per-minute figures as JSON here")
	countActors := flag.Bool("count-actors", false, "print how many actors the graph holds, and exit")
	flag.Parse()
	if *duration < time.Minute || *rate < 1 || *rate > 2000 || *writers < 0 || *writers > 20 {
		fail("bad flags: duration >= 1m, rate 1..2000, writers 0..20")
	}

	cfg := graph.DefaultConfig()
	cfg.URI = *uri
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	metrics := httpapi.NewMetrics()
	cfg.Observe = metrics.ObserveNeo4j
	cfg.Warm = true // as server.go: traffic starts once the store is ready, warm-up included
	store, err := graph.Open(cfg)
	if err != nil {
		fail(err.Error())
	}
	defer store.Close(context.Background())
	ctx := context.Background()
	for i := 0; store.Ready(ctx) != nil; i++ {
		if i > 2*int((graph.WarmTimeout+time.Minute)/time.Second) {
			fail("neo4j not ready at " + *uri)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if *countActors {
		st, err := store.Stats(ctx)
		if err != nil {
			fail(err.Error())
		}
		fmt.Println(st.Actors)
		return
	}
	ids, names := sampleActors(ctx, store)
	if _, err := store.Import(ctx, &graph.Dataset{Sources: []graph.SourceInput{{ID: "soak", Title: "Soak test edits"}}}); err != nil {
		fail(err.Error())
	}
	admin := graph.WithPrincipal(ctx, &graph.Principal{Name: "soak", Role: graph.RoleAdmin})
	key, _, err := store.CreateKey(admin, "soak-editor", graph.RoleEditor)
	if err != nil {
		fail(err.Error())
	}
	hcfg := httpapi.DefaultConfig()
	hcfg.Metrics = metrics
	metrics.WatchPool(store)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err.Error())
	}
	srv := &http.Server{Handler: httpapi.New(store, hcfg, cfg.Logger)}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

	start := time.Now()
	var mu sync.Mutex
	var samples []sample
	var rss []float64
	var goroutines []int
	record := func(s sample) {
		mu.Lock()
		samples = append(samples, s)
		mu.Unlock()
	}
	call := func(op, query string, vars map[string]any, bearer, expected string) {
		t0 := time.Now()
		code := post(client, base, query, vars, bearer)
		record(sample{minute: int(t0.Sub(start) / time.Minute), took: time.Since(t0), op: op, code: code, expected: expected})
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	// Readers: a fixed rate, each request in its own goroutine so that a slow one does not slow the rate.
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second / time.Duration(*rate))
		defer tick.Stop()
		rng := rand.New(rand.NewPCG(1, 2))
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			op, q, vars, expected := readQuery(rng, n, ids, names)
			wg.Add(1)
			go func() { defer wg.Done(); call(op, q, vars, "", expected) }()
		}
	}()
	// Writers: create an actor, link it, update the link, retire it; every change audited.
	for w := range *writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w)+10, 3))
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(2 * time.Second):
				}
				writeCycle(call, key, fmt.Sprintf("soak-w%d-%d-%d", w, start.Unix(), i), ids[rng.IntN(len(ids))])
			}
		}()
	}
	// Memory and goroutines, once a minute.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Minute):
			}
			mu.Lock()
			rss = append(rss, rssMiB())
			goroutines = append(goroutines, runtime.NumGoroutine())
			mu.Unlock()
		}
	}()
	time.Sleep(*duration)
	close(stop)
	wg.Wait()
	os.Exit(report(samples, rss, goroutines, *rate, *writers, *out))
}

// writeCycle gives a fresh actor a whole life: created, linked, the link updated and retired, then a
// stale update that must be refused. A fresh actor each time keeps versions known without reading back.
func writeCycle(call func(op, q string, vars map[string]any, bearer, expected string), key, actor, other string) {
	ev := `[{source: "soak", claim: "Soak test change."}]`
	call("upsertActor", `mutation($id: ID!, $name: String!) { upsertActor(input: {id: $id, kind: GROUP, name: $name, evidence: `+ev+`}) { version } }`,
		map[string]any{"id": actor, "name": "Soak " + actor}, key, "")
	rel := actor + ":RIVAL_OF:" + other
	call("addRelation", `mutation($a: ID!, $b: ID!) { addRelation(input: {type: RIVAL_OF, from: $a, to: $b, status: ALLEGED, confidence: 0.4, evidence: `+ev+`}) { version } }`,
		map[string]any{"a": actor, "b": other}, key, "")
	call("updateRelation", `mutation($id: ID!) { updateRelation(id: $id, version: 1, patch: {confidence: 0.5}) { version } }`,
		map[string]any{"id": rel}, key, "")
	call("retireRelation", `mutation($id: ID!) { retireRelation(id: $id, version: 2, reason: "soak") { version } }`,
		map[string]any{"id": rel}, key, "")
	// A stale write: deliberately refused.
	call("updateRelation", `mutation($id: ID!) { updateRelation(id: $id, version: 1, patch: {confidence: 0.6}) { version } }`,
		map[string]any{"id": rel}, key, graph.ECONFLICT)
}

// readQuery picks the n-th read of the mix; one in fifty is a deliberate error.
func readQuery(rng *rand.Rand, n int, ids, names []string) (op, q string, vars map[string]any, expected string) {
	id, other := ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]
	for other == id && len(ids) > 1 { // a path needs two actors; the same one twice is INVALID
		other = ids[rng.IntN(len(ids))]
	}
	if n%50 == 49 {
		return "invalid", `query($id: ID!) { neighbourhood(id: $id, depth: 9) { omitted } }`, map[string]any{"id": id}, graph.EINVALID
	}
	switch n % 7 {
	case 0:
		return "actor", `query($id: ID!) { actor(id: $id) { id name kind aliases degree evidence { claim } } }`, map[string]any{"id": id}, ""
	case 1:
		name := names[rng.IntN(len(names))]
		return "search", `query($t: String!) { search(text: $t) { score actor { id name } } }`, map[string]any{"t": name}, ""
	case 2:
		return "neighbourhood1", `query($id: ID!) { neighbourhood(id: $id) { nodes { id name kind } edges { id type from { id } to { id } } omitted } }`,
			map[string]any{"id": id}, ""
	case 3:
		return "neighbourhood2", `query($id: ID!) { neighbourhood(id: $id, depth: 2, limit: 200, perNodeLimit: 20) { nodes { id } edges { id } omitted } }`,
			map[string]any{"id": id}, ""
	case 4:
		return "shortestPath", `query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b, maxHops: 4) { length nodes { id } } }`,
			map[string]any{"a": id, "b": other}, ""
	case 5:
		return "paths", `query($a: ID!, $b: ID!) { paths(from: $a, to: $b, k: 5, maxHops: 3) { length credibility } }`,
			map[string]any{"a": id, "b": other}, ""
	default:
		return "fundingChannels", `query($id: ID!) { fundingChannels(recipient: $id, maxHops: 3) { via { id } path { length } } }`,
			map[string]any{"id": id}, ""
	}
}

// httpErrors counts the requests that got no HTTP answer; the first few are printed.
var httpErrors atomic.Int32

// post sends one GraphQL request and returns "" or the first error code.
func post(client *http.Client, base, query string, vars map[string]any, bearer string) string {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		if httpErrors.Add(1) <= 5 {
			fmt.Fprintln(os.Stderr, "soak: request failed:", err)
		}
		return "HTTP"
	}
	defer resp.Body.Close()
	var r struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return "BAD_JSON"
	}
	if len(r.Errors) > 0 {
		c, _ := r.Errors[0].Extensions["code"].(string)
		return c
	}
	return ""
}

// sampleActors returns up to 2000 actor ids (and their names, for search), spread over the id order.
func sampleActors(ctx context.Context, store *graph.Store) (ids, names []string) {
	var after *string
	for page := 0; page < 4; page++ {
		p, err := store.Actors(ctx, graph.ActorsQuery{First: 500, After: after})
		if err != nil {
			fail(err.Error())
		}
		for _, a := range p.Actors {
			ids = append(ids, a.ID)
			names = append(names, a.Name)
		}
		if !p.HasNextPage {
			break
		}
		after = &p.Cursors[len(p.Cursors)-1]
	}
	if len(ids) == 0 {
		fail("the graph is empty: load the scale-M graph first")
	}
	return ids, names
}

func rssMiB() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			kb, _ := strconv.Atoi(strings.Fields(l)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

type minuteFigures struct {
	Minute     int     `json:"minute"`
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	Deliberate int     `json:"deliberate"`
	P50ms      float64 `json:"p50_ms"`
	P95ms      float64 `json:"p95_ms"`
	P99ms      float64 `json:"p99_ms"`
	RSSMiB     float64 `json:"rss_mib"`
	Goroutines int     `json:"goroutines"`
}

func report(samples []sample, rss []float64, goroutines []int, rate, writers int, out string) int {
	byMinute := map[int][]sample{}
	last := 0
	for _, s := range samples {
		byMinute[s.minute] = append(byMinute[s.minute], s)
		last = max(last, s.minute)
	}
	var figs []minuteFigures
	unexpected := map[string]int{}
	for m := 0; m <= last; m++ {
		ss := byMinute[m]
		f := minuteFigures{Minute: m + 1, Requests: len(ss)}
		var lat []float64
		for _, s := range ss {
			switch {
			case s.expected != "" && s.code == s.expected:
				f.Deliberate++
			case s.code != s.expected:
				f.Errors++
				unexpected[s.op+":"+s.code]++
			}
			if s.op != "invalid" {
				lat = append(lat, float64(s.took.Microseconds())/1000)
			}
		}
		sort.Float64s(lat)
		f.P50ms, f.P95ms, f.P99ms = pct(lat, .50), pct(lat, .95), pct(lat, .99)
		if m < len(rss) {
			f.RSSMiB, f.Goroutines = rss[m], goroutines[m]
		}
		figs = append(figs, f)
	}
	fmt.Printf("soak: %d reads/s, %d writers, %d minutes\n\n", rate, writers, len(figs))
	fmt.Println("| minute | requests | errors | deliberate | p50 ms | p95 ms | p99 ms | RSS MiB | goroutines |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, f := range figs {
		fmt.Printf("| %d | %d | %d | %d | %.1f | %.1f | %.1f | %.0f | %d |\n", f.Minute, f.Requests, f.Errors, f.Deliberate, f.P50ms, f.P95ms, f.P99ms, f.RSSMiB, f.Goroutines)
	}
	if out != "" {
		b, _ := json.MarshalIndent(figs, "", "  ")
		_ = os.WriteFile(out, b, 0o644)
	}
	status := 0
	check := func(ok bool, format string, args ...any) {
		mark := "ok  "
		if !ok {
			mark, status = "FAIL", 1
		}
		fmt.Printf("%s %s\n", mark, fmt.Sprintf(format, args...))
	}
	fmt.Println()
	total := 0
	for _, f := range figs {
		total += f.Errors
	}
	check(total == 0, "errors other than deliberate ones: %d %v", total, unexpected)
	// Compare whole minutes only: the last minute of samples may be partial.
	full := figs
	if len(full) > 2 {
		full = full[:len(full)-1]
	}
	first, lastF := full[0], full[len(full)-1]
	check(lastF.P99ms <= first.P99ms*1.25, "p99 stable: first minute %.1f ms, last full minute %.1f ms (within 25%%)", first.P99ms, lastF.P99ms)
	if len(rss) >= 3 {
		check(rss[len(rss)-1] <= rss[1]*1.25+10, "memory flat: RSS %.0f MiB after minute 2, %.0f MiB at the end", rss[1], rss[len(rss)-1])
	}
	return status
}

func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "soak:", msg)
	os.Exit(2)
}
