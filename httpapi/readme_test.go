package httpapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/httpapi"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

// readme returns the README's text with every run of white space made one space, and its GraphQL
// examples, in order.
func readme(t *testing.T) (text string, examples []string) {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
		examples = append(examples, m[1])
	}
	return strings.Join(strings.Fields(string(b)), " "), examples
}

// TestReadmeExamples pastes the README's GraphQL examples into the service over the seeded database, as
// `make run` serves it (anonymous callers are analysts), and checks what the README's prose says each one
// returns, and that the prose still says it: when the data, a query's behaviour or the prose changes, this
// fails until the README and the test agree again.
// The mutation example is not run (it would change the shared database); it must be the only one skipped.
func TestReadmeExamples(t *testing.T) {
	store := testenv.Seeded(t)
	cfg := httpapi.DefaultConfig()
	cfg.Auth.AnonymousRole = graph.RoleAnalyst
	srv := httptest.NewServer(httpapi.New(store, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)

	type named struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	names := func(ns []named) []string {
		out := make([]string, len(ns))
		for i, n := range ns {
			out[i] = n.Name
		}
		return out
	}
	type channel struct {
		Funder    named   `json:"funder"`
		Recipient named   `json:"recipient"`
		Via       []named `json:"via"`
		Path      struct {
			Length int `json:"length"`
			Edges  []struct {
				Via      []named `json:"via"`
				Evidence []struct {
					Source struct {
						Title string `json:"title"`
					} `json:"source"`
					Line int `json:"line"`
				} `json:"evidence"`
			} `json:"edges"`
		} `json:"path"`
	}
	route := func(c channel) string { // funder -> [via] -> recipient, as the README writes a chain
		via := make([]string, len(c.Via))
		for i, v := range c.Via {
			via[i] = v.ID
		}
		return fmt.Sprintf("%s -> %v -> %s", c.Funder.ID, via, c.Recipient.ID)
	}
	cases := []struct {
		name   string
		marker string   // a text only this block holds
		prose  []string // what the README says of the answer, word for word
		check  func(t *testing.T, a *api, data json.RawMessage)
	}{
		{"1. search", `search(text: "al-Sadiq")`, []string{"returns the al-Siddiq Office (`al-siddiq-office`, FINANCE_OFFICE, aliases al-Sadiq",
			"`Turkiye` finds `turkey`; `Sanaulah Ghafari` (a typo) still finds him"}, func(t *testing.T, a *api, data json.RawMessage) {
			var out struct {
				Search []struct {
					Actor struct {
						node
						Aliases []string `json:"aliases"`
					} `json:"actor"`
				} `json:"search"`
			}
			decode(t, data, &out)
			if len(out.Search) == 0 || out.Search[0].Actor.ID != "al-siddiq-office" || out.Search[0].Actor.Kind != "FINANCE_OFFICE" ||
				!slices.Contains(out.Search[0].Actor.Aliases, "al-Sadiq") {
				t.Errorf("first hit: %+v, want al-siddiq-office, FINANCE_OFFICE, alias al-Sadiq", out.Search)
			}
			// The spellings the README's prose lists.
			for text, want := range map[string]string{"ISIS-K": "iskp", "IS-K": "iskp", "Wilayat Khorasan": "iskp",
				"Shahab al-Muhajir": "sanaullah-ghafari", "Turkiye": "turkey", "Sanaulah Ghafari": "sanaullah-ghafari"} {
				var hits struct {
					Search []struct{ Actor node } `json:"search"`
				}
				a.mustQuery(`query($t: String!) { search(text: $t) { actor { id } } }`, map[string]any{"t": text}, &hits)
				if len(hits.Search) == 0 || hits.Search[0].Actor.ID != want {
					t.Errorf("search %q: first hit %+v, want %s", text, hits.Search, want)
				}
			}
		}},
		{"2. funding channels", `viaTurkey: fundingChannels`, []string{
			"the al-Karrar office (Somalia) -> Abu Miskin -> ISKP via Turkey (each hop cited to the Stimson transcript, line 144)",
			"and the UAE hub through the hawala traders",
			"`abu-miskin -> [turkey] -> iskp`, `al-karrar-office -> [turkey] -> abu-miskin`, `islamic-state -> [al-karrar-office, turkey] -> abu-miskin`"}, func(t *testing.T, a *api, data json.RawMessage) {
			var out struct {
				IntoIskp  []channel `json:"intoIskp"`
				ViaTurkey []channel `json:"viaTurkey"`
			}
			decode(t, data, &out)
			var into []string
			for _, c := range out.IntoIskp {
				into = append(into, fmt.Sprintf("%s %q %d", c.Funder.Name, names(c.Via), c.Path.Length))
			}
			slices.Sort(into)
			want := []string{
				`Abu Miskin ["Turkey"] 1`,
				`Afghan hawala traders [] 1`,
				`Gulf sectarian donors [] 1`,
				`IS-K cash smugglers (Pakistan-Afghanistan) ["Pakistan"] 1`,
				`IS-K financial hub in Turkey ["Istanbul" "Kabul"] 1`,
				`IS-K financial hub in the UAE ["Afghan hawala traders"] 2`,
				`Islamic State [] 1`,
				`Islamic charities in Pakistan [] 1`,
				`al-Karrar Office ["Turkey" "Abu Miskin"] 2`,
				`al-Siddiq Office [] 1`,
			}
			if !slices.Equal(into, want) {
				t.Errorf("intoIskp:\n got %q\nwant %q", into, want)
			}
			for _, c := range out.IntoIskp {
				if c.Funder.Name != "al-Karrar Office" {
					continue
				}
				for i, e := range c.Path.Edges {
					if !slices.Equal(names(e.Via), []string{"Turkey"}) || len(e.Evidence) != 1 ||
						!strings.Contains(e.Evidence[0].Source.Title, "(event transcript)") || e.Evidence[0].Line != 144 {
						t.Errorf("al-Karrar's hop %d: via %q, evidence %+v; want via Turkey, cited to the Stimson transcript, line 144",
							i, names(e.Via), e.Evidence)
					}
				}
			}
			var through []string
			for _, c := range out.ViaTurkey {
				through = append(through, route(c))
			}
			wantThrough := []string{"abu-miskin -> [turkey] -> iskp", "al-karrar-office -> [turkey] -> abu-miskin",
				"islamic-state -> [al-karrar-office turkey] -> abu-miskin"}
			if !slices.Equal(through, wantThrough) {
				t.Errorf("viaTurkey:\n got %q\nwant %q", through, wantThrough)
			}
		}},
		{"3. paths by credibility", `rankBy: CREDIBILITY`, []string{
			"al-Karrar is a finance office of ISKP (0.8), then al-Karrar -> Islamic State -> ISKP (0.76)",
			"`funding` restricted to money walks `al-karrar-office -> abu-miskin -> iskp`, each hop `via: turkey`"}, func(t *testing.T, a *api, data json.RawMessage) {
			var out struct {
				Paths   []path `json:"paths"`
				Funding path   `json:"funding"`
			}
			decode(t, data, &out)
			var got []string
			for _, p := range out.Paths[:min(2, len(out.Paths))] {
				got = append(got, fmt.Sprintf("%s %.2f", strings.Join(ids(p.Nodes), " -> "), p.Credibility))
			}
			want := []string{"al-karrar-office -> iskp 0.80", "al-karrar-office -> islamic-state -> iskp 0.76"}
			if !slices.Equal(got, want) {
				t.Errorf("paths: got %q, want %q first", got, want)
			}
			if got := strings.Join(ids(out.Funding.Nodes), " -> "); got != "al-karrar-office -> abu-miskin -> iskp" {
				t.Errorf("funding walks %s", got)
			}
			for i, e := range out.Funding.Edges {
				if !slices.Equal(ids(e.Via), []string{"turkey"}) {
					t.Errorf("funding's hop %d is via %v, want turkey", i, ids(e.Via))
				}
			}
		}},
		{"4. neighbourhood in 2016", `asOf: "2016"`, []string{
			"shows ISKP as a branch of the Islamic State (since 2015), its split from the TTP (2015), its rivalry with the Taliban (since 2015), and leaves out what began later (Sanaullah Ghafari's leadership from June 2020)"}, func(t *testing.T, a *api, data json.RawMessage) {
			var out struct{ Neighbourhood subgraph }
			decode(t, data, &out)
			since := map[string]string{}
			for _, e := range out.Neighbourhood.Edges {
				if e.Since != nil {
					since[e.ID] = *e.Since
				}
			}
			for _, id := range []string{"iskp:BRANCH_OF:islamic-state", "iskp:SPLINTER_OF:ttp", "iskp:RIVAL_OF:taliban"} {
				if since[id] != "2015" {
					t.Errorf("%s: since %q, want 2015 (edges %v)", id, since[id], since)
				}
			}
			if slices.Contains(ids(out.Neighbourhood.Nodes), "sanaullah-ghafari") {
				t.Error("Sanaullah Ghafari (leader from June 2020) is in ISKP's world of 2016")
			}
		}},
		{"5. connections", `noCountry: shortestPath`, []string{
			"is alleged to work with ISKP, which is said, though it is disputed, to recruit from it",
			"`ttp -> al-qaeda -> haqqani-network` (allies of al-Qaeda both)"}, func(t *testing.T, a *api, data json.RawMessage) {
			var out struct {
				Connections subgraph `json:"connections"`
				NoCountry   path     `json:"noCountry"`
			}
			decode(t, data, &out)
			var edgeIDs []string
			for _, e := range out.Connections.Edges {
				edgeIDs = append(edgeIDs, e.ID)
			}
			// The statuses the README's prose gives them, which the example does not select.
			var withStatus struct{ Connections subgraph }
			a.mustQuery(`{ connections(ids: ["iskp", "ttp", "haqqani-network"], maxHops: 2) { edges { id status } } }`, nil, &withStatus)
			status := map[string]string{}
			for _, e := range withStatus.Connections.Edges {
				status[e.ID] = e.Status
			}
			for id, want := range map[string]string{
				"iskp:SPLINTER_OF:ttp": "HISTORICAL", "iskp:RECRUITS_FROM:ttp": "STATED",
				"haqqani-network:BRANCH_OF:taliban": "STATED", "haqqani-network:ALLIED_WITH:al-qaeda": "STATED",
				"haqqani-network:ALLIED_WITH:iskp": "ALLEGED", "iskp:RECRUITS_FROM:haqqani-network": "DISPUTED",
			} {
				if !slices.Contains(edgeIDs, id) || status[id] != want {
					t.Errorf("connections: %s returned %v, status %q; want it, %s", id, slices.Contains(edgeIDs, id), status[id], want)
				}
			}
			var walk []string
			for i, n := range out.NoCountry.Nodes {
				if i > 0 {
					walk = append(walk, out.NoCountry.Edges[i-1].Type)
				}
				walk = append(walk, n.ID)
			}
			if got := strings.Join(walk, " "); got != "ttp ALLIED_WITH al-qaeda ALLIED_WITH haqqani-network" {
				t.Errorf("noCountry walks %s", got)
			}
		}},
		{"analysts' Cypher", `cypher(query:`, nil, func(t *testing.T, a *api, data json.RawMessage) {
			var out struct {
				Cypher struct {
					Columns []string         `json:"columns"`
					Rows    []map[string]any `json:"rows"`
					Graph   subgraph         `json:"graph"`
					Summary struct {
						QueryType string `json:"queryType"`
					} `json:"summary"`
				} `json:"cypher"`
			}
			decode(t, data, &out)
			c := out.Cypher
			if !slices.Equal(c.Columns, []string{"p", "hops"}) || len(c.Rows) == 0 || c.Rows[0]["hops"] != 1.0 ||
				c.Summary.QueryType != "r" || !slices.Contains(ids(c.Graph.Nodes), "iskp") {
				t.Errorf("columns %v, %d rows (first hops %v), query type %q, graph nodes %v", c.Columns, len(c.Rows),
					c.Rows, c.Summary.QueryType, ids(c.Graph.Nodes))
			}
		}},
	}

	text, blocks := readme(t)
	block := make([]int, len(cases)) // the example each case checks
	checked := map[int]bool{}
	for i, tc := range cases {
		var found []int
		for j, b := range blocks {
			if strings.Contains(b, tc.marker) {
				found = append(found, j)
			}
		}
		if len(found) != 1 {
			t.Fatalf("%s: %d README examples hold %q, want 1", tc.name, len(found), tc.marker)
		}
		block[i], checked[found[0]] = found[0], true
		for _, p := range tc.prose {
			if !strings.Contains(text, p) {
				t.Errorf("%s: the README no longer says %q", tc.name, p)
			}
		}
	}
	for i, b := range blocks {
		if !checked[i] && !strings.HasPrefix(strings.TrimSpace(b), "mutation") {
			t.Errorf("README example %d is not checked:\n%s", i, b)
		}
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := &api{t: t, url: srv.URL, store: store}
			var data json.RawMessage
			a.mustQuery(blocks[block[i]], nil, &data)
			tc.check(t, a, data)
		})
	}
}

func decode(t *testing.T, data json.RawMessage, out any) {
	t.Helper()
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
}
