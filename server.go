// Command actorgraph serves the ActorGraph GraphQL API over Neo4j, and loads datasets into it.
//
//	actorgraph [serve]                 serve the API (the default)
//	actorgraph seed [--if-empty] [--file PATH ...]   load the seed dataset, or the given files
//	actorgraph keys create --role ROLE --name NAME | keys list | keys revoke ID   manage API keys
//
// Configuration comes from environment variables (see README.md), which flags override.
package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
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
	"github.com/actorgraph/actorgraph/internal/gctune"
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
	"SHUTDOWN_GRACE", "LOG_FORMAT", "CYPHER_TIMEOUT", "CYPHER_MAX_TIMEOUT", "ANONYMOUS_ROLE", "JWT_ISSUER", "JWT_AUDIENCE",
	"JWT_HMAC_SECRET", "JWT_PUBLIC_KEY_FILE", "JWT_ROLE_CLAIM", "CORS_ORIGINS", "MAX_ROOT_FIELDS", "MAX_ALIASES", "WARM_UP", "MAX_HEAVY_QUERIES"}

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
	boolean := func(name string, dst *bool) {
		if v := getenv(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: want true or false, got %q", name, v))
				return
			}
			*dst = b
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
	integer("MAX_HEAVY_QUERIES", &c.Store.MaxHeavy)
	integer("MAX_LOOKUPS", &c.Store.MaxLookups)
	integer("MAX_DEPTH", &c.HTTP.MaxDepth)
	integer("MAX_COMPLEXITY", &c.HTTP.MaxComplexity)
	var body int
	integer("MAX_BODY_BYTES", &body)
	if body > 0 {
		c.HTTP.MaxBodyBytes = int64(body)
	}
	c.Store.Warm = true
	boolean("WARM_UP", &c.Store.Warm)
	boolean("INTROSPECTION", &c.HTTP.Introspection)
	integer("MAX_ROOT_FIELDS", &c.HTTP.MaxRootFields)
	integer("MAX_ALIASES", &c.HTTP.MaxAliases)
	for _, o := range strings.Split(getenv("CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.HTTP.CORSOrigins = append(c.HTTP.CORSOrigins, strings.TrimSuffix(o, "/"))
		}
	}
	duration("SHUTDOWN_GRACE", &c.ShutdownGrace)
	duration("CYPHER_TIMEOUT", &c.Store.CypherTimeout)
	duration("CYPHER_MAX_TIMEOUT", &c.Store.CypherMaxTimeout)
	switch v := strings.ToLower(getenv("ANONYMOUS_ROLE")); v {
	case "":
	case "off", "none", "false":
		c.HTTP.Auth.AnonymousRole = ""
	default:
		role, err := graph.ParseRole(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("ANONYMOUS_ROLE: want off, viewer, analyst, editor or admin, got %q", v))
		}
		c.HTTP.Auth.AnonymousRole = role
	}
	if secret, keyFile := getenv("JWT_HMAC_SECRET"), getenv("JWT_PUBLIC_KEY_FILE"); secret != "" || keyFile != "" {
		j := &httpapi.JWTConfig{Issuer: getenv("JWT_ISSUER"), Audience: getenv("JWT_AUDIENCE"), RoleClaim: getenv("JWT_ROLE_CLAIM")}
		if secret != "" {
			if len(secret) < 32 {
				errs = append(errs, fmt.Errorf("JWT_HMAC_SECRET: want at least 32 characters"))
			}
			j.HMACSecret = []byte(secret)
		}
		if keyFile != "" {
			key, err := readPublicKey(keyFile)
			if err != nil {
				errs = append(errs, fmt.Errorf("JWT_PUBLIC_KEY_FILE: %w", err))
			}
			j.PublicKey = key
		}
		c.HTTP.Auth.JWT = j
	}
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
	case "keys":
		err = keysCmd(cfg, args, log, os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q (want serve, seed or keys)", cmd)
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
	gctune.Apply()
	cfg.Store.Logger = log
	metrics := httpapi.NewMetrics()
	cfg.Store.Observe = metrics.ObserveNeo4j
	store, err := graph.Open(cfg.Store)
	if err != nil {
		return err
	}
	metrics.WatchPool(store)
	cfg.HTTP.Metrics = metrics
	h := httpapi.New(store, cfg.HTTP, log)
	h.Handle("/", web.Handler())
	srv := &http.Server{
		Addr:              net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)),
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      cfg.Store.QueryTimeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
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
	fs.Var(&files, "file", "dataset file to load (repeatable): YAML, or JSON Lines (.jsonl) for large datasets; default: the embedded seed dataset")
	ifEmpty := fs.Bool("if-empty", false, "load only when the database holds no actor")
	wait := fs.Duration("wait", 2*time.Minute, "how long to wait for Neo4j to become ready")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var data []seed.File
	var err error
	streams := 0
	for _, f := range files {
		if seed.IsStream(f) {
			streams++
		}
	}
	switch {
	case streams > 0 && streams < len(files):
		err = graph.Invalid("file", "JSON Lines (.jsonl, .ndjson) and YAML files cannot be loaded together: load them one after the other")
	case streams > 0:
	case len(files) > 0:
		data, err = seed.ReadFiles(files)
	default:
		data, err = seed.Default()
	}
	if err != nil {
		return err
	}
	store, err := openStore(cfg, log, *wait)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	ctx := context.Background()
	if *ifEmpty {
		// An initial load killed midway leaves actors that are not a dataset: remove them, then decide.
		if _, err := store.RecoverImport(ctx); err != nil {
			return err
		}
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
	var res *graph.ImportResult
	if streams > 0 {
		res, err = seed.LoadStream(ctx, store, files)
	} else {
		res, err = seed.Load(ctx, store, data)
	}
	if err != nil {
		return err
	}
	log.Info("seed loaded", "files", max(len(data), len(files)), "sources", res.Sources, "actors", res.Actors, "relations", res.Relations,
		"nodes_created", res.NodesCreated, "relationships_created", res.RelationshipsCreated, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// readPublicKey reads a PEM public key (RSA, ECDSA or Ed25519) for verifying tokens.
func readPublicKey(path string) (crypto.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s holds no PEM block", path)
	}
	return x509.ParsePKIXPublicKey(block.Bytes)
}

// openStore opens the store and waits until Neo4j is ready.
func openStore(cfg config, log *slog.Logger, wait time.Duration) (*graph.Store, error) {
	cfg.Store.Logger = log
	store, err := graph.Open(cfg.Store)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	for {
		err := store.Ready(context.Background())
		if err == nil {
			return store, nil
		}
		if time.Now().After(deadline) {
			store.Close(context.Background())
			return nil, fmt.Errorf("neo4j not ready after %s: %w", wait, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// keysCmd manages API keys from the command line, with the authority of whoever can reach the database.
func keysCmd(cfg config, args []string, log *slog.Logger, out io.Writer) error {
	usage := errors.New("usage: keys create --role viewer|analyst|editor|admin --name NAME | keys list | keys revoke ID")
	if len(args) == 0 {
		return usage
	}
	store, err := openStore(cfg, log, 30*time.Second)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	who := "cli"
	if u := os.Getenv("USER"); u != "" {
		who = "cli:" + u
	}
	ctx := graph.WithPrincipal(context.Background(), &graph.Principal{Name: who, Role: graph.RoleAdmin, Via: "cli"})
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("keys create", flag.ContinueOnError)
		roleName := fs.String("role", "", "viewer, analyst, editor or admin")
		name := fs.String("name", "", "who the key is for (recorded in the audit trail)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		role, err := graph.ParseRole(*roleName)
		if err != nil {
			return err
		}
		key, k, err := store.CreateKey(ctx, *name, role)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "created key %s for %s (%s); it is shown only now:\n%s\n", k.ID, k.Name, k.Role, key)
	case "list":
		keys, err := store.Keys(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-12s  %-8s  %-20s  %-25s  %s\n", "ID", "ROLE", "CREATED", "NAME", "REVOKED")
		for _, k := range keys {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(out, "%-12s  %-8s  %-20s  %-25s  %s\n", k.ID, k.Role, k.CreatedAt.Format(time.RFC3339), k.Name, revoked)
		}
	case "revoke":
		if len(args) != 2 {
			return usage
		}
		k, err := store.RevokeKey(ctx, args[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "revoked key %s (%s)\n", k.ID, k.Name)
	default:
		return usage
	}
	return nil
}
