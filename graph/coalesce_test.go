package graph_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

// TestCoalescedReads checks Config.MaxLookups with one turn: while an actor lookup (or a depth-1
// neighbourhood, or a shortest path) holds the turn, its statement stopped before it reaches Neo4j, the reads asked meanwhile
// wait; once it is released, the waiting reads of one shape go to Neo4j as one statement, and each gets the
// answer it gets alone: the same actor or subgraph, NOT_FOUND for an unknown id, the canonical actor for a
// merged id. A read whose context ends while it waits fails with TIMEOUT and is not sent.
func TestCoalescedReads(t *testing.T) {
	testenv.Seeded(t)
	var gate atomic.Pointer[chan struct{}] // when set, single-actor statements wait for it to close
	reached := make(chan struct{}, 1)
	var mu sync.Mutex
	var batches []string // "actor" or "neighbourhood", then the ids of each statement sent for several reads
	cfg := testenv.Config(testenv.RequireNeo4j(t))
	cfg.MaxLookups = 1
	cfg.Trace = func(cypher string, params map[string]any) {
		if ids, ok := params["ids"].([]string); ok && strings.HasPrefix(cypher, "UNWIND $ids AS id\n") {
			kind := "actor"
			if strings.Contains(cypher, "CALL (id)") {
				kind = "neighbourhood"
			}
			mu.Lock()
			batches = append(batches, kind+" "+strings.Join(slices.Sorted(slices.Values(ids)), ","))
			mu.Unlock()
		}
		if pairs, ok := params["pairs"].([][]string); ok && strings.HasPrefix(cypher, "UNWIND range(0, size($pairs) - 1) AS i\n") {
			var keys []string
			for _, p := range pairs {
				keys = append(keys, p[0]+">"+p[1])
			}
			mu.Lock()
			batches = append(batches, "shortestPath "+strings.Join(slices.Sorted(slices.Values(keys)), ","))
			mu.Unlock()
		}
		_, one := params["id"]
		if _, ok := params["from"]; ok && strings.HasPrefix(cypher, "OPTIONAL MATCH (a:Actor {id: $from})") {
			one = true
		}
		if one {
			if g := gate.Load(); g != nil {
				reached <- struct{}{}
				<-*g
			}
		}
	}
	s := testenv.Open(t, cfg)
	ctx := context.Background()
	sent := func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(batches) }

	canonical, err := s.Actor(ctx, "abu-miskin")
	if err != nil {
		t.Fatal(err)
	}
	editor := graph.WithPrincipal(ctx, &graph.Principal{Name: "test", Role: graph.RoleEditor})
	if _, err := s.UpsertActor(editor, graph.ActorInput{ID: "dodihudoevich", Kind: graph.KindPerson, Name: "Dodihudoevich",
		Evidence: []graph.EvidenceInput{{Source: "stimson-2024", Line: 144, Claim: "Test duplicate."}}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MergeActors(editor, "dodihudoevich", "abu-miskin", canonical.Version); err != nil {
		t.Fatal(err)
	}

	// hold takes the only turn of a kind with a read whose statement waits for the gate; the returned func
	// releases it and waits for the read.
	hold := func(read func() error) (release func()) {
		t.Helper()
		g := make(chan struct{})
		gate.Store(&g)
		done := make(chan error, 1)
		go func() { done <- read() }()
		select {
		case <-reached:
		case <-time.After(10 * time.Second):
			t.Fatal("the holding read never reached Neo4j")
		}
		return func() {
			gate.Store(nil)
			close(g)
			if err := <-done; err != nil {
				t.Errorf("holding read: %v", err)
			}
		}
	}
	// together runs the reads at once while the turn is held, once all of them wait, releases the turn
	// and returns what each read answered.
	together := func(kind string, reads []func() string, holder func() error) []string {
		t.Helper()
		release := hold(holder)
		got := make([]string, len(reads))
		var wg sync.WaitGroup
		for i, read := range reads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i] = read()
			}()
		}
		waitFor(t, fmt.Sprintf("%d %s reads waiting", len(reads), kind), func() bool { return s.Coalescing(kind).Waiting == len(reads) })
		release()
		wg.Wait()
		return got
	}

	t.Run("actors", func(t *testing.T) {
		ids := []string{"iskp", "taliban", "no-such-actor", "dodihudoevich", "iskp", "al-karrar-office"}
		say := func(a *graph.Actor) string {
			return fmt.Sprintf("%s %q %s degree %d, %d citations, version %d", a.ID, a.Name, a.Kind, a.Degree, len(a.Evidence), a.Version)
		}
		var want []string
		var reads []func() string
		for _, id := range ids {
			read := describe(func() (*graph.Actor, error) { return s.Actor(ctx, id) }, say)
			want = append(want, read()) // alone: the turn is free
			reads = append(reads, read)
		}
		if want[2] != "NOT_FOUND id" || !strings.HasPrefix(want[3], "abu-miskin ") {
			t.Fatalf("alone: unknown id gives %q, merged id %q; want NOT_FOUND id and abu-miskin", want[2], want[3])
		}
		before, sentBefore := s.Coalescing(graph.CoalesceActor), len(sent())
		got := together(graph.CoalesceActor, reads, func() error { _, err := s.Actor(ctx, "turkey"); return err })
		for i := range ids {
			if got[i] != want[i] {
				t.Errorf("%s coalesced: %s; alone: %s", ids[i], got[i], want[i])
			}
		}
		// the last batch hands its turn back just after answering
		waitFor(t, "the actor turn to be free", func() bool { return s.Coalescing(graph.CoalesceActor).Running == 0 })
		after := s.Coalescing(graph.CoalesceActor)
		if after.Batches-before.Batches != 1 || after.Batched-before.Batched != int64(len(ids)) {
			t.Errorf("coalescing went %+v -> %+v; want 1 statement for %d reads", before, after, len(ids))
		}
		if b := sent()[sentBefore:]; !slices.Equal(b, []string{"actor al-karrar-office,dodihudoevich,iskp,no-such-actor,taliban"}) {
			t.Errorf("statements for several reads: %q; want one over the 5 distinct ids", b)
		}
		if after.Running != 0 || after.Waiting != 0 || after.Max != 1 {
			t.Errorf("at rest: %+v; want no read running or waiting, Max 1", after)
		}
	})

	t.Run("a read whose context ends while it waits", func(t *testing.T) {
		release := hold(func() error { _, err := s.Actor(ctx, "turkey"); return err })
		short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := s.Actor(short, "iskp")
		took := time.Since(start)
		if graph.ErrorCode(err) != graph.ETIMEOUT || took > 5*time.Second {
			t.Errorf("waiting read: %v after %s; want TIMEOUT when its context ends", err, took)
		}
		if c := s.Coalescing(graph.CoalesceActor); c.Waiting != 0 || c.Running != 1 {
			t.Errorf("after it gave up: %+v; want nothing waiting and the holder running", c)
		}
		sentBefore := len(sent())
		release()
		if b := sent()[sentBefore:]; len(b) != 0 {
			t.Errorf("statements sent for reads that gave up: %q", b)
		}
	})

	t.Run("depth-1 neighbourhoods, two shapes", func(t *testing.T) {
		strong := 0.8
		type ask struct {
			id     string
			filter graph.Filter
		}
		asks := []ask{{"iskp", graph.Filter{}}, {"taliban", graph.Filter{}}, {"no-such-actor", graph.Filter{}},
			{"iskp", graph.Filter{MinConfidence: &strong}}, {"al-karrar-office", graph.Filter{MinConfidence: &strong}}}
		say := func(g *graph.Subgraph) string {
			var b strings.Builder
			for _, n := range g.Nodes {
				b.WriteString(n.ID + " ")
			}
			b.WriteString("|")
			for _, e := range g.Edges {
				fmt.Fprintf(&b, " %s %s->%s", e.ID, e.From.ID, e.To.ID)
			}
			fmt.Fprintf(&b, " | omitted %d", g.Omitted)
			return b.String()
		}
		var want []string
		var reads []func() string
		for _, a := range asks {
			read := describe(func() (*graph.Subgraph, error) {
				return s.Neighbourhood(ctx, graph.NeighbourhoodQuery{ID: a.id, Depth: 1, Filter: a.filter, Limit: 50, PerNodeLimit: 25})
			}, say)
			want = append(want, read()) // alone: the turn is free
			reads = append(reads, read)
		}
		if want[0] == want[3] || want[2] != "NOT_FOUND id" {
			t.Fatalf("alone: the filter changes nothing (%q) or the unknown id gives %q", want[0], want[2])
		}
		before, sentBefore := s.Coalescing(graph.CoalesceNeighbourhood), len(sent())
		got := together(graph.CoalesceNeighbourhood, reads, func() error {
			_, err := s.Neighbourhood(ctx, graph.NeighbourhoodQuery{ID: "turkey", Depth: 1, Limit: 50, PerNodeLimit: 25})
			return err
		})
		for i, a := range asks {
			if got[i] != want[i] {
				t.Errorf("%s (min confidence %v) coalesced:\n%s\nalone:\n%s", a.id, a.filter.MinConfidence != nil, got[i], want[i])
			}
		}
		after := s.Coalescing(graph.CoalesceNeighbourhood)
		if after.Batches-before.Batches != 2 || after.Batched-before.Batched != int64(len(asks)) {
			t.Errorf("coalescing went %+v -> %+v; want 2 statements (one per shape) for %d reads", before, after, len(asks))
		}
		b := sent()[sentBefore:]
		slices.Sort(b)
		if !slices.Equal(b, []string{"neighbourhood al-karrar-office,iskp", "neighbourhood iskp,no-such-actor,taliban"}) {
			t.Errorf("statements for several reads: %q; want one per shape", b)
		}
	})

	t.Run("shortest paths, two shapes, more than a batch holds", func(t *testing.T) {
		type ask struct {
			from, to string
			avoid    []string
		}
		// Ten pairs of one shape (two more than MaxCoalescePaths, two of them with an unknown end) and two
		// of another (avoiding turkey).
		asks := []ask{{"iskp", "taliban", nil}, {"ttp", "al-qaeda", nil}, {"al-karrar-office", "iskp", nil},
			{"haqqani-network", "islamic-state", nil}, {"pakistan", "al-karrar-office", nil}, {"ttp", "iskp", nil},
			{"afghanistan", "al-qaeda", nil}, {"taliban", "haqqani-network", nil}, {"no-such-actor", "iskp", nil},
			{"iskp", "no-such-actor", nil},
			{"istanbul", "turkey-crackdown-on-iskp-2022", []string{"turkey"}}, {"istanbul", "abu-miskin", []string{"turkey"}}}
		say := func(p *graph.Path) string {
			if p == nil {
				return "no path"
			}
			var b strings.Builder
			for i, e := range p.Edges {
				fmt.Fprintf(&b, "%s %s ", p.Nodes[i].ID, e.ID)
			}
			fmt.Fprintf(&b, "%s, credibility %v", p.Nodes[len(p.Nodes)-1].ID, p.Credibility)
			return b.String()
		}
		var want []string
		var reads []func() string
		for _, a := range asks {
			read := describe(func() (*graph.Path, error) {
				return s.ShortestPath(ctx, graph.PathQuery{From: a.from, To: a.to, MaxHops: 4, Avoid: a.avoid})
			}, say)
			want = append(want, read()) // alone: the turn is free
			reads = append(reads, read)
		}
		through := describe(func() (*graph.Path, error) {
			return s.ShortestPath(ctx, graph.PathQuery{From: "istanbul", To: "turkey-crackdown-on-iskp-2022", MaxHops: 4})
		}, say)()
		if want[8] != "NOT_FOUND from" || want[9] != "NOT_FOUND to" || want[10] == through || strings.HasPrefix(want[0], "no path") {
			t.Fatalf("alone: unknown ends give %q and %q, avoiding turkey changes nothing (%q), iskp-taliban gives %q", want[8], want[9], through, want[0])
		}
		before, sentBefore := s.Coalescing(graph.CoalesceShortestPath), len(sent())
		got := together(graph.CoalesceShortestPath, reads, func() error {
			_, err := s.ShortestPath(ctx, graph.PathQuery{From: "turkey", To: "iskp", MaxHops: 4})
			return err
		})
		for i, a := range asks {
			if got[i] != want[i] {
				t.Errorf("%s to %s (avoid %v) coalesced:\n%s\nalone:\n%s", a.from, a.to, a.avoid, got[i], want[i])
			}
		}
		waitFor(t, "the shortest path turn to be free", func() bool { return s.Coalescing(graph.CoalesceShortestPath).Running == 0 })
		after := s.Coalescing(graph.CoalesceShortestPath)
		if after.Batches-before.Batches != 3 || after.Batched-before.Batched != int64(len(asks)) {
			t.Errorf("coalescing went %+v -> %+v; want 3 statements (8 and 2 of one shape, 2 of the other) for %d reads", before, after, len(asks))
		}
		var sizes []int
		var pairs []string
		for _, b := range sent()[sentBefore:] {
			keys := strings.Split(strings.TrimPrefix(b, "shortestPath "), ",")
			sizes = append(sizes, len(keys))
			pairs = append(pairs, keys...)
		}
		slices.Sort(sizes)
		slices.Sort(pairs)
		var wantPairs []string
		for _, a := range asks {
			wantPairs = append(wantPairs, a.from+">"+a.to)
		}
		slices.Sort(wantPairs)
		if !slices.Equal(sizes, []int{2, 2, graph.MaxCoalescePaths}) || !slices.Equal(pairs, wantPairs) {
			t.Errorf("statements for several reads: sizes %v over %q; want 2, 2 and %d over every pair once", sizes, pairs, graph.MaxCoalescePaths)
		}
	})
}

// describe is read answering with say's description of its value, or with its error's code and field.
func describe[T any](read func() (T, error), say func(T) string) func() string {
	return func() string {
		v, err := read()
		if err != nil {
			return codeField(err)
		}
		return say(v)
	}
}

// codeField is an error's code and field ("NOT_FOUND id").
func codeField(err error) string {
	var e *graph.Error
	if errors.As(err, &e) {
		return e.Code + " " + e.Field
	}
	return graph.EINTERNAL + " " + err.Error()
}
