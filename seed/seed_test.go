package seed_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/actorgraph/actorgraph/bench/gen"
	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/internal/testenv"
	"github.com/actorgraph/actorgraph/seed"
)

func parseDefault(t *testing.T) *seed.Parsed {
	t.Helper()
	files, err := seed.Default()
	if err != nil {
		t.Fatal(err)
	}
	p, err := seed.Parse(files)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(context.Background(), nil); err != nil {
		t.Fatalf("the seed dataset does not validate on its own: %v", err)
	}
	return p
}

// TestSeedCoverage checks the dataset itself: the floors, every document contributing, every actor linked
// and cited, every relation cited.
func TestSeedCoverage(t *testing.T) {
	p := parseDefault(t)
	if len(p.Actors) < 200 {
		t.Errorf("actors: %d, want at least 200", len(p.Actors))
	}
	if len(p.Relations) < 500 {
		t.Errorf("relations: %d, want at least 500", len(p.Relations))
	}
	linked := map[string]bool{}
	cited := map[string]int{}
	for _, r := range p.Relations {
		linked[r.From], linked[r.To] = true, true
		for _, e := range r.Evidence {
			cited[e.Source]++
		}
	}
	for _, a := range p.Actors {
		if !linked[a.ID] {
			t.Errorf("actor %s has no relation", a.ID)
		}
		if a.Description == "" {
			t.Errorf("actor %s has no description", a.ID)
		}
		for _, e := range a.Evidence {
			cited[e.Source]++
		}
	}
	for _, s := range p.Sources {
		if cited[s.ID] < 20 {
			t.Errorf("source %s is cited %d times; every document must contribute", s.ID, cited[s.ID])
		}
	}
}

// TestSeedLoad loads the seed into the real Neo4j twice: the counts match the files, and the second load
// changes no count and no property.
func TestSeedLoad(t *testing.T) {
	s := testenv.Seeded(t)
	ctx := context.Background()
	p := parseDefault(t)
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Actors != len(p.Actors) || st.Relations != len(p.Relations) || st.Sources != len(p.Sources) {
		t.Fatalf("stats %d actors / %d relations / %d sources, files hold %d / %d / %d",
			st.Actors, st.Relations, st.Sources, len(p.Actors), len(p.Relations), len(p.Sources))
	}
	before, err := s.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := seed.Default()
	res, err := seed.Load(ctx, s, files)
	if err != nil {
		t.Fatal(err)
	}
	if res.NodesCreated != 0 || res.RelationshipsCreated != 0 {
		t.Errorf("second load created %d nodes and %d relationships", res.NodesCreated, res.RelationshipsCreated)
	}
	after, err := s.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Error("second load changed the graph's fingerprint")
	}
	st2, _ := s.Stats(ctx)
	if st2.Actors != st.Actors || st2.Relations != st.Relations {
		t.Errorf("counts changed: %+v -> %+v", st, st2)
	}
}

