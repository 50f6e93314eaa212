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

// WriteMarkdown renders the run as the tables of BENCHMARKS.md: latency and throughput per system, then
// the ratios ActorGraph/raw and ActorGraph/peer.
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
	fmt.Fprintf(w, "\nRatios (ActorGraph / baseline): p50 latency (lower is better for ActorGraph when < 1) and throughput (higher is better when > 1).\n\n")
	fmt.Fprintf(w, "| query | c | AG/raw p50 | AG/raw p99 | AG/raw req/s | AG/peer p50 | AG/peer req/s |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|\n")
	for _, q := range r.queries() {
		for _, c := range r.Concurrency {
			ag, raw, peer := r.cell(q, "actorgraph", c), r.cell(q, "raw", c), r.cell(q, "peer", c)
			if ag == nil {
				continue
			}
			row := []string{q, fmt.Sprint(c), "–", "–", "–", "–", "–"}
			if raw != nil {
				row[2], row[3], row[4] = ratio(ag.P50, raw.P50), ratio(ag.P99, raw.P99), ratio(ag.Throughput, raw.Throughput)
			}
			if peer != nil {
				row[5], row[6] = ratio(ag.P50, peer.P50), ratio(ag.Throughput, peer.Throughput)
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
		}
	}
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

func short(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}
