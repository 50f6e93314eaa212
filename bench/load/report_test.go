package load

import (
	"strings"
	"testing"
)

// The side-by-side rows and the floor verdicts come from the unrounded figures of the cells.
func TestWriteMarkdownSideBySideAndFloors(t *testing.T) {
	cell := func(q, sys string, c int, p50, p99, tp, rss float64, errs int) Cell {
		return Cell{Query: q, System: sys, Concurrency: c, Requests: 1000, P50: p50, P99: p99, Throughput: tp, RSSMiB: rss, Errors: errs}
	}
	r := RunResult{Scale: "M", Systems: []string{"actorgraph", "raw", "peer"}, Concurrency: []int{1, 8, 32}, Cells: []Cell{
		// p50 1.096 over 0.594: ratio 1.845, +85 %; from the rounded 1.10 and 0.59 it would be 1.86, +86 %.
		cell("actor", "actorgraph", 1, 1.096, 3.56, 808.4, 33, 0),
		cell("actor", "raw", 1, 0.594, 1.37, 1587.7, 34, 0),
		cell("actor", "peer", 1, 4.04, 10.09, 231.4, 176, 0),
		cell("actor", "actorgraph", 32, 8.9, 23.9, 3298.2, 37, 0),
		cell("actor", "raw", 32, 5.0, 14.5, 5802.7, 46, 0),
		cell("neighbourhood2_hub", "actorgraph", 1, 52.25, 85.74, 18.8, 50, 0),
		cell("neighbourhood2_hub", "raw", 1, 44.05, 73.40, 22.0, 60, 0),
		cell("neighbourhood2_hub", "actorgraph", 8, 200.8, 334.5, 38.1, 63, 0),
		cell("neighbourhood2_hub", "peer", 8, 15001.2, 15003.1, 0, 755, 24),
		cell("neighbourhood2_hub", "actorgraph", 32, 823.6, 1219.5, 36.8, 201, 0),
		cell("neighbourhood2_hub", "raw", 32, 759.9, 1251.4, 42.1, 93, 0),
		cell("shortestPath", "actorgraph", 8, 18.19, 291.66, 156.1, 42, 0),
		cell("shortestPath", "peer", 8, 45.66, 253.17, 120.1, 500, 0),
	}}
	// CPU per request: 2,000 requests, Neo4j 2.2 s, the service 0.6 s, the client 0.1 s; raw without a server.
	for i, cpu := range map[int][3]float64{3: {2.2, 0.6, 0.1}, 4: {2.0, 0, 0.25}} {
		c := &r.Cells[i]
		c.Requests, c.Neo4jCPUSeconds, c.ServerCPUSeconds, c.ClientCPUSeconds = 2000, cpu[0], cpu[1], cpu[2]
	}
	var b strings.Builder
	r.WriteMarkdown(&b)
	out := b.String()
	for _, want := range []string{
		"| actor | 1 | 1.10 / 3.56 | 808.4 | 0.59 / 1.37 | 1587.7 | 4.04 / 10.09 | 231.4 | 1.85 | 0.51 | 3.49 | 0/0/0 | 33 |",
		"| neighbourhood2_hub | 8 | 200.80 / 334.50 | 38.1 | – | – | 15001.20 / 15003.10 | 0.0 | – | – | – | 0/–/24 | 63 |",
		"| actor | +85 % missed | 57 % missed | – |",
		"| neighbourhood2_hub | +19 % met | 87 % met | the peer answered none; met |",
		"| shortestPath | – | – | 1.30× missed |",
		"| met | 1 of 2 | 1 of 2 | 1 of 2 |",
		"p50 52.2 ms, p99 85.7 ms (< 100 ms at scale M: met)",
		"Service peak RSS: 201 MiB (< 200 MB = 190.7 MiB: missed)",
		"| actor | 32 | actorgraph | 1.100 | 0.300 | 0.050 | 1.450 |",
		"| actor | 32 | raw | 1.000 | – | 0.125 | 1.125 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q\n%s", want, out)
		}
	}
	// Only the cells with CPU measured have a CPU row.
	_, cpuTable, _ := strings.Cut(out, "| query | c | system | Neo4j | server | client | total |\n|---|---:|---|---:|---:|---:|---:|\n")
	cpuTable, _, _ = strings.Cut(cpuTable, "\n\n")
	if rows := strings.Count(cpuTable, "\n") + 1; rows != 2 {
		t.Errorf("CPU table has %d rows, want 2:\n%s", rows, cpuTable)
	}
}
