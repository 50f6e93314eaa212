package resolvers

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// ComplexityLimit is gqlgen's extension.FixedComplexityLimit over the cost model of NewSchema, answering
// with the same error (COMPLEXITY_LIMIT_EXCEEDED) and the same statistics, but computing an operation's
// cost once for each set of values of the variables its cost depends on: those passed to the arguments
// the cost functions read (costArguments). A lookup whose id is a variable is costed once for every id.
// Costs are held by parsed operation, as plainSchema's plans are (opCache), at most maxCostsPerOp each.
type ComplexityLimit struct {
	limit    int
	es       graphql.ExecutableSchema
	costs    opCache[*opCosts]
	computed atomic.Int64 // costs computed (read by tests)
}

// maxCostsPerOp bounds the costs kept for one operation (one per set of values of its cost variables).
const maxCostsPerOp = 64

// NewComplexityLimit returns the extension refusing operations that cost more than limit.
func NewComplexityLimit(limit int) *ComplexityLimit { return &ComplexityLimit{limit: limit} }

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = &ComplexityLimit{}

// ExtensionName is gqlgen's, so that extension.GetComplexityStats finds the statistics.
func (c *ComplexityLimit) ExtensionName() string { return "ComplexityLimit" }

// Validate takes the schema whose cost functions price operations.
func (c *ComplexityLimit) Validate(es graphql.ExecutableSchema) error {
	c.es = es
	return nil
}

// MutateOperationContext prices the operation and refuses it above the limit.
func (c *ComplexityLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	n := c.cost(ctx, oc.Operation, oc.Variables)
	oc.Stats.SetExtension(c.ExtensionName(), &extension.ComplexityStats{Complexity: n, ComplexityLimit: c.limit})
	if n > c.limit {
		err := gqlerror.Errorf("operation has complexity %d, which exceeds the limit of %d", n, c.limit)
		errcode.Set(err, "COMPLEXITY_LIMIT_EXCEEDED")
		return err
	}
	return nil
}

// cost is op's cost under vars, as gqlgen's complexity.Calculate computes it.
func (c *ComplexityLimit) cost(ctx context.Context, op *ast.OperationDefinition, vars map[string]any) int {
	if op == nil {
		return 0
	}
	oc := c.costs.get(op)
	if oc == nil {
		oc = &opCosts{}
		oc.vars, oc.whole = costVariables(op.SelectionSet)
		c.costs.put(op, oc)
	}
	key, ok := oc.key(vars)
	if ok {
		if n, hit := oc.get(key); hit {
			return n
		}
	}
	c.computed.Add(1)
	n := complexity.Calculate(ctx, c.es, op, vars)
	if ok {
		oc.put(key, n)
	}
	return n
}

// opCosts is an operation's costs, by the values of its cost variables.
type opCosts struct {
	vars  []string // the variables passed to cost arguments, sorted; nil: the cost is the operation's alone
	whole bool     // vars are all of them (costVariables); if not, no cost is kept
	mu    sync.Mutex
	by    map[string]int
}

// key encodes the values vars gives the cost variables; false when they cannot be encoded or are not
// known to be all.
func (o *opCosts) key(vars map[string]any) (string, bool) {
	if !o.whole {
		return "", false
	}
	if len(o.vars) == 0 {
		return "", true
	}
	vals := make([]any, len(o.vars))
	for i, v := range o.vars {
		vals[i] = vars[v]
	}
	b, err := json.Marshal(vals)
	return string(b), err == nil
}

func (o *opCosts) get(key string) (int, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n, ok := o.by[key]
	return n, ok
}

func (o *opCosts) put(key string, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.by == nil {
		o.by = map[string]int{}
	}
	if len(o.by) < maxCostsPerOp {
		o.by[key] = n
	}
}

// costVariables returns the variables that sel, its fragments included, passes to cost arguments, sorted
// and without repeats; false when it could not walk all of sel (walkSelections), so that the cost is not
// kept for them.
func costVariables(sel ast.SelectionSet) ([]string, bool) {
	var names []string
	whole := walkSelections(sel, 0, func(s ast.Selection) bool {
		switch s := s.(type) {
		case *ast.Field:
			for _, a := range s.Arguments {
				if costArguments[a.Name] {
					names = variablesIn(a.Value, names)
				}
			}
		case *ast.FragmentSpread:
			return s.Definition != nil
		}
		return true
	})
	slices.Sort(names)
	return slices.Compact(names), whole
}

// variablesIn adds the variables in v (itself, or inside a list or an object) to names.
func variablesIn(v *ast.Value, names []string) []string {
	if v == nil {
		return names
	}
	if v.Kind == ast.Variable {
		return append(names, v.Raw)
	}
	for _, c := range v.Children {
		names = variablesIn(c.Value, names)
	}
	return names
}
