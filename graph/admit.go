package graph

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

// Admission control. A heavy read (a traversal that can reach thousands of relations, or an analyst's
// statement) has a large answer: the driver's records, the decoded graph and then the JSON are all held at
// once. Left alone, 32 clients asking at once hold 32 such answers and push the service past its memory
// budget, while Neo4j, with two cores, runs no faster for being asked 32 times. So each class of heavy
// read has a number of slots: a read takes one before it sends its first statement and gives it back once
// its answer is decoded. Past the bound a read waits, in arrival order, and its timeout counts the wait; a
// read still waiting when its timeout or its context runs out fails with TIMEOUT, having sent nothing to
// Neo4j. Every other read (an actor, a search, a page of relations, a depth-1 neighbourhood) takes no slot;
// actors and depth-1 neighbourhoods are coalesced under load instead (coalesce.go).
//
// The classes have separate slots so that one kind of read never holds the slots another needs: analysts'
// long statements (up to CypherMaxTimeout) do not block investigators' traversals, nor the other way round.
const (
	// HeavyTraversal: neighbourhoods beyond depth 1, connections and funding channels, whose answers run to
	// hundreds of kilobytes. Config.MaxHeavy slots.
	HeavyTraversal = "traversal"
	// HeavyPaths: paths and shortest paths. Their answers are small (a few kilobytes) but the search can
	// take seconds of Neo4j's CPU between hubs; the bound keeps Neo4j from being asked more at once than it
	// can finish within the query timeout. PathsPerHeavy × Config.MaxHeavy slots.
	HeavyPaths = "paths"
	// HeavyCypher: analysts' statements (Cypher). Config.MaxHeavy slots.
	HeavyCypher = "cypher"
)

// PathsPerHeavy is how many path searches may run for each slot of Config.MaxHeavy.
const PathsPerHeavy = 4

// HeavyClasses lists the classes of heavy reads.
var HeavyClasses = []string{HeavyTraversal, HeavyPaths, HeavyCypher}

// DefaultMaxHeavy is one heavy read per CPU the service may use, and at least 2. At scale M on two cores
// that gave the most throughput on funding channels and hub neighbourhoods at 32 clients, and the least
// memory (BENCHMARKS.md, floor 5). Against a remote Neo4j with more cores than the service, raise it.
func DefaultMaxHeavy() int { return max(2, runtime.GOMAXPROCS(0)) }

// Admission is how one class of heavy reads uses its slots at one moment.
type Admission struct {
	Running int // reads holding a slot (at most Max)
	Waiting int // reads waiting for a slot
	Max     int // slots: Config.MaxHeavy, or PathsPerHeavy times that for HeavyPaths
}

// Admission reports the use of a class's slots (the zero Admission for an unknown class).
func (s *Store) Admission(class string) Admission {
	sl := s.heavy[class]
	if sl == nil {
		return Admission{}
	}
	return Admission{Running: len(sl.ch), Waiting: int(sl.waiting.Load()), Max: cap(sl.ch)}
}

// slots holds one token per running read of a class.
type slots struct {
	ch      chan struct{}
	waiting atomic.Int64
}

// admit starts a heavy read of the class: it waits for a slot and bounds the wait and the read together by
// timeout. The returned context carries that bound; release gives the slot back and must be called once
// the answer is decoded.
func (s *Store) admit(ctx context.Context, class string, timeout time.Duration) (_ context.Context, release func(), _ error) {
	sl := s.heavy[class]
	ctx, cancel := context.WithTimeout(ctx, timeout)
	select {
	case sl.ch <- struct{}{}:
	default:
		sl.waiting.Add(1)
		start := time.Now()
		select {
		case sl.ch <- struct{}{}: // goroutines blocked on a channel are woken in the order they blocked
			sl.waiting.Add(-1)
		case <-ctx.Done():
			sl.waiting.Add(-1)
			cancel()
			return nil, nil, &Error{Code: ETIMEOUT, Err: ctx.Err(), Message: fmt.Sprintf(
				"the service is saturated: waited %s for a free %s slot (all %d busy; MAX_HEAVY_QUERIES)",
				time.Since(start).Round(time.Millisecond), class, cap(sl.ch))}
		}
	}
	return ctx, func() { <-sl.ch; cancel() }, nil
}
