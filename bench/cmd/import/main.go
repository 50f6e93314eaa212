// Command import generates a synthetic graph (bench/gen), validates it with graph.Dataset.Validate and
// imports it into the benchmark Neo4j, reporting relations per second, where the time went, and the peak
// memory of this Go process and of the Neo4j JVM. It also writes the query sample the load command uses.
//
//	go run ./bench/cmd/import -scale S [-seed 1] [-method store] [-wipe=true]
//
// Methods:
//
//	store     (*graph.Store).Import, the project's loader and the measured path: into the emptied database a
//	          dataset of S or M is an initial load (graph/bulk.go): chunked transactions of CREATE, the
//	          relationship indexes built afterwards; the phases (actors, relations, indexes) are reported
//	bulk      reference for an empty database: CSV files and the offline `neo4j-admin database import full`
//	          (stops and restarts the benchmark Neo4j through tools/neo4j/neo4j.sh; needs NEO4J_PORT and
//	          NEO4J_DATA_DIR as bench/run.sh exports them); the time includes the restart and the schema and
//	          index population
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/actorgraph/actorgraph/bench/gen"
	"github.com/actorgraph/actorgraph/bench/importx"
	"github.com/actorgraph/actorgraph/bench/internal/benchenv"
	"github.com/actorgraph/actorgraph/bench/proc"
	"github.com/actorgraph/actorgraph/graph"
)

// Report is what one import measured; it is printed and written to bench/out/SCALE/import-METHOD.json.
type Report struct {
	Scale, Method        string
	Seed                 uint64
	Actors, Relations    int
	GenerateSeconds      float64
	ValidateSeconds      float64
	ImportSeconds        float64
	RelationsPerSecond   float64
	RecordsPerSecond     float64 // actors + relations + sources per second
	NodesCreated         int
	RelationshipsCreated int
	GoPeakRSSMiB         float64 // VmHWM of this process over its whole life (generation included)
	GoPeakRSSImportMiB   float64 // peak sampled during the import alone
	Neo4jPeakRSSMiB      float64 // peak sampled during the import
	Neo4jRSSBeforeMiB    float64
	When                 string
	GOMAXPROCS, NumCPU   int
	Neo4jCPUSeconds      float64   // user + system CPU time of the Neo4j JVM during the import
	LoadAverage          [2]string // /proc/loadavg (1 min) before and after the import
	// PhaseSeconds is the time of each phase Store.Import logs ("initial load: actors", ...).
	PhaseSeconds map[string]float64 `json:",omitempty"`
	CountsAfter  *graph.Stats       `json:",omitempty"`
}

func main() {
	scale := flag.String("scale", "S", "XS, S, M or L")
	seed := flag.Uint64("seed", 1, "generator seed")
	uri := flag.String("uri", benchenv.DefaultURI, "Neo4j URI of the benchmark database")
	pidFile := flag.String("neo4j-pid-file", benchenv.DefaultPidFile, "pid file of the Neo4j JVM (for its RSS)")
	method := flag.String("method", "store", "store or bulk")
	wipe := flag.Bool("wipe", true, "delete everything in the database first")
	flag.Parse()
	sc, ok := gen.Scales[*scale]
	if !ok {
		fail(fmt.Errorf("unknown scale %q", *scale))
	}
	rep := Report{Scale: sc.Name, Method: *method, Seed: *seed, When: time.Now().UTC().Format(time.RFC3339),
		GOMAXPROCS: runtime.GOMAXPROCS(0), NumCPU: runtime.NumCPU()}

	t := time.Now()
	res := gen.Generate(*seed, sc)
	rep.GenerateSeconds = time.Since(t).Seconds()
	rep.Actors, rep.Relations = len(res.Dataset.Actors), len(res.Dataset.Relations)
	fail(benchenv.WriteJSON(benchenv.SamplePath(sc.Name), res.Sample))

	t = time.Now()
	if errs := res.Dataset.Validate(nil, nil); len(errs) > 0 {
		fail(fmt.Errorf("generated dataset is invalid: %d problems, first: %v", len(errs), errs[0]))
	}
	rep.ValidateSeconds = time.Since(t).Seconds()

	cfg := benchenv.StoreConfig(*uri, false)
	cfg.WriteTimeout = 30 * time.Minute
	phases := &phaseLog{seconds: map[string]float64{}}
	cfg.Logger = slog.New(phases)
	if *method == "bulk" { // the database is replaced: start it for the store only afterwards
		fail(exec.Command("tools/neo4j/neo4j.sh", "start").Run())
	}
	store, err := benchenv.OpenStore(cfg, 2*time.Minute)
	fail(err)
	defer func() {
		if store != nil {
			store.Close(context.Background())
		}
	}()
	ctx := context.Background()
	if *wipe && *method != "bulk" { // bulk replaces the whole database anyway
		t = time.Now()
		fail(store.Wipe(ctx))
		fmt.Printf("wiped in %s\n", time.Since(t).Round(time.Millisecond))
	}
	neoPid, err := proc.PidFile(*pidFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "import: no Neo4j pid, its RSS is not measured:", err)
	}
	rep.Neo4jRSSBeforeMiB = mib(proc.RSS(neoPid))
	runtime.GC()

	self := os.Getpid()
	sampler := proc.Sample(100*time.Millisecond, self, neoPid)
	rep.LoadAverage[0] = loadAverage()
	cpu0 := proc.CPUSeconds(neoPid)
	t = time.Now()
	var nodes, rels int
	switch *method {
	case "store":
		r, err := store.Import(ctx, res.Dataset)
		fail(err)
		nodes, rels = r.NodesCreated, r.RelationshipsCreated
	case "bulk":
		store.Close(ctx)
		store = nil
		nodes, rels, err = bulk(res.Dataset, cfg)
		fail(err)
		store, err = benchenv.OpenStore(cfg, 10*time.Minute)
		fail(err)
		neoPid, _ = proc.PidFile(*pidFile)
	default:
		fail(fmt.Errorf("unknown method %q", *method))
	}
	rep.ImportSeconds = time.Since(t).Seconds()
	rep.Neo4jCPUSeconds = proc.CPUSeconds(neoPid) - cpu0
	rep.LoadAverage[1] = loadAverage()
	rep.PhaseSeconds = phases.snapshot()
	peaks := sampler.Stop()
	rep.NodesCreated, rep.RelationshipsCreated = nodes, rels
	rep.RelationsPerSecond = float64(rep.Relations) / rep.ImportSeconds
	rep.RecordsPerSecond = float64(rep.Relations+rep.Actors+len(res.Dataset.Sources)) / rep.ImportSeconds
	hwm, _ := proc.Status(self, "VmHWM")
	rep.GoPeakRSSMiB = mib(hwm)
	rep.GoPeakRSSImportMiB = mib(peaks[self])
	rep.Neo4jPeakRSSMiB = mib(peaks[neoPid])
	st, err := store.Stats(ctx)
	if err == nil {
		st.ByKind, st.ByType = nil, nil
		rep.CountsAfter = st
	}
	fmt.Printf("%s import of %s (%d actors, %d relations): %.1f s, %.0f relations/s; Go peak RSS %.0f MiB (%.0f during import), Neo4j peak RSS %.0f MiB (before %.0f), Neo4j CPU %.1f s; load average %s -> %s\n",
		rep.Method, rep.Scale, rep.Actors, rep.Relations, rep.ImportSeconds, rep.RelationsPerSecond,
		rep.GoPeakRSSMiB, rep.GoPeakRSSImportMiB, rep.Neo4jPeakRSSMiB, rep.Neo4jRSSBeforeMiB, rep.Neo4jCPUSeconds,
		rep.LoadAverage[0], rep.LoadAverage[1])
	for _, p := range phases.order {
		fmt.Printf("  %-45s %6.1f s\n", p, rep.PhaseSeconds[p])
	}
	fail(benchenv.WriteJSON(filepath.Join(benchenv.OutDir, sc.Name, "import-"+*method+".json"), rep))
}

