// Package httpapi is ActorGraph's HTTP edge: the GraphQL endpoint, health and readiness probes, and the
// middleware every request passes (request id, panic recovery, body limit, one log line per request).
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/resolvers"
)

// Config bounds what one request may ask.
type Config struct {
	MaxBodyBytes  int64 // request body cap
	MaxComplexity int   // complexity limit (resolvers.ComplexityLimit; resolvers.NewSchema has the cost model)
	MaxDepth      int   // selection depth limit, introspection excepted
	Introspection bool  // allow __schema / __type queries
	MaxRootFields int   // root fields (aliases included) per operation
	MaxAliases    int   // aliased fields per operation, at any depth
	// CORSOrigins lists the browser origins (scheme://host[:port]) allowed to call the API besides the
	// server's own; "*" allows any. Requests from other origins are refused with 403.
	CORSOrigins []string
	Auth        AuthConfig
	Metrics     *Metrics // nil: no /metrics
}

// DefaultConfig is what the server uses unless told otherwise.
func DefaultConfig() Config {
	return Config{MaxBodyBytes: 1 << 20, MaxComplexity: 200000, MaxDepth: 12, Introspection: true,
		MaxRootFields: 20, MaxAliases: 50, Auth: AuthConfig{AnonymousRole: graph.RoleViewer}}
}

// Handler serves /graphql, /healthz and /readyz.
type Handler struct {
	mux  *http.ServeMux
	g    graph.Graph
	log  *slog.Logger
	cfg  Config
	auth AuthConfig
}

// New returns the handler over g.
func New(g graph.Graph, cfg Config, log *slog.Logger) *Handler {
	return newHandler(g, cfg, log, post{})
}

// newHandler is New with GraphQL's POST requests answered by the transport given (post, or gqlgen's
// transport.POST in the test that compares them).
func newHandler(g graph.Graph, cfg Config, log *slog.Logger, posts graphql.Transport) *Handler {
	h := &Handler{mux: http.NewServeMux(), g: g, log: log, cfg: cfg, auth: cfg.Auth}
	h.mux.Handle("/graphql", h.requireCaller(h.graphqlServer(posts)))
	h.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
	})
	h.mux.HandleFunc("GET /readyz", h.readyz)
	h.mux.Handle("GET /export", h.requireCaller(http.HandlerFunc(h.export)))
	if cfg.Metrics != nil {
		h.mux.Handle("GET /metrics", cfg.Metrics.Handler())
	}
	return h
}

// Handle adds a route (the web explorer, export) behind the same middleware.
func (h *Handler) Handle(pattern string, handler http.Handler) { h.mux.Handle(pattern, handler) }

func (h *Handler) graphqlServer(posts graphql.Transport) *handler.Server {
	srv := handler.New(resolvers.NewSchema(h.g))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(posts)
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if h.cfg.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(resolvers.NewComplexityLimit(h.cfg.MaxComplexity))
	srv.Use(shapeLimit{maxDepth: h.cfg.MaxDepth, maxRoot: h.cfg.MaxRootFields, maxAliases: h.cfg.MaxAliases})
	srv.AroundOperations(resolvers.WithLoaders(h.g))
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if info := infoFrom(ctx); info != nil && graphql.HasOperationContext(ctx) {
			oc := graphql.GetOperationContext(ctx)
			info.setOperation(operationName(oc), rootFields(oc))
			if resp != nil {
				info.setOutcome(outcome(resp.Errors))
			}
		}
		return resp
	})
	srv.SetErrorPresenter(resolvers.ErrorPresenter(h.log, RequestID))
	srv.SetRecoverFunc(resolvers.Recover(h.log, RequestID))
	return srv
}

// operationName is the operation's name, or its root fields when it has none ("{actor,search}").
func operationName(oc *graphql.OperationContext) string {
	if oc.OperationName != "" {
		return oc.OperationName
	}
	if oc.Operation == nil {
		return ""
	}
	var names []string
	for _, sel := range oc.Operation.SelectionSet {
		if f, ok := sel.(*ast.Field); ok {
			names = append(names, f.Name)
		}
	}
	return "{" + strings.Join(names, ",") + "}"
}

// rootFields is the operation's metric label: its distinct root field names, sorted (at most three).
func rootFields(oc *graphql.OperationContext) string {
	if oc.Operation == nil {
		return "invalid"
	}
	seen := map[string]bool{}
	var names []string
	for _, sel := range oc.Operation.SelectionSet {
		if f, ok := sel.(*ast.Field); ok && !seen[f.Name] {
			seen[f.Name] = true
			names = append(names, f.Name)
		}
	}
	sort.Strings(names)
	if len(names) > 3 {
		names = append(names[:3], "more")
	}
	return strings.Join(names, ",")
}

