// Package gen generates synthetic actor graphs for ActorGraph's benchmarks: deterministic from a seed
// number, with the seed dataset's kinds and relation types, a power-law degree distribution, countries and
// umbrella groups as supernodes, evidence on every actor and relation, since/until dates on part of the
// relations, and FUNDS chains whose relations name transit countries in via.
//
// The same (seed, scale) always gives the same graph.Dataset, byte for byte, and the same query Sample.
package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/actorgraph/actorgraph/graph"
)

// Scale is the size of a generated graph.
type Scale struct {
	Name      string
	Actors    int
	Relations int
}

// Scales are the benchmark's sizes: XS for smoke runs and YAML export, S and M for the query benchmark,
// L for the import figure only.
var Scales = map[string]Scale{
	"XS": {"XS", 1_000, 5_000},
	"S":  {"S", 10_000, 50_000},
	"M":  {"M", 100_000, 1_000_000},
	"L":  {"L", 1_000_000, 10_000_000},
}

// kindShare is the share of non-country actors of each kind. Countries are a fixed, small set.
var kindShare = []struct {
	kind  graph.Kind
	share float64
	// alpha is the exponent of the power law by which relations pick an actor of this kind: the actor of
	// rank r (0-based) is picked with weight 1/(r+1)^alpha. Higher means more skewed (bigger hubs).
	alpha float64
}{
	{graph.KindPerson, 0.50, 0.5},
	{graph.KindGroup, 0.14, 1.05}, // the top-ranked groups are the umbrella groups (supernodes)
	{graph.KindEvent, 0.14, 0.3},
	{graph.KindCity, 0.08, 0.9},
	{graph.KindRegion, 0.03, 0.8},
	{graph.KindFinanceOffice, 0.06, 0.9},
	{graph.KindStateAgency, 0.05, 0.9},
}

// countryAlpha makes a few countries supernodes (at M, the top four have 10^4+ relations).
const countryAlpha = 1.3

// ends lists the kinds one end of a relation type may have, with relative weights.
type ends []struct {
	kind   graph.Kind
	weight float64
}

func e(pairs ...any) ends {
	var out ends
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, struct {
			kind   graph.Kind
			weight float64
		}{pairs[i].(graph.Kind), pairs[i+1].(float64)})
	}
	return out
}

const (
	group   = graph.KindGroup
	person  = graph.KindPerson
	office  = graph.KindFinanceOffice
	country = graph.KindCountry
	region  = graph.KindRegion
	city    = graph.KindCity
	agency  = graph.KindStateAgency
	event   = graph.KindEvent
)

// relMix is the share of each relation type and the kinds of its ends, after seed/FORMAT.md. FUNDS is
// generated separately, as chains (fundsShare).
var relMix = []struct {
	typ      graph.RelType
	share    float64
	from, to ends
}{
	{graph.MemberOf, 0.20, e(person, 1.0), e(group, 0.9, agency, 0.1)},
	{graph.NationalOf, 0.08, e(person, 1.0), e(country, 1.0)},
	{graph.OperatesIn, 0.10, e(group, 0.7, office, 0.15, agency, 0.15), e(country, 0.4, region, 0.3, city, 0.3)},
	{graph.BasedIn, 0.04, e(group, 0.5, office, 0.2, agency, 0.1, person, 0.2), e(city, 0.7, country, 0.3)},
	{graph.LocatedIn, 0.05, e(city, 0.4, region, 0.1, event, 0.5), e(country, 0.5, region, 0.3, city, 0.2)},
	{graph.Attacked, 0.06, e(group, 0.7, person, 0.2, agency, 0.1), e(event, 0.6, city, 0.2, group, 0.2)},
	{graph.Claimed, 0.04, e(group, 1.0), e(event, 1.0)},
	{graph.Killed, 0.03, e(group, 0.5, person, 0.3, agency, 0.2), e(person, 1.0)},
	{graph.Leads, 0.03, e(person, 1.0), e(group, 0.7, office, 0.1, agency, 0.1, country, 0.1)},
	{graph.AlliedWith, 0.04, e(group, 1.0), e(group, 1.0)},
	{graph.RivalOf, 0.03, e(group, 1.0), e(group, 1.0)},
	{graph.BranchOf, 0.03, e(group, 1.0), e(group, 1.0)},
	{graph.SplinterOf, 0.01, e(group, 1.0), e(group, 1.0)},
	{graph.FinanceOfficeOf, 0.02, e(office, 1.0), e(group, 1.0)},
	{graph.Shelters, 0.03, e(country, 0.5, group, 0.5), e(group, 0.7, person, 0.3)},
	{graph.Supports, 0.04, e(country, 0.5, group, 0.3, agency, 0.2), e(group, 1.0)},
	{graph.Counters, 0.04, e(country, 0.6, agency, 0.4), e(group, 1.0)},
	{graph.Arrested, 0.04, e(agency, 0.6, country, 0.4), e(person, 1.0)},
	{graph.RecruitsFrom, 0.04, e(group, 1.0), e(group, 0.3, city, 0.3, region, 0.2, country, 0.2)},
}

