package resolvers

import (
	"bytes"
	"context"
	"io"
	"math"
	"reflect"
	"strconv"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/actorgraph/actorgraph/graph"
)

// The read path's answers (a subgraph of hundreds of actors and relations with their evidence, a set of
// paths, funding channels) are made of plain data: every field of the types in plainTypes is a field of a
// graph struct, with no arguments, resolver, directive or error of its own. gqlgen executes each such
// field as a resolver call and marshals each element of a list of objects in a goroutine of its own; on
// those answers that was most of the service's CPU (BENCHMARKS.md, floors 1–2 and 4).
//
// plainSchema answers a query whose one root field returns plain types in two steps. gqlgen runs the
// root field as it runs any field (argument coercion, defaults, resolver, error presenter, panic
// recovery), but on a copy of the field with no selection, so it has nothing to walk. The value the
// resolver returned is then written in one sequential pass, following a plan compiled from the original
// selection by gqlgen's own CollectFields (fragments, aliases, @skip and @include). The bytes are the
// ones gqlgen writes: the same field order and the same scalar marshalers (TestPlainPathSameBytes). One
// difference is left: a nil where the schema says non-null, which the store never returns, is written as
// null without the error gqlgen would add.
// Any other operation (a mutation, several root fields, a field outside plainTypes such as
// Actor.relations, @defer) goes to gqlgen unchanged.
type plainSchema struct {
	graphql.ExecutableSchema
	// plans holds the compiled plans of operations without directives (usesDirectives): nothing else in
	// a plan depends on the request. Plans are never changed once compiled, so requests share them, and a
	// plan refers to the root field's part of the document, never to the operation.
	plans    opCache[*compiled]
	served   atomic.Int64 // operations answered through a plan (read by tests)
	compiles atomic.Int64 // operations compiled (read by tests)
}

// plainRoots maps the root query fields that return plain types to the type of the answer (of its
// elements, for a list).
var plainRoots = map[string]string{
	"actor": "Actor", "search": "SearchHit", "neighbourhood": "Subgraph", "connections": "Subgraph",
	"shortestPath": "Path", "paths": "Path", "fundingChannels": "FundingChannel",
}

// plainTypes lists the fields of each plain type, each with the plain type it holds ("" for a scalar or
// an enum). A field missing here (Actor.relations, Actor.sources) sends the operation to gqlgen.
var plainTypes = map[string]map[string]string{
	"Subgraph":       {"nodes": "Actor", "edges": "Relation", "truncated": "", "omitted": ""},
	"Path":           {"nodes": "Actor", "edges": "Relation", "length": "", "credibility": ""},
	"FundingChannel": {"funder": "Actor", "recipient": "Actor", "path": "Path", "via": "Actor"},
	"SearchHit":      {"actor": "Actor", "score": ""},
	"Actor": {"id": "", "name": "", "kind": "", "aliases": "", "description": "", "countryCode": "",
		"degree": "", "evidence": "Evidence", "version": ""},
	"Relation": {"id": "", "type": "", "from": "Actor", "to": "Actor", "since": "", "until": "", "status": "",
		"confidence": "", "via": "Actor", "evidence": "Evidence", "version": "", "retired": "",
		"retiredReason": ""},
	"Evidence": {"source": "Source", "line": "", "claim": ""},
	"Source":   {"id": "", "title": "", "publisher": "", "authors": "", "date": "", "file": ""},
}

// plan is a selection set resolved for one object type: the fields to write, in gqlgen's order.
type plan struct {
	typ    string
	fields []planField
}

type planField struct {
	key   []byte // the response key, quoted, and a colon
	name  string
	child *plan // for a field holding plain objects
}

// compile resolves sel for an object of type typ. It reports false when the selection needs gqlgen.
func compile(oc *graphql.OperationContext, sel ast.SelectionSet, typ string) (*plan, bool) {
	fields := graphql.CollectFields(oc, sel, []string{typ})
	p := &plan{typ: typ, fields: make([]planField, 0, len(fields))}
	for _, f := range fields {
		if len(f.Deferrables) > 0 {
			return nil, false
		}
		pf := planField{key: quotedKey(f.Alias), name: f.Name}
		if f.Name != "__typename" {
			child, ok := plainTypes[typ][f.Name]
			if !ok {
				return nil, false
			}
			if child != "" {
				if pf.child, ok = compile(oc, f.Selections, child); !ok {
					return nil, false
				}
			}
		}
		p.fields = append(p.fields, pf)
	}
	return p, true
}

