package seed

import (
	"context"

	"github.com/actorgraph/actorgraph/graph"
)

// CheckStream is LoadStream's first pass, into a database without actors; the Stream it returns reads the
// files again, as LoadStream's import does.
func CheckStream(ctx context.Context, g graph.Graph, paths []string) (*graph.Stream, error) {
	st, err := checkStream(ctx, g, paths, false)
	if err != nil {
		return nil, err
	}
	return st.graphStream(), nil
}
