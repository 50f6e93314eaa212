package load

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Run is a whole benchmark run: its settings and every cell.
type RunResult struct {
	Scale       string         `json:"scale"`
	Seed        uint64         `json:"seed"`
	Commit      string         `json:"commit"`
	Started     string         `json:"started"`
	Duration    string         `json:"duration"`
	Rounds      int            `json:"rounds,omitempty"` // each cell's duration was split into this many interleaved rounds
	Systems     []string       `json:"systems"`
	Concurrency []int          `json:"concurrency"`
	SampleItems map[string]int `json:"sampleItems"`
	HubDegrees  []int          `json:"hubDegrees"`
	CaptureErrs map[string]int `json:"captureErrors"`
	LoadAvg     []string       `json:"loadAvg"` // /proc/loadavg before and after
	Cells       []Cell         `json:"cells"`
}

func (r *RunResult) cell(q, sys string, c int) *Cell {
	for i := range r.Cells {
		x := &r.Cells[i]
		if x.Query == q && x.System == sys && x.Concurrency == c {
			return x
		}
	}
	return nil
}

func (r *RunResult) queries() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range r.Cells {
		if !seen[c.Query] {
			seen[c.Query] = true
			out = append(out, c.Query)
		}
	}
	return out
}

func ratio(a, b float64) string {
	if b == 0 || a == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// WriteMarkdown renders the run: latency and throughput per system, the ratios ActorGraph/raw and
// ActorGraph/peer, the three systems side by side (the tables of BENCHMARKS.md's "Query results"), and the
// issue's floors judged against this run. Every ratio and verdict is computed from the unrounded figures.
func (r *RunResult) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "Scale %s (seed %d), commit %s, %s per cell in %d interleaved round(s), started %s; load average before/after: %s\n\n",
		r.Scale, r.Seed, short(r.Commit), r.Duration, max(r.Rounds, 1), r.Started, strings.Join(r.LoadAvg, " / "))
	fmt.Fprintf(w, "| query | c | system | req | err | req/s | p50 ms | p95 ms | p99 ms | max ms | bytes/resp | RSS MiB |\n")
	fmt.Fprintf(w, "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, q := range r.queries() {
		for _, c := range r.Concurrency {
			for _, s := range r.Systems {
				x := r.cell(q, s, c)
				if x == nil {
					continue
				}
				bytes := fmt.Sprintf("%.0f", x.MeanBytes)
				if s == "raw" {
					bytes = fmt.Sprintf("%.0f rows", x.MeanBytes)
				}
				fmt.Fprintf(w, "| %s | %d | %s | %d | %d | %.1f | %.2f | %.2f | %.2f | %.1f | %s | %.0f |\n",
					q, c, s, x.Requests, x.Errors, x.Throughput, x.P50, x.P95, x.P99, x.Max, bytes, x.RSSMiB)
			}
		}
	}
	r.writeCPU(w)
	fmt.Fprintf(w, "\nRatios (ActorGraph / baseline): p50 latency (lower is better for ActorGraph when < 1) and throughput (higher is better when > 1).\n\n")
	fmt.Fprintf(w, "| query | c | AG/raw p50 | AG/raw p99 | AG/raw req/s | AG/peer p50 | AG/peer req/s |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|\n")
	r.eachRow(func(q string, c int, ag, raw, peer *Cell) {
		row := []string{q, fmt.Sprint(c), "–", "–", "–", "–", "–"}
		if raw != nil {
			row[2], row[3], row[4] = ratio(ag.P50, raw.P50), ratio(ag.P99, raw.P99), ratio(ag.Throughput, raw.Throughput)
		}
		if peer != nil {
			row[5], row[6] = ratio(ag.P50, peer.P50), ratio(ag.Throughput, peer.Throughput)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	})
	r.writeSideBySide(w)
	r.writeFloors(w)
	if len(r.CaptureErrs) > 0 {
		keys := make([]string, 0, len(r.CaptureErrs))
		for k := range r.CaptureErrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(w, "\nItems that answered with an error during capture:")
		for _, k := range keys {
			fmt.Fprintf(w, " %s=%d", k, r.CaptureErrs[k])
		}
		fmt.Fprintln(w)
	}
	for _, c := range r.Cells {
		if c.FirstError != "" {
			fmt.Fprintf(w, "\nfirst error of %s/%s/c=%d: %.300s\n", c.Query, c.System, c.Concurrency, c.FirstError)
		}
	}
}

