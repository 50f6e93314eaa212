// Command hops splits the service's overhead over the raw driver (floors 1–2 of BENCHMARKS.md) into its
// hops: for one query it times, one request at a time and taking turns per sample item, the same item
//
//	raw       the benchmark's raw system: the captured statements through neo4j-go-driver
//	resolver  the service's resolver (its defaults) and store, in this process: no GraphQL, no HTTP
//	handler   the service's HTTP handler called in this process: GraphQL, no network
//	http      the same handler behind a loopback HTTP server in this process, asked by the benchmark's client
//	agserve   the service as the benchmark runs it, a process of its own, asked by the same client
//	agserve net/http  the same, asked through net/http's client, which hands each request and answer
//	          between goroutines (the benchmark's client until bench/load/client.go)
//
// and, as the floor of any GraphQL request, `{ __typename }` over both HTTP paths. With -blocks it also reports
// each way's CPU time, allocations and bytes allocated per request in this process (for the agserve ways, the
// client's only). It needs a scale loaded and a load run's capture of the service's statements
// (bench/out/SCALE/trace.json).
//
//	hops -scale S -query actor -n 2000
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/actorgraph/actorgraph/bench/internal/benchenv"
	"github.com/actorgraph/actorgraph/bench/load"
	"github.com/actorgraph/actorgraph/httpapi"
	"github.com/actorgraph/actorgraph/internal/gctune"
	"github.com/actorgraph/actorgraph/resolvers"
)

func main() {
	scale := flag.String("scale", "S", "scale of the loaded dataset")
	uri := flag.String("uri", benchenv.DefaultURI, "Neo4j URI")
	query := flag.String("query", "actor", "actor, search, neighbourhood1, neighbourhood2, neighbourhood2_hub, shortestPath, paths5 or fundingChannels")
	n := flag.Int("n", 2000, "requests per way (after a warm-up of n/5)")
	agserve := flag.String("agserve", "bench/out/bin/agserve", "service binary (bench/build.sh builds it)")
	port := flag.Int("ag-port", 18086, "port of the service process it starts")
	blocks := flag.Bool("blocks", false, "run each way's requests back to back, one way after the other, as the benchmark's closed loop does, instead of taking turns per item")
	flag.StringVar(&profileWay, "profile-way", "", "with -blocks: profile this way's measured requests (this process's CPU; resolver, handler or http)")
	flag.StringVar(&profileFile, "cpuprofile", "hops-cpu.pprof", "where -profile-way writes its CPU profile")
	flag.StringVar(&allocFile, "allocprofile", "", "with -profile-way: also record every allocation of that way's measured requests into this file (pprof allocs; slows the way down)")
	flag.Parse()
	gctune.Apply()
	if profileWay != "" && !*blocks {
		fmt.Fprintln(os.Stderr, "hops: -profile-way needs -blocks")
		os.Exit(2)
	}
	if err := run(*scale, *uri, *query, *n, *agserve, *port, *blocks); err != nil {
		fmt.Fprintln(os.Stderr, "hops:", err)
		os.Exit(1)
	}
}

// profileWay names the way whose measured requests are CPU-profiled into profileFile ("": none), and, when
// allocFile is set, whose every allocation is recorded there.
var profileWay, profileFile, allocFile string

// way is one path from the caller to Neo4j and back.
type way struct {
	name string
	do   func(ctx context.Context, item int) error
}

