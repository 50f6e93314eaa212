package httpapi

import (
	"crypto"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/actorgraph/actorgraph/graph"
)

// AuthConfig says who may call the API. A request carries `Authorization: Bearer <credential>`: an API key
// (made with `actorgraph keys create`) or, when JWT is configured, a signed token whose RoleClaim names
// the role. Without credentials a request gets AnonymousRole, or UNAUTHENTICATED when it is empty.
type AuthConfig struct {
	AnonymousRole graph.Role // "" turns anonymous access off
	JWT           *JWTConfig // nil: tokens are not accepted
}

// JWTConfig verifies tokens: HS256 with HMACSecret, or RS256/ES256/EdDSA with PublicKey.
type JWTConfig struct {
	Issuer     string
	Audience   string
	HMACSecret []byte
	PublicKey  crypto.PublicKey
	RoleClaim  string // default "role"
}

// authenticate returns the request's principal; (nil, nil) means no credentials and no anonymous access.
func (h *Handler) authenticate(r *http.Request) (*graph.Principal, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		if h.auth.AnonymousRole == "" {
			return nil, nil
		}
		return &graph.Principal{Name: "anonymous", Role: h.auth.AnonymousRole, Via: "anonymous"}, nil
	}
	scheme, cred, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(cred) == "" {
		return nil, graph.Errorf(graph.EUNAUTHENTICATED, "the Authorization header must be: Bearer <api key or token>")
	}
	cred = strings.TrimSpace(cred)
	if strings.Count(cred, ".") == 2 {
		return h.verifyJWT(cred)
	}
	p, err := h.g.Authenticate(r.Context(), cred)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (h *Handler) verifyJWT(token string) (*graph.Principal, error) {
	bad := func(why string) error { return graph.Errorf(graph.EUNAUTHENTICATED, "token refused: %s", why) }
	cfg := h.auth.JWT
	if cfg == nil {
		return nil, bad("this server accepts API keys, not tokens")
	}
	opts := []jwt.ParserOption{jwt.WithExpirationRequired(), jwt.WithLeeway(30 * time.Second)}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		switch t.Method.(type) {
		case *jwt.SigningMethodHMAC:
			if len(cfg.HMACSecret) == 0 {
				return nil, errors.New("HMAC tokens are not accepted")
			}
			return cfg.HMACSecret, nil
		case *jwt.SigningMethodRSA, *jwt.SigningMethodECDSA, *jwt.SigningMethodEd25519:
			if cfg.PublicKey == nil {
				return nil, errors.New("public-key tokens are not accepted")
			}
			return cfg.PublicKey, nil
		}
		return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
	}, opts...)
	if err != nil {
		return nil, bad(err.Error())
	}
	claim := cfg.RoleClaim
	if claim == "" {
		claim = "role"
	}
	roleName, _ := claims[claim].(string)
	role, err := graph.ParseRole(roleName)
	if err != nil {
		return nil, bad(fmt.Sprintf("claim %q must name a role", claim))
	}
	sub, _ := claims["sub"].(string)
	if sub == "" {
		return nil, bad("no subject (sub)")
	}
	return &graph.Principal{Name: sub, Role: role, Via: "jwt"}, nil
}

// requireCaller wraps a handler that serves data: it authenticates the request and refuses it with 401 when
// there is no caller.
func (h *Handler) requireCaller(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		p, err := h.authenticate(r)
		if err == nil && p == nil {
			err = graph.Errorf(graph.EUNAUTHENTICATED, "credentials required: send Authorization: Bearer <api key or token>")
		}
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="actorgraph"`)
			h.httpError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(graph.WithPrincipal(r.Context(), p)))
	})
}