// fundsShare is the share of relations that are FUNDS, generated as chains funder -> office(s) -> group.
const fundsShare = 0.05

// Sample is the fixed random sample of ids the query benchmark asks about, drawn from the generator's own
// random stream (so it is the same for every system and every run).
type Sample struct {
	Scale string `json:"scale"`
	Seed  uint64 `json:"seed"`
	// Actors are uniformly drawn actor ids (actor, neighbourhood depth 1 and 2).
	Actors []string `json:"actors"`
	// Search are names (or one word of a name) of uniformly drawn actors.
	Search []string `json:"search"`
	// Hubs are the supernodes: the highest-degree countries and umbrella groups.
	Hubs []string `json:"hubs"`
	// HubDegrees are the hubs' degrees, in the order of Hubs.
	HubDegrees []int `json:"hubDegrees"`
	// Pairs are [from, to] pairs of uniformly drawn, distinct actors (shortestPath, paths).
	Pairs [][2]string `json:"pairs"`
	// Recipients are uniformly drawn ends of FUNDS relations (fundingChannels).
	Recipients []string `json:"recipients"`
}

// Stats describes the generated graph's shape.
type Stats struct {
	Actors, Relations, Sources int
	ByKind                     map[graph.Kind]int
	ByType                     map[graph.RelType]int
	MaxDegree                  int
	MedianDegree               int
	Over10k                    int // actors with at least 10,000 relations
	Over1k                     int
	WithSince, WithUntil       int
	WithVia                    int
	Keyed                      int // relations that needed a key (a second relation of a type between one pair)
	TopDegrees                 []string
}

// Result is a generated dataset with its sample and shape.
type Result struct {
	Dataset *graph.Dataset
	Sample  *Sample
	Stats   Stats
}

// SampleSize is the number of ids (or pairs) drawn per query.
const SampleSize = 200

// Generate builds the graph of the given scale from seed.
func Generate(seed uint64, sc Scale) *Result {
	g := &generator{
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		sc:    sc,
		byK:   map[graph.Kind][]int{},
		pick:  map[graph.Kind]*powerLaw{},
		relID: make(map[string]struct{}, sc.Relations),
	}
	g.sources()
	g.actors()
	g.relations()
	res := &Result{Dataset: &g.d}
	res.Stats = g.stats()
	res.Sample = g.sample(seed)
	return res
}

type generator struct {
	rng    *rand.Rand
	sc     Scale
	d      graph.Dataset
	byK    map[graph.Kind][]int // actor indexes of each kind, in rank order
	pick   map[graph.Kind]*powerLaw
	srcPL  *powerLaw
	relID  map[string]struct{}
	degree []int
	keyed  int
}

