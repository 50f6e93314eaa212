// Package web serves the graph explorer and the GraphQL IDE: static assets embedded in the binary, so
// that nothing is fetched from any other host.
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// Handler serves the explorer at / and its assets.
func Handler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err)
	}
	return http.FileServerFS(sub)
}
