package resolvers

import (
	"context"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/actorgraph/actorgraph/graph"
)

// A loader sends its batch once no sibling field has asked for batchQuiet, or batchMax after the first
// ask, or at maxBatch keys. gqlgen resolves the fields of list elements concurrently, so siblings normally
// arrive within microseconds; the quiet period stretches while they keep coming on a busy machine.
const (
	batchQuiet = 3 * time.Millisecond
	batchMax   = 50 * time.Millisecond
)

// batcher collects keys and fetches them in one call.
type batcher[V any] struct {
	fetch func(ctx context.Context, keys []string) ([]V, error)
	mu    sync.Mutex
	cur   *batch[V]
}

type batch[V any] struct {
	keys  []string
	done  chan struct{}
	vals  []V
	err   error
	start time.Time
	last  time.Time // when the last key arrived
}

const maxBatch = graph.MaxFirst

func (b *batcher[V]) load(ctx context.Context, key string) (V, error) {
	b.mu.Lock()
	now := time.Now()
	if b.cur == nil {
		b.cur = &batch[V]{done: make(chan struct{}), start: now}
		cur := b.cur
		time.AfterFunc(batchQuiet, func() { b.dispatch(ctx, cur) })
	}
	cur := b.cur
	cur.last = now
	i := len(cur.keys)
	cur.keys = append(cur.keys, key)
	if len(cur.keys) == maxBatch {
		b.cur = nil
		go b.run(ctx, cur)
	}
	b.mu.Unlock()
	select {
	case <-cur.done:
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
	if cur.err != nil {
		var zero V
		return zero, cur.err
	}
	return cur.vals[i], nil
}

func (b *batcher[V]) dispatch(ctx context.Context, cur *batch[V]) {
	b.mu.Lock()
	if b.cur != cur { // already sent because it was full
		b.mu.Unlock()
		return
	}
	if quiet := time.Since(cur.last); quiet < batchQuiet && time.Since(cur.start) < batchMax {
		b.mu.Unlock()
		time.AfterFunc(batchQuiet-quiet, func() { b.dispatch(ctx, cur) })
		return
	}
	b.cur = nil
	b.mu.Unlock()
	b.run(ctx, cur)
}

func (b *batcher[V]) run(ctx context.Context, cur *batch[V]) {
	cur.vals, cur.err = b.fetch(context.WithoutCancel(ctx), cur.keys)
	close(cur.done)
}

// loaders are the per-operation batchers of Actor's computed fields.
type loaders struct {
	g       graph.Graph
	sources *batcher[[]*graph.Source]
	mu      sync.Mutex
	rels    map[string]*batcher[*graph.RelationPage]
}

func (l *loaders) relations(q graph.RelationsQuery) *batcher[*graph.RelationPage] {
	key := relationsKey(q)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.rels[key]
	if b == nil {
		b = &batcher[*graph.RelationPage]{fetch: func(ctx context.Context, ids []string) ([]*graph.RelationPage, error) {
			return l.g.Relations(ctx, ids, q)
		}}
		l.rels[key] = b
	}
	return b
}

type loadersKey struct{}

func newLoaders(g graph.Graph) *loaders {
	return &loaders{g: g, rels: map[string]*batcher[*graph.RelationPage]{},
		sources: &batcher[[]*graph.Source]{fetch: g.ActorSources}}
}

// loadersFrom returns the operation's loaders, or fresh ones when the operation has none (in tests that
// call resolvers directly).
func loadersFrom(ctx context.Context, g graph.Graph) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	return newLoaders(g)
}

// WithLoaders is the operation middleware that gives each GraphQL operation its own batch loaders.
func WithLoaders(g graph.Graph) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(context.WithValue(ctx, loadersKey{}, newLoaders(g)))
	}
}
