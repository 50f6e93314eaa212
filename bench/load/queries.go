// Package load is ActorGraph's query benchmark: closed-loop clients over a fixed sample of ids, against the
// service (its real HTTP handler), the raw driver replaying the exact Cypher the service sends, and the
// @neo4j/graphql peer, in one run, on one Neo4j, with one dataset.
package load

import (
	"fmt"
	"strings"

	"github.com/actorgraph/actorgraph/bench/gen"
	"github.com/actorgraph/actorgraph/graph"
)

// Query is one benchmarked query: the GraphQL document ActorGraph is asked, the equivalent document the
// peer is asked, and how a sample item becomes their variables.
type Query struct {
	Name string
	// Doc is the ActorGraph GraphQL document; Vars gives its variables for sample item i.
	Doc  string
	Vars func(s *gen.Sample, i int) map[string]any
	// PeerDoc is the @neo4j/graphql document; PeerVars gives its variables for item i. stmts are the
	// statements ActorGraph sent for the item (search passes the peer the same Lucene query).
	PeerDoc  string
	PeerVars func(s *gen.Sample, i int, stmts []Statement) map[string]any
	// Items is the number of sample items.
	Items func(s *gen.Sample) int
}

// Selections shared by every ActorGraph query: an actor and a relation with their evidence, the fields the
// explorer shows.
const (
	agActor = `fragment A on Actor { id name kind aliases description countryCode degree evidence { line claim source { id } } }`
	agRel   = `fragment R on Relation { id type since until status confidence from { id } to { id } via { id } evidence { line claim source { id } } }`
	// The peer's Actor and Rel store citations as the three parallel lists Neo4j holds.
	peerActor    = `fragment A on Actor { id name kind aliases description countryCode degree evSource evLine evClaim }`
	peerRel      = `fragment R on Rel { id since until status confidence via evSource evLine evClaim }`
	peerPathNode = `fragment PA on PathActor { id name kind aliases description countryCode degree evSource evLine evClaim }`
	peerPathEdge = `fragment PE on PathEdge { id type from to since until status confidence via evSource evLine evClaim }`
)

// Neighbourhood caps. ActorGraph's defaults: 50 relations per actor (highest confidence first), 200 actors.
// The peer cannot cap across relation types, so it takes the first perType relations of each of the 20
// types, highest confidence first.
const (
	peerLevel1PerType = 50
	peerLevel2PerType = 5
)

// peerNeighbours is the peer's selection of an actor's neighbours: one undirected connection field per
// relation type, each sorted by confidence (then id) and cut to first, with inner nested inside each node.
func peerNeighbours(first int, inner string) string {
	var b strings.Builder
	for _, t := range graph.RelTypes {
		fmt.Fprintf(&b, " %sConnection(first: %d, sort: [{edge: {confidence: DESC}}, {edge: {id: ASC}}]) { edges { properties { ...R } node { ...A%s } } }",
			fieldName(t), first, inner)
	}
	return b.String()
}

