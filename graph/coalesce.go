package graph

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Coalesced reads. Looking up one actor, or its depth-1 neighbourhood, is what a front-end drawing a
// subgraph asks most, dozens at once; a tool tracing links asks for shortest paths between many pairs. Sent
// one statement each, such reads cost Neo4j more in transactions
// (a session, a plan lookup, a commit, a Bolt exchange) than in the reading itself, and under load that is
// what bounds the throughput. So the store sends at most Config.MaxLookups reads of a kind to Neo4j at a
// time. A read that finds a turn free runs at once, alone, with its single-actor statement: a lone client
// never waits and never pays for batching. A read that finds every turn taken waits; when a turn ends, the
// first read waiting and every other one of the same shape (the same statement and parameters but for the
// actor's id, or the pair's), up to MaxCoalesce (MaxCoalescePaths for shortest paths), are sent as one
// statement over their ids.
//
// What each read keeps: its own context (it returns when its context ends, or once the query timeout has
// passed since it began to wait, whatever its batch does: no later than a read alone may take), its own
// error (a batch that fails fails every read in it, with the batch's error), and its own answer, decoded by
// the caller. A read only joins a batch that has not started, so the batch's transaction begins after the
// read was asked, and sees every write that had returned by then (the store's bookmarks).

// The kinds of coalesced reads.
const (
	CoalesceActor         = "actor"         // Actor
	CoalesceNeighbourhood = "neighbourhood" // Neighbourhood at depth 1
	CoalesceShortestPath  = "shortestPath"  // ShortestPath ranked by LENGTH
)

// CoalescedKinds lists the kinds of coalesced reads.
var CoalescedKinds = []string{CoalesceActor, CoalesceNeighbourhood, CoalesceShortestPath}

// Coalescing is how one kind of coalesced read uses its turns.
type Coalescing struct {
	Running int   // statements in flight (at most Max)
	Waiting int   // reads waiting for a turn
	Max     int   // Config.MaxLookups
	Batches int64 // statements sent for several reads since the store opened
	Batched int64 // reads those statements answered
}

// Coalescing reports the use of a kind's turns (the zero Coalescing for an unknown kind).
func (s *Store) Coalescing(kind string) Coalescing {
	var c interface{ stats() Coalescing }
	switch kind {
	case CoalesceActor:
		c = s.actors
	case CoalesceNeighbourhood:
		c = s.near
	case CoalesceShortestPath:
		c = s.shortest
	default:
		return Coalescing{}
	}
	return c.stats()
}

// MaxCoalesce caps the reads sent as one statement.
const MaxCoalesce = 256

// MaxCoalescePaths caps the shortest paths sent as one statement. Neo4j runs a statement's searches one
// after the other, and a shortest path can take tens of milliseconds where a lookup takes a fraction of
// one: a small batch keeps what a read waits for its batch's other searches short.
const MaxCoalescePaths = 8

// DefaultMaxLookups is the number of reads of a kind sent to Neo4j at once before the rest are coalesced.
// At scale M on two cores, 2 gave the most throughput on actors and depth-1 neighbourhoods together at 8 and
// 32 clients: 1 left Neo4j idle while a batch of neighbourhoods was decoded, 4 and 8 coalesced less
// (BENCHMARKS.md, floors 1–2). Against a Neo4j with more cores, raise it.
const DefaultMaxLookups = 2

// coalescer sends reads by actor id: one at a time while turns are free, the rest together by shape.
type coalescer[V any] struct {
	turns int // statements in flight at most
	max   int // reads sent as one statement at most (0: MaxCoalesce)
	// limit bounds a waiting read, from its arrival to its batch's answer (the query timeout; 0: none). A
	// read alone is bounded by its statement's timeout; a waiting one would otherwise wait for the batches
	// ahead of it as well.
	limit time.Duration
	// one runs a read alone (found is false when there is nothing under id); many runs several ids of one
	// shape in one statement and returns what it found by id (an id with nothing under it is absent). arg
	// is what the caller passed with the shape.
	one  func(ctx context.Context, id string, arg any) (val V, found bool, err error)
	many func(ctx context.Context, ids []string, arg any) (map[string]V, error)

	mu      sync.Mutex
	running int
	queue   []*pending[V]

	batches, batched atomic.Int64
}

