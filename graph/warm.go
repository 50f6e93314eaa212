package graph

import (
	"context"
	"time"
)

// Warming up. Neo4j plans a statement the first time it sees its text (and the types of its parameters) and
// keeps the plan in its query cache. Most of the store's statements are generated from the query's shape
// (depth, maxHops, direction, the filters in force), and planning one of the larger ones takes about a
// second: a freshly started service that takes traffic at once queues requests behind those plannings, and
// on a large graph with a cold page cache they time out. Warm plans the shapes of the API's queries with
// their default arguments beforehand.

// WarmTimeout bounds a warm-up as a whole; each statement is bounded by the query timeout as well.
const WarmTimeout = 2 * time.Minute

// Warm runs, once each, the read statements the API sends for its queries with default arguments: actor,
// search, relations, actors and depth-1 neighbourhoods as coalesced (coalesce.go), neighbourhood at every
// depth, shortestPath, paths and fundingChannels at every maxHops, and connections; on two actors of the
// graph that have relations, chosen by the database. Answers are discarded, and so are errors (a query that
// fails to warm up is planned on first use, as without Warm);
// Warm returns how many queries it ran and how many of them failed. A graph without two such
// actors has nothing to warm up: Warm returns at once. It returns early only when ctx ends.
//
// Calling Warm is optional; Config.Warm makes the store call it once the schema is applied, and Ready
// reports UNAVAILABLE until it has returned.
func (s *Store) Warm(ctx context.Context) (run, failed int, err error) {
	ctx, cancel := context.WithTimeout(ctx, WarmTimeout)
	defer cancel()
	recs, err := s.read(ctx, `MATCH (a:Actor) WHERE COUNT { (a)--(:Actor) } > 0 RETURN a.id LIMIT 2`, nil)
	if err != nil {
		return 0, 0, err
	}
	if len(recs) < 2 {
		return 0, 0, nil
	}
	a, b := recs[0].Values[0].(string), recs[1].Values[0].(string)
	both := Filter{Direction: Both}
	near := NeighbourhoodQuery{ID: a, Depth: 1, Filter: both, Limit: 200, PerNodeLimit: 50} // the API's defaults
	steps := []func() error{
		func() error { _, err := s.Actor(ctx, a); return err },
		func() error { _, err := s.Search(ctx, SearchQuery{Text: a, First: 10}); return err },
		func() error {
			_, err := s.Relations(ctx, []string{a}, RelationsQuery{Filter: both, First: 50})
			return err
		},
		func() error {
			_, err := s.Connections(ctx, ConnectionsQuery{IDs: []string{a, b}, MaxHops: 4, Filter: both})
			return err
		},
	}
	// The statements that coalesced lookups and depth-1 neighbourhoods send (coalesce.go).
	steps = append(steps, func() error { _, err := s.lookupActors(ctx, []string{a, b}, nil); return err },
		func() error {
			arg, err := nearStatement(near)
			if err == nil {
				_, err = s.nearMany(ctx, []string{a, b}, arg)
			}
			return err
		})
	for depth := 1; depth <= MaxDepth; depth++ {
		steps = append(steps, func() error {
			q := near
			q.Depth = depth
			_, err := s.Neighbourhood(ctx, q)
			return err
		})
	}
	for hops := 1; hops <= MaxShortestHops; hops++ {
		steps = append(steps, func() error {
			_, err := s.ShortestPath(ctx, PathQuery{From: a, To: b, MaxHops: hops, K: 1, Filter: both})
			return err
		})
	}
	for hops := 1; hops <= MaxPathHops; hops++ {
		steps = append(steps, func() error {
			_, err := s.Paths(ctx, PathQuery{From: a, To: b, MaxHops: hops, K: 5, RankBy: RankLength, Filter: both})
			return err
		})
	}
	for hops := 1; hops <= MaxFundingHops; hops++ {
		steps = append(steps, func() error {
			_, err := s.FundingChannels(ctx, FundingQuery{Recipient: &a, MaxHops: hops})
			return err
		})
	}
	for _, step := range steps {
		if ctx.Err() != nil {
			return run, failed, s.mapErr(ctx, ctx.Err())
		}
		run++
		if err := step(); err != nil {
			failed++
			s.log.Debug("warm-up: a query failed; it is planned on first use", "err", err)
		}
	}
	return run, failed, nil
}