// relation finds one relation of an actor by id, through the store's public API.
func relation(t *testing.T, g graph.Graph, actor, id string) *graph.Relation {
	t.Helper()
	pages, err := g.Relations(context.Background(), []string{actor}, graph.RelationsQuery{First: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range pages[0].Relations {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("relation %s not found among the %d relations of %s", id, pages[0].TotalCount, actor)
	return nil
}

func hasSource(ev []*graph.Evidence, source string) bool {
	return slices.ContainsFunc(ev, func(e *graph.Evidence) bool {
		return e.Source.ID == source && e.Line != nil && *e.Line > 0 && e.Claim != ""
	})
}

// TestSeedFacts checks specific facts of the documents, with their evidence.
func TestSeedFacts(t *testing.T) {
	s := testenv.Seeded(t)
	ctx := context.Background()

	ghafari, err := s.Actor(ctx, "sanaullah-ghafari")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ghafari.Aliases, "Shahab al-Muhajir") {
		t.Errorf("sanaullah-ghafari aliases %v lack Shahab al-Muhajir", ghafari.Aliases)
	}
	iskp, err := s.Actor(ctx, "iskp")
	if err != nil {
		t.Fatal(err)
	}
	for _, alias := range []string{"ISKP", "ISIS-K", "IS-K", "ISK", "Wilayat Khorasan"} {
		if !slices.Contains(iskp.Aliases, alias) {
			t.Errorf("iskp aliases %v lack %s", iskp.Aliases, alias)
		}
	}
	turkey, err := s.Actor(ctx, "turkey")
	if err != nil {
		t.Fatal(err)
	}
	if turkey.Kind != graph.KindCountry || turkey.CountryCode == nil || *turkey.CountryCode != "TR" || !slices.Contains(turkey.Aliases, "Türkiye") {
		t.Errorf("turkey: %+v", turkey)
	}

	tests := []struct {
		actor, id      string
		since          string
		source         string
		via            []string
		wantStatusSome []graph.Status
	}{
		{"sanaullah-ghafari", "sanaullah-ghafari:LEADS:iskp", "2020-06", "joscelyn-2021", nil, []graph.Status{graph.Stated}},
		{"al-karrar-office", "al-karrar-office:BASED_IN:somalia", "", "stimson-2024", nil, nil},
		{"al-karrar-office", "al-karrar-office:FUNDS:abu-miskin", "", "stimson-2024", []string{"turkey"}, nil},
		{"abu-miskin", "abu-miskin:FUNDS:iskp", "", "stimson-2024", []string{"turkey"}, nil},
		{"turkey", "turkey:ARRESTED:abu-miskin", "", "stimson-2024", nil, nil},
		{"iskp", "iskp:RIVAL_OF:taliban", "2015", "", nil, []graph.Status{graph.Stated}},
		{"iskp", "iskp:BRANCH_OF:islamic-state", "", "", nil, nil},
		{"al-siddiq-office", "al-siddiq-office:FINANCE_OFFICE_OF:iskp", "", "stimson-2024", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			r := relation(t, s, tc.actor, tc.id)
			if tc.since != "" && (r.Since == nil || *r.Since != tc.since) {
				t.Errorf("since = %v, want %s", r.Since, tc.since)
			}
			if len(r.Evidence) == 0 {
				t.Error("no evidence")
			}
			if tc.source != "" && !hasSource(r.Evidence, tc.source) {
				t.Errorf("no citation of %s with a line and a claim: %+v", tc.source, r.Evidence)
			}
			var via []string
			for _, a := range r.Via {
				via = append(via, a.ID)
			}
			if !slices.Equal(via, tc.via) {
				t.Errorf("via = %v, want %v", via, tc.via)
			}
			if tc.wantStatusSome != nil && !slices.Contains(tc.wantStatusSome, r.Status) {
				t.Errorf("status = %s, want one of %v", r.Status, tc.wantStatusSome)
			}
		})
	}
}

// rejected checks that err is an INVALID error containing each of want, whose field is field or ends with
// " "+field (when field is set), and that the database's fingerprint is still before.
func rejected(t *testing.T, s *graph.Store, before string, err error, want []string, field string) {
	t.Helper()
	if err == nil {
		t.Fatal("accepted")
	}
	if code := graph.ErrorCode(err); code != graph.EINVALID {
		t.Errorf("code %s, want INVALID", code)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%.500v", w, err)
		}
	}
	var ge *graph.Error
	if field != "" && (!errors.As(err, &ge) || (ge.Field != field && !strings.HasSuffix(ge.Field, " "+field))) {
		t.Errorf("error field %q, want %q or one ending with it", ge.Field, field)
	}
	if testenv.Fingerprint(t, s) != before {
		t.Fatal("the rejected import changed the database")
	}
}

