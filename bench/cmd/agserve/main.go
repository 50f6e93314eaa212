// Command agserve is the ActorGraph service as the benchmark runs it: the store and the real HTTP handler
// (httpapi.New with httpapi.DefaultConfig, wired as server.go wires them, without the web explorer), on
// 127.0.0.1, in a process of its own so that its RSS is the service's alone. It reads MAX_HEAVY_QUERIES,
// MAX_LOOKUPS, GOGC and GOMEMLIMIT from the environment as the service does. With -pprof it also serves
// net/http/pprof on a second loopback port, for the profiles in BENCHMARKS.md.
//
//	agserve -port 18080 -neo4j neo4j://127.0.0.1:7690 [-pprof 127.0.0.1:18081] [-log bench/out/agserve.log]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/actorgraph/actorgraph/bench/internal/benchenv"
	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/httpapi"
	"github.com/actorgraph/actorgraph/internal/gctune"
)

func main() {
	port := flag.Int("port", 18080, "port on 127.0.0.1")
	uri := flag.String("neo4j", benchenv.DefaultURI, "Neo4j URI")
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof on this loopback address")
	logPath := flag.String("log", "", "request log file (default: stderr; \"-\" discards)")
	flag.Parse()
	gctune.Apply()
	var w io.Writer = os.Stderr
	switch *logPath {
	case "":
	case "-":
		w = io.Discard
	default:
		f, err := os.Create(*logPath)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		w = f
	}
	log := slog.New(slog.NewTextHandler(w, nil))
	cfg := graph.DefaultConfig()
	cfg.URI = *uri
	cfg.Logger = log
	cfg.Warm = true // as server.go: /readyz waits for the warm-up
	// As server.go reads them (the load command passes them with -ag-env MAX_HEAVY_QUERIES=N).
	for name, dst := range map[string]*int{"MAX_HEAVY_QUERIES": &cfg.MaxHeavy, "MAX_LOOKUPS": &cfg.MaxLookups} {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				fail(fmt.Errorf("%s: want a non-negative integer, got %q", name, v))
			}
			*dst = n
		}
	}
	store, err := graph.Open(cfg)
	fail(err)
	h := httpapi.New(store, httpapi.DefaultConfig(), log)
	srv := &http.Server{
		Addr:              net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)),
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      cfg.QueryTimeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := net.Listen("tcp", srv.Addr)
	fail(err)
	if *pprofAddr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		go func() { _ = http.ListenAndServe(*pprofAddr, mux) }()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(os.Stderr, "agserve: serving http://%s (neo4j %s)\n", ln.Addr(), *uri)
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fail(err)
		}
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	_ = store.Close(sctx)
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "agserve:", err)
		os.Exit(1)
	}
}
