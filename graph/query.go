package graph

import (
	"fmt"
	"strings"
)

// Limits on query arguments. Every query is also capped by the store's row cap and timeout.
const (
	MaxDepth          = 4
	MaxLimit          = 1000
	MaxPerNodeLimit   = 500
	MaxShortestHops   = 10
	MaxPathHops       = 6
	MaxK              = 20
	MaxFirst          = 500
	MaxSearchFirst    = 100
	MaxSearchText     = 200
	MaxIDLength       = 200
	MaxListArg        = 50
	MaxConnectionIDs  = 10
	MaxFundingHops    = 6
	MaxFundingResults = 200
)

// Filter restricts which relations a traversal may follow. The zero value follows every relation.
type Filter struct {
	Types         []RelType // empty: every type
	Direction     Direction // "" means BOTH
	Kinds         []Kind    // actors reached must be of one of these kinds; empty: any
	AsOf          *string   // only relations valid at this partial date
	MinConfidence *float64
	Statuses      []Status
	// IncludeRetired follows retired relations too.
	IncludeRetired bool
}

// ActorsQuery pages through actors.
type ActorsQuery struct {
	Kind  *Kind
	First int
	After *string
}

// SearchQuery finds actors by name or alias. Matching ignores case, diacritics, hyphens and punctuation,
// accepts one typo per word, and ranks exact name or alias matches first.
type SearchQuery struct {
	Text  string
	Kinds []Kind
	First int
}

// RelationsQuery pages through one actor's relations.
type RelationsQuery struct {
	Filter
	First int
	After *string
}

// NeighbourhoodQuery asks for the actors within Depth hops of ID.
type NeighbourhoodQuery struct {
	ID    string
	Depth int
	Filter
	// Limit caps the number of actors returned; PerNodeLimit caps the relations followed out of any one
	// actor (highest confidence first).
	Limit        int
	PerNodeLimit int
}

// PathQuery asks for up to K simple paths of at most MaxHops between From and To.
type PathQuery struct {
	From, To string
	Filter
	MaxHops int
	K       int
	Avoid   []string // actors no path may pass through
	RankBy  PathRank
}

// ConnectionsQuery asks how a set of actors are linked.
type ConnectionsQuery struct {
	IDs     []string
	MaxHops int
	Filter
}

// FundingQuery selects funding channels: into Recipient, out of Funder, through Through (an actor on the
// chain or named in a relation's via). At least one must be set.
type FundingQuery struct {
	Recipient, Funder, Through *string
	AsOf                       *string
	MaxHops                    int
}

func checkRange(field string, v, lo, hi int) error {
	if v < lo || v > hi {
		return Invalid(field, "must be between %d and %d, got %d", lo, hi, v)
	}
	return nil
}

func checkID(field, id string) error {
	if id == "" {
		return Invalid(field, "must not be empty")
	}
	if len(id) > MaxIDLength {
		return Invalid(field, "must be at most %d characters", MaxIDLength)
	}
	return nil
}

func checkIDs(field string, ids []string, max int) error {
	if len(ids) > max {
		return Invalid(field, "must hold at most %d ids, got %d", max, len(ids))
	}
	for i, id := range ids {
		if err := checkID(fmt.Sprintf("%s[%d]", field, i), id); err != nil {
			return err
		}
	}
	return nil
}

// validate checks a filter and returns the parsed asOf date (nil when absent).
func (f *Filter) validate() (*Date, error) {
	for i, t := range f.Types {
		if !t.Valid() {
			return nil, Invalid(fmt.Sprintf("types[%d]", i), "unknown relation type %q", t)
		}
	}
	for i, k := range f.Kinds {
		if !k.Valid() {
			return nil, Invalid(fmt.Sprintf("kinds[%d]", i), "unknown actor kind %q", k)
		}
	}
	for i, s := range f.Statuses {
		if !s.Valid() {
			return nil, Invalid(fmt.Sprintf("statuses[%d]", i), "unknown status %q", s)
		}
	}
	switch f.Direction {
	case "":
		f.Direction = Both
	case Out, In, Both:
	default:
		return nil, Invalid("direction", "must be OUT, IN or BOTH, got %q", f.Direction)
	}
	if c := f.MinConfidence; c != nil && (*c < 0 || *c > 1) {
		return nil, Invalid("minConfidence", "must be between 0 and 1, got %g", *c)
	}
	if len(f.Types) > len(RelTypes) || len(f.Kinds) > len(Kinds) || len(f.Statuses) > len(Statuses) {
		return nil, Invalid("types", "lists must not repeat values")
	}
	return parseOptionalDate("asOf", f.AsOf)
}

func (q *NeighbourhoodQuery) validate() (*Date, error) {
	if err := checkID("id", q.ID); err != nil {
		return nil, err
	}
	if err := checkRange("depth", q.Depth, 1, MaxDepth); err != nil {
		return nil, err
	}
	if err := checkRange("limit", q.Limit, 1, MaxLimit); err != nil {
		return nil, err
	}
	if err := checkRange("perNodeLimit", q.PerNodeLimit, 1, MaxPerNodeLimit); err != nil {
		return nil, err
	}
	return q.Filter.validate()
}

func (q *PathQuery) validate(maxHops int) (*Date, error) {
	if err := checkID("from", q.From); err != nil {
		return nil, err
	}
	if err := checkID("to", q.To); err != nil {
		return nil, err
	}
	if err := checkRange("maxHops", q.MaxHops, 1, maxHops); err != nil {
		return nil, err
	}
	if err := checkRange("k", q.K, 1, MaxK); err != nil {
		return nil, err
	}
	if err := checkIDs("avoid", q.Avoid, MaxListArg); err != nil {
		return nil, err
	}
	for _, a := range q.Avoid {
		if a == q.From || a == q.To {
			return nil, Invalid("avoid", "must not contain the path's own ends (%q)", a)
		}
	}
	switch q.RankBy {
	case "":
		q.RankBy = RankLength
	case RankLength, RankCredibility:
	default:
		return nil, Invalid("rankBy", "must be LENGTH or CREDIBILITY, got %q", q.RankBy)
	}
	return q.Filter.validate()
}

func (q *FundingQuery) validate() (*Date, error) {
	set := 0
	for _, p := range []struct {
		field string
		id    *string
	}{{"recipient", q.Recipient}, {"funder", q.Funder}, {"through", q.Through}} {
		if p.id == nil {
			continue
		}
		set++
		if err := checkID(p.field, *p.id); err != nil {
			return nil, err
		}
	}
	if set == 0 {
		return nil, Invalid("recipient", "give at least one of recipient, funder or through")
	}
	if err := checkRange("maxHops", q.MaxHops, 1, MaxFundingHops); err != nil {
		return nil, err
	}
	return parseOptionalDate("asOf", q.AsOf)
}

// normalizeSearch folds text for matching: lower case, diacritics removed, every run of characters that are
// not letters or digits turned into one space. The result holds only letters, digits and single spaces, so
// it can never carry Lucene syntax.
func normalizeSearch(s string) string {
	var b strings.Builder
	space := false
	for _, r := range foldDiacritics(strings.ToLower(s)) {
		if isLetterOrDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	return b.String()
}
