// Package resolvers translates between the GraphQL schema (schema/*.graphqls) and package graph. It holds
// no Cypher and no business rules: each resolver maps its arguments to a graph query, calls the store, and
// maps the answer back.
package resolvers

import "github.com/actorgraph/actorgraph/graph"

// Resolver is the root resolver.
type Resolver struct {
	Graph graph.Graph
}
