package web_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/actorgraph/actorgraph/web"
)

func get(t *testing.T, h http.Handler, path string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestHandlerServesExplorerAndIDE checks the routes and that every page forbids loading from other hosts.
func TestHandlerServesExplorerAndIDE(t *testing.T) {
	h := web.Handler()
	cases := []struct{ path, contentType, contains string }{
		{"/", "text/html", `<div id="cy"`},
		{"/graphiql", "text/html", "graphiql.min.js"},
		{"/graphiql/", "text/html", "graphiql.min.js"},
		{"/js/app.js", "text/javascript", "window.__explorer"},
		{"/app.css", "text/css", ".statusbar"},
		{"/vendor/cytoscape.min.js", "text/javascript", "cytoscape"},
		{"/vendor/graphiql/graphiql.min.js", "text/javascript", "GraphiQL"},
		{"/vendor/graphiql/react.production.min.js", "text/javascript", "React"},
		{"/vendor/graphiql/react-dom.production.min.js", "text/javascript", "react-dom"},
		{"/vendor/graphiql/graphiql.min.css", "text/css", ".graphiql-container"},
	}
	for _, c := range cases {
		res := get(t, h, c.path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d", c.path, res.StatusCode)
			continue
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, c.contentType) {
			t.Errorf("GET %s: Content-Type %q, want %s", c.path, ct, c.contentType)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") ||
			!strings.Contains(csp, "connect-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q does not keep the page on its own host", c.path, csp)
		}
		if b := body(t, res); !strings.Contains(b, c.contains) {
			t.Errorf("GET %s: body lacks %q", c.path, c.contains)
		}
	}
	if res := get(t, h, "/nope.js"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nope.js: status %d, want 404", res.StatusCode)
	}
}

// TestNoExternalURLs checks that the explorer's own files (the vendored libraries aside) name no other host:
// users work air-gapped, so nothing may be fetched from a CDN or a font service.
func TestNoExternalURLs(t *testing.T) {
	// XML namespaces are names, not addresses that are fetched.
	allowed := map[string]bool{"http://www.w3.org/2000/svg": true, "http://graphml.graphdrawing.org/xmlns": true}
	url := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s"'<>)]*`)
	root := "static"
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "vendor" {
				return fs.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range url.FindAllString(string(b), -1) {
			if !allowed[m] {
				t.Errorf("%s names an external URL: %s", path, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
