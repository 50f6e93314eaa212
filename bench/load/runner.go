package load

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// DoFunc sends the request of one sample item and returns the response size in bytes.
type DoFunc func(ctx context.Context, item int) (int, error)

// Cell is the measurement of one query, on one system, at one concurrency.
type Cell struct {
	Query       string  `json:"query"`
	System      string  `json:"system"`
	Concurrency int     `json:"concurrency"`
	Requests    int     `json:"requests"` // completed, including errors
	Errors      int     `json:"errors"`
	Seconds     float64 `json:"seconds"`
	Throughput  float64 `json:"throughput"` // successful requests per second
	P50         float64 `json:"p50Ms"`
	P95         float64 `json:"p95Ms"`
	P99         float64 `json:"p99Ms"`
	Max         float64 `json:"maxMs"`
	Mean        float64 `json:"meanMs"`
	MeanBytes   float64 `json:"meanBytes"`
	RSSMiB      float64 `json:"rssMiB"` // peak RSS of the system's process during the cell
	FirstError  string  `json:"firstError,omitempty"`
	Rounds      int     `json:"rounds,omitempty"` // rounds the cell was measured in (Merge), interleaved with the other systems
	// RoundThroughput is the throughput of each round, in the order they ran: how much the machine drifted.
	RoundThroughput []float64 `json:"roundThroughput,omitempty"`
	// CPU time spent during the cell's rounds, in seconds, by Neo4j (the whole JVM), by the system's own
	// process (the service or the peer; none for raw, which runs in the benchmark's process) and by the
	// benchmark's process (its HTTP client, or for raw the driver loop itself); 0 when not measured. Over
	// Requests, they say what one request costs each process, which is what bounds throughput once the
	// machine's two cores are busy.
	Neo4jCPUSeconds  float64 `json:"neo4jCpuSeconds,omitempty"`
	ServerCPUSeconds float64 `json:"serverCpuSeconds,omitempty"`
	ClientCPUSeconds float64 `json:"clientCpuSeconds,omitempty"`

	lat   []time.Duration // every request's latency, for Merge
	bytes int64
}

// Limits bound one cell in time and in count.
type Limits struct {
	Duration    time.Duration
	MaxRequests int64
	// RequestTimeout bounds each request (a stuck request cannot hold a worker past it).
	RequestTimeout time.Duration
}

// Run drives conc closed-loop workers for lim.Duration (or until lim.MaxRequests requests have started):
// each sends a request, waits for the answer, and sends the next. Worker w starts at item w*items/conc and
// walks the sample in order, so that every worker asks about different ids at any moment.
func Run(ctx context.Context, conc, items int, lim Limits, do DoFunc) Cell {
	return RunFrom(ctx, conc, items, lim, do, NewCursor(conc, items))
}

// Cursor holds the next sample item of each worker, so that a cell measured in several rounds walks the
// sample as one uninterrupted run would.
type Cursor []int

// NewCursor starts worker w of conc at item w*items/conc.
func NewCursor(conc, items int) Cursor {
	c := make(Cursor, conc)
	for w := range c {
		c[w] = w * items / conc
	}
	return c
}

// RunFrom is Run with the workers starting where next says; it leaves in next where each worker stopped.
func RunFrom(ctx context.Context, conc, items int, lim Limits, do DoFunc, next Cursor) Cell {
	var started atomic.Int64
	type workerResult struct {
		lat    []time.Duration
		errs   int
		bytes  int64
		first  string
		finish time.Time
	}
	results := make([]workerResult, conc)
	deadline := time.Now().Add(lim.Duration)
	begin := time.Now()
	var wg sync.WaitGroup
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[w]
			item := next[w]
			defer func() { next[w] = item }()
			for time.Now().Before(deadline) && started.Add(1) <= lim.MaxRequests && ctx.Err() == nil {
				rctx, cancel := context.WithTimeout(ctx, lim.RequestTimeout)
				t := time.Now()
				n, err := do(rctx, item)
				d := time.Since(t)
				cancel()
				r.lat = append(r.lat, d)
				r.bytes += int64(n)
				if err != nil {
					r.errs++
					if r.first == "" && !errors.Is(err, context.Canceled) {
						r.first = err.Error()
					}
				}
				item = (item + 1) % items
			}
			r.finish = time.Now()
		}()
	}
	wg.Wait()
	c := Cell{Concurrency: conc}
	end := begin
	for _, r := range results {
		c.lat = append(c.lat, r.lat...)
		c.Errors += r.errs
		c.bytes += r.bytes
		if c.FirstError == "" {
			c.FirstError = r.first
		}
		if r.finish.After(end) {
			end = r.finish
		}
	}
	c.Seconds = end.Sub(begin).Seconds()
	c.summarize()
	return c
}

// CPUPerRequest is the CPU time one request cost each process, in ms (see Neo4jCPUSeconds); ok is false
// when the cell has no requests or its CPU time was not measured.
func (c *Cell) CPUPerRequest() (neo4j, server, client float64, ok bool) {
	if c.Requests == 0 || c.Neo4jCPUSeconds == 0 {
		return 0, 0, 0, false
	}
	per := func(sec float64) float64 { return sec * 1000 / float64(c.Requests) }
	return per(c.Neo4jCPUSeconds), per(c.ServerCPUSeconds), per(c.ClientCPUSeconds), true
}

// Merge is the measurement of the rounds of one cell taken together: their requests, errors and measured
// time and CPU times add up, the latency percentiles are those of all their requests, and the RSS is the
// highest.
func Merge(rounds ...Cell) Cell {
	if len(rounds) == 0 {
		return Cell{}
	}
	c := Cell{Query: rounds[0].Query, System: rounds[0].System, Concurrency: rounds[0].Concurrency, Rounds: len(rounds)}
	for _, r := range rounds {
		c.lat = append(c.lat, r.lat...)
		c.Errors += r.Errors
		c.bytes += r.bytes
		c.Seconds += r.Seconds
		c.RoundThroughput = append(c.RoundThroughput, r.Throughput)
		c.RSSMiB = max(c.RSSMiB, r.RSSMiB)
		c.Neo4jCPUSeconds += r.Neo4jCPUSeconds
		c.ServerCPUSeconds += r.ServerCPUSeconds
		c.ClientCPUSeconds += r.ClientCPUSeconds
		if c.FirstError == "" {
			c.FirstError = r.FirstError
		}
	}
	c.summarize()
	return c
}

// Summarize is the Cell of latencies measured by another loop than Run's (bench/cmd/hops, one request at a
// time): their count, percentiles and mean; no throughput, no errors. It sorts lat.
func Summarize(lat []time.Duration) Cell {
	c := Cell{lat: lat}
	c.summarize()
	return c
}

// summarize sets the counts, throughput, percentiles and means from lat, bytes, Errors and Seconds.
func (c *Cell) summarize() {
	all := c.lat
	c.Requests = len(all)
	if c.Seconds > 0 {
		c.Throughput = float64(c.Requests-c.Errors) / c.Seconds
	}
	if len(all) == 0 {
		return
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	q := func(p float64) float64 { return ms(all[min(len(all)-1, int(p*float64(len(all))))]) }
	var sum time.Duration
	for _, d := range all {
		sum += d
	}
	c.P50, c.P95, c.P99, c.Max = q(0.50), q(0.95), q(0.99), ms(all[len(all)-1])
	c.Mean = ms(sum / time.Duration(len(all)))
	c.MeanBytes = float64(c.bytes) / float64(len(all))
}