func (c *coalescer[V]) stats() Coalescing {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Coalescing{Running: c.running, Waiting: len(c.queue), Max: c.turns, Batches: c.batches.Load(), Batched: c.batched.Load()}
}

// pending is one waiting read; done is closed once val, found and err are set.
type pending[V any] struct {
	id    string
	shape string
	arg   any
	done  chan struct{}
	val   V
	found bool
	err   error
}

// get reads id. shape is asked only when the read has to wait; reads of equal shape must have equal arg.
// found is false when the statement ran and found nothing under id.
func (c *coalescer[V]) get(ctx context.Context, id string, shape func() string, arg any) (val V, found bool, err error) {
	if !c.take(nil) {
		p := &pending[V]{id: id, shape: shape(), arg: arg, done: make(chan struct{})}
		if !c.take(p) { // no turn freed while the shape was computed
			return c.wait(ctx, p)
		}
	}
	defer c.next()
	return c.one(ctx, id, arg)
}

// take takes a free turn and reports true; with every turn taken it queues p (unless nil) and reports false.
func (c *coalescer[V]) take(p *pending[V]) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running < c.turns {
		c.running++
		return true
	}
	if p != nil {
		c.queue = append(c.queue, p)
	}
	return false
}

// wait waits for p's batch to answer, or for ctx to end or c.limit to pass; a read that gives up before its
// batch is sent is taken out of the queue.
func (c *coalescer[V]) wait(ctx context.Context, p *pending[V]) (V, bool, error) {
	if c.limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.limit)
		defer cancel()
	}
	select {
	case <-p.done:
		return p.val, p.found, p.err
	case <-ctx.Done():
		c.mu.Lock()
		if i := slices.Index(c.queue, p); i >= 0 {
			c.queue = slices.Delete(c.queue, i, i+1)
		}
		c.mu.Unlock()
		var zero V
		return zero, false, ctx.Err()
	}
}

// next ends a turn: it hands the turn to the first read waiting and the others of its shape, as one batch,
// or frees it.
func (c *coalescer[V]) next() {
	c.mu.Lock()
	if len(c.queue) == 0 {
		c.running--
		c.mu.Unlock()
		return
	}
	shape := c.queue[0].shape
	limit := c.max
	if limit == 0 {
		limit = MaxCoalesce
	}
	var batch []*pending[V]
	rest := c.queue[:0]
	for _, p := range c.queue {
		if p.shape == shape && len(batch) < limit {
			batch = append(batch, p)
		} else {
			rest = append(rest, p)
		}
	}
	clear(c.queue[len(rest):]) // drop the references the shorter queue no longer holds
	c.queue = rest
	c.mu.Unlock()
	go c.send(batch)
}

// send runs one batch in the turn it was handed, answers its reads, and passes the turn on.
func (c *coalescer[V]) send(batch []*pending[V]) {
	defer c.next()
	ids := make([]string, 0, len(batch))
	seen := make(map[string]bool, len(batch))
	for _, p := range batch {
		if !seen[p.id] {
			seen[p.id] = true
			ids = append(ids, p.id)
		}
	}
	if len(ids) > 1 {
		c.batches.Add(1)
		c.batched.Add(int64(len(batch)))
	}
	found, err := c.run(ids, batch[0].arg)
	for _, p := range batch {
		p.val, p.found = found[p.id]
		p.err = err
		close(p.done)
	}
}

// run sends ids of one shape: one alone, several in one statement. It runs on a goroutine of its own, out of
// reach of the HTTP edge's panic recovery, so a panic in the statement's code becomes INTERNAL instead of
// ending the process.
func (c *coalescer[V]) run(ids []string, arg any) (found map[string]V, err error) {
	defer func() {
		if p := recover(); p != nil {
			found, err = nil, &Error{Code: EINTERNAL, Message: "internal error", Err: fmt.Errorf("coalesced read: panic: %v", p)}
		}
	}()
	// The batch serves several callers, so no caller's context bounds it; the store's query timeout does.
	ctx := context.Background()
	if len(ids) > 1 {
		return c.many(ctx, ids, arg)
	}
	v, ok, err := c.one(ctx, ids[0], arg)
	if !ok {
		return nil, err
	}
	return map[string]V{ids[0]: v}, err
}
