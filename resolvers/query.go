package resolvers

import (
	"context"
	"fmt"

	"github.com/actorgraph/actorgraph/graph"
)

// Query returns the root query resolver.
func (r *Resolver) Query() QueryResolver { return &queryResolver{r} }

// Actor returns the resolver of Actor's computed fields.
func (r *Resolver) Actor() ActorResolver { return &actorResolver{r} }

type queryResolver struct{ *Resolver }

type actorResolver struct{ *Resolver }

// or returns *p, or def when the argument was given as null.
func or[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func (r *queryResolver) Actor(ctx context.Context, id string) (*graph.Actor, error) {
	return r.Graph.Actor(ctx, id)
}

func (r *queryResolver) Actors(ctx context.Context, kind *graph.Kind, first *int, after *string) (*ActorConnection, error) {
	page, err := r.Graph.Actors(ctx, graph.ActorsQuery{Kind: kind, First: or(first, 50), After: after})
	if err != nil {
		return nil, err
	}
	c := &ActorConnection{Nodes: page.Actors, TotalCount: page.TotalCount, PageInfo: &PageInfo{HasNextPage: page.HasNextPage}}
	for i, a := range page.Actors {
		c.Edges = append(c.Edges, &ActorEdge{Cursor: page.Cursors[i], Node: a})
		c.PageInfo.EndCursor = &page.Cursors[i]
	}
	return c, nil
}

func (r *queryResolver) Search(ctx context.Context, text string, kinds []graph.Kind, first *int) ([]*graph.SearchHit, error) {
	return r.Graph.Search(ctx, graph.SearchQuery{Text: text, Kinds: kinds, First: or(first, 10)})
}

func (r *queryResolver) Neighbourhood(ctx context.Context, id string, depth *int, types []graph.RelType, direction *graph.Direction, kinds []graph.Kind, asOf *string, minConfidence *float64, statuses []graph.Status, includeRetired *bool, limit *int, perNodeLimit *int) (*graph.Subgraph, error) {
	return r.Graph.Neighbourhood(ctx, graph.NeighbourhoodQuery{
		ID: id, Depth: or(depth, 1), Limit: or(limit, 200), PerNodeLimit: or(perNodeLimit, 50),
		Filter: graph.Filter{Types: types, Direction: or(direction, graph.Both), Kinds: kinds, AsOf: asOf,
			MinConfidence: minConfidence, Statuses: statuses, IncludeRetired: or(includeRetired, false)},
	})
}

func (r *queryResolver) ShortestPath(ctx context.Context, from string, to string, types []graph.RelType, direction *graph.Direction, maxHops *int, asOf *string, minConfidence *float64, statuses []graph.Status, kinds []graph.Kind, avoid []string) (*graph.Path, error) {
	return r.Graph.ShortestPath(ctx, graph.PathQuery{
		From: from, To: to, MaxHops: or(maxHops, 6), K: 1, Avoid: avoid,
		Filter: graph.Filter{Types: types, Direction: or(direction, graph.Both), Kinds: kinds, AsOf: asOf,
			MinConfidence: minConfidence, Statuses: statuses},
	})
}

func (r *queryResolver) Paths(ctx context.Context, from string, to string, types []graph.RelType, direction *graph.Direction, maxHops *int, k *int, asOf *string, minConfidence *float64, statuses []graph.Status, kinds []graph.Kind, avoid []string, rankBy *graph.PathRank) ([]*graph.Path, error) {
	return r.Graph.Paths(ctx, graph.PathQuery{
		From: from, To: to, MaxHops: or(maxHops, 4), K: or(k, 5), Avoid: avoid, RankBy: or(rankBy, graph.RankLength),
		Filter: graph.Filter{Types: types, Direction: or(direction, graph.Both), Kinds: kinds, AsOf: asOf,
			MinConfidence: minConfidence, Statuses: statuses},
	})
}

func (r *queryResolver) Connections(ctx context.Context, ids []string, maxHops *int, types []graph.RelType, direction *graph.Direction, asOf *string, minConfidence *float64) (*graph.Subgraph, error) {
	return r.Graph.Connections(ctx, graph.ConnectionsQuery{
		IDs: ids, MaxHops: or(maxHops, 4),
		Filter: graph.Filter{Types: types, Direction: or(direction, graph.Both), AsOf: asOf, MinConfidence: minConfidence},
	})
}

func (r *queryResolver) FundingChannels(ctx context.Context, recipient *string, funder *string, through *string, asOf *string, maxHops *int) ([]*graph.FundingChannel, error) {
	return r.Graph.FundingChannels(ctx, graph.FundingQuery{
		Recipient: recipient, Funder: funder, Through: through, AsOf: asOf, MaxHops: or(maxHops, 5),
	})
}

func (r *queryResolver) Sources(ctx context.Context) ([]*graph.Source, error) {
	return r.Graph.Sources(ctx)
}

func (r *queryResolver) Stats(ctx context.Context) (*graph.Stats, error) {
	return r.Graph.Stats(ctx)
}

// Relations loads the relations of every actor of a response in one batched round trip.
func (r *actorResolver) Relations(ctx context.Context, obj *graph.Actor, types []graph.RelType, direction *graph.Direction, asOf *string, includeRetired *bool, first *int, after *string) (*RelationConnection, error) {
	q := graph.RelationsQuery{First: or(first, 50), After: after,
		Filter: graph.Filter{Types: types, Direction: or(direction, graph.Both), AsOf: asOf, IncludeRetired: or(includeRetired, false)}}
	page, err := loadersFrom(ctx, r.Graph).relations(q).load(ctx, obj.ID)
	if err != nil {
		return nil, err
	}
	c := &RelationConnection{Nodes: page.Relations, TotalCount: page.TotalCount, PageInfo: &PageInfo{HasNextPage: page.HasNextPage}}
	for i, rel := range page.Relations {
		c.Edges = append(c.Edges, &RelationEdge{Cursor: page.Cursors[i], Node: rel})
		c.PageInfo.EndCursor = &page.Cursors[i]
	}
	return c, nil
}

// Sources loads the sources of every actor of a response in one batched round trip.
func (r *actorResolver) Sources(ctx context.Context, obj *graph.Actor) ([]*graph.Source, error) {
	return loadersFrom(ctx, r.Graph).sources.load(ctx, obj.ID)
}

// relationsKey identifies the arguments of a relations field, so that one batch serves equal arguments.
func relationsKey(q graph.RelationsQuery) string {
	return fmt.Sprintf("%v|%s|%q|%q|%d", q.Types, q.Direction, or(q.AsOf, ""), or(q.After, ""), q.First)
}
