// Command load is ActorGraph's query benchmark (package bench/load). Against a database loaded by
// bench/cmd/import, it
//
//  1. captures, through an in-process store with graph.Config.Trace, the Cypher the service sends for every
//     query and sample item;
//
//  2. starts the service (bench/cmd/agserve: the real HTTP handler, own process) and the @neo4j/graphql peer
//     (node bench/peer/server.mjs), both on 127.0.0.1;
//
//  3. for each query, warms up every system, then for each concurrency runs closed-loop clients for
//     -duration per system, in -rounds rounds in which the systems take turns (actorgraph, raw, peer; then
//     raw, peer, actorgraph; ...: each round starts with the next system; the workers go on through the
//     sample where the last round stopped), so that a drift of the machine's speed falls on every system
//     alike; it records latency percentiles, throughput (also per round), errors, and the peak RSS of the
//     system's process;
//
//  4. writes bench/out/SCALE/load-*.json and a Markdown report with the ratio tables.
//
//     go run ./bench/cmd/load -scale S                 # the full run: 30 s per cell, c = 1, 8, 32
//     go run ./bench/cmd/load -scale S -quick          # smoke run: 2 s per cell, c = 1, 8, 20 items
//     go run ./bench/cmd/load -scale M -queries neighbourhood2_hub -systems actorgraph,raw -duration 10s
//     go run ./bench/cmd/load -report bench/out/M/load-X.json   # a saved run's Markdown again, nothing run
//
// Every server it starts listens on 127.0.0.1 only and is stopped (by its pid) when the run ends.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/actorgraph/actorgraph/bench/gen"
	"github.com/actorgraph/actorgraph/bench/internal/benchenv"
	"github.com/actorgraph/actorgraph/bench/load"
	"github.com/actorgraph/actorgraph/bench/proc"
)

type options struct {
	scale, samplePath, uri       string
	systems, queries             []string
	conc                         []int
	duration, warmup, reqTimeout time.Duration
	rounds                       int
	maxRequests                  int64
	items                        int
	agserveBin, agURL, peerURL   string
	agEnv                        []string
	captureBudget, settle        time.Duration
	firstTimeout                 time.Duration
	agPort, peerPort             int
	peerDir, pprofAddr, out, tag string
	neo4jPidFile                 string
	commit                       string
}

