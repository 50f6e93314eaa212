package graph

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"
)

// Limits of ad-hoc Cypher.
const (
	MaxCypherLength = 100_000
	MaxCypherRows   = 10_000
	maxParamDepth   = 16
)

// CypherQuery is an analyst's read-only Cypher statement.
type CypherQuery struct {
	Query   string
	Params  map[string]any // JSON values; whole numbers become integers
	Limit   int            // row cap, 1..MaxCypherRows
	Timeout time.Duration  // 0: the store's CypherTimeout; capped at CypherMaxTimeout
}

// CypherResult is a statement's answer. Rows map column names to JSON-ready values: integers beyond 2^53
// become strings, temporal values ISO strings, points {srid, x, y[, z]}, nodes, relationships and paths
// objects tagged with "_type". Graph holds every actor and relation found anywhere in the rows.
type CypherResult struct {
	Columns   []string
	Rows      []map[string]any
	Graph     *Subgraph
	Truncated bool
	Summary   CypherSummary
}

// CypherSummary describes how the statement ran.
type CypherSummary struct {
	QueryType              string // r (read only), as checked before running
	Database               string
	Rows                   int
	ResultAvailableAfterMs int
	ResultConsumedAfterMs  int
	Notifications          []string
}

var (
	// strings and comments are blanked before the statement is scanned for refused constructs
	cypherLiterals = regexp.MustCompile(`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|//[^\n]*|/\*(?s:.*?)\*/`)
	cypherRefused  = []struct {
		re  *regexp.Regexp
		why string
	}{
		{regexp.MustCompile(`(?i)\bLOAD\s+CSV\b`), "LOAD CSV reads files and URLs from the database server"},
		{regexp.MustCompile(`(?i)\bUSE\s+[\w.` + "`" + `]`), "USE switches database; queries run on the service's database only"},
		{regexp.MustCompile(`(?i)\bIN\s+TRANSACTIONS\b`), "CALL ... IN TRANSACTIONS is for writes"},
		{regexp.MustCompile(`(?i)^\s*(CREATE|DROP|ALTER|GRANT|DENY|REVOKE|START|STOP|RENAME|ENABLE|DEALLOCATE|REALLOCATE|TERMINATE)\b`), "administration commands are refused"},
		{regexp.MustCompile(`(?i)^\s*SHOW\s+(CURRENT\s+)?(USERS?|ROLES?|PRIVILEGES|SERVERS?|DATABASES?|ALIASES|SETTINGS?|TRANSACTIONS?|SUPPORTED)\b`), "administration commands are refused"},
	}
	cypherProcCall = regexp.MustCompile(`(?i)\bCALL\s+([A-Za-z_][\w.]*)\s*(\(|YIELD|$|\s)`)
	// read-only procedures an analyst may call; everything else (dbms.*, db.create*, apoc.* ...) is refused
	cypherProcsAllowed = []string{
		"db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization", "db.schema.nodetypeproperties",
		"db.schema.reltypeproperties", "db.index.fulltext.querynodes", "db.index.fulltext.queryrelationships", "db.ping",
		"db.info", "dbms.components",
	}
	cypherLeadingMode = regexp.MustCompile(`(?i)^\s*(EXPLAIN|PROFILE|CYPHER)\b`)
)

// checkCypher refuses, before anything runs, what a read transaction would not stop or what an analyst
// must not do: file and URL access, other databases, administration commands, and every procedure not on
// the read-only allowlist. Writes are refused by the EXPLAIN check and by the read transaction itself.
func checkCypher(q string) error {
	if strings.TrimSpace(q) == "" {
		return Invalid("query", "must not be empty")
	}
	if len(q) > MaxCypherLength {
		return Invalid("query", "must be at most %d characters", MaxCypherLength)
	}
	if m := cypherLeadingMode.FindStringSubmatch(q); m != nil {
		return Invalid("query", "send the statement without a leading %s: the service explains it itself", strings.ToUpper(m[1]))
	}
	scan := cypherLiterals.ReplaceAllStringFunc(q, func(s string) string { return strings.Repeat(" ", len(s)) })
	for _, r := range cypherRefused {
		if r.re.MatchString(scan) {
			return &Error{Code: EFORBIDDEN, Field: "query", Message: r.why}
		}
	}
	for _, m := range cypherProcCall.FindAllStringSubmatch(scan, -1) {
		name := strings.ToLower(m[1])
		allowed := false
		for _, a := range cypherProcsAllowed {
			if name == a {
				allowed = true
			}
		}
		if !allowed {
			return &Error{Code: EFORBIDDEN, Field: "query", Message: fmt.Sprintf("procedure %s is not on the read-only allowlist", m[1])}
		}
	}
	return nil
}