// writeCPU writes what one request cost each process in CPU time, for the cells where it was measured.
func (r *RunResult) writeCPU(w io.Writer) {
	measured := false
	for i := range r.Cells {
		_, _, _, ok := r.Cells[i].CPUPerRequest()
		measured = measured || ok
	}
	if !measured {
		return
	}
	fmt.Fprintf(w, "\nCPU time per request, ms (Neo4j: its whole JVM; server: the system's own process, none for raw; "+
		"client: the benchmark's process, for raw the driver loop itself):\n\n")
	fmt.Fprintf(w, "| query | c | system | Neo4j | server | client | total |\n|---|---:|---|---:|---:|---:|---:|\n")
	for _, q := range r.queries() {
		for _, c := range r.Concurrency {
			for _, s := range r.Systems {
				x := r.cell(q, s, c)
				if x == nil {
					continue
				}
				neo, srv, client, ok := x.CPUPerRequest()
				if !ok {
					continue
				}
				server := "–"
				if srv > 0 {
					server = fmt.Sprintf("%.3f", srv)
				}
				fmt.Fprintf(w, "| %s | %d | %s | %.3f | %s | %.3f | %.3f |\n", q, c, s, neo, server, client, neo+srv+client)
			}
		}
	}
}

func short(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// writeSideBySide writes one row per query and concurrency with the three systems side by side, the layout of
// BENCHMARKS.md's "Query results".
func (r *RunResult) writeSideBySide(w io.Writer) {
	fmt.Fprintf(w, "\nSide by side (\"AG RSS\": the service's peak RSS during the cell):\n\n")
	fmt.Fprintf(w, "| query | c | AG p50 / p99 ms | AG req/s | raw p50 / p99 ms | raw req/s | peer p50 / p99 ms | peer req/s | AG/raw p50 | AG/raw req/s | AG/peer req/s | errors AG/raw/peer | AG RSS MiB |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	r.eachRow(func(q string, c int, ag, raw, peer *Cell) {
		row := []string{q, fmt.Sprint(c)}
		errs := []string{}
		for _, x := range []*Cell{ag, raw, peer} {
			if x == nil {
				row = append(row, "–", "–")
				errs = append(errs, "–")
				continue
			}
			row = append(row, fmt.Sprintf("%.2f / %.2f", x.P50, x.P99), fmt.Sprintf("%.1f", x.Throughput))
			errs = append(errs, fmt.Sprint(x.Errors))
		}
		vsRaw, vsRawTP, vsPeerTP := "–", "–", "–"
		if raw != nil {
			vsRaw, vsRawTP = ratio(ag.P50, raw.P50), ratio(ag.Throughput, raw.Throughput)
		}
		if peer != nil {
			vsPeerTP = ratio(ag.Throughput, peer.Throughput)
		}
		row = append(row, vsRaw, vsRawTP, vsPeerTP, strings.Join(errs, "/"), fmt.Sprintf("%.0f", ag.RSSMiB))
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	})
}

// eachRow calls fn for each query and concurrency that ActorGraph ran, in report order, with the three
// systems' cells (raw or peer nil where that system did not run).
func (r *RunResult) eachRow(fn func(q string, c int, ag, raw, peer *Cell)) {
	for _, q := range r.queries() {
		for _, c := range r.Concurrency {
			if ag := r.cell(q, "actorgraph", c); ag != nil {
				fn(q, c, ag, r.cell(q, "raw", c), r.cell(q, "peer", c))
			}
		}
	}
}

