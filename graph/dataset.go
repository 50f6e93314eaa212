package graph

import (
	"fmt"
	"math"
	"regexp"
	"strings"
)

// Dataset is what an import writes: sources, actors and relations, in the shape of seed/FORMAT.md.
// Validate it before importing; Import writes it as given.
type Dataset struct {
	Sources   []SourceInput
	Actors    []ActorInput
	Relations []RelationInput
}

// SourceInput describes a source document.
type SourceInput struct {
	ID        string
	Title     string
	Publisher string
	Authors   []string
	Date      string
	File      string
}

// EvidenceInput is one citation.
type EvidenceInput struct {
	Source string
	Line   int // 0: no line
	Claim  string
}

// ActorInput describes an actor.
type ActorInput struct {
	ID          string
	Kind        Kind
	Name        string
	Aliases     []string
	Description string
	CountryCode string
	Evidence    []EvidenceInput
}

// RelationInput describes a relation.
type RelationInput struct {
	Type       RelType
	From, To   string
	Key        string
	Since      string
	Until      string
	Status     Status
	Confidence *float64
	Via        []string
	Evidence   []EvidenceInput
}

// ID is the relation's id: from:TYPE:to, or from:TYPE:to:key.
func (r *RelationInput) ID() string {
	id := r.From + ":" + string(r.Type) + ":" + r.To
	if r.Key != "" {
		id += ":" + r.Key
	}
	return id
}

// FieldError is one validation failure of a dataset: which list, which entry, which field, and why.
type FieldError struct {
	List  string // "sources", "actors" or "relations"
	Index int    // position in the list
	Entry string // the entry's id
	Field string
	Msg   string
}

func (e FieldError) Error() string {
	return fmt.Sprintf("%s[%d] (%s): %s: %s", e.List, e.Index, e.Entry, e.Field, e.Msg)
}

var (
	slugRE     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	countryRE  = regexp.MustCompile(`^[A-Z]{2}$`)
	maxText    = 2000
	maxAliases = 100
)

// Lookup tells whether an id already exists outside the dataset (in the database). It lets a user's
// dataset refer to actors and sources loaded before.
type Lookup func(id string) bool

