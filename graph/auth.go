package graph

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// Role is what a caller may do. Each role may do everything the roles below it may.
type Role string

// The roles, lowest first.
const (
	RoleViewer  Role = "VIEWER"  // investigation queries
	RoleAnalyst Role = "ANALYST" // + ad-hoc Cypher, edit history
	RoleEditor  Role = "EDITOR"  // + edits
	RoleAdmin   Role = "ADMIN"   // + API key management
)

var roleRank = map[Role]int{RoleViewer: 1, RoleAnalyst: 2, RoleEditor: 3, RoleAdmin: 4}

// ParseRole accepts a role name in any case.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToUpper(strings.TrimSpace(s)))
	if roleRank[r] == 0 {
		return "", Invalid("role", "must be viewer, analyst, editor or admin, got %q", s)
	}
	return r, nil
}

// Allows reports whether r may do what needs at least min.
func (r Role) Allows(min Role) bool { return roleRank[r] > 0 && roleRank[r] >= roleRank[min] }

// Principal is an authenticated caller. Name is what the audit trail records.
type Principal struct {
	Name  string
	Role  Role
	KeyID string // the API key's id, when the caller used one
	Via   string // "key", "jwt" or "anonymous"
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller of ctx, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Require returns UNAUTHENTICATED when ctx has no caller and FORBIDDEN when the caller's role is below min.
// Callers check it before touching data, so that a refusal never reveals whether an id exists.
func Require(ctx context.Context, min Role) error {
	p := PrincipalFrom(ctx)
	if p == nil {
		return Errorf(EUNAUTHENTICATED, "credentials required: send Authorization: Bearer <api key or token>")
	}
	if !p.Role.Allows(min) {
		return Errorf(EFORBIDDEN, "role %s may not do this; it needs %s", p.Role, min)
	}
	return nil
}

// APIKey describes a stored key. Only the key's SHA-256 hash is stored; the key itself is shown once.
type APIKey struct {
	ID        string
	Name      string
	Role      Role
	CreatedAt time.Time
	CreatedBy string
	RevokedAt *time.Time
}

const keyPrefix = "agk_"

func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// CreateKey makes a new API key for name with role and returns the key (shown only now) and its record.
func (s *Store) CreateKey(ctx context.Context, name string, role Role) (string, *APIKey, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return "", nil, Invalid("name", "must be 1 to 200 characters")
	}
	if roleRank[role] == 0 {
		return "", nil, Invalid("role", "unknown role %q", role)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, &Error{Code: EINTERNAL, Message: "no randomness", Err: err}
	}
	key := keyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	h := hashKey(key)
	k := &APIKey{ID: h[:12], Name: name, Role: role, CreatedAt: time.Now().UTC().Truncate(time.Second), CreatedBy: actorName(ctx)}
	_, err := s.write(ctx, []statement{{cypher: `CREATE (k:ApiKey {id: $id, hash: $hash, name: $name, role: $role, createdAt: $at, createdBy: $by})`,
		params: map[string]any{"id": k.ID, "hash": h, "name": k.Name, "role": string(role), "at": k.CreatedAt.Format(time.RFC3339), "by": k.CreatedBy}}})
	if err != nil {
		return "", nil, err
	}
	return key, k, nil
}

// Keys lists every API key, revoked ones included, oldest first.
func (s *Store) Keys(ctx context.Context) ([]*APIKey, error) {
	recs, err := s.read(ctx, "MATCH (k:ApiKey) RETURN k {.id, .name, .role, .createdAt, .createdBy, .revokedAt} AS k ORDER BY k.createdAt, k.id LIMIT 10000", nil)
	if err != nil {
		return nil, err
	}
	out := make([]*APIKey, 0, len(recs))
	for _, rec := range recs {
		out = append(out, decodeKey(rec.Values[0].(map[string]any)))
	}
	return out, nil
}

func decodeKey(m map[string]any) *APIKey {
	k := &APIKey{ID: str(m["id"]), Name: str(m["name"]), Role: Role(str(m["role"])), CreatedBy: str(m["createdBy"])}
	k.CreatedAt, _ = time.Parse(time.RFC3339, str(m["createdAt"]))
	if r := strPtr(m["revokedAt"]); r != nil {
		t, _ := time.Parse(time.RFC3339, *r)
		k.RevokedAt = &t
	}
	return k
}

// RevokeKey revokes the key with the given id; it no longer authenticates (within the cache's 10 s).
func (s *Store) RevokeKey(ctx context.Context, id string) (*APIKey, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	var key *APIKey
	now := time.Now().UTC().Format(time.RFC3339)
	_, err := s.write(ctx, []statement{{cypher: `MATCH (k:ApiKey {id: $id}) SET k.revokedAt = coalesce(k.revokedAt, $now)`,
		params: map[string]any{"id": id, "now": now}}})
	if err != nil {
		return nil, err
	}
	keys, err := s.Keys(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.ID == id {
			key = k
		}
	}
	if key == nil {
		return nil, &Error{Code: ENOTFOUND, Field: "id", Message: "no API key with id " + id}
	}
	s.keyCache.forget()
	return key, nil
}

// Authenticate returns the principal of an API key, or UNAUTHENTICATED for an unknown or revoked key.
// Answers are cached for 10 s so that a request does not cost a round trip for its key.
func (s *Store) Authenticate(ctx context.Context, key string) (*Principal, error) {
	bad := Errorf(EUNAUTHENTICATED, "unknown or revoked API key")
	if !strings.HasPrefix(key, keyPrefix) || len(key) > 100 {
		return nil, bad
	}
	h := hashKey(key)
	if p, ok := s.keyCache.get(h); ok {
		if p == nil {
			return nil, bad
		}
		return p, nil
	}
	recs, err := s.read(ctx, "MATCH (k:ApiKey {hash: $hash}) WHERE k.revokedAt IS NULL RETURN k {.id, .name, .role} LIMIT 1", map[string]any{"hash": h})
	if err != nil {
		return nil, err
	}
	var p *Principal
	if len(recs) == 1 {
		m := recs[0].Values[0].(map[string]any)
		p = &Principal{Name: str(m["name"]), Role: Role(str(m["role"])), KeyID: str(m["id"]), Via: "key"}
	}
	s.keyCache.put(h, p)
	if p == nil {
		return nil, bad
	}
	return p, nil
}

// keyCache remembers recent key lookups (nil: unknown key).
type keyCache struct {
	mu sync.Mutex
	m  map[string]cachedKey
}

type cachedKey struct {
	p   *Principal
	exp time.Time
}

const keyCacheTTL = 10 * time.Second

func (c *keyCache) get(h string) (*Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[h]
	if !ok || time.Now().After(e.exp) {
		return nil, false
	}
	return e.p, true
}

func (c *keyCache) put(h string, p *Principal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cachedKey{}
	}
	c.m[h] = cachedKey{p: p, exp: time.Now().Add(keyCacheTTL)}
}

func (c *keyCache) forget() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

// actorName is who the audit trail records for ctx's caller.
func actorName(ctx context.Context) string {
	p := PrincipalFrom(ctx)
	if p == nil {
		return "system"
	}
	if p.KeyID != "" {
		return p.Name + " (key " + p.KeyID + ")"
	}
	return p.Name
}
