package resolvers

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/actorgraph/actorgraph/graph"
)

// costArguments names every argument the cost functions of NewSchema read. ComplexityLimit remembers an
// operation's cost for the values of the variables these arguments take, so a cost function that read
// another argument would be given a cost computed for other values (TestCostArguments checks the list).
var costArguments = map[string]bool{"limit": true, "first": true, "k": true, "maxHops": true, "ids": true}

// NewSchema returns the executable schema over g, with a cost model for gqlgen's complexity limit: a list
// field costs its children times the number of items it may return, so nesting lists multiplies. Queries
// for the read path's plain answers are written without gqlgen's per-field execution (plain.go).
func NewSchema(g graph.Graph) graphql.ExecutableSchema {
	cfg := Config{Resolvers: &Resolver{Graph: g}}
	cfg.Directives.HasRole = hasRole
	c := &cfg.Complexity
	c.Query.Cypher = func(child int, _ string, _ map[string]any, limit *int, _ *int) int {
		return 1 + child*max(1, or(limit, 1000)/10)
	}
	c.Actor.Relations = func(child int, _ []graph.RelType, _ *graph.Direction, _ *string, _ *bool, first *int, _ *string) int {
		return 1 + child*max(1, or(first, 50))
	}
	c.Query.Actors = func(child int, _ *graph.Kind, first *int, _ *string) int {
		return 1 + child*max(1, or(first, 50))
	}
	c.Query.Search = func(child int, _ string, _ []graph.Kind, first *int) int {
		return 1 + child*max(1, or(first, 10))
	}
	c.Query.Neighbourhood = func(child int, _ string, _ *int, _ []graph.RelType, _ *graph.Direction, _ []graph.Kind, _ *string, _ *float64, _ []graph.Status, _ *bool, limit *int, _ *int) int {
		return 1 + child*max(1, or(limit, 200))
	}
	c.Query.Paths = func(child int, _, _ string, _ []graph.RelType, _ *graph.Direction, maxHops *int, k *int, _ *string, _ *float64, _ []graph.Status, _ []graph.Kind, _ []string, _ *graph.PathRank) int {
		return 1 + child*max(1, or(k, 5))*max(1, or(maxHops, 4))
	}
	c.Query.ShortestPath = func(child int, _, _ string, _ []graph.RelType, _ *graph.Direction, maxHops *int, _ *string, _ *float64, _ []graph.Status, _ []graph.Kind, _ []string) int {
		return 1 + child*max(1, or(maxHops, 6))
	}
	c.Query.Connections = func(child int, ids []string, maxHops *int, _ []graph.RelType, _ *graph.Direction, _ *string, _ *float64) int {
		return 1 + child*max(1, len(ids)*len(ids)*or(maxHops, 4))
	}
	c.Query.FundingChannels = func(child int, _, _, _ *string, _ *string, maxHops *int) int {
		return 1 + child*20*max(1, or(maxHops, 5))
	}
	return &plainSchema{ExecutableSchema: NewExecutableSchema(cfg)}
}
