package graph

import (
	"context"
	"fmt"
	"strings"
)

// FundingChannels returns funding chains. A chain is a path of FUNDS relations, each valid at q.AsOf, from
// a funder to a recipient, at most q.MaxHops long, with no repeated actor. Which chains:
//
//   - With q.Recipient: every actor whose money reaches the recipient within q.MaxHops is listed once, with
//     its shortest chain into the recipient.
//   - With q.Funder (and no recipient): every actor where the funder's money stops is listed once, with its
//     shortest chain out of the funder. The money stops at an actor that has no valid FUNDS relation to an
//     actor off its chain, or at the hop cap: an actor whose shortest chain is q.MaxHops long ends a chain
//     whatever it funds. Actors the money passes on from are not listed.
//   - With q.Through alone: every actor whose money passes the through actor is listed once, with its
//     shortest chain that ends with a relation passing it: a relation out of it, into it, or naming it in
//     its via (a transit country). The chain stops after that relation; ask with q.Funder set to the
//     through actor, or to the chain's recipient, to follow the money further.
//   - An anchor given beside a recipient (funder, through) or beside a funder (through) filters: only the
//     chains found as above that start at the funder, or pass the through actor (on the chain or in a
//     relation's via), are kept.
//
// Shortest means fewest relations; between equally short chains the one whose list of relation ids (in
// chain order, funder first) sorts first is taken, so the answer is deterministic. Chains come ordered by
// length, then by that list of ids, and at most MaxFundingResults of them. The search runs breadth first
// inside Neo4j, one level per hop, visiting each actor once: it stops after the level at which the cap is
// reached, and keeps the first chains of that level in the order above (the rest are logged as omitted;
// deeper levels are not searched). A through chain extends the chain chosen for the actor it funds, so an
// actor whose only way to the through actor runs back through that chain's recipient is not listed.
// Unknown anchors give NOT_FOUND (the recipient's, else the funder's, else the through actor's, whichever
// drives the search).
func (s *Store) FundingChannels(ctx context.Context, q FundingQuery) ([]*FundingChannel, error) {
	asOf, err := q.validate()
	if err != nil {
		return nil, err
	}
	var field, anchorID string
	funder, through := deref(q.Funder), deref(q.Through)
	limit := MaxFundingResults
	switch {
	case q.Recipient != nil:
		field, anchorID = "recipient", *q.Recipient
		if q.Funder != nil {
			limit = 1 // one chain per funder: the search can stop once it has the funder's
		}
	case q.Funder != nil:
		field, anchorID, funder = "funder", *q.Funder, nil
	default:
		field, anchorID, through = "through", *q.Through, nil // it anchors the search; nothing is left to filter
	}
	params := filterParams(map[string]any{
		"anchorID": anchorID, "funder": funder, "through": through, "limit": limit,
	}, &Filter{}, asOf)
	ctx, release, err := s.admit(ctx, HeavyTraversal, s.cfg.QueryTimeout)
	if err != nil {
		return nil, err
	}
	defer release()
	recs, err := s.read(ctx, fundingCypher(field, q.MaxHops, conds{&Filter{}, asOf}), params)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 || recs[0].Values[0] != true {
		return nil, notFound(field, anchorID)
	}
	if omitted := int(num(recs[0].Values[2])); omitted > 0 {
		s.log.Debug("fundingChannels capped", field, anchorID, "kept", limit, "omitted", omitted)
	}
	d := s.newDecoder()
	var out []*FundingChannel
	for _, x := range recs[0].Values[1].([]any) {
		m := x.(map[string]any)
		d.actorList(m["via"])
		p := d.path(m["nodes"], m["edges"], 0)
		out = append(out, &FundingChannel{Funder: p.Nodes[0], Recipient: p.Nodes[len(p.Nodes)-1], Path: p})
	}
	if err := d.finish(ctx); err != nil {
		return nil, err
	}
	for _, c := range out {
		c.Path.Credibility = credibility(c.Path.Edges)
		c.Via = route(c.Path)
	}
	return out, nil
}

