package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/actorgraph/actorgraph/bench/gen"
	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

// generated is a bench/gen graph of 800 actors and 3,000 relations (every kind and relation type, partial
// dates, FUNDS routes, evidence), validated.
func generated(t *testing.T) *graph.Dataset {
	t.Helper()
	d := gen.Generate(7, gen.Scale{Name: "test", Actors: 800, Relations: 3000}).Dataset
	if errs := d.Validate(nil, nil); len(errs) > 0 {
		t.Fatalf("generated dataset invalid: %v", errs[0])
	}
	return d
}

// oneTransaction keeps every import of the test on the one-transaction path.
var oneTransaction = graph.ImportTuning{BulkRows: 1 << 30}

// chunked sends every import into an empty database through the initial load, in many small transactions,
// reading the lists in windows of 500 entries, with the relationship indexes dropped and built again.
var chunked = graph.ImportTuning{BulkRows: 1, Chunk: 700, NodeBatch: 300, RelBatch: 250, Window: 500, DeferIndexes: 1}

func importWith(t *testing.T, s *graph.Store, tu graph.ImportTuning, d *graph.Dataset) *graph.ImportResult {
	t.Helper()
	defer graph.SetImportTuning(tu)()
	res, err := s.Import(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func checkClean(t *testing.T, s *graph.Store) {
	t.Helper()
	markers, online, err := s.ImportMarkers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if markers != 0 || online != 2*len(graph.RelTypes) {
		t.Errorf("%d import markers and %d relationship indexes online, want 0 and %d", markers, online, 2*len(graph.RelTypes))
	}
}

// reference wipes the data and imports d in one transaction; it returns the fingerprint and the result.
func reference(t *testing.T, s *graph.Store, d *graph.Dataset) (string, *graph.ImportResult) {
	t.Helper()
	if err := s.WipeData(context.Background()); err != nil {
		t.Fatal(err)
	}
	res := importWith(t, s, oneTransaction, d)
	return testenv.Fingerprint(t, s), res
}

// TestInitialLoadSameGraph shows that an initial load (chunked, CREATE, indexes built afterwards) writes
// exactly the graph the one-transaction path writes, counts the same, and that importing again changes
// nothing, whichever path loaded first.
func TestInitialLoadSameGraph(t *testing.T) {
	s := testenv.Store(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		d    *graph.Dataset
	}{
		{"generated", generated(t)},
		{"seed-like", smallDataset()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, wantRes := reference(t, s, tc.d)
			again := importWith(t, s, chunked, tc.d) // not empty now: one transaction
			if got := testenv.Fingerprint(t, s); got != want || again.NodesCreated != 0 || again.RelationshipsCreated != 0 {
				t.Errorf("repeated one-transaction import: fingerprint changed %v, created %d nodes %d relationships, want none",
					got != want, again.NodesCreated, again.RelationshipsCreated)
			}

			if err := s.WipeData(ctx); err != nil {
				t.Fatal(err)
			}
			res := importWith(t, s, chunked, tc.d)
			if got := testenv.Fingerprint(t, s); got != want {
				t.Errorf("initial load fingerprint %s, one transaction %s", got, want)
			}
			if *res != *wantRes {
				t.Errorf("initial load result %+v, one transaction %+v", *res, *wantRes)
			}
			checkClean(t, s)
			again = importWith(t, s, chunked, tc.d)
			if got := testenv.Fingerprint(t, s); got != want || again.NodesCreated != 0 || again.RelationshipsCreated != 0 {
				t.Errorf("import after an initial load: fingerprint changed %v, created %d nodes %d relationships, want none",
					got != want, again.NodesCreated, again.RelationshipsCreated)
			}
		})
	}
}

// smallDataset has what the generator leaves out: a country code, a description, relations without
// evidence lines, a relation key, and a source with every field.
func smallDataset() *graph.Dataset {
	conf := 0.9
	ev := []graph.EvidenceInput{{Source: "src-a", Line: 3, Claim: "Stated."}, {Source: "src-b", Claim: "No line."}}
	return &graph.Dataset{
		Sources: []graph.SourceInput{
			{ID: "src-a", Title: "A", Publisher: "P", Authors: []string{"X", "Y"}, Date: "2024-05", File: "a.pdf"},
			{ID: "src-b", Title: "B"},
		},
		Actors: []graph.ActorInput{
			{ID: "af", Kind: graph.KindCountry, Name: "Afghanistan", CountryCode: "AF", Evidence: ev},
			{ID: "tb", Kind: graph.KindGroup, Name: "Taliban", Aliases: []string{"Islamic Emirate", "IEA"},
				Description: "Movement.", Evidence: ev},
			{ID: "kb", Kind: graph.KindCity, Name: "Kābul", Evidence: ev[:1]},
		},
		Relations: []graph.RelationInput{
			{Type: graph.OperatesIn, From: "tb", To: "af", Since: "1994", Status: graph.Stated, Confidence: &conf, Evidence: ev},
			{Type: graph.OperatesIn, From: "tb", To: "af", Key: "second", Since: "2021-08-15", Until: "2022",
				Status: graph.Alleged, Confidence: &conf, Evidence: ev[1:]},
			{Type: graph.LocatedIn, From: "kb", To: "af", Status: graph.Stated, Confidence: &conf, Evidence: ev},
			{Type: graph.Funds, From: "af", To: "tb", Via: []string{"kb"}, Status: graph.Disputed, Confidence: &conf, Evidence: ev},
		},
	}
}

// TestImportTooLarge shows that a dataset above the one-transaction cap is refused, before anything is
// written, when the database already holds actors.
func TestImportTooLarge(t *testing.T) {
	s := testenv.Store(t)
	want, _ := reference(t, s, smallDataset())
	conf := 0.5
	ev := []graph.EvidenceInput{{Source: "src-a", Claim: "c"}}
	big := func(actors, rels int) *graph.Dataset {
		d := &graph.Dataset{}
		for i := range actors {
			d.Actors = append(d.Actors, graph.ActorInput{ID: fmt.Sprintf("a-%d", i), Kind: graph.KindPerson, Name: "P", Evidence: ev})
		}
		for i := range rels {
			d.Relations = append(d.Relations, graph.RelationInput{Type: graph.MemberOf, From: "tb", To: "af",
				Key: fmt.Sprintf("k%d", i), Status: graph.Stated, Confidence: &conf, Evidence: ev})
		}
		return d
	}
	for _, tc := range []struct {
		name      string
		d         *graph.Dataset
		wantField string
	}{
		{"relations", big(0, graph.MaxTransactionImport+1), "relations"},
		{"actors", big(graph.MaxTransactionImport/2+1, graph.MaxTransactionImport/2), "actors"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Import(context.Background(), tc.d)
			var ge *graph.Error
			if !errors.As(err, &ge) || ge.Code != graph.EINVALID || ge.Field != tc.wantField {
				t.Fatalf("got %v, want INVALID on field %q", err, tc.wantField)
			}
			t.Log(ge.Message)
			if got := testenv.Fingerprint(t, s); got != want {
				t.Error("a refused import changed the database")
			}
		})
	}
}

