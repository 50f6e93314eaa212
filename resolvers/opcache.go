package resolvers

import (
	"runtime"
	"sync"
	"weak"

	"github.com/vektah/gqlparser/v2/ast"
)

// maxOps bounds the operations an opCache holds; a full cache takes no more until entries leave.
const maxOps = 1000

// opCache holds a value computed from a parsed operation (plainSchema's compiled plans, ComplexityLimit's
// costs), by the operation. gqlgen's query cache gives every request with the same text the same parsed
// document, so a client that sends one query with different variables, as front-ends do, computes the
// value once; a document parsed anew (a query cache miss) merely computes it again.
//
// The cache does not keep documents alive: it holds each operation by a weak pointer, and an entry leaves
// once its operation is collected, after gqlgen's query cache has let the document go. A value must not
// refer to the operation itself (a part of the document is fine: the operation is what is collected).
type opCache[V any] struct {
	mu sync.Mutex
	m  map[weak.Pointer[ast.OperationDefinition]]V
}

// get returns op's value, or V's zero value.
func (c *opCache[V]) get(op *ast.OperationDefinition) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[weak.Make(op)]
}

// put keeps v as op's value, unless op has one already or the cache is full.
func (c *opCache[V]) put(op *ast.OperationDefinition, v V) {
	k := weak.Make(op)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[weak.Pointer[ast.OperationDefinition]]V)
	}
	if _, ok := c.m[k]; ok || len(c.m) >= maxOps {
		return
	}
	c.m[k] = v
	runtime.AddCleanup(op, c.remove, k)
}

// remove drops the entry of an operation that has been collected.
func (c *opCache[V]) remove(k weak.Pointer[ast.OperationDefinition]) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}

// len is the number of operations held.
func (c *opCache[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
