package graph_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/actorgraph/actorgraph/graph"
	"github.com/actorgraph/actorgraph/internal/testenv"
)

// chain is a funding channel written as its relation ids joined by " > ", then " | " and its route (Via).
func chain(c *graph.FundingChannel) string {
	var rels, via []string
	for _, e := range c.Path.Edges {
		rels = append(rels, e.ID)
	}
	for _, a := range c.Via {
		via = append(via, a.ID)
	}
	return strings.Join(rels, " > ") + " | " + strings.Join(via, ",")
}

func ptr(s string) *string { return &s }

// The seed's FUNDS relations (ids from:FUNDS:to, via in brackets, validity where bounded):
//
//	islamic-state -> iskp, al-karrar-office, al-siddiq-office
//	al-karrar-office -> abu-miskin [turkey] -> iskp [turkey]
//	al-siddiq-office, gulf-sectarian-donors, pakistani-islamic-charities, hawala-traders -> iskp
//	iskp-cash-smugglers -> iskp [pakistan]
//	iskp-turkey-financial-hub -> iskp [istanbul, kabul], hawala-traders
//	iskp-uae-financial-hub -> hawala-traders (since 2022)
//	india, islamic-republic-of-afghanistan (until 2021-08) -> ttp
//	pakistan, saudi-arabia -> afghan-salafi-ulema
//	united-states -> united-nations -> taliban
func TestFundingChannels(t *testing.T) {
	s := testenv.Seeded(t)
	ctx := context.Background()
	intoISKP := []string{
		"abu-miskin:FUNDS:iskp | turkey",
		"al-siddiq-office:FUNDS:iskp | ",
		"gulf-sectarian-donors:FUNDS:iskp | ",
		"hawala-traders:FUNDS:iskp | ",
		"iskp-cash-smugglers:FUNDS:iskp | pakistan",
		"iskp-turkey-financial-hub:FUNDS:iskp | istanbul,kabul",
		"islamic-state:FUNDS:iskp | ",
		"pakistani-islamic-charities:FUNDS:iskp | ",
		"al-karrar-office:FUNDS:abu-miskin > abu-miskin:FUNDS:iskp | turkey,abu-miskin",
		"iskp-uae-financial-hub:FUNDS:hawala-traders > hawala-traders:FUNDS:iskp | hawala-traders",
	}
	for _, tc := range []struct {
		name string
		q    graph.FundingQuery
		want []string
	}{
		// One chain per funder, the shortest: islamic-state also reaches iskp through al-karrar-office and
		// al-siddiq-office, iskp-turkey-financial-hub through hawala-traders; each is listed once, direct.
		{"recipient: one shortest chain per funder, by length then ids", graph.FundingQuery{Recipient: ptr("iskp"), MaxHops: 5}, intoISKP},
		{"recipient, maxHops 1", graph.FundingQuery{Recipient: ptr("iskp"), MaxHops: 1}, intoISKP[:8]},
		{"recipient, asOf before the UAE hub's relation began", graph.FundingQuery{Recipient: ptr("iskp"), AsOf: ptr("2021"), MaxHops: 5}, intoISKP[:9]},
		{"recipient, no asOf", graph.FundingQuery{Recipient: ptr("ttp"), MaxHops: 5},
			[]string{"india:FUNDS:ttp | ", "islamic-republic-of-afghanistan:FUNDS:ttp | "}},
		{"recipient, asOf after a relation ended", graph.FundingQuery{Recipient: ptr("ttp"), AsOf: ptr("2022-01"), MaxHops: 5},
			[]string{"india:FUNDS:ttp | "}},
		{"recipient and funder: the funder's shortest chain", graph.FundingQuery{Recipient: ptr("iskp"), Funder: ptr("al-karrar-office"), MaxHops: 5},
			[]string{"al-karrar-office:FUNDS:abu-miskin > abu-miskin:FUNDS:iskp | turkey,abu-miskin"}},
		{"recipient and funder: its direct relation, not its longer chains", graph.FundingQuery{Recipient: ptr("iskp"), Funder: ptr("islamic-state"), MaxHops: 5},
			[]string{"islamic-state:FUNDS:iskp | "}},
		{"recipient and funder out of reach", graph.FundingQuery{Recipient: ptr("iskp"), Funder: ptr("al-karrar-office"), MaxHops: 1}, nil},
		{"recipient filtered by through: the shortest chains passing turkey", graph.FundingQuery{Recipient: ptr("iskp"), Through: ptr("turkey"), MaxHops: 5},
			[]string{"abu-miskin:FUNDS:iskp | turkey", "al-karrar-office:FUNDS:abu-miskin > abu-miskin:FUNDS:iskp | turkey,abu-miskin"}},
		// Money from islamic-state stops at iskp: al-karrar-office, abu-miskin and al-siddiq-office pass it on.
		{"funder: chains to where the money stops", graph.FundingQuery{Funder: ptr("islamic-state"), MaxHops: 5},
			[]string{"islamic-state:FUNDS:iskp | "}},
		{"funder: a two-hop chain", graph.FundingQuery{Funder: ptr("al-karrar-office"), MaxHops: 5},
			[]string{"al-karrar-office:FUNDS:abu-miskin > abu-miskin:FUNDS:iskp | turkey,abu-miskin"}},
		{"funder: the hop cap ends a chain", graph.FundingQuery{Funder: ptr("al-karrar-office"), MaxHops: 1},
			[]string{"al-karrar-office:FUNDS:abu-miskin | turkey"}},
		{"funder: through an intermediary", graph.FundingQuery{Funder: ptr("united-states"), MaxHops: 5},
			[]string{"united-states:FUNDS:united-nations > united-nations:FUNDS:taliban | united-nations"}},
		{"funder filtered by through (kept)", graph.FundingQuery{Funder: ptr("al-karrar-office"), Through: ptr("turkey"), MaxHops: 5},
			[]string{"al-karrar-office:FUNDS:abu-miskin > abu-miskin:FUNDS:iskp | turkey,abu-miskin"}},
		{"funder filtered by through (its chain avoids it)", graph.FundingQuery{Funder: ptr("islamic-state"), Through: ptr("turkey"), MaxHops: 5}, nil},
		{"funder, asOf: a relation not yet valid", graph.FundingQuery{Funder: ptr("iskp-uae-financial-hub"), AsOf: ptr("2021"), MaxHops: 5}, nil},
		{"funder, asOf: valid", graph.FundingQuery{Funder: ptr("iskp-uae-financial-hub"), AsOf: ptr("2023"), MaxHops: 5},
			[]string{"iskp-uae-financial-hub:FUNDS:hawala-traders > hawala-traders:FUNDS:iskp | hawala-traders"}},
		// Relations naming turkey in via, then the actors whose money reaches them.
		{"through a transit country", graph.FundingQuery{Through: ptr("turkey"), MaxHops: 5}, []string{
			"abu-miskin:FUNDS:iskp | turkey",
			"al-karrar-office:FUNDS:abu-miskin | turkey",
			"islamic-state:FUNDS:al-karrar-office > al-karrar-office:FUNDS:abu-miskin | al-karrar-office,turkey",
		}},
		{"through a transit country, maxHops 1", graph.FundingQuery{Through: ptr("turkey"), MaxHops: 1}, []string{
			"abu-miskin:FUNDS:iskp | turkey",
			"al-karrar-office:FUNDS:abu-miskin | turkey",
		}},
		// pakistan funds, and is a transit country: both count.
		{"through an actor that funds and is named in via", graph.FundingQuery{Through: ptr("pakistan"), MaxHops: 5}, []string{
			"iskp-cash-smugglers:FUNDS:iskp | pakistan",
			"pakistan:FUNDS:afghan-salafi-ulema | ",
		}},
		{"through an actor on the chain: into it and out of it", graph.FundingQuery{Through: ptr("hawala-traders"), MaxHops: 5}, []string{
			"hawala-traders:FUNDS:iskp | ",
			"iskp-turkey-financial-hub:FUNDS:hawala-traders | ",
			"iskp-uae-financial-hub:FUNDS:hawala-traders | ",
		}},
		{"through, asOf", graph.FundingQuery{Through: ptr("hawala-traders"), AsOf: ptr("2021-06-30"), MaxHops: 5}, []string{
			"hawala-traders:FUNDS:iskp | ",
			"iskp-turkey-financial-hub:FUNDS:hawala-traders | ",
		}},
		{"no FUNDS relation", graph.FundingQuery{Recipient: ptr("turkey"), MaxHops: 5}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) { checkChannels(t, s, tc.q, tc.want) })
	}

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			q           graph.FundingQuery
			code, field string
		}{
			{graph.FundingQuery{Recipient: ptr("no-such-actor"), MaxHops: 5}, graph.ENOTFOUND, "recipient"},
			{graph.FundingQuery{Funder: ptr("no-such-actor"), MaxHops: 5}, graph.ENOTFOUND, "funder"},
			{graph.FundingQuery{Through: ptr("no-such-actor"), MaxHops: 5}, graph.ENOTFOUND, "through"},
			{graph.FundingQuery{Funder: ptr("iskp"), Through: ptr("no-such-actor"), MaxHops: 5}, "", ""},
			{graph.FundingQuery{MaxHops: 5}, graph.EINVALID, "recipient"},
			{graph.FundingQuery{Recipient: ptr("iskp"), MaxHops: graph.MaxFundingHops + 1}, graph.EINVALID, "maxHops"},
			{graph.FundingQuery{Recipient: ptr("iskp"), AsOf: ptr("2021-13"), MaxHops: 5}, graph.EINVALID, "asOf"},
		} {
			_, err := s.FundingChannels(ctx, tc.q)
			var field string
			if e, ok := err.(*graph.Error); ok {
				field = e.Field
			}
			if graph.ErrorCode(err) != tc.code || field != tc.field {
				t.Errorf("%+v: got %v, want %s on %q", tc.q, err, tc.code, tc.field)
			}
		}
	})
}