// fieldName turns MEMBER_OF into memberOf, as bench/peer/server.mjs names its fields.
func fieldName(t graph.RelType) string {
	parts := strings.Split(strings.ToLower(string(t)), "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

func idVar(list func(*gen.Sample) []string) func(*gen.Sample, int) map[string]any {
	return func(s *gen.Sample, i int) map[string]any { return map[string]any{"id": list(s)[i]} }
}

func peerIDVar(list func(*gen.Sample) []string) func(*gen.Sample, int, []Statement) map[string]any {
	return func(s *gen.Sample, i int, _ []Statement) map[string]any { return map[string]any{"id": list(s)[i]} }
}

func pairVars(s *gen.Sample, i int) map[string]any {
	return map[string]any{"from": s.Pairs[i][0], "to": s.Pairs[i][1]}
}

func peerPairVars(s *gen.Sample, i int, _ []Statement) map[string]any { return pairVars(s, i) }

func actors(s *gen.Sample) []string     { return s.Actors }
func hubs(s *gen.Sample) []string       { return s.Hubs }
func recipients(s *gen.Sample) []string { return s.Recipients }
func nActors(s *gen.Sample) int         { return len(s.Actors) }
func nPairs(s *gen.Sample) int          { return len(s.Pairs) }

// Queries is the benchmark's query table, in report order.
var Queries = []Query{
	{
		Name:     "actor",
		Doc:      `query Q($id: ID!) { actor(id: $id) { ...A } } ` + agActor,
		Vars:     idVar(actors),
		PeerDoc:  `query Q($id: ID!) { actors(where: {id: {eq: $id}}) { ...A } } ` + peerActor,
		PeerVars: peerIDVar(actors),
		Items:    nActors,
	},
	{
		Name: "search",
		Doc:  `query Q($text: String!) { search(text: $text, first: 10) { score actor { ...A } } } ` + agActor,
		Vars: func(s *gen.Sample, i int) map[string]any { return map[string]any{"text": s.Search[i]} },
		// The peer gets the Lucene query ActorGraph built from the text (normalized, fuzzy, prefix).
		PeerDoc: `query Q($phrase: String!) { actorSearch(phrase: $phrase, first: 10) { edges { score node { ...A } } } } ` + peerActor,
		PeerVars: func(s *gen.Sample, i int, stmts []Statement) map[string]any {
			phrase := s.Search[i]
			if len(stmts) > 0 {
				if q, ok := stmts[len(stmts)-1].Params["query"].(string); ok {
					phrase = q
				}
			}
			return map[string]any{"phrase": phrase}
		},
		Items: func(s *gen.Sample) int { return len(s.Search) },
	},
	{
		Name:     "neighbourhood1",
		Doc:      `query Q($id: ID!) { neighbourhood(id: $id, depth: 1) { truncated omitted nodes { ...A } edges { ...R } } } ` + agActor + " " + agRel,
		Vars:     idVar(actors),
		PeerDoc:  `query Q($id: ID!) { actors(where: {id: {eq: $id}}) { ...A` + peerNeighbours(peerLevel1PerType, "") + ` } } ` + peerActor + " " + peerRel,
		PeerVars: peerIDVar(actors),
		Items:    nActors,
	},
	{
		Name:     "neighbourhood2",
		Doc:      `query Q($id: ID!) { neighbourhood(id: $id, depth: 2) { truncated omitted nodes { ...A } edges { ...R } } } ` + agActor + " " + agRel,
		Vars:     idVar(actors),
		PeerDoc:  `query Q($id: ID!) { actors(where: {id: {eq: $id}}) { ...A` + peerNeighbours(peerLevel1PerType, peerNeighbours(peerLevel2PerType, "")) + ` } } ` + peerActor + " " + peerRel,
		PeerVars: peerIDVar(actors),
		Items:    nActors,
	},
	{
		Name:     "neighbourhood2_hub",
		Doc:      `query Q($id: ID!) { neighbourhood(id: $id, depth: 2) { truncated omitted nodes { ...A } edges { ...R } } } ` + agActor + " " + agRel,
		Vars:     idVar(hubs),
		PeerDoc:  `query Q($id: ID!) { actors(where: {id: {eq: $id}}) { ...A` + peerNeighbours(peerLevel1PerType, peerNeighbours(peerLevel2PerType, "")) + ` } } ` + peerActor + " " + peerRel,
		PeerVars: peerIDVar(hubs),
		Items:    func(s *gen.Sample) int { return len(s.Hubs) },
	},
	{
		Name:     "shortestPath",
		Doc:      `query Q($from: ID!, $to: ID!) { shortestPath(from: $from, to: $to) { length credibility nodes { ...A } edges { ...R } } } ` + agActor + " " + agRel,
		Vars:     pairVars,
		PeerDoc:  `query Q($from: ID!, $to: ID!) { shortestPath(from: $from, to: $to) { length credibility nodes { ...PA } edges { ...PE } } } ` + peerPathNode + " " + peerPathEdge,
		PeerVars: peerPairVars,
		Items:    nPairs,
	},
	{
		Name:     "paths5",
		Doc:      `query Q($from: ID!, $to: ID!) { paths(from: $from, to: $to, k: 5) { length credibility nodes { ...A } edges { ...R } } } ` + agActor + " " + agRel,
		Vars:     pairVars,
		PeerDoc:  `query Q($from: ID!, $to: ID!) { paths(from: $from, to: $to) { length credibility nodes { ...PA } edges { ...PE } } } ` + peerPathNode + " " + peerPathEdge,
		PeerVars: peerPairVars,
		Items:    nPairs,
	},
	{
		Name:     "fundingChannels",
		Doc:      `query Q($id: ID!) { fundingChannels(recipient: $id) { funder { id } recipient { id } via { id } path { length credibility nodes { ...A } edges { ...R } } } } ` + agActor + " " + agRel,
		Vars:     idVar(recipients),
		PeerDoc:  `query Q($id: ID!) { fundingChannels(recipient: $id) { funder { id } recipient { id } length nodes { ...PA } edges { ...PE } } } ` + peerPathNode + " " + peerPathEdge,
		PeerVars: peerIDVar(recipients),
		Items:    func(s *gen.Sample) int { return len(s.Recipients) },
	},
}

// QueryByName returns the query of that name.
func QueryByName(name string) (Query, bool) {
	for _, q := range Queries {
		if q.Name == name {
			return q, true
		}
	}
	return Query{}, false
}