// Floors of issue 7 that one run judges (BENCHMARKS.md, "Summary").
const (
	maxOverheadP50   = 0.20 // ActorGraph's p50 at c=1 at most 20 % over raw's
	minShareOfRaw    = 0.80 // ActorGraph's throughput at c=32 at least 80 % of raw's
	minTimesPeer     = 2.0  // ActorGraph's throughput at c=8 at least twice the peer's, on peerFloorQueries
	maxHubP99Ms      = 100  // p99 of the supernode's depth-2 neighbourhood at c=1 (the floor is for scale M)
	maxServiceRSSMiB = 200e6 / (1 << 20)
)

// peerFloorQueries are the neighbourhood and path queries the peer floor covers.
var peerFloorQueries = map[string]bool{"neighbourhood1": true, "neighbourhood2": true, "neighbourhood2_hub": true,
	"shortestPath": true, "paths5": true}

// writeFloors writes, per query, each floor this run can judge and whether it is met, then the run-wide
// floors (the hub's p99, the service's peak RSS).
func (r *RunResult) writeFloors(w io.Writer) {
	verdict := func(met bool) string {
		if met {
			return "met"
		}
		return "missed"
	}
	fmt.Fprintf(w, "\nFloors (issue 7), from the unrounded figures:\n\n")
	fmt.Fprintf(w, "| query | p50 over raw, c=1 (≤ +%.0f %%) | share of raw's req/s, c=32 (≥ %.0f %%) | × the peer's req/s, c=8 (≥ %.0f×) |\n",
		maxOverheadP50*100, minShareOfRaw*100, minTimesPeer)
	fmt.Fprintf(w, "|---|---|---|---|\n")
	met, judged := [3]int{}, [3]int{}
	judge := func(floor int, ok bool) string { // counts the verdict in column floor
		judged[floor]++
		if ok {
			met[floor]++
		}
		return verdict(ok)
	}
	for _, q := range r.queries() {
		row := []string{q, "–", "–", "–"}
		if ag, raw := r.cell(q, "actorgraph", 1), r.cell(q, "raw", 1); ag != nil && raw != nil && raw.P50 > 0 {
			x := ag.P50/raw.P50 - 1
			row[1] = fmt.Sprintf("%+.0f %% %s", x*100, judge(0, x <= maxOverheadP50))
		}
		if ag, raw := r.cell(q, "actorgraph", 32), r.cell(q, "raw", 32); ag != nil && raw != nil && raw.Throughput > 0 {
			x := ag.Throughput / raw.Throughput
			row[2] = fmt.Sprintf("%.0f %% %s", x*100, judge(1, x >= minShareOfRaw))
		}
		if ag, peer := r.cell(q, "actorgraph", 8), r.cell(q, "peer", 8); peerFloorQueries[q] && ag != nil && peer != nil {
			if peer.Throughput == 0 {
				row[3] = "the peer answered none; " + judge(2, ag.Throughput > 0)
			} else {
				x := ag.Throughput / peer.Throughput
				row[3] = fmt.Sprintf("%.2f× %s", x, judge(2, x >= minTimesPeer))
			}
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
	fmt.Fprintf(w, "| met | %d of %d | %d of %d | %d of %d |\n", met[0], judged[0], met[1], judged[1], met[2], judged[2])
	if hub := r.cell("neighbourhood2_hub", "actorgraph", 1); hub != nil {
		fmt.Fprintf(w, "\nSupernode depth-2 neighbourhood, c=1: p50 %.1f ms, p99 %.1f ms (< %d ms at scale M: %s).\n",
			hub.P50, hub.P99, maxHubP99Ms, verdict(hub.P99 < maxHubP99Ms))
	}
	peak := 0.0
	for _, c := range r.Cells {
		if c.System == "actorgraph" {
			peak = max(peak, c.RSSMiB)
		}
	}
	fmt.Fprintf(w, "Service peak RSS: %.0f MiB (< 200 MB = %.1f MiB: %s).\n", peak, maxServiceRSSMiB, verdict(peak < maxServiceRSSMiB))
}