func main() {
	var o options
	var systems, queries, conc string
	quick := flag.Bool("quick", false, "smoke run: 2 s per cell, concurrency 1 and 8, 20 sample items")
	flag.StringVar(&o.scale, "scale", "S", "scale of the loaded dataset (its sample is bench/out/SCALE/sample.json)")
	flag.StringVar(&o.samplePath, "sample", "", "sample file (default bench/out/SCALE/sample.json)")
	flag.StringVar(&o.uri, "uri", benchenv.DefaultURI, "Neo4j URI")
	flag.StringVar(&systems, "systems", "actorgraph,raw,peer", "systems to run")
	flag.StringVar(&queries, "queries", "all", "comma-separated query names, or all")
	flag.StringVar(&conc, "conc", "1,8,32", "concurrency levels")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "measured time per cell")
	flag.IntVar(&o.rounds, "rounds", 3, "measure each cell in this many rounds, the systems taking turns (drift falls on all of them alike)")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "warm-up per query and system (at most one pass over the sample)")
	flag.DurationVar(&o.reqTimeout, "request-timeout", 15*time.Second, "timeout of one request")
	flag.DurationVar(&o.firstTimeout, "first-timeout", 3*time.Minute, "timeout of a query's first (planning) request in the warm-up")
	flag.DurationVar(&o.captureBudget, "capture-budget", time.Minute, "time allowed to capture one query's statements")
	flag.DurationVar(&o.settle, "settle", 5*time.Second, "between cells, wait this long for Neo4j to finish other transactions, then terminate them")
	flag.Int64Var(&o.maxRequests, "max-requests", 200_000, "cap on requests per cell")
	flag.IntVar(&o.items, "items", 0, "use only the first N sample items of each query (0: all)")
	flag.StringVar(&o.agserveBin, "agserve", "bench/out/bin/agserve", "service binary (bench/build.sh builds it)")
	flag.StringVar(&o.agURL, "ag-url", "", "use a running ActorGraph at this /graphql URL instead of starting one")
	flag.StringVar(&o.peerURL, "peer-url", "", "use a running peer at this URL instead of starting one")
	flag.IntVar(&o.agPort, "ag-port", 18080, "port of the service it starts")
	flag.IntVar(&o.peerPort, "peer-port", 18090, "port of the peer it starts")
	flag.StringVar(&o.peerDir, "peer-dir", "bench/peer", "folder of the peer (npm ci there first)")
	flag.StringVar(&o.pprofAddr, "pprof", "", "have the service serve pprof on this loopback address")
	flag.StringVar(&o.neo4jPidFile, "neo4j-pid-file", benchenv.DefaultPidFile, "pid file of the benchmark's Neo4j, for its CPU time per request (none: not measured)")
	flag.StringVar(&o.out, "out", "", "output folder (default bench/out/SCALE)")
	flag.StringVar(&o.tag, "tag", "", "suffix of the output file names")
	agEnv := flag.String("ag-env", "", "extra environment of the service, comma-separated (e.g. GOGC=400)")
	report := flag.String("report", "", "write the Markdown of a saved run (its JSON file) to stdout, and run nothing")
	flag.Parse()
	if *report != "" {
		if err := writeReport(*report); err != nil {
			fail(err)
		}
		return
	}
	if *quick {
		o.duration, o.warmup, conc, o.items, o.rounds = 2*time.Second, time.Second, "1,8", 20, 1
	}
	if o.rounds < 1 || o.duration/time.Duration(o.rounds) < time.Second {
		fail(fmt.Errorf("bad -rounds %d: each round must last at least 1 s of -duration %s", o.rounds, o.duration))
	}
	o.systems = strings.Split(systems, ",")
	if *agEnv != "" {
		o.agEnv = strings.Split(*agEnv, ",")
	}
	if queries == "all" {
		for _, q := range load.Queries {
			o.queries = append(o.queries, q.Name)
		}
	} else {
		o.queries = strings.Split(queries, ",")
	}
	for _, c := range strings.Split(conc, ",") {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 {
			fail(fmt.Errorf("bad -conc %q", conc))
		}
		o.conc = append(o.conc, n)
	}
	if o.samplePath == "" {
		o.samplePath = benchenv.SamplePath(o.scale)
	}
	if o.out == "" {
		o.out = filepath.Join(benchenv.OutDir, o.scale)
	}
	o.commit = benchenv.BuiltCommit(o.agserveBin)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fail(err)
	}
}