// TestImportRejects feeds malformed datasets to the loader: each is rejected with an error naming the
// file, the entry and the field, and the database is left exactly as it was.
func TestImportRejects(t *testing.T) {
	s := testenv.Seeded(t)
	ctx := context.Background()
	before := testenv.Fingerprint(t, s)
	// A valid new actor precedes each fault, so that a partial write would show.
	const head = `actors:
  - id: new-test-group
    kind: GROUP
    name: New Test Group
    description: A group that exists only in this test.
    evidence: [{source: rusi-2023, line: 10, claim: A test claim.}]
`
	goodRel := `relations:
  - {type: RIVAL_OF, from: new-test-group, to: iskp, status: STATED, confidence: 0.9,
     evidence: [{source: rusi-2023, line: 10, claim: A test claim.}]}
`
	tests := []struct {
		name  string
		file  string
		want  []string // each must appear in the error
		field string   // extensions field
	}{
		{"unknown actor in relation", head + `relations:
  - {type: RIVAL_OF, from: new-test-group, to: no-such-actor, status: STATED, confidence: 0.9,
     evidence: [{source: rusi-2023, line: 10, claim: c}]}
`, []string{"bad.yaml:8", "relations[0] (new-test-group:RIVAL_OF:no-such-actor)", "to", `unknown actor "no-such-actor"`}, "to"},
		{"unknown kind", strings.Replace(head, "kind: GROUP", "kind: MILITIA", 1) + goodRel,
			[]string{"bad.yaml:2", "actors[0] (new-test-group)", "kind", `unknown kind "MILITIA"`}, "kind"},
		{"unknown type", head + strings.Replace(goodRel, "RIVAL_OF", "HATES", 1),
			[]string{"relations[0] (new-test-group:HATES:iskp)", "type", `unknown relation type "HATES"`}, "type"},
		{"missing citation", head + `relations:
  - {type: RIVAL_OF, from: new-test-group, to: iskp, status: STATED, confidence: 0.9}
`, []string{"relations[0]", "evidence", "needs at least one citation"}, "evidence"},
		{"citation of unknown source", head + strings.Replace(goodRel, "source: rusi-2023", "source: no-such-doc", 1),
			[]string{"relations[0]", "evidence[0].source", `unknown source "no-such-doc"`}, "evidence[0].source"},
		{"bad date", head + strings.Replace(goodRel, "status: STATED", `since: "2021-13", status: STATED`, 1),
			[]string{"relations[0]", "since", "month must be 01 to 12"}, "since"},
		{"impossible day", head + strings.Replace(goodRel, "status: STATED", `until: "2023-02-30", status: STATED`, 1),
			[]string{"relations[0]", "until", "has no day 30"}, "until"},
		{"duplicate actor id", head + strings.Replace(head, "actors:\n", "", 1) + goodRel,
			[]string{"actors[1] (new-test-group)", "id", `duplicate id "new-test-group"`}, "id"},
		{"duplicate relation", head + goodRel + strings.Replace(goodRel, "relations:\n", "", 1),
			[]string{"relations[1] (new-test-group:RIVAL_OF:iskp)", "id", "duplicate relation"}, "id"},
		{"confidence out of range", head + strings.Replace(goodRel, "confidence: 0.9", "confidence: 1.5", 1),
			[]string{"relations[0]", "confidence", "between 0 and 1"}, "confidence"},
		{"unknown status", head + strings.Replace(goodRel, "STATED", "RUMOURED", 1),
			[]string{"relations[0]", "status", `unknown status "RUMOURED"`}, "status"},
		{"misspelt field", head + strings.Replace(goodRel, "status:", "statuss:", 1),
			[]string{"bad.yaml", "statuss", "not found"}, ""},
		{"wrong value type", head + strings.Replace(goodRel, "confidence: 0.9", "confidence: high", 1),
			[]string{"bad.yaml", "high"}, ""},
		{"yaml syntax", head + "relations: [\n", []string{"bad.yaml"}, ""},
		{"bad slug", strings.Replace(head, "id: new-test-group", "id: New Group", 1),
			[]string{"actors[0] (New Group)", "id", "lowercase slug"}, "id"},
		{"via on a non-funding relation", head + strings.Replace(goodRel, "status: STATED", "via: [turkey], status: STATED", 1),
			[]string{"relations[0]", "via", "only a FUNDS relation"}, "via"},
		{"country code on a group", strings.Replace(head, "kind: GROUP", "kind: GROUP\n    countryCode: AF", 1) + goodRel,
			[]string{"actors[0]", "countryCode", "only a COUNTRY"}, "countryCode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := seed.Load(ctx, s, []seed.File{{Name: "bad.yaml", Data: []byte(tc.file)}})
			rejected(t, s, before, err, tc.want, tc.field)
		})
	}

	// The same dataset without a fault loads, and refers to a seed actor it does not declare.
	res, err := seed.Load(ctx, s, []seed.File{{Name: "good.yaml", Data: []byte(head + goodRel)}})
	if err != nil {
		t.Fatalf("the valid dataset was rejected: %v", err)
	}
	if res.NodesCreated != 1 || res.RelationshipsCreated != 1 {
		t.Errorf("valid import created %d nodes and %d relationships, want 1 and 1", res.NodesCreated, res.RelationshipsCreated)
	}
}

// TestWriteYAML writes a generated dataset (every kind and relation type, dates, routes, keys, evidence)
// with WriteYAML and parses it back: the same dataset.
func TestWriteYAML(t *testing.T) {
	d := gen.Generate(5, gen.Scale{Name: "test", Actors: 300, Relations: 1200}).Dataset
	var b bytes.Buffer
	if err := seed.WriteYAML(&b, d); err != nil {
		t.Fatal(err)
	}
	p, err := seed.Parse([]seed.File{{Name: "gen.yaml", Data: b.Bytes()}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&p.Dataset, d) {
		for i := range d.Relations {
			if !reflect.DeepEqual(p.Relations[i], d.Relations[i]) {
				t.Fatalf("relation %d: parsed %+v, written %+v", i, p.Relations[i], d.Relations[i])
			}
		}
		t.Fatal("the parsed dataset differs from the written one")
	}
}
