package httpapi

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/actorgraph/actorgraph/graph"
)

// Metrics are the service's Prometheus metrics, served at /metrics. Operation labels are the GraphQL root
// fields (a closed set from the schema), never client-chosen operation names.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	neo4jTx   *prometheus.CounterVec
	neo4jTime *prometheus.HistogramVec
}

// PoolStats reports the store's connection use.
type PoolStats interface {
	InFlight() int64
	MaxConnections() int
	RoundTrips() int64
	Admission(class string) graph.Admission
	Coalescing(kind string) graph.Coalescing
}

// NewMetrics registers the metrics; WatchPool adds the store's connection gauges once it is open.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "actorgraph_requests_total", Help: "Requests by operation (GraphQL root fields or route) and outcome (ok or error codes).",
	}, []string{"operation", "outcome"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "actorgraph_request_duration_seconds", Help: "Request latency by operation and outcome.",
		Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"operation", "outcome"})
	m.neo4jTx = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "actorgraph_neo4j_transactions_total", Help: "Neo4j transactions by mode (read, write, cypher) and result.",
	}, []string{"mode", "result"})
	m.neo4jTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "actorgraph_neo4j_transaction_duration_seconds", Help: "Neo4j transaction latency by mode.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"mode"})
	m.reg.MustRegister(m.requests, m.latency, m.neo4jTx, m.neo4jTime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// WatchPool registers gauges of the store's connection use.
func (m *Metrics) WatchPool(pool PoolStats) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "actorgraph_neo4j_connections_in_use", Help: "Pooled Neo4j connections held by running transactions."},
			func() float64 { return float64(pool.InFlight()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "actorgraph_neo4j_connections_max", Help: "Size of the Neo4j connection pool."},
			func() float64 { return float64(pool.MaxConnections()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "actorgraph_neo4j_round_trips_total", Help: "Cypher statements sent to Neo4j."},
			func() float64 { return float64(pool.RoundTrips()) }),
	)
	for _, class := range graph.HeavyClasses {
		labels := prometheus.Labels{"class": class}
		m.reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "actorgraph_heavy_queries_running", ConstLabels: labels,
				Help: "Heavy reads running, by class (traversal: deep neighbourhoods, connections, funding channels; paths; cypher)."},
				func() float64 { return float64(pool.Admission(class).Running) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "actorgraph_heavy_queries_waiting", ConstLabels: labels,
				Help: "Heavy reads waiting for a slot, by class."},
				func() float64 { return float64(pool.Admission(class).Waiting) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "actorgraph_heavy_queries_max", ConstLabels: labels,
				Help: "Heavy reads of a class allowed at once (MAX_HEAVY_QUERIES)."},
				func() float64 { return float64(pool.Admission(class).Max) }),
		)
	}
	for _, kind := range graph.CoalescedKinds {
		labels := prometheus.Labels{"kind": kind}
		m.reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "actorgraph_coalesced_waiting", ConstLabels: labels,
				Help: "Reads waiting for a turn to be sent together, by kind (actor; neighbourhood: depth 1)."},
				func() float64 { return float64(pool.Coalescing(kind).Waiting) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "actorgraph_coalesced_batches_total", ConstLabels: labels,
				Help: "Statements sent for several reads at once, by kind."},
				func() float64 { return float64(pool.Coalescing(kind).Batches) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "actorgraph_coalesced_reads_total", ConstLabels: labels,
				Help: "Reads answered by those statements, by kind."},
				func() float64 { return float64(pool.Coalescing(kind).Batched) }),
		)
	}
}

// ObserveNeo4j is the store's graph.Config.Observe hook.
func (m *Metrics) ObserveNeo4j(mode string, took time.Duration, err error) {
	result := "ok"
	if err != nil {
		result = graph.ErrorCode(err)
		if result == graph.EINTERNAL {
			result = "error"
		}
	}
	m.neo4jTx.WithLabelValues(mode, result).Inc()
	m.neo4jTime.WithLabelValues(mode).Observe(took.Seconds())
}

func (m *Metrics) observeRequest(operation, outcome string, took time.Duration) {
	if m == nil {
		return
	}
	if outcome == "" {
		outcome = "ok"
	}
	m.requests.WithLabelValues(operation, outcome).Inc()
	m.latency.WithLabelValues(operation, outcome).Observe(took.Seconds())
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
