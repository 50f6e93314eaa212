package seed_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actorgraph/actorgraph/bench/gen"
	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/internal/testenv"
	"github.com/actorgraph/actorgraph/seed"
)

// writeFiles writes each content into a file of its own under a temporary directory and returns the paths.
func writeFiles(t *testing.T, names []string, contents ...[]byte) []string {
	t.Helper()
	dir := t.TempDir()
	paths := make([]string, len(contents))
	for i, c := range contents {
		paths[i] = filepath.Join(dir, names[i])
		if err := os.WriteFile(paths[i], c, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// TestStreamRejects feeds malformed JSON Lines datasets to LoadStream on the seeded database: each is
// rejected with an INVALID error naming the file and line, the entry and the field, and the database is
// left exactly as it was. A valid one then loads in one transaction (the database holds actors) and may
// refer to seed actors and sources it does not declare.
func TestStreamRejects(t *testing.T) {
	s := testenv.Seeded(t)
	ctx := context.Background()
	before := testenv.Fingerprint(t, s)
	// A valid new actor precedes each fault, so that a partial write would show.
	const actor = `{"actor": {"id": "new-test-group", "kind": "GROUP", "name": "New Test Group", "evidence": [{"source": "rusi-2023", "line": 10, "claim": "A test claim."}]}}` + "\n"
	const rel = `{"relation": {"type": "RIVAL_OF", "from": "new-test-group", "to": "iskp", "status": "STATED", "confidence": 0.9, "evidence": [{"source": "rusi-2023", "line": 10, "claim": "A test claim."}]}}` + "\n"
	tests := []struct {
		name  string
		file  string
		want  []string // each must appear in the error
		field string   // the error's field
	}{
		{"unknown actor in relation", actor + "\n" + strings.Replace(rel, `"to": "iskp"`, `"to": "no-such-actor"`, 1),
			[]string{"big.jsonl:3", "relations[0] (new-test-group:RIVAL_OF:no-such-actor)", `unknown actor "no-such-actor"`}, "relations[0] (new-test-group:RIVAL_OF:no-such-actor) to"},
		{"unknown source", actor + strings.Replace(rel, `"source": "rusi-2023"`, `"source": "no-such-doc"`, 1),
			[]string{"big.jsonl:2", `unknown source "no-such-doc"`}, "relations[0] (new-test-group:RIVAL_OF:iskp) evidence[0].source"},
		{"duplicate relation", actor + rel + rel,
			[]string{"big.jsonl:3", "relations[1] (new-test-group:RIVAL_OF:iskp)", "duplicate relation"}, "relations[1] (new-test-group:RIVAL_OF:iskp) id"},
		{"wrong value type", actor + strings.Replace(rel, `"confidence": 0.9`, `"confidence": "high"`, 1),
			[]string{"big.jsonl:2", "relation.confidence: must be a number, got a JSON string"}, "relation.confidence"},
		{"misspelt field", actor + strings.Replace(rel, `"status"`, `"statuss"`, 1),
			[]string{"big.jsonl:2", `unknown field "statuss"`}, ""},
		{"not JSON", actor + "relations: []\n", []string{"big.jsonl:2", "invalid character"}, ""},
		{"two entries on a line", strings.TrimSuffix(actor, "}}\n") + `}, "relation": {}}` + "\n",
			[]string{"big.jsonl:1", `exactly one of "source", "actor" or "relation"`}, ""},
		{"something after the object", strings.TrimSuffix(actor, "\n") + " {}\n", []string{"big.jsonl:1", "nothing after it"}, ""},
		{"actor after a relation", actor + rel + strings.Replace(actor, "new-test-group", "another-group", 1),
			[]string{"big.jsonl:3", "an actor after the relations"}, ""},
		{"150 problems, 100 listed", actor + unknownEnds(rel, 150),
			[]string{"150 problems, the first 100 listed", "big.jsonl:101: relations[99] (new-test-group:RIVAL_OF:no-such-actor-99): to: unknown actor"},
			"relations[0] (new-test-group:RIVAL_OF:no-such-actor-0) to"},
		{"more than one transaction may write", strings.Repeat(`{"relation": {}}`+"\n", graph.MaxTransactionImport+1),
			[]string{"0 actors and 200001 relations are more than the 200000"}, "relations"},
		{"line too long", actor + `{"actor": {"id": "x", "name": "` + strings.Repeat("a", seed.MaxLine) + `"}}` + "\n",
			[]string{"big.jsonl:2", "line longer than 1048576 bytes"}, "file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			paths := writeFiles(t, []string{"big.jsonl"}, []byte(tc.file))
			_, err := seed.LoadStream(ctx, s, paths)
			rejected(t, s, before, err, tc.want, tc.field)
		})
	}

	t.Run("a missing file", func(t *testing.T) {
		_, err := seed.LoadStream(ctx, s, []string{filepath.Join(t.TempDir(), "none.jsonl")})
		var ge *graph.Error
		if !errors.As(err, &ge) || ge.Code != graph.EINVALID || ge.Field != "file" || !strings.Contains(err.Error(), "none.jsonl") {
			t.Errorf("error %v, want INVALID on field file naming none.jsonl", err)
		}
	})

	res, err := seed.LoadStream(ctx, s, writeFiles(t, []string{"good.jsonl"}, []byte(actor+rel)))
	if err != nil {
		t.Fatalf("the valid dataset was rejected: %v", err)
	}
	if res.Actors != 1 || res.Relations != 1 || res.NodesCreated != 1 || res.RelationshipsCreated != 1 {
		t.Errorf("valid import: %+v, want 1 actor and 1 relation, both created", res)
	}
}

// TestStreamLooksUpInBatches checks a JSON Lines dataset whose relations refer to every actor of the seeded
// database: the first pass asks the database about them once per batch of lines, not once per actor. The
// last line's unknown source stops the load after the first pass, so the round trips counted are the
// check's, and nothing is written.
func TestStreamLooksUpInBatches(t *testing.T) {
	s := testenv.Seeded(t)
	ctx := context.Background()
	before := testenv.Fingerprint(t, s)
	actors := parseDefault(t).Dataset.Actors
	const n = 2500 // three batches of lines
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"relation": {"type": "RIVAL_OF", "from": %q, "to": %q, "key": "k-%d", "status": "STATED", "confidence": 0.5, "evidence": [{"source": "rusi-2023", "line": 1, "claim": "A test claim."}]}}`+"\n",
			actors[i%len(actors)].ID, actors[(i+1)%len(actors)].ID, i)
	}
	b.WriteString(`{"relation": {"type": "RIVAL_OF", "from": "iskp", "to": "al-karrar-office", "status": "STATED", "confidence": 0.5, "evidence": [{"source": "no-such-doc", "line": 1, "claim": "A test claim."}]}}` + "\n")
	paths := writeFiles(t, []string{"big.jsonl"}, []byte(b.String()))

	trips := s.RoundTrips()
	_, err := seed.LoadStream(ctx, s, paths)
	trips = s.RoundTrips() - trips
	rejected(t, s, before, err, []string{fmt.Sprintf("big.jsonl:%d", n+1), `unknown source "no-such-doc"`}, "evidence[0].source")
	if strings.Count(err.Error(), "unknown") != 1 {
		t.Errorf("the relations to the database's actors were rejected too:\n%.500v", err)
	}
	// Three batches of lines and two sources (rusi-2023, no-such-doc) took 5 round trips; asking once per
	// actor took 275.
	t.Logf("%d round trips for relations between %d of the database's actors", trips, len(actors))
	if len(actors) < 40 || trips > 8 {
		t.Errorf("the check took %d round trips for relations between %d of the database's actors, want at most 8", trips, len(actors))
	}
}

// unknownEnds is n copies of the relation line rel, each to another actor that does not exist.
func unknownEnds(rel string, n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Replace(rel, `"to": "iskp"`, fmt.Sprintf(`"to": "no-such-actor-%d"`, i), 1))
	}
	return b.String()
}

// streamFiles writes d as JSON Lines split over two files, the second starting in the middle of the
// relations, and returns their paths.
func streamFiles(t *testing.T, d *graph.Dataset) []string {
	t.Helper()
	var b bytes.Buffer
	if err := seed.WriteJSONL(&b, d); err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b.Bytes(), []byte("\n"))
	cut := len(d.Sources) + len(d.Actors) + len(d.Relations)/2
	return writeFiles(t, []string{"a.jsonl", "b.ndjson"}, bytes.Join(lines[:cut], nil), bytes.Join(lines[cut:], nil))
}

// TestStreamInitialLoad loads a generated dataset of 20,500 actors and relations (every kind and relation
// type, dates, routes, evidence) from JSON Lines into an empty database: it is an initial load, and it writes
// the graph graph.Store.Import writes for the same dataset held in memory. A file changed between the check and
// the import fails the import, which leaves the database empty.
func TestStreamInitialLoad(t *testing.T) {
	s := testenv.Store(t)
	ctx := context.Background()
	d := gen.Generate(11, gen.Scale{Name: "test", Actors: 4000, Relations: 16500}).Dataset
	if errs := d.Validate(nil, nil); len(errs) > 0 {
		t.Fatalf("generated dataset invalid: %v", errs[0])
	}
	paths := streamFiles(t, d)

	if err := s.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, d); err != nil {
		t.Fatal(err)
	}
	want := testenv.Fingerprint(t, s)

	if err := s.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := seed.LoadStream(ctx, s, paths)
	if err != nil {
		t.Fatal(err)
	}
	if res.Actors != 4000 || res.Relations != 16500 || res.NodesCreated != 4000+len(d.Sources) || res.RelationshipsCreated != 16500 {
		t.Errorf("result %+v, want 4000 actors and 16500 relations, all created, and %d sources", res, len(d.Sources))
	}
	if got := testenv.Fingerprint(t, s); got != want {
		t.Error("the streamed load wrote another graph than Import of the same dataset")
	}
	markers, err := s.Cypher(ctx, graph.CypherQuery{Query: "MATCH (m:ImportRun) RETURN count(m) AS n", Limit: 1})
	if err != nil || markers.Rows[0]["n"] != int64(0) {
		t.Errorf("import markers left: %v %v", markers, err)
	}

	// The same files again, now into a database that holds them: one transaction, which changes nothing.
	again, err := seed.LoadStream(ctx, s, paths)
	if err != nil {
		t.Fatal(err)
	}
	if again.NodesCreated != 0 || again.RelationshipsCreated != 0 || testenv.Fingerprint(t, s) != want {
		t.Errorf("loading again created %d nodes and %d relationships, or changed the graph", again.NodesCreated, again.RelationshipsCreated)
	}

	for _, tc := range []struct {
		name   string
		change func(b []byte) []byte
	}{
		{"a relation's confidence changed", func(b []byte) []byte {
			i := bytes.LastIndex(b, []byte(`"confidence":0.`))
			b[i+len(`"confidence":0.`)] ^= 1 // another digit, same length
			return b
		}},
		{"the last relation removed", func(b []byte) []byte {
			return b[:bytes.LastIndexByte(b[:len(b)-1], '\n')+1]
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			paths := streamFiles(t, d)
			if err := s.Wipe(ctx); err != nil {
				t.Fatal(err)
			}
			st, err := seed.CheckStream(ctx, s, paths)
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(paths[1])
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(paths[1], tc.change(b), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = s.ImportStream(ctx, st)
			var ge *graph.Error
			if !errors.As(err, &ge) || ge.Code != graph.EINVALID || ge.Field != "file" || !strings.Contains(err.Error(), "b.ndjson changed after it was checked") {
				t.Errorf("error %v, want INVALID on field file: b.ndjson changed", err)
			}
			if a, r := count(t, s); a != 0 || r != 0 {
				t.Errorf("the failed load left %d actors and %d relations", a, r)
			}
		})
	}
}