// Cypher runs an analyst's statement read-only: checked by checkCypher, then EXPLAINed and refused
// unless Neo4j classifies it as read-only, then run in a read transaction with a server-side timeout, so
// that Neo4j itself refuses any write that slipped through. Neo4j's own errors (syntax, unknown function)
// come back as INVALID with Neo4j's message and position.
func (s *Store) Cypher(ctx context.Context, q CypherQuery) (*CypherResult, error) {
	if err := checkCypher(q.Query); err != nil {
		return nil, err
	}
	if err := checkRange("limit", q.Limit, 1, MaxCypherRows); err != nil {
		return nil, err
	}
	timeout := s.cfg.CypherTimeout
	if q.Timeout != 0 {
		if q.Timeout < time.Millisecond || q.Timeout > s.cfg.CypherMaxTimeout {
			return nil, Invalid("timeoutMs", "must be between 1 and %d", s.cfg.CypherMaxTimeout.Milliseconds())
		}
		timeout = q.Timeout
	}
	params, err := cypherParams(q.Params)
	if err != nil {
		return nil, err
	}

	ctx, release, err := s.admit(ctx, HeavyCypher, timeout)
	if err != nil {
		return nil, err
	}
	defer release()
	// Neo4j gets what the wait left of the timeout (ctx may end sooner still).
	if timeout, err = s.budget(ctx, timeout); err != nil {
		return nil, err
	}
	sess := s.session(ctx, neo4j.AccessModeRead)
	defer sess.Close(context.WithoutCancel(ctx))
	if s.cfg.Trace != nil {
		s.cfg.Trace(q.Query, params)
	}
	done := s.track("cypher")
	out, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return s.runCypher(ctx, tx, q, params)
	}, neo4j.WithTxTimeout(timeout))
	done(err)
	if err != nil {
		return nil, s.mapCypherErr(ctx, err)
	}
	return out.(*CypherResult), nil
}

