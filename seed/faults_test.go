package seed_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

// synthetic is a dataset big enough for an import to take a few seconds: actors gen-0..gen-(n-1) and
// rels relations among them, plus one hub with many relations for the merge test.
func synthetic(n, rels int) *graph.Dataset {
	d := &graph.Dataset{Sources: []graph.SourceInput{{ID: "gen-source", Title: "Synthetic"}}}
	ev := []graph.EvidenceInput{{Source: "gen-source", Line: 1, Claim: "Synthetic claim."}}
	for i := range n {
		d.Actors = append(d.Actors, graph.ActorInput{ID: fmt.Sprintf("gen-%d", i), Kind: graph.KindGroup,
			Name: fmt.Sprintf("Generated Group %d", i), Evidence: ev})
	}
	conf := 0.7
	types := []graph.RelType{graph.AlliedWith, graph.RivalOf, graph.Supports, graph.RecruitsFrom}
	for i := range rels {
		from, to := i%n, (i*7919+1)%n
		if from == to {
			to = (to + 1) % n
		}
		d.Relations = append(d.Relations, graph.RelationInput{Type: types[i%len(types)], From: fmt.Sprintf("gen-%d", from),
			To: fmt.Sprintf("gen-%d", to), Key: fmt.Sprintf("k%d", i), Status: graph.Stated, Confidence: &conf, Evidence: ev})
	}
	return d
}

func count(t *testing.T, s *graph.Store) (actors, relations int) {
	t.Helper()
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Actors, st.Relations
}

// TestKilledImport kills Neo4j with SIGKILL in the middle of an import into an empty database, which is an
// initial load committed in chunks: afterwards the database may hold part of it (and its marker), and the next
// Import removes that part first and loads the same graph, by fingerprint, as an uninterrupted import.
func TestKilledImport(t *testing.T) {
	n := testenv.StartNeo4j(t, 7692)
	open := func() *graph.Store {
		cfg := testenv.Config(n.URI())
		s, err := graph.Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		testenv.WaitReady(t, s, 2*time.Minute)
		return s
	}
	s := open()
	ctx := context.Background()
	d := synthetic(10000, 60000)
	if errs := d.Validate(nil, nil); len(errs) > 0 {
		t.Fatal(errs[0])
	}
	// Time a whole import, so that the kill lands in the middle of the next one on any machine; the second
	// of two timed imports, since the first runs cold and slower. Its fingerprint is the one to get back.
	var took time.Duration
	var want string
	for range 2 {
		start := time.Now()
		if _, err := s.Import(ctx, d); err != nil {
			t.Fatal(err)
		}
		took = time.Since(start)
		var err error
		if want, err = s.Fingerprint(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Wipe(ctx); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("a whole import takes %s; killing neo4j %s into the next", took, took/2)
	done := make(chan error, 1)
	go func() {
		_, err := s.Import(ctx, d)
		done <- err
	}()
	time.Sleep(took / 2)
	n.Kill()
	err := <-done
	s.Close(ctx)
	if err == nil {
		t.Fatal("the import finished before neo4j was killed; make the dataset bigger")
	}
	if code := graph.ErrorCode(err); code != graph.EUNAVAILABLE {
		t.Errorf("killed import: code %s (%v), want UNAVAILABLE", code, err)
	}
	n.Start()
	s = open()
	defer s.Close(ctx)
	a, r := count(t, s)
	t.Logf("after the kill the database holds %d actors and %d relations of the unfinished load", a, r)
	res, err := s.Import(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if a, r := count(t, s); a != len(d.Actors) || r != len(d.Relations) || res.RelationshipsCreated != len(d.Relations) {
		t.Fatalf("rerun: %d actors and %d relations, want %d and %d", a, r, len(d.Actors), len(d.Relations))
	}
	if got, err := s.Fingerprint(ctx); err != nil || got != want {
		t.Fatalf("rerun: fingerprint %s (%v), want %s (an uninterrupted import)", got, err, want)
	}
}

// TestKilledMerge kills Neo4j while a merge of an actor with many relations runs: afterwards the merge
// either happened whole or not at all.
func TestKilledMerge(t *testing.T) {
	n := testenv.StartNeo4j(t, 7693)
	open := func() *graph.Store {
		s, err := graph.Open(testenv.Config(n.URI()))
		if err != nil {
			t.Fatal(err)
		}
		testenv.WaitReady(t, s, 2*time.Minute)
		return s
	}
	s := open()
	d := synthetic(2000, 60000) // gen-0 .. gen-1999, each with ~60 relations
	if _, err := s.Import(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	_, relsBefore := count(t, s)
	editor := graph.WithPrincipal(context.Background(), &graph.Principal{Name: "test", Role: graph.RoleEditor})
	done := make(chan error, 1)
	go func() {
		_, err := s.MergeActors(editor, "gen-1", "gen-0", 1)
		done <- err
	}()
	time.Sleep(150 * time.Millisecond)
	n.Kill()
	err := <-done
	s.Close(context.Background())
	n.Start()
	s = open()
	defer s.Close(context.Background())
	_, relsAfter := count(t, s)
	_, dupErr := s.Actor(context.Background(), "gen-1")
	dup, _ := s.Actor(context.Background(), "gen-1")
	merged := dupErr == nil && dup.ID == "gen-0" // the old id resolves to the canonical actor
	t.Logf("merge error %v; merged %v", err, merged)
	pages, perr := s.Relations(context.Background(), []string{"gen-0", "gen-1"}, graph.RelationsQuery{First: 1})
	if perr != nil {
		t.Fatal(perr)
	}
	if merged {
		if pages[1].TotalCount != 0 {
			t.Errorf("merged, but gen-1 still has %d relations", pages[1].TotalCount)
		}
	} else {
		if err == nil {
			t.Fatal("the merge reported success but did not happen")
		}
		if dup == nil || dup.ID != "gen-1" {
			t.Fatalf("not merged, but gen-1 is %+v", dup)
		}
		if relsAfter != relsBefore {
			t.Errorf("not merged, but the relation count moved from %d to %d", relsBefore, relsAfter)
		}
	}
}
