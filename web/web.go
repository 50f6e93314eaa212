// Package web serves the graph explorer and the GraphQL IDE: static assets embedded in the binary, so
// that nothing is fetched from any other host.
//
// The explorer (static/index.html, static/js, static/app.css) is plain JavaScript modules with no build step;
// the third-party libraries it uses are vendored, minified, under static/vendor (see README.md and
// vendor.sh).
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// contentSecurityPolicy lets pages load scripts, styles and data only from the server itself: users work
// air-gapped, and the browser enforces that nothing reaches another host. data: and blob: cover the
// fonts inlined in GraphiQL's stylesheet and the exported PNG/JSON/GraphML downloads; 'unsafe-inline'
// styles cover the style attributes React and Cytoscape set.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'self'"

// Handler serves the explorer at / and its assets, and GraphiQL at /graphiql and /graphiql/.
func Handler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err)
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		switch r.URL.Path {
		case "/graphiql", "/graphiql/":
			// Served in place rather than redirected, so both spellings give the IDE.
			http.ServeFileFS(w, r, sub, "graphiql/index.html")
		default:
			files.ServeHTTP(w, r)
		}
	})
}