// Exec answers the operation through a plan when it can, and through gqlgen otherwise.
func (s *plainSchema) Exec(ctx context.Context) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return s.ExecutableSchema.Exec(ctx)
	}
	c := s.plans.get(oc.Operation)
	if c == nil {
		c = s.compileOperation(oc)
		if !usesDirectives(oc.Operation.SelectionSet) {
			s.plans.put(oc.Operation, c)
		}
	}
	if c.p == nil {
		return s.ExecutableSchema.Exec(ctx)
	}
	root, p := c.root, c.p

	// The operation gqlgen runs: the root field alone, without its selection. oc is this request's own;
	// the operation it points to may be shared through the query cache, so it is copied, not changed.
	bare := *root.Field
	bare.SelectionSet = nil
	op := *oc.Operation
	op.SelectionSet = ast.SelectionSet{&bare}
	origOp, origMW := oc.Operation, oc.ResolverMiddleware
	var value any
	var resolved bool
	capture := func(ctx context.Context, next graphql.Resolver) (any, error) {
		res, err := origMW(ctx, next)
		if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field == &bare && err == nil {
			value, resolved = res, true
			return hollow(res), nil
		}
		return res, err
	}
	inner := s.ExecutableSchema.Exec(ctx)
	first := true
	return func(ctx context.Context) *graphql.Response {
		if !first {
			return inner(ctx)
		}
		first = false
		// gqlgen's handler reads the operation and the middleware while it runs, so they are swapped
		// for that call only.
		resp := func() *graphql.Response {
			oc.Operation, oc.ResolverMiddleware = &op, capture
			defer func() { oc.Operation, oc.ResolverMiddleware = origOp, origMW }()
			return inner(ctx)
		}()
		if resp == nil || !resolved {
			return resp // an error: gqlgen's response is the answer
		}
		w := &writer{ctx: ctx}
		w.b.Grow(int(c.size.Load()))
		w.b.WriteByte('{')
		w.b.Write(quotedKey(root.Alias))
		if !w.value(p, value) {
			return resp // a null answer, as gqlgen wrote it
		}
		w.b.WriteByte('}')
		c.size.Store(int64(min(w.b.Len(), maxSizeHint)))
		resp.Data = w.b.Bytes()
		s.served.Add(1)
		return resp
	}
}

// hollow is what gqlgen is given to write for a root field's value, which the plan writes instead: for a
// list, an empty list of the same type, so that gqlgen does not marshal an empty object for each element (in
// a goroutine each, for lists of objects); anything else as it is, an object without a selection costing
// one call. A list is never replaced by nil, which gqlgen would report as a null in a non-null field.
func hollow(v any) any {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice {
		return reflect.MakeSlice(rv.Type(), 0, 0).Interface()
	}
	return v
}

// compiled is what Exec learns from an operation before running it: its one root field and that field's
// plan, or a nil p when the operation goes to gqlgen.
type compiled struct {
	root graphql.CollectedField
	p    *plan
	// size is the length of the last answer written through p (at most maxSizeHint): the next answer's
	// buffer starts that large, instead of being copied into larger ones as it grows. Answers to one
	// query text are of like sizes (a front-end's neighbourhoods, an investigator's funding channels).
	size atomic.Int64
}

// maxSizeHint bounds the buffer an answer starts with, so that one large answer does not make every later
// answer to the same query text hold as much.
const maxSizeHint = 1 << 20

// compileOperation compiles the plan of oc's operation, a query.
func (s *plainSchema) compileOperation(oc *graphql.OperationContext) *compiled {
	s.compiles.Add(1)
	roots := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})
	if len(roots) != 1 || len(roots[0].Deferrables) > 0 {
		return &compiled{}
	}
	root := roots[0]
	typ, ok := plainRoots[root.Name]
	if !ok {
		return &compiled{}
	}
	p, ok := compile(oc, root.Selections, typ)
	if !ok {
		return &compiled{}
	}
	return &compiled{root: root, p: p}
}

// usesDirectives reports whether a directive appears anywhere in sel, its fragments included. Such an
// operation's plan may depend on its variables (@skip, @include, @defer's if), so it is not cached. A
// selection set too deep to walk, or a spread of an unknown fragment, counts as one that does.
func usesDirectives(sel ast.SelectionSet) bool {
	return !walkSelections(sel, 0, func(s ast.Selection) bool {
		switch s := s.(type) {
		case *ast.Field:
			return len(s.Directives) == 0
		case *ast.InlineFragment:
			return len(s.Directives) == 0
		case *ast.FragmentSpread:
			return len(s.Directives) == 0 && s.Definition != nil && len(s.Definition.Directives) == 0
		}
		return true
	})
}

