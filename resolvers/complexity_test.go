package resolvers

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
)

// TestComplexityLimitAsGqlgen prices operations with ComplexityLimit and with gqlgen's own
// FixedComplexityLimit, over one parsed document per query text as gqlgen's query cache gives: the same
// cost, statistics and error every time, and a cost computed only for values of the cost variables not
// seen before.
func TestComplexityLimitAsGqlgen(t *testing.T) {
	const limit = 5000
	es := NewSchema(nil)
	cases := []struct {
		name     string
		query    string
		vars     []map[string]any // one request each
		computed int              // costs computed over the requests
	}{
		{"a lookup by variable: one cost for every id", `query($id: ID!) { actor(id: $id) { id name relations { nodes { id } } } }`,
			[]map[string]any{{"id": "iskp"}, {"id": "ttp"}, {"id": "turkey"}}, 1},
		{"a page size by variable: one cost per size", `query($id: ID!, $n: Int) { actor(id: $id) { relations(first: $n) { nodes { id to { id } } } } }`,
			[]map[string]any{{"id": "a", "n": 10}, {"id": "b", "n": 10}, {"id": "a", "n": 40}, {"id": "c"}}, 3},
		{"a cost argument in a fragment", `query($k: Int) { paths(from: "a", to: "b") { ...P } paths2: paths(from: "a", to: "b", k: $k) { ...P } } fragment P on Path { nodes { id } }`,
			[]map[string]any{{"k": 2}, {"k": 2}, {"k": 9}}, 2},
		{"ids in a list of variables", `query($a: ID!, $b: ID!) { connections(ids: [$a, $b, "turkey"]) { nodes { id } } }`,
			[]map[string]any{{"a": "x", "b": "y"}, {"a": "x", "b": "y"}, {"a": "x", "b": "z"}}, 2},
		{"over the limit: gqlgen's error", `query($n: Int) { actors(first: $n) { nodes { relations(first: 500) { nodes { via { id } } } } } }`,
			[]map[string]any{{"n": 2}, {"n": 1000}, {"n": 1000}}, 2},
		{"no variables", `{ neighbourhood(id: "iskp", depth: 2) { nodes { id } edges { id } } }`,
			[]map[string]any{nil, nil}, 1},
		{"deeper than the walk: priced every time", `query($id: ID!) { actor(id: $id) { ` +
			strings.Repeat("... on Actor { ", maxWalkDepth+1) + "id" + strings.Repeat(" }", maxWalkDepth+1) + ` } }`,
			[]map[string]any{{"id": "a"}, {"id": "a"}}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQuery(es.Schema(), tc.query)
			if errs != nil {
				t.Fatal(errs)
			}
			ours := NewComplexityLimit(limit)
			theirs := extension.FixedComplexityLimit(limit)
			for _, ext := range []graphql.HandlerExtension{ours, theirs} {
				if err := ext.(interface {
					Validate(graphql.ExecutableSchema) error
				}).Validate(es); err != nil {
					t.Fatal(err)
				}
			}
			var over int
			for i, v := range tc.vars {
				price := func(m graphql.OperationContextMutator) (*extension.ComplexityStats, string) {
					oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]}
					vars, err := validator.VariableValues(es.Schema(), oc.Operation, v)
					if err != nil {
						t.Fatal(err)
					}
					oc.Variables = vars
					ctx := graphql.WithOperationContext(context.Background(), oc)
					gerr := m.MutateOperationContext(ctx, oc)
					stats, _ := oc.Stats.GetExtension("ComplexityLimit").(*extension.ComplexityStats)
					return stats, fmt.Sprint(gerr)
				}
				got, gotErr := price(ours)
				want, wantErr := price(theirs)
				if got == nil || !reflect.DeepEqual(got, want) || gotErr != wantErr {
					t.Fatalf("request %d: stats %+v, error %s; gqlgen's %+v, %s", i, got, gotErr, want, wantErr)
				}
				if got.Complexity > limit {
					over++
				}
			}
			if n := int(ours.computed.Load()); n != tc.computed {
				t.Errorf("computed %d costs over %d requests, want %d", n, len(tc.vars), tc.computed)
			}
			if tc.name == "over the limit: gqlgen's error" && over != 2 {
				t.Errorf("%d requests over the limit, want 2", over)
			}
		})
	}
}

// TestCostArguments requires costArguments to name every argument a cost function reads: for every field
// with a cost function, giving any other argument another value leaves the cost as it was. Removing a
// name from costArguments fails it.
func TestCostArguments(t *testing.T) {
	es := NewSchema(nil)
	ctx := context.Background()
	schema := es.Schema()
	var value func(typ *ast.Type, other bool) any
	value = func(typ *ast.Type, other bool) any {
		if typ.Elem != nil {
			if other {
				return []any{value(typ.Elem, true), value(typ.Elem, true)}
			}
			return []any{value(typ.Elem, false)}
		}
		def := schema.Types[typ.NamedType]
		switch {
		case def.Kind == ast.Enum:
			if other && len(def.EnumValues) > 1 {
				return def.EnumValues[1].Name
			}
			return def.EnumValues[0].Name
		case typ.NamedType == "Int":
			return map[bool]int{false: 3, true: 9}[other]
		case typ.NamedType == "Float":
			return map[bool]float64{false: 0.25, true: 0.75}[other]
		case typ.NamedType == "Boolean":
			return other
		case typ.NamedType == "ID" || typ.NamedType == "String":
			return map[bool]string{false: "a", true: "b"}[other]
		}
		return nil
	}
	priced := 0
	for _, def := range schema.Types {
		if def.Kind != ast.Object || def.BuiltIn {
			continue
		}
		for _, f := range def.Fields {
			args := map[string]any{}
			for _, a := range f.Arguments {
				args[a.Name] = value(a.Type, false)
			}
			base, ok := es.Complexity(ctx, def.Name, f.Name, 7, args)
			if !ok || base < 1 {
				continue
			}
			priced++
			for _, a := range f.Arguments {
				if costArguments[a.Name] {
					continue
				}
				changed := map[string]any{}
				for k, v := range args {
					changed[k] = v
				}
				changed[a.Name] = value(a.Type, true)
				if n, _ := es.Complexity(ctx, def.Name, f.Name, 7, changed); n != base {
					t.Errorf("%s.%s costs %d with %s %v, %d with %v: add %q to costArguments",
						def.Name, f.Name, n, a.Name, changed[a.Name], base, args[a.Name], a.Name)
				}
			}
		}
	}
	if priced < 9 {
		t.Errorf("%d fields with a cost function found, want the 9 of NewSchema at least", priced)
	}
}