func run(scale, uri, query string, n int, agserve string, port int, blocks bool) error {
	ctx := context.Background()
	q, ok := load.QueryByName(query)
	if !ok {
		return fmt.Errorf("-query: unknown query %q", query)
	}
	sample, err := benchenv.ReadSample(benchenv.SamplePath(scale))
	if err != nil {
		return err
	}
	tr, err := load.ReadTrace(filepath.Join(benchenv.OutDir, scale, "trace.json"))
	if err != nil {
		return fmt.Errorf("%w (run the load command on this scale first: it captures the statements)", err)
	}
	items := min(q.Items(sample), len(tr[q.Name]))
	if items == 0 {
		return fmt.Errorf("no captured statements for %s in the %s trace", q.Name, scale)
	}
	call, err := resolverCall(q.Name)
	if err != nil {
		return err
	}

	store, err := benchenv.OpenStore(benchenv.StoreConfig(uri, false), time.Minute)
	if err != nil {
		return err
	}
	defer store.Close(ctx)
	h := httpapi.New(store, httpapi.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	inURL := "http://" + ln.Addr().String() + "/graphql"

	base := "http://127.0.0.1:" + strconv.Itoa(port)
	proc, err := benchenv.StartProcess(agserve, []string{"-port", strconv.Itoa(port), "-neo4j", uri, "-log", "-"}, nil, "",
		filepath.Join(benchenv.OutDir, scale, "hops-agserve.stderr"))
	if err != nil {
		return fmt.Errorf("start the service (bench/build.sh builds %s): %w", agserve, err)
	}
	defer benchenv.Terminate(proc)
	if err := benchenv.WaitHTTP(ctx, base+"/readyz", http.MethodGet); err != nil {
		return fmt.Errorf("service not ready: %w", err)
	}
	extURL := base + "/graphql"

	raw, err := load.NewRawSystem(uri, tr, 0)
	if err != nil {
		return err
	}
	defer raw.Close()
	rawDo, err := raw.Bind(q)
	if err != nil {
		return err
	}
	inSys, err := load.NewGraphQLSystem("http", inURL, 0, false, sample, tr)
	if err != nil {
		return err
	}
	extSys, err := load.NewGraphQLSystem("agserve", extURL, 0, false, sample, tr)
	if err != nil {
		return err
	}
	defer inSys.Close()
	defer extSys.Close()
	inDo, err := inSys.Bind(q)
	if err != nil {
		return err
	}
	extDo, err := extSys.Bind(q)
	if err != nil {
		return err
	}
	bodies, err := inSys.Bodies(q)
	if err != nil {
		return err
	}
	resolver := (&resolvers.Resolver{Graph: store}).Query()
	ways := []way{
		{"raw", func(ctx context.Context, i int) error { _, err := rawDo(ctx, i); return err }},
		{"resolver", func(ctx context.Context, i int) error { return call(ctx, resolver, q.Vars(sample, i)) }},
		{"handler", func(ctx context.Context, i int) error { return serveInProcess(h, bodies[i]) }},
		{"http", func(ctx context.Context, i int) error { _, err := inDo(ctx, i); return err }},
		{"agserve", func(ctx context.Context, i int) error { _, err := extDo(ctx, i); return err }},
		{"agserve net/http", netHTTP(extURL, bodies)},
		{"typename http", typename(inSys)},
		{"typename agserve", typename(extSys)},
	}
	times := make([][]time.Duration, len(ways))
	one := func(j, k int) error {
		start := time.Now()
		if err := ways[j].do(ctx, (k+n)%items); err != nil {
			return fmt.Errorf("%s, item %d: %w", ways[j].name, (k+n)%items, err)
		}
		if k >= 0 {
			times[j] = append(times[j], time.Since(start))
		}
		return nil
	}
	order := "taking turns per item"
	costs := make([]cost, len(ways))
	if blocks {
		order = "each way's requests back to back"
		for j := range ways {
			var before cost
			for k := -n / 5; k < n; k++ {
				if k == 0 && ways[j].name == profileWay {
					stop, err := startProfile(profileFile)
					if err != nil {
						return err
					}
					defer stop()
					if allocFile != "" {
						runtime.MemProfileRate = 1
					}
				}
				if k == 0 {
					before = readCost()
				}
				if err := one(j, k); err != nil {
					return err
				}
				if k == n-1 {
					costs[j] = readCost().since(before, n)
				}
				if k == n-1 && ways[j].name == profileWay {
					pprof.StopCPUProfile()
					if allocFile != "" {
						if err := writeAllocs(allocFile); err != nil {
							return err
						}
					}
				}
			}
		}
	} else {
		for k := -n / 5; k < n; k++ {
			for j := range ways {
				if err := one(j, k); err != nil {
					return err
				}
			}
		}
	}
	fmt.Printf("%s at %s, %d requests per way, one at a time, %s (commit %s)\n\n",
		q.Name, scale, n, order, commit(agserve))
	if blocks {
		// This process's CPU and allocations per request: for raw, resolver, handler and http the whole
		// way but Neo4j; for the agserve ways only the client's part.
		fmt.Println("| way | p50 ms | p95 ms | p50 over raw ms | this process's CPU ms/request | allocations/request | KB allocated/request |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	} else {
		fmt.Println("| way | p50 ms | p95 ms | p50 over raw ms |")
		fmt.Println("|---|---:|---:|---:|")
	}
	raw50 := load.Summarize(times[0]).P50
	for j, w := range ways {
		c := load.Summarize(times[j])
		over := "–"
		if j > 0 && !strings.HasPrefix(w.name, "typename") { // the typename ways answer another query
			over = fmt.Sprintf("%+.3f", c.P50-raw50)
		}
		fmt.Printf("| %s | %.3f | %.3f | %s |", w.name, c.P50, c.P95, over)
		if blocks {
			fmt.Printf(" %.3f | %.0f | %.1f |", costs[j].cpuMs, costs[j].allocs, costs[j].kb)
		}
		fmt.Println()
	}
	return nil
}

// cost is this process's CPU time and allocations, in total (readCost) or per request (since).
type cost struct {
	cpuMs, allocs, kb float64
}

// readCost reads this process's CPU time (user and system, every thread) and the heap's allocation counters.
func readCost() cost {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return cost{cpuMs: float64(cpu) / float64(time.Millisecond), allocs: float64(ms.Mallocs), kb: float64(ms.TotalAlloc) / 1024}
}

// since is the cost from before to c, per request of n.
func (c cost) since(before cost, n int) cost {
	k := float64(n)
	return cost{cpuMs: (c.cpuMs - before.cpuMs) / k, allocs: (c.allocs - before.allocs) / k, kb: (c.kb - before.kb) / k}
}

// resolverCall returns the resolver call of a query, with the variables the benchmark gives it.
func resolverCall(name string) (func(context.Context, resolvers.QueryResolver, map[string]any) error, error) {
	ten, five := 10, 5
	depth := map[string]int{"neighbourhood1": 1, "neighbourhood2": 2, "neighbourhood2_hub": 2}
	switch name {
	case "actor":
		return func(ctx context.Context, r resolvers.QueryResolver, v map[string]any) error {
			_, err := r.Actor(ctx, v["id"].(string))
			return err
		}, nil
	case "search":
		return func(ctx context.Context, r resolvers.QueryResolver, v map[string]any) error {
			_, err := r.Search(ctx, v["text"].(string), nil, &ten)
			return err
		}, nil
	case "neighbourhood1", "neighbourhood2", "neighbourhood2_hub":
		d := depth[name]
		return func(ctx context.Context, r resolvers.QueryResolver, v map[string]any) error {
			_, err := r.Neighbourhood(ctx, v["id"].(string), &d, nil, nil, nil, nil, nil, nil, nil, nil, nil)
			return err
		}, nil
	case "shortestPath":
		return func(ctx context.Context, r resolvers.QueryResolver, v map[string]any) error {
			_, err := r.ShortestPath(ctx, v["from"].(string), v["to"].(string), nil, nil, nil, nil, nil, nil, nil, nil)
			return err
		}, nil
	case "paths5":
		return func(ctx context.Context, r resolvers.QueryResolver, v map[string]any) error {
			_, err := r.Paths(ctx, v["from"].(string), v["to"].(string), nil, nil, nil, &five, nil, nil, nil, nil, nil, nil)
			return err
		}, nil
	case "fundingChannels":
		return func(ctx context.Context, r resolvers.QueryResolver, v map[string]any) error {
			id := v["id"].(string)
			_, err := r.FundingChannels(ctx, &id, nil, nil, nil, nil)
			return err
		}, nil
	}
	return nil, fmt.Errorf("-query: %s is not one hops can call through the resolver", name)
}

// writeAllocs writes the allocations recorded so far to path and stops recording each one.
func writeAllocs(path string) error {
	runtime.GC() // the profile shows allocations as of the last collection
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	err = pprof.Lookup("allocs").WriteTo(f, 0)
	runtime.MemProfileRate = 512 * 1024
	return err
}

// startProfile starts profiling this process's CPU into path; stop closes the file (after
// pprof.StopCPUProfile).
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// serveInProcess answers one GraphQL POST through the handler, without a connection.
func serveInProcess(h http.Handler, body []byte) error {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return load.CheckAnswer(w.Code, w.Body.Bytes())
}

// typename asks sys the smallest GraphQL request there is, and checks the answer.
func typename(sys *load.GraphQLSystem) func(context.Context, int) error {
	return func(ctx context.Context, _ int) error {
		body, err := sys.Post(ctx, []byte(`{"query":"{ __typename }"}`))
		if err != nil {
			return err
		}
		if !bytes.Contains(body, []byte(`"__typename":"Query"`)) {
			return fmt.Errorf("not the answer to { __typename }: %.200s", body)
		}
		return nil
	}
}

// commit is the short commit bench/build.sh built the service binary from.
func commit(bin string) string {
	c := benchenv.BuiltCommit(bin)
	if c == "" {
		return "unknown"
	}
	return c[:min(12, len(c))]
}

// netHTTP asks url through net/http's client, as the benchmark's client did before it wrote and read on the
// calling goroutine (bench/load/client.go).
func netHTTP(url string, bodies [][]byte) func(context.Context, int) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}}
	return func(ctx context.Context, i int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(bodies[i]))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		return load.CheckAnswer(resp.StatusCode, b)
	}
}