// walkSelections calls visit for each selection of sel and, below each, of its selection set (a fragment
// spread's being its definition's), until visit returns false. It reports whether it visited them all:
// false when visit stopped it, or past maxWalkDepth levels, which guards against a fragment cycle (validation
// rejects one before this runs).
func walkSelections(sel ast.SelectionSet, depth int, visit func(ast.Selection) bool) bool {
	if depth > maxWalkDepth {
		return false
	}
	for _, s := range sel {
		if !visit(s) {
			return false
		}
		var below ast.SelectionSet
		switch s := s.(type) {
		case *ast.Field:
			below = s.SelectionSet
		case *ast.InlineFragment:
			below = s.SelectionSet
		case *ast.FragmentSpread:
			if s.Definition != nil {
				below = s.Definition.SelectionSet
			}
		}
		if !walkSelections(below, depth+1, visit) {
			return false
		}
	}
	return true
}

// maxWalkDepth is the deepest level walkSelections goes to.
const maxWalkDepth = 64

// quotedKey is a response key as gqlgen writes it: quoted, then a colon.
func quotedKey(alias string) []byte {
	var w writer
	w.str(alias)
	w.b.WriteByte(':')
	return w.b.Bytes()
}

// writer writes plain values as JSON, the way gqlgen's generated marshalers write them.
type writer struct {
	ctx context.Context
	b   bytes.Buffer
}

// value writes the answer of a root field, of a type the resolvers of plainRoots return. For a nil
// pointer (a null answer, which gqlgen's response already holds) it writes nothing and reports false.
func (w *writer) value(p *plan, v any) bool {
	switch v := v.(type) {
	case *graph.Actor:
		if v == nil {
			return false
		}
		w.actor(p, v)
	case *graph.Subgraph:
		if v == nil {
			return false
		}
		w.subgraph(p, v)
	case *graph.Path:
		if v == nil {
			return false
		}
		w.path(p, v)
	case []*graph.Path:
		list(w, p, v, (*writer).path)
	case []*graph.FundingChannel:
		list(w, p, v, (*writer).funding)
	case []*graph.SearchHit:
		list(w, p, v, (*writer).hit)
	default:
		w.null()
	}
	return true
}

// object writes x as an object of the fields p selects: __typename here, the others through field. A
// nil x is null.
func object[T any](w *writer, p *plan, x *T, field func(*writer, *planField, *T)) {
	if x == nil {
		w.null()
		return
	}
	w.b.WriteByte('{')
	for i := range p.fields {
		if i > 0 {
			w.b.WriteByte(',')
		}
		f := &p.fields[i]
		w.b.Write(f.key)
		if f.name == "__typename" {
			w.str(p.typ)
		} else {
			field(w, f, x)
		}
	}
	w.b.WriteByte('}')
}

func list[T any](w *writer, p *plan, xs []T, one func(*writer, *plan, T)) {
	w.b.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			w.b.WriteByte(',')
		}
		one(w, p, x)
	}
	w.b.WriteByte(']')
}

// opt writes *v through write, or null.
func opt[T any](w *writer, v *T, write func(*writer, T)) {
	if v == nil {
		w.null()
		return
	}
	write(w, *v)
}

func (w *writer) null() { w.b.WriteString("null") }

// str writes s quoted as gqlgen's String marshaler does (graphql.MarshalString): '"', '\\' and the control
// characters below 0x20 escaped, every other byte as it is, invalid UTF-8 included; but into the buffer
// directly, a run of plain bytes at a time (TestWriterStrAsGqlgen).
func (w *writer) str(s string) {
	w.b.Grow(len(s) + 2)
	b := append(w.b.AvailableBuffer(), '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\n':
			b = append(b, `\n`...)
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		default:
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	w.b.Write(append(b, '"'))
}

// hexDigits are the digits of gqlgen's \u00XX escapes (upper case).
const hexDigits = "0123456789ABCDEF"

func (w *writer) strs(ss []string) {
	w.b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			w.b.WriteByte(',')
		}
		w.str(s)
	}
	w.b.WriteByte(']')
}

func (w *writer) int(n int) { w.b.Write(strconv.AppendInt(w.b.AvailableBuffer(), int64(n), 10)) }

func (w *writer) bool(v bool) { w.b.Write(strconv.AppendBool(w.b.AvailableBuffer(), v)) }

// float writes f as gqlgen's Float marshaler does (fmt's %g, which is strconv's shortest 'g'), into the
// buffer directly (TestWriterFloatAsGqlgen); a value JSON cannot hold (NaN, ±Inf) goes through gqlgen's
// marshaler, which reports it, and becomes null and that error, as in gqlgen.
func (w *writer) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		if err := graphql.MarshalFloatContext(f).MarshalGQLContext(w.ctx, io.Discard); err != nil {
			graphql.AddError(w.ctx, err)
		}
		w.null()
		return
	}
	w.b.Write(strconv.AppendFloat(w.b.AvailableBuffer(), f, 'g', -1, 64))
}