func run(ctx context.Context, o options) error {
	sample, err := benchenv.ReadSample(o.samplePath)
	if err != nil {
		return fmt.Errorf("read the sample (run bench/cmd/import -scale %s first): %w", o.scale, err)
	}
	if o.items > 0 {
		trimSample(sample, o.items)
	}
	neo4jPid := neo4jProcess(o.neo4jPidFile)
	var qs []load.Query
	for _, name := range o.queries {
		q, ok := load.QueryByName(name)
		if !ok {
			return fmt.Errorf("unknown query %q", name)
		}
		qs = append(qs, q)
	}

	logf("capturing the service's Cypher for %d queries", len(qs))
	trace, captureErrs, err := load.Capture(ctx, o.uri, sample, qs, o.captureBudget)
	if err != nil {
		return err
	}
	for i, q := range qs {
		if n := len(trace[q.Name]); n < q.Items(sample) {
			logf("capture: %s took over %s; benchmarking its first %d items only", q.Name, o.captureBudget, n)
			qs[i].Items = func(*gen.Sample) int { return n }
		}
	}
	if err := load.WriteTrace(filepath.Join(o.out, "trace.json"), trace); err != nil {
		return err
	}
	for q, n := range captureErrs {
		logf("capture: %s answered %d items with an error", q, n)
	}

	var systems []load.System
	defer func() {
		for _, s := range systems {
			s.Close()
		}
	}()
	for _, name := range o.systems {
		switch name {
		case "actorgraph":
			url, pid := o.agURL, 0
			if url == "" {
				args := []string{"-port", strconv.Itoa(o.agPort), "-neo4j", o.uri, "-log", filepath.Join(o.out, "agserve.log")}
				if o.pprofAddr != "" {
					args = append(args, "-pprof", o.pprofAddr)
				}
				cmd, err := benchenv.StartProcess(o.agserveBin, args, o.agEnv, "", filepath.Join(o.out, "agserve.stderr"))
				if err != nil {
					return fmt.Errorf("start the service (bench/build.sh builds %s): %w", o.agserveBin, err)
				}
				defer benchenv.Terminate(cmd)
				url, pid = fmt.Sprintf("http://127.0.0.1:%d/graphql", o.agPort), cmd.Process.Pid
				if err := benchenv.WaitHTTP(ctx, fmt.Sprintf("http://127.0.0.1:%d/readyz", o.agPort), "GET"); err != nil {
					return fmt.Errorf("service not ready: %w", err)
				}
			}
			sys, err := load.NewGraphQLSystem("actorgraph", url, pid, false, sample, trace)
			if err != nil {
				return err
			}
			systems = append(systems, sys)
		case "raw":
			raw, err := load.NewRawSystem(o.uri, trace, os.Getpid())
			if err != nil {
				return err
			}
			systems = append(systems, raw)
		case "peer":
			url, pid := o.peerURL, 0
			if url == "" {
				env := []string{"PORT=" + strconv.Itoa(o.peerPort), "NEO4J_URI=" + o.uri}
				cmd, err := benchenv.StartProcess("node", []string{"server.mjs"}, env, o.peerDir, filepath.Join(o.out, "peer.stderr"))
				if err != nil {
					return fmt.Errorf("start the peer (cd bench/peer && npm ci): %w", err)
				}
				defer benchenv.Terminate(cmd)
				url, pid = fmt.Sprintf("http://127.0.0.1:%d/", o.peerPort), cmd.Process.Pid
				if err := benchenv.WaitHTTP(ctx, url+"?query=%7B__typename%7D", "GET"); err != nil {
					return fmt.Errorf("peer not ready: %w", err)
				}
			}
			sys, err := load.NewGraphQLSystem("peer", url, pid, true, sample, trace)
			if err != nil {
				return err
			}
			systems = append(systems, sys)
		default:
			return fmt.Errorf("unknown system %q", name)
		}
	}

	// A driver of our own to wait, between cells, until Neo4j is idle (and to stop what the peer left).
	settler, err := load.NewRawSystem(o.uri, trace, 0)
	if err != nil {
		return err
	}
	defer settler.Close()
	settle := func() {
		if n, err := settler.Settle(ctx, o.settle); err != nil {
			logf("settle: %v", err)
		} else if n > 0 {
			logf("settle: terminated %d transactions still running after %s", n, o.settle)
		}
	}

	res := &load.RunResult{Scale: o.scale, Seed: sample.Seed, Commit: o.commit, Started: time.Now().UTC().Format(time.RFC3339),
		Duration: o.duration.String(), Rounds: o.rounds, Systems: o.systems, Concurrency: o.conc, SampleItems: map[string]int{},
		HubDegrees: sample.HubDegrees, CaptureErrs: captureErrs, LoadAvg: []string{loadAvg()}}
	cells := len(qs) * len(o.conc) * len(systems)
	logf("running %d cells of %s (about %s with warm-ups)", cells, o.duration,
		(time.Duration(cells)*o.duration + time.Duration(len(qs)*len(systems))*o.warmup).Round(time.Second))
	// Each round gets its share of the cell's time and request cap.
	lim := load.Limits{Duration: o.duration / time.Duration(o.rounds), MaxRequests: max(1, o.maxRequests/int64(o.rounds)),
		RequestTimeout: o.reqTimeout}
	stamp := time.Now().UTC().Format("20060102-150405")
	if o.tag != "" {
		stamp += "-" + o.tag
	}
	jsonPath := filepath.Join(o.out, "load-"+stamp+".json")
	for _, q := range qs {
		items := q.Items(sample)
		res.SampleItems[q.Name] = items
		dos := make([]load.DoFunc, len(systems))
		for i, s := range systems {
			if dos[i], err = s.Bind(q); err != nil {
				return fmt.Errorf("%s/%s: %w", s.Name(), q.Name, err)
			}
			// Warm-up: the first request of a query may wait for Neo4j to plan it (the peer's nested
			// neighbourhood statements take about a minute), so it gets -first-timeout, twice at most;
			// then one pass over the sample at c=1, bounded by -warmup.
			for try := 0; try < 2; try++ {
				fctx, cancel := context.WithTimeout(ctx, o.firstTimeout)
				t := time.Now()
				_, err := dos[i](fctx, 0)
				cancel()
				if took := time.Since(t); took > time.Second {
					logf("warm-up: first %s request to %s took %s (err %v)", q.Name, s.Name(), took.Round(time.Millisecond), err)
				}
				if err == nil && time.Since(t) < o.reqTimeout {
					break
				}
			}
			load.Run(ctx, 1, items, load.Limits{Duration: o.warmup, MaxRequests: int64(items), RequestTimeout: o.reqTimeout}, dos[i])
			settle()
		}
		for _, c := range o.conc {
			rounds := make([][]load.Cell, len(systems))
			cursors := make([]load.Cursor, len(systems))
			for i := range systems {
				cursors[i] = load.NewCursor(c, items)
			}
			for round := range o.rounds {
				// Each round starts with the next system, so that no system always follows the same one (the
				// peer leaves Neo4j with garbage and terminated transactions behind it).
				for k := range systems {
					i := (round + k) % len(systems)
					s := systems[i]
					if ctx.Err() != nil {
						return ctx.Err()
					}
					sampler := proc.Sample(200*time.Millisecond, s.Pid())
					cpu := startCPU(neo4jPid, s.Pid())
					part := load.RunFrom(ctx, c, items, lim, dos[i], cursors[i])
					peaks := sampler.Stop()
					part.Neo4jCPUSeconds, part.ServerCPUSeconds, part.ClientCPUSeconds = cpu()
					part.Query, part.System, part.RSSMiB = q.Name, s.Name(), float64(peaks[s.Pid()])/(1<<20)
					rounds[i] = append(rounds[i], part)
					settle()
				}
			}
			for i, s := range systems {
				cell := load.Merge(rounds[i]...)
				res.Cells = append(res.Cells, cell)
				if err := benchenv.WriteJSON(jsonPath, res); err != nil { // partial results survive an interrupted run
					return err
				}
				cpu := ""
				if neo, server, client, ok := cell.CPUPerRequest(); ok {
					cpu = fmt.Sprintf("  CPU ms/req Neo4j %.3f server %.3f client %.3f", neo, server, client)
				}
				logf("%-18s c=%-2d %-10s %7.1f req/s  p50 %8.2f  p95 %8.2f  p99 %8.2f ms  err %d  %6.0f B  RSS %4.0f MiB%s",
					q.Name, c, s.Name(), cell.Throughput, cell.P50, cell.P95, cell.P99, cell.Errors, cell.MeanBytes, cell.RSSMiB, cpu)
			}
		}
	}
	res.LoadAvg = append(res.LoadAvg, loadAvg())
	if err := benchenv.WriteJSON(jsonPath, res); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(o.out, "load-"+stamp+".md"))
	if err != nil {
		return err
	}
	defer f.Close()
	res.WriteMarkdown(f)
	res.WriteMarkdown(os.Stdout)
	logf("wrote %s", filepath.Join(o.out, "load-"+stamp+".{json,md}"))
	return nil
}

