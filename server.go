// Command actorgraph serves the ActorGraph GraphQL API over Neo4j, and loads datasets into it.
//
//	actorgraph [serve]                 serve the API (the default)
//	actorgraph seed [--if-empty] [--file PATH ...]   load the seed dataset, or the given files
//
// Configuration comes from environment variables (see README.md), which flags override.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/httpapi"
	"github.com/actorgraph/actorgraph/seed"
	"github.com/actorgraph/actorgraph/web"
)

// config is everything the process reads from its environment.
type config struct {
	Host          string
	Port          int
	Store         graph.Config
	HTTP          httpapi.Config
	ShutdownGrace time.Duration
	LogFormat     string
}

// envNames lists every environment variable the service reads; the compose test checks docker-compose.yml
// against it.
var envNames = []string{"HOST", "PORT", "NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE",
	"QUERY_TIMEOUT", "MAX_ROWS", "MAX_DEPTH", "MAX_COMPLEXITY", "MAX_BODY_BYTES", "INTROSPECTION",
	"SHUTDOWN_GRACE", "LOG_FORMAT"}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{Host: "127.0.0.1", Port: 8080, Store: graph.DefaultConfig(), HTTP: httpapi.DefaultConfig(),
		ShutdownGrace: 20 * time.Second, LogFormat: "text"}
	var errs []error
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	integer := func(name string, dst *int) {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				errs = append(errs, fmt.Errorf("%s: want a non-negative integer, got %q", name, v))
				return
			}
			*dst = n
		}
	}
	duration := func(name string, dst *time.Duration) {
		if v := getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				errs = append(errs, fmt.Errorf("%s: want a duration like 10s, got %q", name, v))
				return
			}
			*dst = d
		}
	}
	str("HOST", &c.Host)
	integer("PORT", &c.Port)
	str("NEO4J_URI", &c.Store.URI)
	str("NEO4J_USER", &c.Store.User)
	str("NEO4J_PASSWORD", &c.Store.Password)
	str("NEO4J_DATABASE", &c.Store.Database)
	duration("QUERY_TIMEOUT", &c.Store.QueryTimeout)
	integer("MAX_ROWS", &c.Store.MaxRows)
	integer("MAX_DEPTH", &c.HTTP.MaxDepth)
	integer("MAX_COMPLEXITY", &c.HTTP.MaxComplexity)
	var body int
	integer("MAX_BODY_BYTES", &body)
	if body > 0 {
		c.HTTP.MaxBodyBytes = int64(body)
	}
	if v := getenv("INTROSPECTION"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("INTROSPECTION: want true or false, got %q", v))
		}
		c.HTTP.Introspection = b
	}
	duration("SHUTDOWN_GRACE", &c.ShutdownGrace)
	str("LOG_FORMAT", &c.LogFormat)
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("PORT: want 1..65535, got %d", c.Port))
	}
	return c, errors.Join(errs...)
}

func main() {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "actorgraph: bad configuration:", err)
		os.Exit(2)
	}
	log := newLogger(cfg.LogFormat)
	slog.SetDefault(log)
	cmd, args := "serve", os.Args[1:]
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		err = serve(cfg, args, log)
	case "seed":
		err = seedCmd(cfg, args, log)
	default:
		err = fmt.Errorf("unknown command %q (want serve or seed)", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "actorgraph:", err)
		os.Exit(1)
	}
}

func newLogger(format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}

func serve(cfg config, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&cfg.Host, "host", cfg.Host, "address to listen on (HOST)")
	fs.IntVar(&cfg.Port, "port", cfg.Port, "port to listen on (PORT)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.Store.Logger = log
	store, err := graph.Open(cfg.Store)
	if err != nil {
		return err
	}
	h := httpapi.New(store, cfg.HTTP, log)
	h.Handle("/", web.Handler())
	srv := &http.Server{
		Addr:              net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)),
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      cfg.Store.QueryTimeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return err
	}
	log.Info("serving", "addr", "http://"+ln.Addr().String(), "neo4j", cfg.Store.URI)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	err = srv.Shutdown(sctx) // stops accepting, lets in-flight requests finish
	if cerr := store.Close(sctx); err == nil {
		err = cerr
	}
	return err
}

func seedCmd(cfg config, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	var files multiFlag
	fs.Var(&files, "file", "dataset file to load (repeatable); default: the embedded seed dataset")
	ifEmpty := fs.Bool("if-empty", false, "load only when the database holds no actor")
	wait := fs.Duration("wait", 2*time.Minute, "how long to wait for Neo4j to become ready")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var data []seed.File
	var err error
	if len(files) > 0 {
		data, err = seed.ReadFiles(files)
	} else {
		data, err = seed.Default()
	}
	if err != nil {
		return err
	}
	cfg.Store.Logger = log
	store, err := graph.Open(cfg.Store)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	ctx := context.Background()
	deadline := time.Now().Add(*wait)
	for {
		err := store.Ready(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("neo4j not ready after %s: %w", *wait, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if *ifEmpty {
		st, err := store.Stats(ctx)
		if err != nil {
			return err
		}
		if st.Actors > 0 {
			log.Info("seed skipped: the database already holds actors", "actors", st.Actors)
			return nil
		}
	}
	start := time.Now()
	res, err := seed.Load(ctx, store, data)
	if err != nil {
		return err
	}
	log.Info("seed loaded", "files", len(data), "sources", res.Sources, "actors", res.Actors, "relations", res.Relations,
		"nodes_created", res.NodesCreated, "relationships_created", res.RelationshipsCreated, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