// checkChannel asserts a channel's shape: a walk of FUNDS relations from its funder to its recipient, with
// no repeated actor, and its credibility.
func checkChannel(t *testing.T, c *graph.FundingChannel) {
	t.Helper()
	p := c.Path
	if p.Length != len(p.Edges) || len(p.Nodes) != len(p.Edges)+1 || p.Nodes[0] != c.Funder || p.Nodes[p.Length] != c.Recipient {
		t.Fatalf("malformed channel %s", chain(c))
	}
	seen := map[string]bool{}
	cred := 1.0
	for i, n := range p.Nodes {
		if seen[n.ID] {
			t.Errorf("%s repeats %s", chain(c), n.ID)
		}
		seen[n.ID] = true
		if i < p.Length {
			e := p.Edges[i]
			if e.Type != graph.Funds || e.From != n || e.To != p.Nodes[i+1] {
				t.Errorf("%s: hop %d is %s %s->%s", chain(c), i, e.Type, e.From.ID, e.To.ID)
			}
			cred *= *e.Confidence
		}
	}
	if fmt.Sprintf("%.6f", cred) != fmt.Sprintf("%.6f", p.Credibility) {
		t.Errorf("%s: credibility %v, want %v", chain(c), p.Credibility, cred)
	}
}

// TestFundingChannelsShareRelations requires a relation on several channels of one answer to be one value,
// decoded once, with its ends, route and evidence: into iskp, abu-miskin:FUNDS:iskp ends both abu-miskin's
// channel and al-karrar-office's, hawala-traders:FUNDS:iskp both hawala-traders' and iskp-uae-financial-hub's.
func TestFundingChannelsShareRelations(t *testing.T) {
	s := testenv.Seeded(t)
	chs, err := s.FundingChannels(context.Background(), graph.FundingQuery{Recipient: ptr("iskp"), MaxHops: 5})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*graph.Relation{}
	onChannels := map[string]int{}
	for _, c := range chs {
		for _, e := range c.Path.Edges {
			if first, ok := byID[e.ID]; ok && first != e {
				t.Errorf("%s: two values on two channels", e.ID)
			}
			byID[e.ID] = e
			onChannels[e.ID]++
		}
	}
	for _, tc := range []struct {
		id       string
		channels int
		via      string
	}{
		{"abu-miskin:FUNDS:iskp", 2, "turkey"},
		{"hawala-traders:FUNDS:iskp", 2, ""},
		{"al-karrar-office:FUNDS:abu-miskin", 1, "turkey"},
	} {
		r := byID[tc.id]
		if r == nil || onChannels[tc.id] != tc.channels {
			t.Errorf("%s on %d channels, want %d", tc.id, onChannels[tc.id], tc.channels)
			continue
		}
		var via []string
		for _, a := range r.Via {
			via = append(via, a.ID)
		}
		if from, to, _ := strings.Cut(tc.id, ":FUNDS:"); r.From == nil || r.From.ID != from || r.To == nil || r.To.ID != to ||
			strings.Join(via, ",") != tc.via {
			t.Errorf("%s: from %v to %v via %q, want %s, %s, %q", tc.id, r.From, r.To, via, from, to, tc.via)
		}
		if len(r.Evidence) == 0 || r.Evidence[0].Source == nil || r.Evidence[0].Source.Title == "" {
			t.Errorf("%s: evidence not resolved: %+v", tc.id, r.Evidence)
		}
	}
}

