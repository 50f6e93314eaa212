// Package graph holds ActorGraph's domain types, the contract of its store, and the store itself: the only
// code in the project that speaks Cypher to Neo4j.
//
// The graph is made of actors (groups, people, finance offices, countries, places, state agencies, events)
// joined by typed relations. Every actor and every relation carries evidence: citations of a source
// document, a line in it, and a one-line claim. Relations also carry when they held (since/until, partial
// dates), how sure the source is (status, confidence) and, for money, the route it took (via).
//
// Every method of Graph takes a context that bounds it; every read runs in a read transaction with a
// server-side timeout and a result cap; every write runs in one write transaction, so it is applied whole or
// not at all, except the initial load of a large dataset into an empty database (Import), which commits in
// chunks under a marker and is removed whole if it does not finish. Reads with large answers or long
// searches (traversals beyond one hop, paths, connections, funding channels, Cypher) run a bounded number at
// a time and queue within their timeout for the rest (admit.go). Actor lookups and depth-1 neighbourhoods
// go a few at a time, and those asked meanwhile are sent together, one statement for many (coalesce.go).
// Errors are *Error values carrying one of the codes below, so that the edge (GraphQL, HTTP, CLI) maps them
// once.
package graph

import (
	"context"
	"errors"
	"fmt"
)

// Graph is the contract the store fulfils. *Store implements it; the GraphQL resolvers depend only on it.
type Graph interface {
	// Actor returns the actor with the given id, or an error with code NOT_FOUND.
	Actor(ctx context.Context, id string) (*Actor, error)
	// Actors pages through actors ordered by id, optionally of one kind.
	Actors(ctx context.Context, q ActorsQuery) (*ActorPage, error)
	// Search finds actors by name or alias, best match first (see SearchQuery).
	Search(ctx context.Context, q SearchQuery) ([]*SearchHit, error)
	// Relations pages through the relations of each of the given actors, in one round trip.
	// The result has one page per id, in the order of ids.
	Relations(ctx context.Context, ids []string, q RelationsQuery) ([]*RelationPage, error)
	// ActorSources returns, for each actor id, the sources cited by the actor or its relations.
	ActorSources(ctx context.Context, ids []string) ([][]*Source, error)
	// Neighbourhood returns the actors within q.Depth hops of q.ID and the relations walked to reach them,
	// with the fan-out caps applied inside Neo4j.
	Neighbourhood(ctx context.Context, q NeighbourhoodQuery) (*Subgraph, error)
	// ShortestPath returns a shortest path under q's filter and avoid list (q.K is ignored), or nil when
	// the actors are not connected within q.MaxHops.
	ShortestPath(ctx context.Context, q PathQuery) (*Path, error)
	// Paths returns up to q.K simple paths between two actors, shortest first (or most credible first).
	// Unconnected actors give an empty slice, not an error. It may run several statements; the query
	// timeout bounds them together, with any wait for a heavy-read slot.
	Paths(ctx context.Context, q PathQuery) ([]*Path, error)
	// Connections returns the subgraph made of shortest paths between every pair of the given actors.
	Connections(ctx context.Context, q ConnectionsQuery) (*Subgraph, error)
	// FundingChannels returns the chains of FUNDS relations matching q, each with its route.
	FundingChannels(ctx context.Context, q FundingQuery) ([]*FundingChannel, error)
	// Sources lists the source documents, ordered by id.
	Sources(ctx context.Context) ([]*Source, error)
	// Stats counts what is loaded.
	Stats(ctx context.Context) (*Stats, error)
	// Existing reports which of the given actor and source ids are already in the database.
	Existing(ctx context.Context, actorIDs, sourceIDs []string) (actors, sources map[string]bool, err error)
	// Import writes a dataset whole or not at all, idempotently: importing the same dataset twice changes
	// no count and no property. Into a database that holds actors it is one write transaction, and a
	// dataset of more than MaxTransactionImport actors and relations is refused (INVALID, field "relations"
	// or "actors") before anything is written. Into a database without actors a large dataset is an
	// initial load in many transactions, which writes the same graph; a failed one removes itself, and one
	// interrupted by a crash is removed by the next Import (see Store.Import). It does not validate: see
	// Dataset.Validate and package seed.
	Import(ctx context.Context, d *Dataset) (*ImportResult, error)
	// ImportStream is Import for a dataset read entry by entry rather than held (Stream), with the same
	// guarantees; an initial load holds a few windows of it at a time, so its size is not bounded by memory.
	ImportStream(ctx context.Context, d *Stream) (*ImportResult, error)
	// Ready reports whether Neo4j answers and the schema is in place; the error says why not.
	Ready(ctx context.Context) error

	// Cypher runs an analyst's statement read-only (see cypher.go for what is refused and how).
	Cypher(ctx context.Context, q CypherQuery) (*CypherResult, error)
	// Relation returns one relation by id, retired or not.
	Relation(ctx context.Context, id string) (*Relation, error)

	// Edits need an EDITOR principal in ctx (see WithPrincipal); each is one audited transaction guarded
	// by the version the editor read. See edit.go.
	UpsertActor(ctx context.Context, in ActorInput, version *int) (*Actor, error)
	AddRelation(ctx context.Context, in RelationInput) (*Relation, error)
	UpdateRelation(ctx context.Context, id string, version int, patch RelationPatch) (*Relation, error)
	RetireRelation(ctx context.Context, id string, version int, reason string) (*Relation, error)
	MergeActors(ctx context.Context, duplicate, canonical string, canonicalVersion int) (*Actor, error)
	// History returns the recorded changes of an actor or relation, oldest first.
	History(ctx context.Context, id string, first int) ([]*AuditEntry, error)

	// API keys: stored only as hashes. Authenticate maps a key to its principal.
	CreateKey(ctx context.Context, name string, role Role) (string, *APIKey, error)
	Keys(ctx context.Context) ([]*APIKey, error)
	RevokeKey(ctx context.Context, id string) (*APIKey, error)
	Authenticate(ctx context.Context, key string) (*Principal, error)
}

