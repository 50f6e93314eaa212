package resolvers

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/actorgraph/actorgraph/graph"
)

// Mutation returns the mutation resolver.
func (r *Resolver) Mutation() MutationResolver { return &mutationResolver{r} }

// ApiKey returns the resolver of ApiKey's time fields.
func (r *Resolver) ApiKey() ApiKeyResolver { return &apiKeyResolver{r} }

// AuditEntry returns the resolver of AuditEntry's time field.
func (r *Resolver) AuditEntry() AuditEntryResolver { return &auditResolver{r} }

type mutationResolver struct{ *Resolver }
type apiKeyResolver struct{ *Resolver }
type auditResolver struct{ *Resolver }

// hasRole implements @hasRole: the check runs before the field's resolver, so a refused caller learns
// nothing about the data.
func hasRole(ctx context.Context, _ any, next graphql.Resolver, role graph.Role) (any, error) {
	if err := graph.Require(ctx, role); err != nil {
		return nil, err
	}
	return next(ctx)
}

func evidenceInputs(in []*EvidenceInput) []graph.EvidenceInput {
	if in == nil {
		return nil
	}
	out := make([]graph.EvidenceInput, len(in))
	for i, e := range in {
		out[i] = graph.EvidenceInput{Source: e.Source, Line: or(e.Line, 0), Claim: e.Claim}
	}
	return out
}

func (r *mutationResolver) UpsertActor(ctx context.Context, in ActorInput) (*graph.Actor, error) {
	return r.Graph.UpsertActor(ctx, graph.ActorInput{
		ID: in.ID, Kind: in.Kind, Name: in.Name, Aliases: in.Aliases, Description: or(in.Description, ""),
		CountryCode: or(in.CountryCode, ""), Evidence: evidenceInputs(in.Evidence),
	}, in.Version)
}

func (r *mutationResolver) AddRelation(ctx context.Context, in RelationInput) (*graph.Relation, error) {
	conf := in.Confidence
	return r.Graph.AddRelation(ctx, graph.RelationInput{
		Type: in.Type, From: in.From, To: in.To, Key: or(in.Key, ""), Since: or(in.Since, ""), Until: or(in.Until, ""),
		Status: in.Status, Confidence: &conf, Via: in.Via, Evidence: evidenceInputs(in.Evidence),
	})
}

func (r *mutationResolver) UpdateRelation(ctx context.Context, id string, version int, p RelationPatch) (*graph.Relation, error) {
	return r.Graph.UpdateRelation(ctx, id, version, graph.RelationPatch{
		Since: p.Since, Until: p.Until, Status: p.Status, Confidence: p.Confidence, Via: p.Via,
		Evidence: evidenceInputs(p.Evidence), AddEvidence: evidenceInputs(p.AddEvidence),
	})
}

func (r *mutationResolver) RetireRelation(ctx context.Context, id string, version int, reason string) (*graph.Relation, error) {
	return r.Graph.RetireRelation(ctx, id, version, reason)
}

func (r *mutationResolver) MergeActors(ctx context.Context, duplicate string, into string, intoVersion int) (*graph.Actor, error) {
	return r.Graph.MergeActors(ctx, duplicate, into, intoVersion)
}

func (r *mutationResolver) CreateAPIKey(ctx context.Context, name string, role graph.Role) (*NewAPIKey, error) {
	key, k, err := r.Graph.CreateKey(ctx, name, role)
	if err != nil {
		return nil, err
	}
	return &NewAPIKey{Key: key, APIKey: k}, nil
}

func (r *mutationResolver) RevokeAPIKey(ctx context.Context, id string) (*graph.APIKey, error) {
	return r.Graph.RevokeKey(ctx, id)
}

func (r *queryResolver) Me(ctx context.Context) (*graph.Principal, error) {
	return graph.PrincipalFrom(ctx), nil
}

func (r *queryResolver) Cypher(ctx context.Context, query string, params map[string]any, limit *int, timeoutMs *int) (*graph.CypherResult, error) {
	return r.Graph.Cypher(ctx, graph.CypherQuery{Query: query, Params: params, Limit: or(limit, 1000),
		Timeout: time.Duration(or(timeoutMs, 0)) * time.Millisecond})
}

func (r *queryResolver) Relation(ctx context.Context, id string) (*graph.Relation, error) {
	return r.Graph.Relation(ctx, id)
}

func (r *queryResolver) History(ctx context.Context, id string, first *int) ([]*graph.AuditEntry, error) {
	return r.Graph.History(ctx, id, or(first, 100))
}

func (r *queryResolver) APIKeys(ctx context.Context) ([]*graph.APIKey, error) {
	return r.Graph.Keys(ctx)
}

func (r *apiKeyResolver) CreatedAt(_ context.Context, k *graph.APIKey) (string, error) {
	return k.CreatedAt.Format(time.RFC3339), nil
}

func (r *apiKeyResolver) RevokedAt(_ context.Context, k *graph.APIKey) (*string, error) {
	if k.RevokedAt == nil {
		return nil, nil
	}
	s := k.RevokedAt.Format(time.RFC3339)
	return &s, nil
}

func (r *auditResolver) At(_ context.Context, e *graph.AuditEntry) (string, error) {
	return e.At.Format(time.RFC3339Nano), nil
}