// Validate checks every entry of the dataset against the rules of seed/FORMAT.md and returns every
// failure found (nil when the dataset may be imported). Actor and source ids used by relations and
// citations must be declared in the dataset or known to existingActor / existingSource (which may be nil).
func (d *Dataset) Validate(existingActor, existingSource Lookup) []FieldError {
	var errs []FieldError
	add := func(list string, i int, entry, field, format string, args ...any) {
		errs = append(errs, FieldError{List: list, Index: i, Entry: entry, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	sources := map[string]bool{}
	for i, s := range d.Sources {
		if !slugRE.MatchString(s.ID) || len(s.ID) > MaxIDLength {
			add("sources", i, s.ID, "id", "must be a lowercase slug like stimson-2024")
		} else if sources[s.ID] {
			add("sources", i, s.ID, "id", "duplicate id %q", s.ID)
		}
		sources[s.ID] = true
		if strings.TrimSpace(s.Title) == "" {
			add("sources", i, s.ID, "title", "must not be empty")
		}
		if s.Date != "" {
			if _, err := ParseDate(s.Date); err != nil {
				add("sources", i, s.ID, "date", "%v", err)
			}
		}
	}
	knownSource := func(id string) bool { return sources[id] || (existingSource != nil && existingSource(id)) }
	checkEvidence := func(list string, i int, entry string, ev []EvidenceInput) {
		if len(ev) == 0 {
			add(list, i, entry, "evidence", "needs at least one citation")
		}
		for j, e := range ev {
			f := fmt.Sprintf("evidence[%d]", j)
			switch {
			case e.Source == "":
				add(list, i, entry, f+".source", "must name a source id")
			case !knownSource(e.Source):
				add(list, i, entry, f+".source", "unknown source %q", e.Source)
			}
			if e.Line < 0 {
				add(list, i, entry, f+".line", "must be a positive line number, got %d", e.Line)
			}
			if strings.TrimSpace(e.Claim) == "" {
				add(list, i, entry, f+".claim", "must state the claim in one line")
			} else if len(e.Claim) > maxText || strings.ContainsAny(e.Claim, "\n\r") {
				add(list, i, entry, f+".claim", "must be one line of at most %d characters", maxText)
			}
		}
	}

	actors := map[string]bool{}
	for i, a := range d.Actors {
		if !slugRE.MatchString(a.ID) || len(a.ID) > MaxIDLength {
			add("actors", i, a.ID, "id", "must be a lowercase slug like al-karrar-office, got %q", a.ID)
		} else if actors[a.ID] {
			add("actors", i, a.ID, "id", "duplicate id %q", a.ID)
		}
		actors[a.ID] = true
		if !a.Kind.Valid() {
			add("actors", i, a.ID, "kind", "unknown kind %q (want one of %s)", a.Kind, joinKinds())
		}
		if strings.TrimSpace(a.Name) == "" {
			add("actors", i, a.ID, "name", "must not be empty")
		} else if len(a.Name) > maxText {
			add("actors", i, a.ID, "name", "must be at most %d characters", maxText)
		}
		if len(a.Aliases) > maxAliases {
			add("actors", i, a.ID, "aliases", "at most %d aliases", maxAliases)
		}
		for j, al := range a.Aliases {
			if strings.TrimSpace(al) == "" || len(al) > maxText {
				add("actors", i, a.ID, fmt.Sprintf("aliases[%d]", j), "must be a non-empty name")
			}
		}
		if len(a.Description) > maxText*4 {
			add("actors", i, a.ID, "description", "must be at most %d characters", maxText*4)
		}
		if a.CountryCode != "" {
			if a.Kind != KindCountry {
				add("actors", i, a.ID, "countryCode", "only a COUNTRY has a country code")
			} else if !countryRE.MatchString(a.CountryCode) {
				add("actors", i, a.ID, "countryCode", "must be ISO 3166-1 alpha-2 (two capital letters), got %q", a.CountryCode)
			}
		}
		checkEvidence("actors", i, a.ID, a.Evidence)
	}
	knownActor := func(id string) bool { return actors[id] || (existingActor != nil && existingActor(id)) }

	rels := map[string]bool{}
	for i, r := range d.Relations {
		id := r.ID()
		if !r.Type.Valid() {
			add("relations", i, id, "type", "unknown relation type %q", r.Type)
		}
		for _, end := range []struct{ field, id string }{{"from", r.From}, {"to", r.To}} {
			switch {
			case end.id == "":
				add("relations", i, id, end.field, "must name an actor id")
			case !knownActor(end.id):
				add("relations", i, id, end.field, "unknown actor %q", end.id)
			}
		}
		if r.From != "" && r.From == r.To {
			add("relations", i, id, "to", "a relation cannot join an actor to itself")
		}
		if r.Key != "" && !slugRE.MatchString(r.Key) {
			add("relations", i, id, "key", "must be a lowercase slug, got %q", r.Key)
		}
		if rels[id] {
			add("relations", i, id, "id", "duplicate relation %q (set a key to tell two apart)", id)
		}
		rels[id] = true
		var since, until *Date
		if r.Since != "" {
			if d, err := ParseDate(r.Since); err != nil {
				add("relations", i, id, "since", "%v", err)
			} else {
				since = &d
			}
		}
		if r.Until != "" {
			if d, err := ParseDate(r.Until); err != nil {
				add("relations", i, id, "until", "%v", err)
			} else {
				until = &d
			}
		}
		if since != nil && until != nil && until.End() < since.Start() {
			add("relations", i, id, "until", "%s is before since %s", r.Until, r.Since)
		}
		if !r.Status.Valid() {
			add("relations", i, id, "status", "unknown status %q (want STATED, ALLEGED, DISPUTED or HISTORICAL)", r.Status)
		}
		if c := r.Confidence; c == nil {
			add("relations", i, id, "confidence", "must be set, between 0 and 1")
		} else if math.IsNaN(*c) || *c < 0 || *c > 1 {
			add("relations", i, id, "confidence", "must be between 0 and 1, got %g", *c)
		}
		if len(r.Via) > 0 && r.Type != Funds {
			add("relations", i, id, "via", "only a FUNDS relation has a route")
		}
		for j, v := range r.Via {
			if !knownActor(v) {
				add("relations", i, id, fmt.Sprintf("via[%d]", j), "unknown actor %q", v)
			}
		}
		checkEvidence("relations", i, id, r.Evidence)
	}
	return errs
}

func joinKinds() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, " ")
}