// Two edits to the seed: a cycle (money that comes back to an actor on the chain stops there, and no chain
// repeats an actor) and a second two-hop chain from iskp-uae-financial-hub to iskp (the tie is broken by
// relation ids).
func TestFundingChannelsEdited(t *testing.T) {
	s := testenv.Seeded(t)
	editor := graph.WithPrincipal(context.Background(), &graph.Principal{Name: "test", Role: graph.RoleEditor})
	conf := 0.5
	for _, r := range [][2]string{{"iskp", "islamic-state"}, {"iskp-uae-financial-hub", "abu-miskin"}} {
		if _, err := s.AddRelation(editor, graph.RelationInput{Type: graph.Funds, From: r[0], To: r[1], Status: graph.Alleged,
			Confidence: &conf, Evidence: []graph.EvidenceInput{{Source: "stimson-2024", Claim: "test edit"}}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		q    graph.FundingQuery
		want []string
	}{
		// iskp's only relation goes back to islamic-state, on the chain: the money stops at iskp.
		{graph.FundingQuery{Funder: ptr("islamic-state"), MaxHops: 5}, []string{"islamic-state:FUNDS:iskp | "}},
		// Into islamic-state: iskp directly, then iskp's funders (not islamic-state itself) through it.
		{graph.FundingQuery{Recipient: ptr("islamic-state"), MaxHops: 2}, []string{
			"iskp:FUNDS:islamic-state | ",
			"abu-miskin:FUNDS:iskp > iskp:FUNDS:islamic-state | turkey,iskp",
			"al-siddiq-office:FUNDS:iskp > iskp:FUNDS:islamic-state | iskp",
			"gulf-sectarian-donors:FUNDS:iskp > iskp:FUNDS:islamic-state | iskp",
			"hawala-traders:FUNDS:iskp > iskp:FUNDS:islamic-state | iskp",
			"iskp-cash-smugglers:FUNDS:iskp > iskp:FUNDS:islamic-state | pakistan,iskp",
			"iskp-turkey-financial-hub:FUNDS:iskp > iskp:FUNDS:islamic-state | istanbul,kabul,iskp",
			"pakistani-islamic-charities:FUNDS:iskp > iskp:FUNDS:islamic-state | iskp",
		}},
		// Two chains of two hops from iskp-uae-financial-hub: through abu-miskin (new) and through
		// hawala-traders; the one whose relation ids sort first is taken, upstream and downstream alike.
		{graph.FundingQuery{Recipient: ptr("iskp"), Funder: ptr("iskp-uae-financial-hub"), MaxHops: 5}, []string{
			"iskp-uae-financial-hub:FUNDS:abu-miskin > abu-miskin:FUNDS:iskp | abu-miskin,turkey",
		}},
		// Downstream, the money no longer stops at iskp (it funds islamic-state now): it goes round until
		// it comes back to an actor on the chain (abu-miskin, iskp).
		{graph.FundingQuery{Funder: ptr("iskp-uae-financial-hub"), MaxHops: 5}, []string{
			"iskp-uae-financial-hub:FUNDS:abu-miskin > abu-miskin:FUNDS:iskp > iskp:FUNDS:islamic-state > islamic-state:FUNDS:al-karrar-office | abu-miskin,turkey,iskp,islamic-state",
			"iskp-uae-financial-hub:FUNDS:abu-miskin > abu-miskin:FUNDS:iskp > iskp:FUNDS:islamic-state > islamic-state:FUNDS:al-siddiq-office | abu-miskin,turkey,iskp,islamic-state",
		}},
		{graph.FundingQuery{Funder: ptr("iskp-uae-financial-hub"), MaxHops: 3}, []string{
			"iskp-uae-financial-hub:FUNDS:abu-miskin > abu-miskin:FUNDS:iskp > iskp:FUNDS:islamic-state | abu-miskin,turkey,iskp",
		}},
		// Before 2022 only the new relation holds (the answer is the same, found without a tie).
		{graph.FundingQuery{Recipient: ptr("iskp"), Funder: ptr("iskp-uae-financial-hub"), AsOf: ptr("2021"), MaxHops: 5}, []string{
			"iskp-uae-financial-hub:FUNDS:abu-miskin > abu-miskin:FUNDS:iskp | abu-miskin,turkey",
		}},
	} {
		checkChannels(t, s, tc.q, tc.want)
	}
}

// checkChannels asks for q's channels and compares them, written by chain, with want.
func checkChannels(t *testing.T, s *graph.Store, q graph.FundingQuery, want []string) {
	t.Helper()
	out, err := s.FundingChannels(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range out {
		got = append(got, chain(c))
		checkChannel(t, c)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%+v: got\n  %s\nwant\n  %s", q, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