// sources makes a few synthetic source documents; citations pick them by a power law.
func (g *generator) sources() {
	n := 40
	for i := range n {
		g.d.Sources = append(g.d.Sources, graph.SourceInput{
			ID:        fmt.Sprintf("synthetic-source-%02d", i+1),
			Title:     fmt.Sprintf("Synthetic report %d on %s", i+1, g.word(3)),
			Publisher: "ActorGraph benchmark generator",
			Authors:   []string{g.personName(), g.personName()},
			Date:      fmt.Sprintf("%d-%02d", 2010+g.rng.IntN(15), 1+g.rng.IntN(12)),
			File:      fmt.Sprintf("synthetic-%02d.txt", i+1),
		})
	}
	g.srcPL = newPowerLaw(n, 1.0)
}

func (g *generator) actors() {
	nCountries := min(200, max(20, g.sc.Actors/50))
	rest := g.sc.Actors - nCountries
	counts := map[graph.Kind]int{country: nCountries}
	assigned := nCountries
	for i, ks := range kindShare {
		n := int(math.Round(float64(rest) * ks.share))
		if i == len(kindShare)-1 {
			n = g.sc.Actors - assigned
		}
		counts[ks.kind] = n
		assigned += n
	}
	codes := countryCodes(g.rng)
	for _, k := range graph.Kinds {
		n := counts[k]
		for i := range n {
			a := graph.ActorInput{ID: fmt.Sprintf("%s-%d", slugKind(k), i+1), Kind: k}
			switch k {
			case person:
				a.Name = g.personName()
				if g.rng.IntN(3) == 0 {
					a.Aliases = []string{"Abu " + g.word(2)}
				}
			case group:
				a.Name = g.word(2) + " " + g.word(3) + " " + groupSuffix[g.rng.IntN(len(groupSuffix))]
				a.Aliases = []string{acronym(a.Name)}
				if i < 10 {
					a.Description = "Umbrella group: a synthetic supernode of the benchmark graph."
				}
			case country:
				a.Name = g.word(3) + countrySuffix[g.rng.IntN(len(countrySuffix))]
				a.CountryCode = codes[i]
			case office:
				a.Name = g.word(2) + " Exchange Office"
			case agency:
				a.Name = g.word(2) + " " + agencySuffix[g.rng.IntN(len(agencySuffix))]
			case city:
				a.Name = g.word(3)
			case region:
				a.Name = g.word(2) + " Province"
			case event:
				a.Name = fmt.Sprintf("%s attack %d", g.word(2), 1995+g.rng.IntN(30))
			}
			a.Evidence = g.evidence(a.Name + " is listed in the source")
			g.byK[k] = append(g.byK[k], len(g.d.Actors))
			g.d.Actors = append(g.d.Actors, a)
		}
	}
	for _, ks := range kindShare {
		g.pick[ks.kind] = newPowerLaw(len(g.byK[ks.kind]), ks.alpha)
	}
	g.pick[country] = newPowerLaw(nCountries, countryAlpha)
	g.degree = make([]int, len(g.d.Actors))
}

func (g *generator) relations() {
	target := g.sc.Relations
	fundsTarget := int(float64(target) * fundsShare)
	total := 0.0
	for _, m := range relMix {
		total += m.share
	}
	cum := make([]float64, len(relMix))
	acc := 0.0
	for i, m := range relMix {
		acc += m.share / total
		cum[i] = acc
	}
	g.d.Relations = make([]graph.RelationInput, 0, target)
	// FUNDS chains first, then the other types until the target is reached.
	for funds := 0; funds < fundsTarget && len(g.d.Relations) < target; {
		funds += g.fundsChain(target)
	}
	for len(g.d.Relations) < target {
		m := relMix[min(sort.SearchFloat64s(cum, g.rng.Float64()), len(relMix)-1)]
		from, to, ok := g.endpoints(m.typ, m.from, m.to)
		if !ok {
			continue
		}
		g.add(m.typ, from, to, nil)
	}
}

