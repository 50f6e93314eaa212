package httpapi

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/actorgraph/actorgraph/graph"
)

// cors applies the origin allowlist. A request without Origin (curl, a server) or from the server's own
// origin passes; one from an allowed origin gets the CORS headers (and a preflight is answered here); one
// from any other origin is refused with 403. It reports whether the request should go on.
func (h *Handler) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || sameOrigin(origin, r) {
		return true
	}
	if !slices.Contains(h.cfg.CORSOrigins, origin) && !slices.Contains(h.cfg.CORSOrigins, "*") {
		h.httpError(w, r, &graph.Error{Code: graph.EFORBIDDEN, Field: "Origin", Message: "origin " + origin + " is not allowed (CORS_ORIGINS)"})
		return false
	}
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", origin)
	hd.Add("Vary", "Origin")
	hd.Set("Access-Control-Expose-Headers", "X-Request-Id")
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		hd.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		hd.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id")
		hd.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return false
	}
	return true
}

func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}