func (s *Store) runCypher(ctx context.Context, tx neo4j.ManagedTransaction, q CypherQuery, params map[string]any) (*CypherResult, error) {
	s.roundTrips.Add(1)
	plan, err := tx.Run(ctx, "EXPLAIN "+q.Query, params)
	if err != nil {
		return nil, err
	}
	sum, err := plan.Consume(ctx)
	if err != nil {
		return nil, err
	}
	if t := sum.StatementType(); t != neo4j.StatementTypeReadOnly {
		return nil, &Error{Code: EFORBIDDEN, Field: "query", Message: fmt.Sprintf("only read-only statements may run here; this one is %s", t)}
	}

	s.roundTrips.Add(1)
	res, err := tx.Run(ctx, q.Query, params)
	if err != nil {
		return nil, err
	}
	keys, err := res.Keys()
	if err != nil {
		return nil, err
	}
	out := &CypherResult{Columns: keys, Rows: []map[string]any{}}
	g := &graphCollector{nodes: map[string]dbtype.Node{}, rels: map[string]dbtype.Relationship{}}
	for res.Next(ctx) {
		if len(out.Rows) == q.Limit {
			out.Truncated = true
			break
		}
		rec := res.Record()
		row := make(map[string]any, len(keys))
		for i, k := range keys {
			row[k] = g.toJSON(rec.Values[i], 0)
		}
		out.Rows = append(out.Rows, row)
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	sum, err = res.Consume(ctx)
	if err != nil {
		return nil, err
	}
	out.Summary = CypherSummary{QueryType: "r", Database: sum.Database().Name(), Rows: len(out.Rows),
		ResultAvailableAfterMs: int(sum.ResultAvailableAfter().Milliseconds()),
		ResultConsumedAfterMs:  int(sum.ResultConsumedAfter().Milliseconds()), Notifications: []string{}}
	for _, n := range sum.Notifications() {
		out.Summary.Notifications = append(out.Summary.Notifications, n.Title()+": "+n.Description())
	}
	if out.Graph, err = s.collectGraph(ctx, tx, g); err != nil {
		return nil, err
	}
	return out, nil
}

// collectGraph turns the actor nodes and relations found in the rows into a Subgraph shaped like the
// neighbourhood's, fetching (in the same transaction) the relation ends and routes the rows did not hold.
// Nodes that are not actors (sources, audit entries) and relations with a non-actor end are left out.
func (s *Store) collectGraph(ctx context.Context, tx neo4j.ManagedTransaction, g *graphCollector) (*Subgraph, error) {
	out := &Subgraph{Nodes: []*Actor{}, Edges: []*Relation{}}
	if len(g.nodes) == 0 && len(g.rels) == 0 {
		return out, nil
	}
	var eids, vias []string
	for id := range g.nodes {
		eids = append(eids, id)
	}
	for _, r := range g.rels {
		eids = append(eids, r.StartElementId, r.EndElementId)
		for _, v := range strs(toAnyList(r.Props["via"])) {
			vias = append(vias, v)
		}
	}
	s.roundTrips.Add(1)
	res, err := tx.Run(ctx, "MATCH (n:Actor) WHERE elementId(n) IN $eids OR n.id IN $vias RETURN elementId(n) AS eid, "+actorProj("n")+" AS a",
		map[string]any{"eids": eids, "vias": nonNil(vias)})
	if err != nil {
		return nil, err
	}
	recs, err := res.Collect(ctx)
	if err != nil {
		return nil, err
	}
	d := s.newDecoder()
	byEid := map[string]*Actor{}
	for _, rec := range recs {
		byEid[str(rec.Values[0])] = d.actor(rec.Values[1])
	}
	for eid := range g.nodes {
		if a := byEid[eid]; a != nil {
			out.Nodes = append(out.Nodes, a)
		}
	}
	for _, r := range g.rels {
		from, to := byEid[r.StartElementId], byEid[r.EndElementId]
		if from == nil || to == nil {
			continue
		}
		rel := d.relation(relationColumns(r.Props, r.Type, from.ID, to.ID))
		out.Edges = append(out.Edges, rel)
		for _, a := range []*Actor{from, to} {
			if !containsActor(out.Nodes, a) {
				out.Nodes = append(out.Nodes, a)
			}
		}
	}
	return out, d.finish(ctx)
}

func containsActor(list []*Actor, a *Actor) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

func toAnyList(v any) any {
	switch l := v.(type) {
	case []any:
		return l
	case []string:
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out
	}
	return nil
}

// graphCollector converts Neo4j values to JSON and remembers the nodes and relationships it meets.
type graphCollector struct {
	nodes map[string]dbtype.Node
	rels  map[string]dbtype.Relationship
}

const maxSafeInt = 1<<53 - 1

func (g *graphCollector) toJSON(v any, depth int) any {
	if depth > 64 {
		return "…"
	}
	switch x := v.(type) {
	case nil, bool, string:
		return x
	case int64:
		if x > maxSafeInt || x < -maxSafeInt {
			return fmt.Sprint(x)
		}
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x)
		}
		return x
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = g.toJSON(e, depth+1)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = g.toJSON(e, depth+1)
		}
		return out
	case dbtype.Node:
		g.nodes[x.ElementId] = x
		return map[string]any{"_type": "node", "_elementId": x.ElementId, "labels": x.Labels, "properties": g.toJSON(x.Props, depth+1)}
	case dbtype.Relationship:
		g.rels[x.ElementId] = x
		return map[string]any{"_type": "relationship", "_elementId": x.ElementId, "type": x.Type,
			"start": x.StartElementId, "end": x.EndElementId, "properties": g.toJSON(x.Props, depth+1)}
	case dbtype.Path:
		nodes := make([]any, len(x.Nodes))
		for i, n := range x.Nodes {
			nodes[i] = g.toJSON(n, depth+1)
		}
		rels := make([]any, len(x.Relationships))
		for i, r := range x.Relationships {
			rels[i] = g.toJSON(r, depth+1)
		}
		return map[string]any{"_type": "path", "nodes": nodes, "relationships": rels}
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case dbtype.Date:
		return x.Time().Format("2006-01-02")
	case dbtype.LocalDateTime:
		return x.Time().Format("2006-01-02T15:04:05.999999999")
	case dbtype.LocalTime:
		return x.Time().Format("15:04:05.999999999")
	case dbtype.Time:
		return x.Time().Format("15:04:05.999999999Z07:00")
	case dbtype.Duration:
		return x.String()
	case dbtype.Point2D:
		return map[string]any{"srid": x.SpatialRefId, "x": x.X, "y": x.Y}
	case dbtype.Point3D:
		return map[string]any{"srid": x.SpatialRefId, "x": x.X, "y": x.Y, "z": x.Z}
	}
	return fmt.Sprint(v)
}