// Kind is the kind of an actor; each kind is also a Neo4j label beside Actor.
type Kind string

// The actor kinds.
const (
	KindGroup         Kind = "GROUP"
	KindPerson        Kind = "PERSON"
	KindFinanceOffice Kind = "FINANCE_OFFICE"
	KindCountry       Kind = "COUNTRY"
	KindRegion        Kind = "REGION"
	KindCity          Kind = "CITY"
	KindStateAgency   Kind = "STATE_AGENCY"
	KindEvent         Kind = "EVENT"
)

// Kinds lists every kind, in schema order.
var Kinds = []Kind{KindGroup, KindPerson, KindFinanceOffice, KindCountry, KindRegion, KindCity, KindStateAgency, KindEvent}

var kindLabels = map[Kind]string{
	KindGroup: "Group", KindPerson: "Person", KindFinanceOffice: "FinanceOffice", KindCountry: "Country",
	KindRegion: "Region", KindCity: "City", KindStateAgency: "StateAgency", KindEvent: "Event",
}

// Label returns the Neo4j label of the kind, or "" for an unknown kind.
func (k Kind) Label() string { return kindLabels[k] }

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return kindLabels[k] != "" }

// RelType is the type of a relation; it is the Neo4j relationship type.
type RelType string

// The relation types. Direction is always from -> to; see seed/FORMAT.md for their meaning.
const (
	AlliedWith      RelType = "ALLIED_WITH"
	RivalOf         RelType = "RIVAL_OF"
	BranchOf        RelType = "BRANCH_OF"
	SplinterOf      RelType = "SPLINTER_OF"
	Leads           RelType = "LEADS"
	MemberOf        RelType = "MEMBER_OF"
	Funds           RelType = "FUNDS"
	FinanceOfficeOf RelType = "FINANCE_OFFICE_OF"
	OperatesIn      RelType = "OPERATES_IN"
	BasedIn         RelType = "BASED_IN"
	Shelters        RelType = "SHELTERS"
	Supports        RelType = "SUPPORTS"
	Attacked        RelType = "ATTACKED"
	Claimed         RelType = "CLAIMED"
	Counters        RelType = "COUNTERS"
	NationalOf      RelType = "NATIONAL_OF"
	Arrested        RelType = "ARRESTED"
	RecruitsFrom    RelType = "RECRUITS_FROM"
	LocatedIn       RelType = "LOCATED_IN"
	Killed          RelType = "KILLED"
)

// RelTypes lists every relation type, in schema order.
var RelTypes = []RelType{AlliedWith, RivalOf, BranchOf, SplinterOf, Leads, MemberOf, Funds, FinanceOfficeOf,
	OperatesIn, BasedIn, Shelters, Supports, Attacked, Claimed, Counters, NationalOf, Arrested, RecruitsFrom,
	LocatedIn, Killed}

// Valid reports whether t is one of RelTypes. Only valid types are ever spliced into Cypher.
func (t RelType) Valid() bool {
	for _, v := range RelTypes {
		if v == t {
			return true
		}
	}
	return false
}

// Status says how a source holds a relation.
type Status string

// The claim statuses.
const (
	Stated     Status = "STATED"     // the source states it as fact
	Alleged    Status = "ALLEGED"    // the source attributes it to someone
	Disputed   Status = "DISPUTED"   // sources or speakers disagree
	Historical Status = "HISTORICAL" // held in the past, over now
)

