package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/httpapi"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

// api is a running service over the seeded test Neo4j.
type api struct {
	t     *testing.T
	url   string
	store *graph.Store
}

func newAPI(t *testing.T) *api {
	t.Helper()
	store := testenv.Seeded(t)
	srv := httptest.NewServer(httpapi.New(store, httpapi.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)
	return &api{t: t, url: srv.URL, store: store}
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// query posts a GraphQL query and decodes its data into out (which may be nil).
func (a *api) query(q string, vars map[string]any, out any) []gqlError {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	resp, err := http.Post(a.url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		a.t.Fatal(err)
	}
	if out != nil && len(r.Data) > 0 && string(r.Data) != "null" {
		if err := json.Unmarshal(r.Data, out); err != nil {
			a.t.Fatalf("decoding %s: %v", r.Data, err)
		}
	}
	return r.Errors
}

// mustQuery is query that fails the test on any GraphQL error.
func (a *api) mustQuery(q string, vars map[string]any, out any) {
	a.t.Helper()
	if errs := a.query(q, vars, out); len(errs) > 0 {
		a.t.Fatalf("%s: %+v", q, errs)
	}
}

type node struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
}

type edge struct {
	ID     string  `json:"id"`
	Type   string  `json:"type"`
	From   node    `json:"from"`
	To     node    `json:"to"`
	Since  *string `json:"since"`
	Status string  `json:"status"`
	Via    []node  `json:"via"`
}

type subgraph struct {
	Nodes     []node `json:"nodes"`
	Edges     []edge `json:"edges"`
	Truncated bool   `json:"truncated"`
	Omitted   int    `json:"omitted"`
}

type path struct {
	Nodes       []node  `json:"nodes"`
	Edges       []edge  `json:"edges"`
	Length      int     `json:"length"`
	Credibility float64 `json:"credibility"`
}

func ids(ns []node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

const subgraphFields = `nodes { id kind } edges { id type since status from { id } to { id } via { id } } truncated omitted`
const pathFields = `nodes { id kind } edges { id type since status from { id } to { id } via { id } } length credibility`

// checkWalk asserts a path's shape: edges[i] joins nodes[i] and nodes[i+1], no actor repeats.
func checkWalk(t *testing.T, p path) {
	t.Helper()
	if p.Length != len(p.Edges) || len(p.Nodes) != len(p.Edges)+1 {
		t.Fatalf("path of length %d has %d nodes and %d edges", p.Length, len(p.Nodes), len(p.Edges))
	}
	for i, e := range p.Edges {
		a, b := p.Nodes[i].ID, p.Nodes[i+1].ID
		if !(e.From.ID == a && e.To.ID == b) && !(e.From.ID == b && e.To.ID == a) {
			t.Errorf("edge %d %s does not join %s and %s", i, e.ID, a, b)
		}
	}
	seen := map[string]bool{}
	for _, n := range p.Nodes {
		if seen[n.ID] {
			t.Errorf("path revisits %s: %v", n.ID, ids(p.Nodes))
		}
		seen[n.ID] = true
	}
}

func TestInvestigationAPI(t *testing.T) {
	a := newAPI(t)

	t.Run("search variants find their actor first", func(t *testing.T) {
		for _, tc := range []struct{ text, want string }{
			{"al-Sadiq", "al-siddiq-office"},
			{"al-Siddiq", "al-siddiq-office"},
			{"ISIS-K", "iskp"},
			{"IS-K", "iskp"},
			{"isis k", "iskp"},
			{"Wilayat Khorasan", "iskp"},
			{"Shahab al-Muhajir", "sanaullah-ghafari"},
			{"Turkiye", "turkey"},
			{"TÜRKİYE", "turkey"},
			{"Karrar", "al-karrar-office"},
			{"Sanaulah Ghafari", "sanaullah-ghafari"}, // one typo
			{"Haqani network", "haqqani-network"},     // one typo
			{"taliban", "taliban"},
		} {
			var out struct {
				Search []struct {
					Score float64 `json:"score"`
					Actor node    `json:"actor"`
				} `json:"search"`
			}
			a.mustQuery(`query($t: String!) { search(text: $t) { score actor { id } } }`, map[string]any{"t": tc.text}, &out)
			if len(out.Search) == 0 || out.Search[0].Actor.ID != tc.want {
				t.Errorf("search %q: got %+v, want %s first", tc.text, out.Search, tc.want)
			}
		}
	})

	t.Run("search is restricted by kind", func(t *testing.T) {
		var out struct {
			Search []struct{ Actor node } `json:"search"`
		}
		a.mustQuery(`{ search(text: "Khorasan", kinds: [REGION]) { actor { id kind } } }`, nil, &out)
		for _, h := range out.Search {
			if h.Actor.Kind != "REGION" {
				t.Errorf("kinds [REGION] returned %+v", h.Actor)
			}
		}
	})

	t.Run("neighbourhood of ISKP at depth 1", func(t *testing.T) {
		var out struct{ Neighbourhood subgraph }
		a.mustQuery(`{ neighbourhood(id: "iskp", limit: 1000, perNodeLimit: 500) { `+subgraphFields+` } }`, nil, &out)
		g := out.Neighbourhood
		if g.Nodes[0].ID != "iskp" {
			t.Errorf("first node %s, want the start actor", g.Nodes[0].ID)
		}
		want := map[string]string{
			"iskp:RIVAL_OF:taliban":        "the Taliban as rival",
			"iskp:BRANCH_OF:islamic-state": "the Islamic State core as parent",
			"sanaullah-ghafari:LEADS:iskp": "its leader",
		}
		for _, e := range g.Edges {
			delete(want, e.ID)
			if e.From.ID != "iskp" && e.To.ID != "iskp" {
				t.Errorf("depth-1 edge %s does not touch iskp", e.ID)
			}
		}
		for id, what := range want {
			t.Errorf("neighbourhood lacks %s (%s)", id, what)
		}
		if g.Truncated || g.Omitted != 0 {
			t.Errorf("uncapped neighbourhood says truncated=%v omitted=%d", g.Truncated, g.Omitted)
		}
		nodes := ids(g.Nodes)
		for _, id := range []string{"taliban", "islamic-state", "sanaullah-ghafari"} {
			if !slices.Contains(nodes, id) {
				t.Errorf("nodes lack %s", id)
			}
		}
	})

	t.Run("neighbourhood caps fan-out and says what it left out", func(t *testing.T) {
		var full, capped struct{ Neighbourhood subgraph }
		a.mustQuery(`{ neighbourhood(id: "afghanistan", perNodeLimit: 500, limit: 1000) { `+subgraphFields+` } }`, nil, &full)
		a.mustQuery(`{ neighbourhood(id: "afghanistan", perNodeLimit: 5) { `+subgraphFields+` } }`, nil, &capped)
		if n := len(full.Neighbourhood.Edges); n <= 5 {
			t.Fatalf("afghanistan has only %d relations; the test needs a supernode", n)
		}
		g := capped.Neighbourhood
		if len(g.Edges) != 5 || len(g.Nodes) > 6 {
			t.Errorf("perNodeLimit 5 gave %d edges and %d nodes", len(g.Edges), len(g.Nodes))
		}
		if !g.Truncated || g.Omitted != len(full.Neighbourhood.Edges)-5 {
			t.Errorf("truncated=%v omitted=%d, want true and %d", g.Truncated, g.Omitted, len(full.Neighbourhood.Edges)-5)
		}
		var limited struct{ Neighbourhood subgraph }
		a.mustQuery(`{ neighbourhood(id: "iskp", depth: 2, limit: 10) { `+subgraphFields+` } }`, nil, &limited)
		if n := len(limited.Neighbourhood.Nodes); n != 10 || !limited.Neighbourhood.Truncated {
			t.Errorf("limit 10 at depth 2 gave %d nodes, truncated=%v", n, limited.Neighbourhood.Truncated)
		}
	})

	t.Run("neighbourhood filters by type, direction, kind and confidence", func(t *testing.T) {
		var out struct{ Neighbourhood subgraph }
		a.mustQuery(`{ neighbourhood(id: "iskp", types: [LEADS], direction: IN) { `+subgraphFields+` } }`, nil, &out)
		if len(out.Neighbourhood.Edges) == 0 {
			t.Fatal("iskp has no incoming LEADS")
		}
		for _, e := range out.Neighbourhood.Edges {
			if e.Type != "LEADS" || e.To.ID != "iskp" {
				t.Errorf("types [LEADS] direction IN returned %s", e.ID)
			}
		}
		a.mustQuery(`{ neighbourhood(id: "iskp", kinds: [COUNTRY]) { `+subgraphFields+` } }`, nil, &out)
		for _, n := range out.Neighbourhood.Nodes[1:] {
			if n.Kind != "COUNTRY" {
				t.Errorf("kinds [COUNTRY] returned %+v", n)
			}
		}
	})

	t.Run("asOf 2014 drops relations that began later", func(t *testing.T) {
		var now, then struct{ Neighbourhood subgraph }
		a.mustQuery(`{ neighbourhood(id: "iskp", limit: 1000, perNodeLimit: 500) { `+subgraphFields+` } }`, nil, &now)
		a.mustQuery(`{ neighbourhood(id: "iskp", asOf: "2014", limit: 1000, perNodeLimit: 500) { `+subgraphFields+` } }`, nil, &then)
		later := 0
		for _, e := range now.Neighbourhood.Edges {
			if e.Since != nil && *e.Since > "2014-12-31" {
				later++
			}
		}
		if later == 0 {
			t.Fatal("no relation of iskp began after 2014; the test proves nothing")
		}
		for _, e := range then.Neighbourhood.Edges {
			if e.Since != nil && *e.Since > "2014-12-31" {
				t.Errorf("asOf 2014 kept %s (since %s)", e.ID, *e.Since)
			}
			if e.ID == "iskp:RIVAL_OF:taliban" || e.ID == "sanaullah-ghafari:LEADS:iskp" {
				t.Errorf("asOf 2014 kept %s", e.ID)
			}
		}
		if len(then.Neighbourhood.Edges) != len(now.Neighbourhood.Edges)-later {
			t.Errorf("asOf 2014: %d edges, want %d - %d", len(then.Neighbourhood.Edges), len(now.Neighbourhood.Edges), later)
		}
	})

	t.Run("funding path from al-Karrar to ISKP passes Turkey", func(t *testing.T) {
		var out struct {
			Paths []path
			Ch    []struct {
				Funder    node
				Recipient node
				Via       []node
				Path      path
			} `json:"ch"`
			Th []struct {
				Funder node
				Via    []node
			} `json:"th"`
		}
		a.mustQuery(`{
  paths(from: "al-karrar-office", to: "iskp", types: [FUNDS], direction: OUT) { `+pathFields+` }
  ch: fundingChannels(recipient: "iskp") { funder { id } recipient { id } via { id } path { `+pathFields+` } }
  th: fundingChannels(through: "turkey") { funder { id } via { id } }
}`, nil, &out)
		if len(out.Paths) == 0 {
			t.Fatal("no funding path from al-karrar-office to iskp")
		}
		p := out.Paths[0]
		checkWalk(t, p)
		if got := ids(p.Nodes); !slices.Equal(got, []string{"al-karrar-office", "abu-miskin", "iskp"}) {
			t.Errorf("funding path %v", got)
		}
		for _, e := range p.Edges {
			if e.Type != "FUNDS" || !slices.Contains(ids(e.Via), "turkey") {
				t.Errorf("hop %s: type %s via %v, want FUNDS via turkey", e.ID, e.Type, ids(e.Via))
			}
		}
		found := false
		for _, c := range out.Ch {
			checkWalk(t, c.Path)
			if c.Recipient.ID != "iskp" {
				t.Errorf("channel into iskp ends at %s", c.Recipient.ID)
			}
			if c.Funder.ID == "al-karrar-office" && slices.Equal(ids(c.Via), []string{"turkey", "abu-miskin"}) {
				found = true
			}
		}
		if !found {
			t.Errorf("fundingChannels(recipient: iskp) lacks al-karrar-office via turkey, abu-miskin: %+v", out.Ch)
		}
		// One chain per funder, its shortest, ordered by length then relation ids (islamic-state also
		// reaches iskp through al-karrar-office and al-siddiq-office: it is listed once, direct).
		var funders []string
		for _, c := range out.Ch {
			funders = append(funders, fmt.Sprintf("%s/%d", c.Funder.ID, c.Path.Length))
		}
		if want := []string{"abu-miskin/1", "al-siddiq-office/1", "gulf-sectarian-donors/1", "hawala-traders/1",
			"iskp-cash-smugglers/1", "iskp-turkey-financial-hub/1", "islamic-state/1", "pakistani-islamic-charities/1",
			"al-karrar-office/2", "iskp-uae-financial-hub/2"}; !slices.Equal(funders, want) {
			t.Errorf("fundingChannels(recipient: iskp) funders %v, want %v", funders, want)
		}
		if !slices.ContainsFunc(out.Th, func(c struct {
			Funder node
			Via    []node
		}) bool {
			return c.Funder.ID == "al-karrar-office" && slices.Contains(ids(c.Via), "turkey")
		}) {
			t.Errorf("fundingChannels(through: turkey) lacks the al-Karrar channel: %+v", out.Th)
		}
		var through []string
		for _, c := range out.Th {
			through = append(through, c.Funder.ID+" via "+strings.Join(ids(c.Via), ","))
		}
		if want := []string{"abu-miskin via turkey", "al-karrar-office via turkey", "islamic-state via al-karrar-office,turkey"}; !slices.Equal(through, want) {
			t.Errorf("fundingChannels(through: turkey) %q, want %q", through, want)
		}
	})

	t.Run("paths: k shortest, avoid, credibility ranking", func(t *testing.T) {
		var out struct {
			Paths   []path `json:"paths"`
			Avoid   []path `json:"avoid"`
			Cred    []path `json:"cred"`
			Short   *path  `json:"short"`
			Nothing *path  `json:"nothing"`
		}
		a.mustQuery(`{
  paths(from: "ttp", to: "haqqani-network", k: 5) { `+pathFields+` }
  avoid: paths(from: "ttp", to: "haqqani-network", k: 5, avoid: ["taliban", "afghanistan", "pakistan"]) { `+pathFields+` }
  cred: paths(from: "ttp", to: "haqqani-network", k: 5, rankBy: CREDIBILITY) { `+pathFields+` }
  short: shortestPath(from: "al-karrar-office", to: "iskp", types: [FUNDS], direction: OUT) { `+pathFields+` }
  nothing: shortestPath(from: "al-karrar-office", to: "ttp", types: [FUNDS]) { length }
}`, nil, &out)
		if len(out.Paths) != 5 {
			t.Fatalf("k=5 gave %d paths", len(out.Paths))
		}
		for i, p := range out.Paths {
			checkWalk(t, p)
			if p.Nodes[0].ID != "ttp" || p.Nodes[len(p.Nodes)-1].ID != "haqqani-network" {
				t.Errorf("path %d runs %v", i, ids(p.Nodes))
			}
			if i > 0 && p.Length < out.Paths[i-1].Length {
				t.Errorf("paths not shortest first: %d then %d", out.Paths[i-1].Length, p.Length)
			}
		}
		for _, p := range out.Avoid {
			checkWalk(t, p)
			for _, n := range p.Nodes {
				if n.ID == "taliban" || n.ID == "afghanistan" || n.ID == "pakistan" {
					t.Errorf("avoid ignored: %v", ids(p.Nodes))
				}
			}
		}
		for i := 1; i < len(out.Cred); i++ {
			if out.Cred[i].Credibility > out.Cred[i-1].Credibility {
				t.Errorf("CREDIBILITY order broken: %g then %g", out.Cred[i-1].Credibility, out.Cred[i].Credibility)
			}
		}
		if out.Short == nil || !slices.Equal(ids(out.Short.Nodes), []string{"al-karrar-office", "abu-miskin", "iskp"}) {
			t.Errorf("shortestPath over FUNDS: %+v", out.Short)
		}
		if out.Nothing != nil {
			t.Errorf("unconnected actors gave a path: %+v", out.Nothing)
		}
	})

	t.Run("connections links ISKP, TTP and the Haqqani network", func(t *testing.T) {
		var out struct{ Connections subgraph }
		a.mustQuery(`{ connections(ids: ["iskp", "ttp", "haqqani-network"], maxHops: 2) { `+subgraphFields+` } }`, nil, &out)
		got := ids(out.Connections.Nodes)
		for _, id := range []string{"iskp", "ttp", "haqqani-network"} {
			if !slices.Contains(got, id) {
				t.Errorf("connections lacks %s: %v", id, got)
			}
		}
		if len(out.Connections.Edges) == 0 {
			t.Error("connections has no edge")
		}
	})

	t.Run("errors carry their code", func(t *testing.T) {
		for _, tc := range []struct {
			name, query, code, field string
		}{
			{"unknown actor", `{ actor(id: "no-such-actor") { id } }`, graph.ENOTFOUND, "id"},
			{"unknown neighbourhood start", `{ neighbourhood(id: "no-such-actor") { omitted } }`, graph.ENOTFOUND, "id"},
			{"unknown path end", `{ paths(from: "iskp", to: "no-such-actor") { length } }`, graph.ENOTFOUND, "to"},
			{"unknown funding recipient", `{ fundingChannels(recipient: "no-such-actor") { via { id } } }`, graph.ENOTFOUND, "recipient"},
			{"depth 9", `{ neighbourhood(id: "iskp", depth: 9) { omitted } }`, graph.EINVALID, "depth"},
			{"maxHops 0", `{ shortestPath(from: "iskp", to: "ttp", maxHops: 0) { length } }`, graph.EINVALID, "maxHops"},
			{"first 10000", `{ actors(first: 10000) { totalCount } }`, graph.EINVALID, "first"},
			{"malformed date", `{ neighbourhood(id: "iskp", asOf: "2021-02-30") { omitted } }`, graph.EINVALID, "asOf"},
			{"malformed date text", `{ paths(from: "iskp", to: "ttp", asOf: "last year") { length } }`, graph.EINVALID, "asOf"},
			{"minConfidence 2", `{ neighbourhood(id: "iskp", minConfidence: 2) { omitted } }`, graph.EINVALID, "minConfidence"},
			{"k 0", `{ paths(from: "iskp", to: "ttp", k: 0) { length } }`, graph.EINVALID, "k"},
			{"empty search", `{ search(text: " - ") { score } }`, graph.EINVALID, "text"},
			{"funding without anchor", `{ fundingChannels { via { id } } }`, graph.EINVALID, "recipient"},
			{"bad cursor", `{ actors(after: "not-a-cursor") { totalCount } }`, graph.EINVALID, "after"},
		} {
			errs := a.query(tc.query, nil, nil)
			if len(errs) != 1 || errs[0].Extensions["code"] != tc.code || errs[0].Extensions["field"] != tc.field {
				t.Errorf("%s: want one %s error on %s, got %+v", tc.name, tc.code, tc.field, errs)
			}
		}
	})

	t.Run("the time budget gives TIMEOUT", func(t *testing.T) {
		// The request's own deadline runs out before Neo4j answers.
		ctx, cancel := context.WithTimeout(context.Background(), time.Microsecond)
		defer cancel()
		time.Sleep(time.Millisecond)
		_, err := a.store.Neighbourhood(ctx, graph.NeighbourhoodQuery{ID: "afghanistan", Depth: 4, Limit: 1000, PerNodeLimit: 500})
		if code := graph.ErrorCode(err); code != graph.ETIMEOUT {
			t.Errorf("expired deadline: code %q (%v), want TIMEOUT", code, err)
		}
	})

	t.Run("round trips per top-level field", func(t *testing.T) {
		a.mustQuery(`{ sources { id } }`, nil, nil) // load the source cache
		for _, tc := range []struct {
			query string
			trips int64
		}{
			{`{ actor(id: "iskp") { id name aliases evidence { source { title } line claim } } }`, 1},
			{`{ neighbourhood(id: "iskp", depth: 2) { nodes { id name } edges { id from { id name } to { id } via { id name } evidence { source { id title } claim } } } }`, 1},
			{`{ shortestPath(from: "ttp", to: "iskp") { nodes { id } edges { from { id } to { id } evidence { claim source { title } } } } }`, 1},
			// 3 shortest paths of 5: one statement for them, then one per round of Yen's algorithm (graph.Paths)
			{`{ paths(from: "ttp", to: "iskp", k: 5) { nodes { id } edges { from { id } to { id } evidence { claim source { title } } } } }`, 3},
			{`{ paths(from: "ttp", to: "iskp", k: 1) { nodes { id } } }`, 1},
			{`{ fundingChannels(recipient: "iskp") { funder { id } via { id } path { edges { via { id } evidence { claim } } } } }`, 1},
			{`{ search(text: "Taliban") { actor { id name } } actor(id: "iskp") { id } }`, 2},
			// nested per-actor fields are batched: one more round trip for all actors, not one per actor
			{`{ actors(first: 50) { nodes { id relations(first: 3) { nodes { id to { name } } } } } }`, 2},
			{`{ search(text: "Khorasan", first: 10) { actor { id sources { title } } } }`, 2},
		} {
			before := a.store.RoundTrips()
			a.mustQuery(tc.query, nil, nil)
			if got := a.store.RoundTrips() - before; got != tc.trips {
				t.Errorf("%s: %d round trips, want %d", strings.Join(strings.Fields(tc.query), " "), got, tc.trips)
			}
		}
	})

	t.Run("stats and sources", func(t *testing.T) {
		var out struct {
			Stats struct {
				Actors, Relations, Sources int
				ByKind                     []struct {
					Kind  string
					Count int
				}
			}
			Sources []struct{ ID, Title string }
		}
		a.mustQuery(`{ stats { actors relations sources byKind { kind count } } sources { id title } }`, nil, &out)
		if out.Stats.Actors < 200 || out.Stats.Relations < 500 || out.Stats.Sources != 5 || len(out.Sources) != 5 {
			t.Errorf("stats %+v, %d sources", out.Stats, len(out.Sources))
		}
		sum := 0
		for _, k := range out.Stats.ByKind {
			sum += k.Count
		}
		if sum != out.Stats.Actors || len(out.Stats.ByKind) != 8 {
			t.Errorf("byKind %+v sums to %d of %d actors", out.Stats.ByKind, sum, out.Stats.Actors)
		}
	})

	t.Run("actors pages with a cursor", func(t *testing.T) {
		type page struct {
			Actors struct {
				TotalCount int
				Nodes      []node
				PageInfo   struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		var p1, p2 page
		a.mustQuery(`{ actors(kind: COUNTRY, first: 10) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`, nil, &p1)
		a.mustQuery(`query($c: String) { actors(kind: COUNTRY, first: 10, after: $c) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"c": p1.Actors.PageInfo.EndCursor}, &p2)
		if len(p1.Actors.Nodes) != 10 || !p1.Actors.PageInfo.HasNextPage || p1.Actors.TotalCount < 20 {
			t.Fatalf("first page %+v", p1.Actors)
		}
		if p2.Actors.Nodes[0].ID <= p1.Actors.Nodes[9].ID {
			t.Errorf("second page starts at %s after %s", p2.Actors.Nodes[0].ID, p1.Actors.Nodes[9].ID)
		}
	})
}

func TestLimitsAndHealth(t *testing.T) {
	a := newAPI(t)
	deep := `{ actor(id: "iskp") { relations { nodes { from { relations { nodes { from { relations { nodes { from { relations { nodes { from { relations { nodes { from { relations { nodes { id } } } } } } } } } } } } } } } } } } }`
	if errs := a.query(deep, nil, nil); len(errs) == 0 || errs[0].Extensions["code"] == nil {
		t.Errorf("a query 17 levels deep was not refused: %+v", errs)
	}
	expensive := `{ neighbourhood(id: "iskp", limit: 1000) { nodes { relations(first: 500) { nodes { id } } } } }`
	if errs := a.query(expensive, nil, nil); len(errs) == 0 || !strings.Contains(errs[0].Message, "complexity") {
		t.Errorf("a query of complexity above the limit was not refused: %+v", errs)
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		resp, err := http.Get(a.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	resp, err := http.Post(a.url+"/graphql", "application/json", strings.NewReader(`{"query": "`+strings.Repeat(" ", 2<<20)+`{ sources { id } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 {
		t.Errorf("a 2 MiB body was accepted (%d)", resp.StatusCode)
	}
}

func TestExport(t *testing.T) {
	a := newAPI(t)
	get := func(query string) (int, string, string) {
		resp, err := http.Get(a.url + "/export?" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	for _, tc := range []struct {
		query, ctype string
		status       int
		contains     []string
	}{
		{"id=al-karrar-office&format=graphml&types=FUNDS,BASED_IN", "application/graphml+xml", 200,
			[]string{`<node id="al-karrar-office">`, `<node id="somalia">`, `source="al-karrar-office" target="abu-miskin"`, `<data key="via">turkey</data>`}},
		{"id=al-karrar-office&format=json", "application/json", 200, []string{`"id":"al-karrar-office:FUNDS:abu-miskin"`, `"via":["turkey"]`}},
		{"id=al-karrar-office&format=csv&types=FUNDS", "text/csv; charset=utf-8", 200, []string{"id,type,from,from_name", "al-karrar-office:FUNDS:abu-miskin,FUNDS,al-karrar-office"}},
		{"id=al-karrar-office&format=csv&table=nodes", "text/csv; charset=utf-8", 200, []string{"id,name,kind", "somalia,Somalia,COUNTRY"}},
		{"id=no-such-actor&format=json", "application/json", 404, []string{`"code":"NOT_FOUND"`}},
		{"id=iskp&format=pdf", "application/json", 400, []string{`"field":"format"`}},
		{"id=iskp&depth=9", "application/json", 400, []string{`"field":"depth"`}},
		{"id=iskp&types=HATES", "application/json", 400, []string{`"field":"types[0]"`}},
	} {
		status, ctype, body := get(tc.query)
		if status != tc.status || ctype != tc.ctype {
			t.Errorf("%s: %d %s, want %d %s\n%s", tc.query, status, ctype, tc.status, tc.ctype, body)
		}
		for _, c := range tc.contains {
			if !strings.Contains(body, c) {
				t.Errorf("%s: body lacks %q", tc.query, c)
			}
		}
	}
}