// fundsChain adds a chain funder -> [office ...] -> group of 1 to 4 FUNDS relations, each naming 0 to 2
// transit countries in via, and returns how many relations it added.
func (g *generator) fundsChain(limit int) int {
	var chain []int
	switch r := g.rng.Float64(); {
	case r < 0.3:
		chain = append(chain, g.pickActor(country))
	case r < 0.6:
		chain = append(chain, g.pickActor(person))
	case r < 0.85:
		chain = append(chain, g.pickActor(group))
	default:
		chain = append(chain, g.pickActor(agency))
	}
	for range g.rng.IntN(4) { // 0..3 intermediaries
		chain = append(chain, g.pickActor(office))
	}
	chain = append(chain, g.pickActor(group))
	added := 0
	for i := 0; i+1 < len(chain) && len(g.d.Relations) < limit; i++ {
		if chain[i] == chain[i+1] {
			continue
		}
		var via []string
		for range g.rng.IntN(3) {
			via = append(via, g.d.Actors[g.pickActor(country)].ID)
		}
		if g.add(graph.Funds, chain[i], chain[i+1], via) {
			added++
		}
	}
	return max(added, 1)
}

func (g *generator) endpoints(t graph.RelType, from, to ends) (int, int, bool) {
	for range 8 {
		a, b := g.pickActor(g.pickKind(from)), g.pickActor(g.pickKind(to))
		if a == b {
			continue
		}
		if _, dup := g.relID[relKey(g.d.Actors[a].ID, t, g.d.Actors[b].ID)]; dup {
			continue
		}
		return a, b, true
	}
	return 0, 0, false
}

// add appends a relation; a second one of a type between one pair gets a key. It reports whether it added.
func (g *generator) add(t graph.RelType, a, b int, via []string) bool {
	from, to := g.d.Actors[a].ID, g.d.Actors[b].ID
	r := graph.RelationInput{Type: t, From: from, To: to, Via: via}
	if _, dup := g.relID[relKey(from, t, to)]; dup {
		if t != graph.Funds {
			return false
		}
		g.keyed++
		r.Key = fmt.Sprintf("k%d", g.keyed)
	}
	g.relID[r.ID()] = struct{}{}
	g.dates(&r)
	r.Evidence = g.evidence(fmt.Sprintf("%s %s %s", g.d.Actors[a].Name, verb(t), g.d.Actors[b].Name))
	g.degree[a]++
	g.degree[b]++
	g.d.Relations = append(g.d.Relations, r)
	return true
}

func relKey(from string, t graph.RelType, to string) string { return from + ":" + string(t) + ":" + to }

// dates sets status, confidence, and since/until on part of the relations (partial dates of every
// precision), as FORMAT.md describes them.
func (g *generator) dates(r *graph.RelationInput) {
	var lo, hi float64
	switch x := g.rng.Float64(); {
	case x < 0.55:
		r.Status, lo, hi = graph.Stated, 0.8, 0.95
	case x < 0.80:
		r.Status, lo, hi = graph.Alleged, 0.4, 0.7
	case x < 0.88:
		r.Status, lo, hi = graph.Disputed, 0.3, 0.5
	default:
		r.Status, lo, hi = graph.Historical, 0.8, 0.95
	}
	c := math.Round((lo+g.rng.Float64()*(hi-lo))*100) / 100
	r.Confidence = &c
	if g.rng.Float64() < 0.45 {
		y := 1990 + g.rng.IntN(30)
		r.Since = g.partialDate(y)
		if r.Status == graph.Historical || g.rng.Float64() < 0.2 {
			r.Until = g.partialDate(y + 1 + g.rng.IntN(5))
		}
	} else if r.Status == graph.Historical && g.rng.IntN(2) == 0 {
		r.Until = g.partialDate(2000 + g.rng.IntN(24))
	}
}