// fundingCypher builds the breadth-first search of FundingChannels, anchored at the recipient (upstream),
// the funder (downstream) or the through actor (upstream from the relations passing it). Each level is a
// CALL that takes the state (seen: actors with a chain; frontier: the chains found at the previous level;
// listed: the chains kept; omitted: those found past the cap) and returns the next one. A chain is a map
// {ns: actors, rels: relations, key: relation ids}, in chain order. The levels are unrolled: maxHops is
// validated to 1..MaxFundingHops. where writes the validity condition of each relation (asOf, retired).
func fundingCypher(anchor string, maxHops int, where conds) string {
	var b strings.Builder
	b.WriteString("OPTIONAL MATCH (anchor:Actor {id: $anchorID})\nCALL (anchor) {\n  WITH anchor WHERE anchor IS NOT NULL\n")
	first := 1
	if anchor == "through" {
		// Level 1: the relations passing the actor; each of their funders keeps its first one.
		fmt.Fprintf(&b, `  CALL (anchor) {
    CALL (anchor) {
      MATCH (anchor)-[h:FUNDS]->(:Actor) RETURN h
      UNION
      MATCH (:Actor)-[h:FUNDS]->(anchor) RETURN h
      UNION
      MATCH ()-[h:FUNDS]->() WHERE anchor.id IN h.via RETURN h
    }
    WITH h WHERE %[1]s AND startNode(h) <> endNode(h)
    WITH startNode(h) AS y, h ORDER BY h.id
    WITH y, head(collect(h)) AS h
    WITH {ns: [y, endNode(h)], rels: [h], key: [h.id]} AS c ORDER BY c.key
    RETURN collect(c) AS fresh
  }
  WITH [c IN fresh | c.ns[0]] AS seen, fresh, fresh[0..$limit] AS listed, size(fresh) - size(fresh[0..$limit]) AS omitted
  WITH seen, CASE WHEN size(listed) >= $limit THEN [] ELSE fresh END AS frontier, listed, omitted
`, where.rel("h"))
		first = 2
	} else {
		b.WriteString("  WITH [anchor] AS seen, [{ns: [anchor], rels: [], key: []}] AS frontier, [] AS listed, 0 AS omitted\n")
	}
	for level := first; level <= maxHops; level++ {
		var expand, listable, newest string
		if anchor == "funder" {
			// Downstream: extend each chain at its last actor; a chain ends where the money stops.
			stops := "true"
			if level < maxHops {
				stops = "NOT EXISTS { MATCH (y)-[w:FUNDS]->(o:Actor) WHERE " + where.rel("w") + " AND NOT o IN b.c.ns + [y] }"
			}
			expand = `WITH c, c.ns[size(c.ns) - 1] AS x
      MATCH (x)-[r:FUNDS]->(y:Actor) WHERE ` + where.rel("r") + ` AND NOT y IN seen
      WITH y, r, c ORDER BY c.key + [r.id]
      WITH y, head(collect({r: r, c: c})) AS b
      WITH {ns: b.c.ns + [y], rels: b.c.rels + [b.r], key: b.c.key + [b.r.id], stops: ` + stops + `} AS c`
			listable, newest = "c.stops", "size(c.ns) - 1"
		} else {
			// Upstream: prepend to each chain a relation into its first actor.
			expand = `WITH c, c.ns[0] AS x
      MATCH (y:Actor)-[r:FUNDS]->(x) WHERE ` + where.rel("r") + ` AND NOT y IN seen AND NOT y IN c.ns
      WITH y, r, c ORDER BY [r.id] + c.key
      WITH y, head(collect({r: r, c: c})) AS b
      WITH {ns: [y] + b.c.ns, rels: [b.r] + b.c.rels, key: [b.r.id] + b.c.key} AS c`
			listable, newest = "($funder IS NULL OR c.ns[0].id = $funder)", "0"
		}
		listable += " AND ($through IS NULL OR any(n IN c.ns WHERE n.id = $through) OR any(x IN c.rels WHERE $through IN x.via))"
		fmt.Fprintf(&b, `  CALL (seen, frontier, listed, omitted) {
    CALL (seen, frontier) {
      UNWIND frontier AS c
      %[1]s
      ORDER BY c.key
      RETURN collect(c) AS fresh
    }
    WITH seen, fresh, listed, omitted, [c IN fresh WHERE %[2]s] AS found
    WITH seen, fresh, listed, omitted, found, found[0..($limit - size(listed))] AS kept
    RETURN seen + [c IN fresh | c.ns[%[3]s]] AS seen%[4]d, listed + kept AS listed%[4]d,
           omitted + size(found) - size(kept) AS omitted%[4]d,
           CASE WHEN size(listed) + size(kept) >= $limit THEN [] ELSE fresh END AS frontier%[4]d
  }
  WITH seen%[4]d AS seen, frontier%[4]d AS frontier, listed%[4]d AS listed, omitted%[4]d AS omitted
`, expand, listable, newest, level)
	}
	fmt.Fprintf(&b, `  CALL (listed) {
    UNWIND range(0, size(listed) - 1) AS i
    WITH i, listed[i].ns AS ns, listed[i].rels AS rels ORDER BY i
    RETURN collect({nodes: [n IN ns | %[1]s], edges: [x IN rels | %[2]s], via: %[3]s}) AS channels
  }
  RETURN channels, omitted
}
RETURN anchor IS NOT NULL AS found, channels, omitted`, actorProj("n"), relProj("x"), viaNodes("rels"))
	return b.String()
}

// route lists a channel's intermediaries and transit actors in route order, without repeats: for each hop,
// the transit actors its relation names, then the actor the money reaches (except the final recipient).
func route(p *Path) []*Actor {
	seen := map[*Actor]bool{p.Nodes[0]: true, p.Nodes[len(p.Nodes)-1]: true}
	out := []*Actor{}
	for i, e := range p.Edges {
		for _, a := range e.Via {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
		if n := p.Nodes[i+1]; !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

func credibility(edges []*Relation) float64 {
	c := 1.0
	for _, e := range edges {
		if e.Confidence != nil {
			c *= *e.Confidence
		} else {
			c *= 0.5
		}
	}
	return c
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}
