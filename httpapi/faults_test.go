package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/httpapi"
	"github.com/actorgraph/actorgraph/internal/testenv"
	"github.com/actorgraph/actorgraph/seed"
)

// establishedTo counts this process's established TCP connections to a local port (from /proc/net/tcp).
func establishedTo(t *testing.T, port int) int {
	t.Helper()
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		t.Skip("no /proc/net/tcp")
	}
	defer f.Close()
	want := fmt.Sprintf(":%04X", port)
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 3 && strings.HasSuffix(fields[2], want) && fields[3] == "01" {
			n++
		}
	}
	return n
}

type outcome struct {
	at   time.Duration
	took time.Duration
	code string // "" for success
	msg  string
}

// TestFaultsUnderLoad stops Neo4j, then kills it with SIGKILL, while 20 clients query the service: every
// request answers within its timeout, failures are UNAVAILABLE, /readyz says 503 meanwhile, the service
// recovers by itself each time, and no goroutine or connection is left behind.
func TestFaultsUnderLoad(t *testing.T) {
	n := testenv.StartNeo4j(t, 7691)
	// bolt:// (direct), not neo4j://: the driver's router (v5.28.4) reads its routing table without a lock
	// while a failing connection invalidates it, which the race detector reports; the outage test covers
	// neo4j:// recovery.
	cfg := testenv.Config(strings.Replace(n.URI(), "neo4j://", "bolt://", 1))
	cfg.QueryTimeout = 3 * time.Second
	// The store's and the service's errors are kept, to be shown if the test fails: an INTERNAL answer is
	// explained only there.
	logs := &lockedBuffer{}
	errLog := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelError}))
	cfg.Logger = errLog
	defer func() {
		if t.Failed() {
			t.Logf("errors logged by the store and the service:\n%s", logs.head(4000))
		}
	}()
	store, err := graph.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(context.Background())
	testenv.WaitReady(t, store, time.Minute)
	files, _ := seed.Default()
	if _, err := seed.Load(context.Background(), store, files); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(store, httpapi.DefaultConfig(), errLog))
	defer srv.Close()
	a := &api{t: t, url: srv.URL, store: store}
	queries := []string{
		`{ actor(id: "iskp") { name degree } }`,
		`{ search(text: "Khorasan") { actor { id } } }`,
		`{ neighbourhood(id: "iskp", depth: 2) { nodes { id } edges { id } } }`,
		`{ fundingChannels(recipient: "iskp") { via { id } } }`,
	}
	// Warm up (pool, query plans). A freshly started Neo4j plans a depth-2 statement slowly, past the 3 s
	// budget on a busy machine; a few tries let the plan land in its cache.
	for _, q := range queries {
		for try := 1; ; try++ {
			errs := a.query(q, nil, nil)
			if len(errs) == 0 {
				break
			}
			if try == 5 || errs[0].Extensions["code"] != graph.ETIMEOUT {
				t.Fatalf("warm-up, try %d: %s: %+v", try, q, errs)
			}
		}
	}
	runtime.GC()
	goroutinesBefore := runtime.NumGoroutine()

	const clients = 20
	start := time.Now()
	stopLoad := make(chan struct{})
	var mu sync.Mutex
	var results []outcome
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100000; i++ { // bounded
				select {
				case <-stopLoad:
					return
				default:
				}
				q := queries[(c+i)%len(queries)]
				t0 := time.Now()
				resp, err := client.Post(srv.URL+"/graphql", "application/json", strings.NewReader(`{"query":`+fmt.Sprintf("%q", q)+`}`))
				o := outcome{at: t0.Sub(start)}
				if err != nil {
					o.code = "HTTP:" + err.Error()
				} else {
					var r struct{ Errors []gqlError }
					_ = jsonDecode(resp.Body, &r)
					resp.Body.Close()
					if len(r.Errors) > 0 {
						o.code, _ = r.Errors[0].Extensions["code"].(string)
						o.msg = r.Errors[0].Message
					}
				}
				o.took = time.Since(t0)
				mu.Lock()
				results = append(results, o)
				mu.Unlock()
				if o.code != "" {
					time.Sleep(50 * time.Millisecond) // a client backs off after a failure
				}
			}
		}()
	}

	readyz := func() int {
		resp, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// The service has recovered once /readyz says 200 and each of the load's queries has answered: a
	// restarted Neo4j has an empty query cache, and the first request of each statement pays its planning,
	// which under this load on 2 cores can run past the test's 3 s budget (TIMEOUT). Recovery is measured
	// up to the moment every statement answers again.
	waitRecovered := func(what string) time.Duration {
		t0 := time.Now()
		answered := make([]time.Duration, len(queries)) // since t0; 0 until the query answers
		for time.Since(t0) < time.Minute {
			if readyz() == 200 {
				all := true
				for i, q := range queries {
					if answered[i] == 0 {
						q0 := time.Now()
						errs := a.query(q, nil, nil)
						if len(errs) == 0 {
							answered[i] = time.Since(t0)
						} else {
							t.Logf("after %s, at +%s: query %d: %s after %s", what, time.Since(t0).Round(time.Millisecond), i, errs[0].Message, time.Since(q0).Round(time.Millisecond))
						}
					}
					all = all && answered[i] != 0
				}
				if all {
					t.Logf("recovered after %s: queries answered at +%v", what, answered)
					return time.Since(start)
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("no recovery within a minute after %s: queries answered at +%v", what, answered)
		return 0
	}
	type phase struct {
		name     string
		from, to time.Duration
	}
	var outages []phase

	for _, fault := range []struct {
		name string
		do   func()
	}{{"stop", n.Stop}, {"kill -9", n.Kill}} {
		time.Sleep(3 * time.Second)
		down := time.Since(start)
		fault.do()
		time.Sleep(2 * time.Second)
		if s := readyz(); s != 503 {
			t.Errorf("/readyz %d after neo4j: %s", s, fault.name)
		}
		time.Sleep(2 * time.Second)
		n.Start()
		t.Logf("neo4j back up (%s) at %s", fault.name, time.Since(start))
		outages = append(outages, phase{fault.name, down, waitRecovered("the restart after " + fault.name)})
	}
	time.Sleep(3 * time.Second)
	close(stopLoad)
	wg.Wait()

	// Every request answered within its timeout; every failure was UNAVAILABLE (or TIMEOUT while neo4j came
	// back) and fell in an outage.
	var ok, unavailable, bad int
	for _, o := range results {
		if o.took > cfg.QueryTimeout+2*time.Second {
			t.Errorf("a request took %s (at %s)", o.took, o.at)
		}
		switch o.code {
		case "":
			ok++
		case graph.EUNAVAILABLE, graph.ETIMEOUT: // TIMEOUT: a request caught while neo4j was starting
			unavailable++
			in := false
			for _, p := range outages { // a request may meet a dead pooled connection just after recovery
				in = in || (o.at >= p.from-cfg.QueryTimeout && o.at <= p.to+2*time.Second)
			}
			if !in {
				t.Errorf("%s at %s (took %s: %q), outside the outages %+v", o.code, o.at, o.took, o.msg, outages)
			}
		default:
			bad++
			if bad <= 5 {
				t.Errorf("a request failed with %s at %s (took %s): %q", o.code, o.at, o.took, o.msg)
			}
		}
	}
	t.Logf("%d requests: %d ok, %d UNAVAILABLE, %d other; outages %+v", len(results), ok, unavailable, bad, outages)
	if unavailable == 0 {
		t.Error("no request saw the outages; the test proved nothing")
	}
	var after int
	for _, o := range results {
		if o.code == "" && o.at > outages[1].to {
			after++
		}
	}
	if after == 0 {
		t.Error("no success after the last recovery")
	}

	// Nothing leaks: goroutines come back to where they were, connections to Neo4j stay within the pool.
	client.CloseIdleConnections()
	http.DefaultClient.CloseIdleConnections()
	var goroutinesAfter int
	for range 50 {
		runtime.GC()
		if goroutinesAfter = runtime.NumGoroutine(); goroutinesAfter <= goroutinesBefore+5 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if goroutinesAfter > goroutinesBefore+5 {
		t.Errorf("goroutines: %d before the load, %d after", goroutinesBefore, goroutinesAfter)
	}
	if store.InFlight() != 0 {
		t.Errorf("%d transactions still in flight", store.InFlight())
	}
	if conns := establishedTo(t, n.Port); conns > clients+5 {
		t.Errorf("%d connections to neo4j after the load (pool of %d clients)", conns, clients)
	}
}

// lockedBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// head is the first n bytes written.
func (b *lockedBuffer) head(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	return s[:min(n, len(s))]
}

func jsonDecode(r io.Reader, v any) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return jsonUnmarshal(b, v)
}

var jsonUnmarshal = json.Unmarshal