func (g *generator) partialDate(y int) string {
	switch g.rng.IntN(3) {
	case 0:
		return fmt.Sprintf("%d", y)
	case 1:
		return fmt.Sprintf("%d-%02d", y, 1+g.rng.IntN(12))
	default:
		return fmt.Sprintf("%d-%02d-%02d", y, 1+g.rng.IntN(12), 1+g.rng.IntN(28))
	}
}

// evidence makes one to three citations of the synthetic sources.
func (g *generator) evidence(claim string) []graph.EvidenceInput {
	n := 1
	if x := g.rng.Float64(); x < 0.25 {
		n = 2
	} else if x < 0.3 {
		n = 3
	}
	out := make([]graph.EvidenceInput, n)
	for i := range out {
		out[i] = graph.EvidenceInput{
			Source: g.d.Sources[g.srcPL.pick(g.rng)].ID,
			Line:   1 + g.rng.IntN(2000),
			Claim:  claim + ".",
		}
	}
	return out
}

func (g *generator) pickKind(es ends) graph.Kind {
	total := 0.0
	for _, x := range es {
		total += x.weight
	}
	r := g.rng.Float64() * total
	for _, x := range es {
		if r < x.weight {
			return x.kind
		}
		r -= x.weight
	}
	return es[len(es)-1].kind
}

func (g *generator) pickActor(k graph.Kind) int { return g.byK[k][g.pick[k].pick(g.rng)] }

func (g *generator) stats() Stats {
	st := Stats{Actors: len(g.d.Actors), Relations: len(g.d.Relations), Sources: len(g.d.Sources),
		ByKind: map[graph.Kind]int{}, ByType: map[graph.RelType]int{}, Keyed: g.keyed}
	for _, a := range g.d.Actors {
		st.ByKind[a.Kind]++
	}
	for _, r := range g.d.Relations {
		st.ByType[r.Type]++
		if r.Since != "" {
			st.WithSince++
		}
		if r.Until != "" {
			st.WithUntil++
		}
		if len(r.Via) > 0 {
			st.WithVia++
		}
	}
	degs := append([]int(nil), g.degree...)
	sort.Ints(degs)
	st.MaxDegree, st.MedianDegree = degs[len(degs)-1], degs[len(degs)/2]
	for _, d := range degs {
		if d >= 10_000 {
			st.Over10k++
		}
		if d >= 1_000 {
			st.Over1k++
		}
	}
	for _, i := range g.topByDegree(8) {
		st.TopDegrees = append(st.TopDegrees, fmt.Sprintf("%s=%d", g.d.Actors[i].ID, g.degree[i]))
	}
	return st
}

func (g *generator) topByDegree(n int, kinds ...graph.Kind) []int {
	var idx []int
	for i, a := range g.d.Actors {
		if len(kinds) == 0 || a.Kind == kinds[0] || (len(kinds) > 1 && a.Kind == kinds[1]) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(x, y int) bool { return g.degree[idx[x]] > g.degree[idx[y]] })
	return idx[:min(n, len(idx))]
}

// sample draws the benchmark's ids from a random stream of its own, so that it does not depend on how
// many numbers the generation drew.
func (g *generator) sample(seed uint64) *Sample {
	rng := rand.New(rand.NewPCG(seed+1, 0x5eed))
	s := &Sample{Scale: g.sc.Name, Seed: seed}
	n := len(g.d.Actors)
	for range SampleSize {
		s.Actors = append(s.Actors, g.d.Actors[rng.IntN(n)].ID)
		a := g.d.Actors[rng.IntN(n)]
		text := a.Name
		if w := strings.Fields(a.Name); rng.IntN(3) == 0 && len(w) > 1 {
			text = w[0] // one word: many matches, the ranking has work to do
		}
		s.Search = append(s.Search, text)
		x, y := rng.IntN(n), rng.IntN(n)
		for y == x {
			y = rng.IntN(n)
		}
		s.Pairs = append(s.Pairs, [2]string{g.d.Actors[x].ID, g.d.Actors[y].ID})
		s.Recipients = append(s.Recipients, g.fundsEnd(rng))
	}
	// Hubs: the top countries and the top (umbrella) groups by degree, alternating.
	cs, gs := g.topByDegree(5, country), g.topByDegree(5, group)
	for i := range 5 {
		for _, list := range [][]int{cs, gs} {
			if i < len(list) {
				s.Hubs = append(s.Hubs, g.d.Actors[list[i]].ID)
				s.HubDegrees = append(s.HubDegrees, g.degree[list[i]])
			}
		}
	}
	return s
}