// outcome is "ok", or the distinct error codes of a response.
func outcome(errs gqlerror.List) string {
	if len(errs) == 0 {
		return "ok"
	}
	seen := map[string]bool{}
	var codes []string
	for _, e := range errs {
		c, _ := e.Extensions["code"].(string)
		if c == "" {
			c = "ERROR"
		}
		if !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	return strings.Join(codes, ",")
}

func (h *Handler) readyz(w http.ResponseWriter, r *http.Request) {
	if err := h.g.Ready(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reason": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ServeHTTP runs every request through the middleware: a request id, a body size cap, panic recovery, and
// one structured log line (method, path, operation, status, outcome, duration).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rid := r.Header.Get("X-Request-Id")
	if rid == "" || len(rid) > 64 {
		rid = newRequestID()
	}
	info := &reqInfo{}
	ctx := context.WithValue(context.WithValue(r.Context(), requestIDKey{}, rid), infoKey{}, info)
	r = r.WithContext(ctx)
	w.Header().Set("X-Request-Id", rid)
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	if !h.cors(sw, r) {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.Error("panic", "panic", fmt.Sprint(p), "request_id", rid, "path", r.URL.Path)
			if !sw.wrote {
				writeJSON(sw, http.StatusInternalServerError, map[string]any{"errors": []map[string]any{{
					"message": "internal error", "extensions": map[string]any{"code": graph.EINTERNAL, "requestId": rid}}}})
			}
			info.setOutcome(graph.EINTERNAL)
		}
		op, label, out := info.get()
		took := time.Since(start)
		if out == "" && sw.status >= 400 {
			out = http.StatusText(sw.status)
		}
		if label == "" {
			label = routeLabel(r.URL.Path)
		}
		h.cfg.Metrics.observeRequest(label, out, took)
		// LogAttrs: typed attributes, without the boxing of Info's key-value pairs, on every request.
		h.log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("request_id", rid), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.String("operation", op), slog.Int("status", sw.status),
			slog.String("outcome", out), slog.Float64("duration_ms", float64(took.Microseconds())/1000))
	}()
	if r.ContentLength > h.cfg.MaxBodyBytes {
		h.writeError(sw, r, http.StatusRequestEntityTooLarge, bodyTooLarge(h.cfg.MaxBodyBytes)) // sets the outcome
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes)
	}
	h.mux.ServeHTTP(sw, r)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to ("" outside a request).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type infoKey struct{}

// reqInfo collects what the log line and the metrics say about a GraphQL request.
type reqInfo struct {
	mu             sync.Mutex
	op, label, out string
}

func infoFrom(ctx context.Context) *reqInfo {
	i, _ := ctx.Value(infoKey{}).(*reqInfo)
	return i
}

func (i *reqInfo) setOperation(op, label string) {
	i.mu.Lock()
	i.op, i.label = op, label
	i.mu.Unlock()
}

func (i *reqInfo) setOutcome(out string) {
	i.mu.Lock()
	i.out = out
	i.mu.Unlock()
}

func (i *reqInfo) get() (op, label, out string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.op, i.label, i.out
}

// routeLabel is the metric label of a request that is not a GraphQL operation: a closed set.
func routeLabel(path string) string {
	switch path {
	case "/graphql", "/export", "/healthz", "/readyz", "/metrics":
		return path
	}
	return "static"
}

// shapeLimit rejects operations nested deeper than maxDepth (introspection fields excepted), with more
// than maxRoot root fields, or with more than maxAliases aliased fields: the cheap ways to multiply work in
// one request.
type shapeLimit struct{ maxDepth, maxRoot, maxAliases int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = shapeLimit{}

func (shapeLimit) ExtensionName() string                   { return "ShapeLimit" }
func (shapeLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (l shapeLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	refuse := func(field, format string, args ...any) *gqlerror.Error {
		err := gqlerror.Errorf(format, args...)
		err.Extensions = map[string]any{"code": graph.EINVALID, "field": field}
		return err
	}
	if depth := selectionDepth(oc.Doc, oc.Operation.SelectionSet, 0); l.maxDepth > 0 && depth > l.maxDepth {
		return refuse("query", "query: nested %d levels deep; the limit is %d", depth, l.maxDepth)
	}
	if n := len(oc.Operation.SelectionSet); l.maxRoot > 0 && n > l.maxRoot {
		return refuse("query", "query: %d root fields; the limit is %d per request", n, l.maxRoot)
	}
	if n := countAliases(oc.Doc, oc.Operation.SelectionSet, 0); l.maxAliases > 0 && n > l.maxAliases {
		return refuse("query", "query: %d aliased fields; the limit is %d per request", n, l.maxAliases)
	}
	return nil
}

func countAliases(doc *ast.QueryDocument, set ast.SelectionSet, visited int) int {
	if visited > 100 {
		return 0
	}
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != "" && s.Alias != s.Name {
				n++
			}
			n += countAliases(doc, s.SelectionSet, visited+1)
		case *ast.InlineFragment:
			n += countAliases(doc, s.SelectionSet, visited+1)
		case *ast.FragmentSpread:
			if f := doc.Fragments.ForName(s.Name); f != nil {
				n += countAliases(doc, f.SelectionSet, visited+1)
			}
		}
	}
	return n
}

func selectionDepth(doc *ast.QueryDocument, set ast.SelectionSet, visited int) int {
	if visited > 100 {
		return visited
	}
	deepest := 0
	for _, sel := range set {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = 1 + selectionDepth(doc, s.SelectionSet, visited+1)
		case *ast.InlineFragment:
			d = selectionDepth(doc, s.SelectionSet, visited+1)
		case *ast.FragmentSpread:
			if f := doc.Fragments.ForName(s.Name); f != nil {
				d = selectionDepth(doc, f.SelectionSet, visited+1)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}
