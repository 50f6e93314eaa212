package seed

import (
	"context"
	"testing"

	"github.com/actorgraph/actorgraph/graph"
)

// FuzzParse feeds arbitrary bytes to the dataset parser and validator: they never panic, and every
// failure is an INVALID error.
func FuzzParse(f *testing.F) {
	files, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(files[0].Data[:min(len(files[0].Data), 2000)])
	for _, s := range []string{
		"actors:\n  - id: x\n    kind: GROUP\n    name: X\n    evidence: [{source: s, line: 1, claim: c}]\n",
		"relations:\n  - {type: FUNDS, from: a, to: b, via: [c], status: ALLEGED, confidence: 2, since: \"2020-02-30\"}\n",
		"sources: [{id: s, title: T, date: \"2024-13\"}]\n",
		"actors: {not: a list}\n", "relations: [\n", "- just\n- a list\n", "&a [*a, *a]\n", "", "\x00\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse([]File{{Name: "fuzz.yaml", Data: b}})
		if err != nil {
			if graph.ErrorCode(err) != graph.EINVALID {
				t.Fatalf("Parse: %v", err)
			}
			return
		}
		if err := p.Validate(context.Background(), nil); err != nil && graph.ErrorCode(err) != graph.EINVALID {
			t.Fatalf("Validate: %v", err)
		}
	})
}