// TestInitialLoadInterrupted fails an initial load midway: a failure the process sees removes the partial
// load at once; a kill (the process gone before it could clean up) leaves it for the next Import, which
// removes it and loads the same graph as an uninterrupted import. API keys that were there stay.
func TestInitialLoadInterrupted(t *testing.T) {
	s := testenv.Store(t)
	ctx := context.Background()
	if err := s.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateKey(ctx, "kept", graph.RoleViewer); err != nil {
		t.Fatal(err)
	}
	d := generated(t)
	want, _ := reference(t, s, d)
	empty := func() string {
		if err := s.WipeData(ctx); err != nil {
			t.Fatal(err)
		}
		return testenv.Fingerprint(t, s)
	}
	for _, tc := range []struct {
		name    string
		abandon bool
	}{
		{"failed", false},
		{"killed", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := empty()
			boom := errors.New("boom")
			tu := chunked
			tu.Interrupt = func(chunks int) (error, bool) {
				if chunks == 2 {
					return boom, tc.abandon
				}
				return nil, false
			}
			restore := graph.SetImportTuning(tu)
			_, err := s.Import(ctx, d)
			restore()
			if !errors.Is(err, boom) {
				t.Fatalf("interrupted import: %v, want the injected error", err)
			}
			markers, _, mErr := s.ImportMarkers(ctx)
			if mErr != nil {
				t.Fatal(mErr)
			}
			if tc.abandon {
				if st, err := s.Stats(ctx); err != nil || st.Actors != len(d.Actors) || markers != 1 {
					t.Fatalf("killed load left %+v (%v) and %d markers, want all actors and a marker", st, err, markers)
				}
				// The next import removes the unfinished load first, then loads.
				importWith(t, s, chunked, d)
				if got := testenv.Fingerprint(t, s); got != want {
					t.Error("import after a killed load: not the graph of an uninterrupted import")
				}
				checkClean(t, s)
				return
			}
			if got := testenv.Fingerprint(t, s); got != before || markers != 0 {
				t.Errorf("failed load not removed: fingerprint changed %v, %d markers", got != before, markers)
			}
			checkClean(t, s)
			keys, err := s.Keys(ctx)
			if err != nil || len(keys) != 1 {
				t.Errorf("API keys after the cleanup: %v %v, want the one created", keys, err)
			}
		})
	}
}

// TestRelationPropertiesAsStored shows that graph.RelationProperties, which the benchmark's relcost writes,
// is exactly what each import path stores on every relation.
func TestRelationPropertiesAsStored(t *testing.T) {
	s := testenv.Store(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		tuning graph.ImportTuning
		d      *graph.Dataset
	}{
		{"one transaction, seed-like", oneTransaction, smallDataset()},
		{"initial load, seed-like", chunked, smallDataset()},
		{"initial load, generated", chunked, generated(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.WipeData(ctx); err != nil {
				t.Fatal(err)
			}
			importWith(t, s, tc.tuning, tc.d)
			res, err := s.Cypher(ctx, graph.CypherQuery{
				Query: "MATCH (:Actor)-[r]->(:Actor) RETURN r.id AS id, properties(r) AS p", Limit: graph.MaxCypherRows})
			if err != nil {
				t.Fatal(err)
			}
			stored := map[string]string{}
			for _, row := range res.Rows {
				stored[row["id"].(string)] = mustJSON(t, row["p"])
			}
			if len(stored) != len(tc.d.Relations) {
				t.Fatalf("%d relations stored, want %d", len(stored), len(tc.d.Relations))
			}
			for i := range tc.d.Relations {
				r := &tc.d.Relations[i]
				if want, got := mustJSON(t, graph.RelationProperties(r)), stored[r.ID()]; got != want {
					t.Fatalf("relation %s stored %s, RelationProperties %s", r.ID(), got, want)
				}
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