// neo4jProcess is the pid in path when it names a running JVM (the launcher's Neo4j), else 0 (CPU time
// per request is then not measured).
func neo4jProcess(path string) int {
	pid, err := proc.PidFile(path)
	if err == nil {
		cmd, rerr := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if rerr == nil && strings.Contains(string(cmd), "java") {
			return pid
		}
		err = fmt.Errorf("pid %d is not a running JVM", pid)
	}
	logf("Neo4j's CPU time is not measured (-neo4j-pid-file %s: %v)", path, err)
	return 0
}

// startCPU starts measuring the CPU time of Neo4j (neo4jPid, 0: not measured), of a system's own process
// (serverPid; none when it is this process or 0) and of this process; stop returns each one's seconds since.
func startCPU(neo4jPid, serverPid int) (stop func() (neo4j, server, client float64)) {
	if neo4jPid == 0 {
		return func() (float64, float64, float64) { return 0, 0, 0 }
	}
	self := os.Getpid()
	if serverPid == self {
		serverPid = 0
	}
	cpu := func(pid int) float64 {
		if pid == 0 {
			return 0
		}
		return proc.CPUSeconds(pid)
	}
	n0, s0, c0 := cpu(neo4jPid), cpu(serverPid), cpu(self)
	return func() (float64, float64, float64) {
		return cpu(neo4jPid) - n0, cpu(serverPid) - s0, cpu(self) - c0
	}
}

// trimSample keeps the first n items of every list (hubs are few and kept whole).
func trimSample(s *gen.Sample, n int) {
	cut := func(l []string) []string { return l[:min(n, len(l))] }
	s.Actors, s.Search, s.Recipients = cut(s.Actors), cut(s.Search), cut(s.Recipients)
	s.Pairs = s.Pairs[:min(n, len(s.Pairs))]
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "load:", err)
	os.Exit(1)
}

// writeReport renders the saved run at path (a load-*.json) as Markdown on stdout.
func writeReport(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var res load.RunResult
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	res.WriteMarkdown(os.Stdout)
	return nil
}