// fundsEnd picks the recipient of a uniformly drawn FUNDS relation.
func (g *generator) fundsEnd(rng *rand.Rand) string {
	for {
		r := &g.d.Relations[rng.IntN(len(g.d.Relations))]
		if r.Type == graph.Funds {
			return r.To
		}
	}
}

// powerLaw picks 0..n-1 with weight 1/(i+1)^alpha.
type powerLaw struct{ cum []float64 }

func newPowerLaw(n int, alpha float64) *powerLaw {
	p := &powerLaw{cum: make([]float64, n)}
	acc := 0.0
	for i := range n {
		acc += 1 / math.Pow(float64(i+1), alpha)
		p.cum[i] = acc
	}
	return p
}

func (p *powerLaw) pick(rng *rand.Rand) int {
	return min(sort.SearchFloat64s(p.cum, rng.Float64()*p.cum[len(p.cum)-1]), len(p.cum)-1)
}

// Names: synthetic, pronounceable, searchable.
var (
	syllables = []string{"al", "ba", "dar", "fa", "gha", "har", "ja", "ka", "lam", "ma", "nur", "qa", "ra", "sa",
		"ta", "wa", "za", "shi", "kor", "bek", "tan", "zar", "mir", "rud", "pol", "ven", "dos", "kel", "tur", "vis"}
	firstNames = []string{"Abdul", "Ahmad", "Amir", "Bilal", "Farid", "Hamid", "Hasan", "Idris", "Jamal", "Karim",
		"Khalid", "Mahmud", "Nasir", "Omar", "Rashid", "Salim", "Tariq", "Umar", "Yusuf", "Zaid", "Aisha", "Fatima",
		"Layla", "Mariam", "Nadia", "Samira", "Yasmin", "Zahra", "Ilyas", "Qasim"}
	groupSuffix   = []string{"Front", "Movement", "Brigade", "Army", "Council", "Network", "Battalion", "Party"}
	countrySuffix = []string{"ia", "stan", "land", "or", "ea"}
	agencySuffix  = []string{"Intelligence Directorate", "Security Service", "Police", "Counter-Terrorism Unit"}
)

func (g *generator) word(n int) string {
	var b strings.Builder
	for range 1 + g.rng.IntN(n) {
		b.WriteString(syllables[g.rng.IntN(len(syllables))])
	}
	if b.Len() < 4 {
		b.WriteString(syllables[g.rng.IntN(len(syllables))])
	}
	w := b.String()
	return strings.ToUpper(w[:1]) + w[1:]
}

func (g *generator) personName() string {
	return firstNames[g.rng.IntN(len(firstNames))] + " " + g.word(3)
}

func acronym(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		b.WriteByte(w[0])
	}
	return b.String()
}

func slugKind(k graph.Kind) string { return strings.ReplaceAll(strings.ToLower(string(k)), "_", "-") }

// countryCodes returns the 676 two-letter codes in a seeded order.
func countryCodes(rng *rand.Rand) []string {
	var out []string
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			out = append(out, string([]rune{a, b}))
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func verb(t graph.RelType) string { return strings.ReplaceAll(strings.ToLower(string(t)), "_", " ") }