// Statuses lists every status.
var Statuses = []Status{Stated, Alleged, Disputed, Historical}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool { return s == Stated || s == Alleged || s == Disputed || s == Historical }

// Direction restricts which way relations are followed from an actor.
type Direction string

// The directions.
const (
	Out  Direction = "OUT"
	In   Direction = "IN"
	Both Direction = "BOTH"
)

// PathRank orders paths.
type PathRank string

// The path orders.
const (
	RankLength      PathRank = "LENGTH"      // fewest hops first, then credibility
	RankCredibility PathRank = "CREDIBILITY" // highest product of confidences, then fewest non-STATED edges, then fewest hops
)

// Actor is a node of the graph.
type Actor struct {
	ID          string
	Name        string
	Kind        Kind
	Aliases     []string
	Description *string
	CountryCode *string
	// Degree counts all relations of the actor, whatever their type or direction.
	Degree   int
	Evidence []*Evidence
	// Version counts the actor's edits; an update must name the version it read.
	Version int
}

// Relation is a typed, directed link between two actors.
type Relation struct {
	// ID is "from:TYPE:to", or "from:TYPE:to:key" where one pair has two relations of a type.
	ID         string
	Type       RelType
	From       *Actor
	To         *Actor
	Since      *string // partial date: YYYY, YYYY-MM or YYYY-MM-DD
	Until      *string
	Status     Status
	Confidence *float64
	// Via names the transit countries and intermediaries of a FUNDS relation, in route order.
	Via      []*Actor
	Evidence []*Evidence
	Version  int
	// Retired relations are soft-deleted: queries leave them out unless asked (Filter.IncludeRetired).
	Retired       bool
	RetiredReason *string
}

// Evidence is one citation: a line of a source document and what it says, in our words.
type Evidence struct {
	Source *Source
	Line   *int
	Claim  string
}

// Source is a document the dataset is drawn from.
type Source struct {
	ID        string
	Title     string
	Publisher *string
	Authors   []string
	Date      *string
	File      *string
}

// Subgraph is a set of actors and relations among them. Truncated says a cap left something out;
// Omitted counts the relations left out.
type Subgraph struct {
	Nodes     []*Actor
	Edges     []*Relation
	Truncated bool
	Omitted   int
}

// Path is a walk: Edges[i] joins Nodes[i] and Nodes[i+1] (in either direction).
type Path struct {
	Nodes  []*Actor
	Edges  []*Relation
	Length int
	// Credibility is the product of the edges' confidences (an edge without one counts 0.5).
	Credibility float64
}

// FundingChannel is a chain of FUNDS relations from a funder to a recipient. Via holds the intermediaries
// (the path's inner actors) and the transit actors named by its relations, in route order, without repeats.
type FundingChannel struct {
	Funder    *Actor
	Recipient *Actor
	Path      *Path
	Via       []*Actor
}

// SearchHit is one search result; a higher Score is a better match.
type SearchHit struct {
	Actor *Actor
	Score float64
}

// ActorPage is one page of actors ordered by id. EndCursor is opaque and passed back as ActorsQuery.After.
type ActorPage struct {
	Actors      []*Actor
	Cursors     []string
	TotalCount  int
	HasNextPage bool
}

// RelationPage is one page of an actor's relations ordered by relation id.
type RelationPage struct {
	Relations   []*Relation
	Cursors     []string
	TotalCount  int
	HasNextPage bool
}

// Stats counts what is loaded.
type Stats struct {
	Actors    int
	Relations int
	Sources   int
	ByKind    []KindCount
	ByType    []TypeCount
}

// KindCount is the number of actors of one kind.
type KindCount struct {
	Kind  Kind
	Count int
}

// TypeCount is the number of relations of one type.
type TypeCount struct {
	Type  RelType
	Count int
}

// Error codes, mapped once at the edge (GraphQL extensions.code, HTTP status, CLI exit).
const (
	ENOTFOUND        = "NOT_FOUND"       // no such actor (or relation)
	EINVALID         = "INVALID"         // an argument or input is malformed or out of range
	EUNAVAILABLE     = "UNAVAILABLE"     // Neo4j cannot be reached
	ETIMEOUT         = "TIMEOUT"         // the time budget ran out
	EFORBIDDEN       = "FORBIDDEN"       // the caller may not do this
	EUNAUTHENTICATED = "UNAUTHENTICATED" // no or bad credentials
	ECONFLICT        = "CONFLICT"        // a stale version
	EINTERNAL        = "INTERNAL"        // a bug or an unexpected database answer
)

// Error is the error every exported function of the package returns. Field names the argument or input
// field at fault, where there is one.
type Error struct {
	Code    string
	Field   string
	Message string
	Err     error // the underlying cause, never shown to clients for INTERNAL
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an INVALID error about one field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for an error that is not an *Error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}