func (w *writer) subgraph(p *plan, s *graph.Subgraph) { object(w, p, s, (*writer).subgraphField) }

func (w *writer) subgraphField(f *planField, s *graph.Subgraph) {
	switch f.name {
	case "nodes":
		list(w, f.child, s.Nodes, (*writer).actor)
	case "edges":
		list(w, f.child, s.Edges, (*writer).relation)
	case "truncated":
		w.bool(s.Truncated)
	case "omitted":
		w.int(s.Omitted)
	}
}

func (w *writer) path(p *plan, x *graph.Path) { object(w, p, x, (*writer).pathField) }

func (w *writer) pathField(f *planField, x *graph.Path) {
	switch f.name {
	case "nodes":
		list(w, f.child, x.Nodes, (*writer).actor)
	case "edges":
		list(w, f.child, x.Edges, (*writer).relation)
	case "length":
		w.int(x.Length)
	case "credibility":
		w.float(x.Credibility)
	}
}

func (w *writer) funding(p *plan, c *graph.FundingChannel) { object(w, p, c, (*writer).fundingField) }

func (w *writer) fundingField(f *planField, c *graph.FundingChannel) {
	switch f.name {
	case "funder":
		w.actor(f.child, c.Funder)
	case "recipient":
		w.actor(f.child, c.Recipient)
	case "path":
		w.path(f.child, c.Path)
	case "via":
		list(w, f.child, c.Via, (*writer).actor)
	}
}

func (w *writer) hit(p *plan, h *graph.SearchHit) { object(w, p, h, (*writer).hitField) }

func (w *writer) hitField(f *planField, h *graph.SearchHit) {
	switch f.name {
	case "actor":
		w.actor(f.child, h.Actor)
	case "score":
		w.float(h.Score)
	}
}

func (w *writer) actor(p *plan, a *graph.Actor) { object(w, p, a, (*writer).actorField) }

func (w *writer) actorField(f *planField, a *graph.Actor) {
	switch f.name {
	case "id":
		w.str(a.ID)
	case "name":
		w.str(a.Name)
	case "kind":
		w.str(string(a.Kind))
	case "aliases":
		w.strs(a.Aliases)
	case "description":
		opt(w, a.Description, (*writer).str)
	case "countryCode":
		opt(w, a.CountryCode, (*writer).str)
	case "degree":
		w.int(a.Degree)
	case "evidence":
		list(w, f.child, a.Evidence, (*writer).evidence)
	case "version":
		w.int(a.Version)
	}
}

func (w *writer) relation(p *plan, r *graph.Relation) { object(w, p, r, (*writer).relationField) }

func (w *writer) relationField(f *planField, r *graph.Relation) {
	switch f.name {
	case "id":
		w.str(r.ID)
	case "type":
		w.str(string(r.Type))
	case "from":
		w.actor(f.child, r.From)
	case "to":
		w.actor(f.child, r.To)
	case "since":
		opt(w, r.Since, (*writer).str)
	case "until":
		opt(w, r.Until, (*writer).str)
	case "status":
		w.str(string(r.Status))
	case "confidence":
		opt(w, r.Confidence, (*writer).float)
	case "via":
		list(w, f.child, r.Via, (*writer).actor)
	case "evidence":
		list(w, f.child, r.Evidence, (*writer).evidence)
	case "version":
		w.int(r.Version)
	case "retired":
		w.bool(r.Retired)
	case "retiredReason":
		opt(w, r.RetiredReason, (*writer).str)
	}
}

func (w *writer) evidence(p *plan, e *graph.Evidence) { object(w, p, e, (*writer).evidenceField) }

func (w *writer) evidenceField(f *planField, e *graph.Evidence) {
	switch f.name {
	case "source":
		object(w, f.child, e.Source, (*writer).sourceField)
	case "line":
		opt(w, e.Line, (*writer).int)
	case "claim":
		w.str(e.Claim)
	}
}

func (w *writer) sourceField(f *planField, s *graph.Source) {
	switch f.name {
	case "id":
		w.str(s.ID)
	case "title":
		w.str(s.Title)
	case "publisher":
		opt(w, s.Publisher, (*writer).str)
	case "authors":
		w.strs(s.Authors)
	case "date":
		opt(w, s.Date, (*writer).str)
	case "file":
		opt(w, s.File, (*writer).str)
	}
}