// cypherParams converts JSON parameters: whole numbers become integers (so LIMIT $n works), nesting is
// bounded.
func cypherParams(p map[string]any) (map[string]any, error) {
	if p == nil {
		return map[string]any{}, nil
	}
	var conv func(field string, v any, depth int) (any, error)
	conv = func(field string, v any, depth int) (any, error) {
		if depth > maxParamDepth {
			return nil, Invalid(field, "nests deeper than %d levels", maxParamDepth)
		}
		switch x := v.(type) {
		case json.Number:
			if i, err := x.Int64(); err == nil {
				return i, nil
			}
			f, err := x.Float64()
			if err != nil {
				return nil, Invalid(field, "%q is not a number", x)
			}
			return f, nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) <= maxSafeInt {
				return int64(x), nil
			}
			return x, nil
		case int:
			return int64(x), nil
		case int64, string, bool, nil:
			return x, nil
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				c, err := conv(fmt.Sprintf("%s[%d]", field, i), e, depth+1)
				if err != nil {
					return nil, err
				}
				out[i] = c
			}
			return out, nil
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, e := range x {
				c, err := conv(field+"."+k, e, depth+1)
				if err != nil {
					return nil, err
				}
				out[k] = c
			}
			return out, nil
		}
		return nil, Invalid(field, "unsupported value of type %T", v)
	}
	out, err := conv("params", p, 0)
	if err != nil {
		return nil, err
	}
	return out.(map[string]any), nil
}

// mapCypherErr maps Neo4j's answers to an analyst's statement: its own errors are the analyst's to fix.
func (s *Store) mapCypherErr(ctx context.Context, err error) error {
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) {
		switch {
		case strings.Contains(ne.Code, "AccessMode") || strings.HasPrefix(ne.Code, "Neo.ClientError.Security.Forbidden"):
			return &Error{Code: EFORBIDDEN, Field: "query", Message: "writes are refused: " + ne.Msg, Err: err}
		case strings.Contains(ne.Code, "TransactionTimedOut") || strings.HasSuffix(ne.Code, "Terminated"):
			return s.mapErr(ctx, err)
		case strings.HasPrefix(ne.Code, "Neo.ClientError.Statement.") || strings.HasPrefix(ne.Code, "Neo.ClientError.Procedure.") ||
			strings.HasPrefix(ne.Code, "Neo.ClientError.Schema."):
			return &Error{Code: EINVALID, Field: "query", Message: ne.Msg, Err: err}
		}
	}
	return s.mapErr(ctx, err)
}