// bulk stops Neo4j, writes the dataset as CSV, runs the offline import tool into the benchmark database,
// starts Neo4j again and waits until the store has applied its schema and Neo4j has populated the indexes.
func bulk(d *graph.Dataset, cfg graph.Config) (int, int, error) {
	dataDir := os.Getenv("NEO4J_DATA_DIR")
	if dataDir == "" || os.Getenv("NEO4J_PORT") == "" {
		return 0, 0, fmt.Errorf("bulk needs NEO4J_DATA_DIR and NEO4J_PORT (as bench/run.sh exports them)")
	}
	sh := func(args ...string) error {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		cmd.Env = append(os.Environ(), "NEO4J_HOME="+dataDir)
		return cmd.Run()
	}
	if err := sh("tools/neo4j/neo4j.sh", "stop"); err != nil {
		return 0, 0, err
	}
	t := time.Now()
	args, err := importx.WriteBulkCSV(filepath.Join(benchenv.OutDir, "bulk"), d)
	if err != nil {
		return 0, 0, err
	}
	csvS := time.Since(t).Seconds()
	t = time.Now()
	lib, _ := filepath.Glob(".cache/neo4j-*/lib")
	if len(lib) == 0 {
		return 0, 0, fmt.Errorf("no Neo4j jars under .cache (tools/neo4j/neo4j.sh fetch)")
	}
	if err := sh(importx.BulkCommand(lib[0], filepath.Join(benchenv.OutDir, "bulk", "import.report"), args)...); err != nil {
		return 0, 0, err
	}
	toolS := time.Since(t).Seconds()
	t = time.Now()
	if err := sh("tools/neo4j/neo4j.sh", "start"); err != nil {
		return 0, 0, err
	}
	store, err := benchenv.OpenStore(cfg, 10*time.Minute) // applies the schema, awaits the indexes
	if err != nil {
		return 0, 0, err
	}
	store.Close(context.Background())
	schemaS := time.Since(t).Seconds()
	logf("bulk: %s", importx.BulkSummary(len(d.Relations), csvS, toolS, schemaS))
	return len(d.Actors) + len(d.Sources), len(d.Relations), nil
}

func logf(format string, args ...any) { fmt.Printf("  "+format+"\n", args...) }

// phaseLog is the store's logger: it keeps the "took" of each record (Store.Import logs one per phase of
// an initial load) and drops the rest.
type phaseLog struct {
	mu      sync.Mutex
	seconds map[string]float64
	order   []string
}

func (p *phaseLog) Enabled(context.Context, slog.Level) bool { return true }
func (p *phaseLog) WithAttrs([]slog.Attr) slog.Handler       { return p }
func (p *phaseLog) WithGroup(string) slog.Handler            { return p }
func (p *phaseLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if d, ok := a.Value.Any().(time.Duration); ok && a.Key == "took" {
			p.mu.Lock()
			if _, seen := p.seconds[r.Message]; !seen {
				p.order = append(p.order, r.Message)
			}
			p.seconds[r.Message] += d.Seconds()
			p.mu.Unlock()
		}
		return true
	})
	return nil
}

func (p *phaseLog) snapshot() map[string]float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.seconds)
}

// loadAverage is the 1-minute load average.
func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return ""
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "import:", err)
		os.Exit(1)
	}
}
