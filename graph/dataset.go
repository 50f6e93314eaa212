package graph

import (
	"crypto/sha256"
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
	v := NewValidator(existingActor, existingSource)
	var errs []FieldError
	for i := range d.Sources {
		errs = append(errs, v.Source(&d.Sources[i])...)
	}
	for i := range d.Actors {
		errs = append(errs, v.Actor(&d.Actors[i])...)
	}
	for i := range d.Relations {
		errs = append(errs, v.Relation(&d.Relations[i])...)
	}
	return errs
}

// Validator checks a dataset one entry at a time, sources first, then actors, then relations, against the
// rules of seed/FORMAT.md. An entry may refer to the sources and actors checked before it and to the ids the
// lookups know. It keeps only ids (relation ids as 16-byte hashes), so that a dataset too large to hold in
// memory (Stream) is checked as Dataset.Validate checks one that is held: same rules, same errors.
type Validator struct {
	existingActor, existingSource Lookup
	sources, actors               map[string]bool
	rels                          map[[16]byte]struct{}
	n                             [3]int // entries checked: sources, actors, relations
}

// NewValidator returns a Validator that looks up undeclared ids with existingActor and existingSource
// (either may be nil: then every id must be declared).
func NewValidator(existingActor, existingSource Lookup) *Validator {
	return &Validator{existingActor: existingActor, existingSource: existingSource,
		sources: map[string]bool{}, actors: map[string]bool{}, rels: map[[16]byte]struct{}{}}
}

// Counts returns how many sources, actors and relations have been checked.
func (v *Validator) Counts() (sources, actors, relations int) { return v.n[0], v.n[1], v.n[2] }

// DeclaresActor reports whether an actor checked so far declares id. A reference to any other id asks the
// actor lookup.
func (v *Validator) DeclaresActor(id string) bool { return v.actors[id] }

func (v *Validator) knownSource(id string) bool {
	return v.sources[id] || (v.existingSource != nil && v.existingSource(id))
}

func (v *Validator) knownActor(id string) bool {
	return v.actors[id] || (v.existingActor != nil && v.existingActor(id))
}

// fieldErrors collects the failures of one entry.
type fieldErrors struct {
	list, entry string
	index       int
	errs        []FieldError
}

func (f *fieldErrors) add(field, format string, args ...any) {
	f.errs = append(f.errs, FieldError{List: f.list, Index: f.index, Entry: f.entry, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// Source checks the next source and returns its failures.
func (v *Validator) Source(s *SourceInput) []FieldError {
	f := &fieldErrors{list: "sources", index: v.n[0], entry: s.ID}
	v.n[0]++
	if !slugRE.MatchString(s.ID) || len(s.ID) > MaxIDLength {
		f.add("id", "must be a lowercase slug like stimson-2024")
	} else if v.sources[s.ID] {
		f.add("id", "duplicate id %q", s.ID)
	}
	v.sources[s.ID] = true
	if strings.TrimSpace(s.Title) == "" {
		f.add("title", "must not be empty")
	}
	if s.Date != "" {
		if _, err := ParseDate(s.Date); err != nil {
			f.add("date", "%v", err)
		}
	}
	return f.errs
}

func (v *Validator) checkEvidence(f *fieldErrors, ev []EvidenceInput) {
	if len(ev) == 0 {
		f.add("evidence", "needs at least one citation")
	}
	for j, e := range ev {
		field := fmt.Sprintf("evidence[%d]", j)
		switch {
		case e.Source == "":
			f.add(field+".source", "must name a source id")
		case !v.knownSource(e.Source):
			f.add(field+".source", "unknown source %q", e.Source)
		}
		if e.Line < 0 {
			f.add(field+".line", "must be a positive line number, got %d", e.Line)
		}
		if strings.TrimSpace(e.Claim) == "" {
			f.add(field+".claim", "must state the claim in one line")
		} else if len(e.Claim) > maxText || strings.ContainsAny(e.Claim, "\n\r") {
			f.add(field+".claim", "must be one line of at most %d characters", maxText)
		}
	}
}

// Actor checks the next actor and returns its failures.
func (v *Validator) Actor(a *ActorInput) []FieldError {
	f := &fieldErrors{list: "actors", index: v.n[1], entry: a.ID}
	v.n[1]++
	if !slugRE.MatchString(a.ID) || len(a.ID) > MaxIDLength {
		f.add("id", "must be a lowercase slug like al-karrar-office, got %q", a.ID)
	} else if v.actors[a.ID] {
		f.add("id", "duplicate id %q", a.ID)
	}
	v.actors[a.ID] = true
	if !a.Kind.Valid() {
		f.add("kind", "unknown kind %q (want one of %s)", a.Kind, joinKinds())
	}
	if strings.TrimSpace(a.Name) == "" {
		f.add("name", "must not be empty")
	} else if len(a.Name) > maxText {
		f.add("name", "must be at most %d characters", maxText)
	}
	if len(a.Aliases) > maxAliases {
		f.add("aliases", "at most %d aliases", maxAliases)
	}
	for j, al := range a.Aliases {
		if strings.TrimSpace(al) == "" || len(al) > maxText {
			f.add(fmt.Sprintf("aliases[%d]", j), "must be a non-empty name")
		}
	}
	if len(a.Description) > maxText*4 {
		f.add("description", "must be at most %d characters", maxText*4)
	}
	if a.CountryCode != "" {
		if a.Kind != KindCountry {
			f.add("countryCode", "only a COUNTRY has a country code")
		} else if !countryRE.MatchString(a.CountryCode) {
			f.add("countryCode", "must be ISO 3166-1 alpha-2 (two capital letters), got %q", a.CountryCode)
		}
	}
	v.checkEvidence(f, a.Evidence)
	return f.errs
}

// Relation checks the next relation and returns its failures.
func (v *Validator) Relation(r *RelationInput) []FieldError {
	id := r.ID()
	f := &fieldErrors{list: "relations", index: v.n[2], entry: id}
	v.n[2]++
	if !r.Type.Valid() {
		f.add("type", "unknown relation type %q", r.Type)
	}
	for _, end := range []struct{ field, id string }{{"from", r.From}, {"to", r.To}} {
		switch {
		case end.id == "":
			f.add(end.field, "must name an actor id")
		case !v.knownActor(end.id):
			f.add(end.field, "unknown actor %q", end.id)
		}
	}
	if r.From != "" && r.From == r.To {
		f.add("to", "a relation cannot join an actor to itself")
	}
	if r.Key != "" && !slugRE.MatchString(r.Key) {
		f.add("key", "must be a lowercase slug, got %q", r.Key)
	}
	var h [16]byte
	sum := sha256.Sum256([]byte(id))
	copy(h[:], sum[:])
	if _, dup := v.rels[h]; dup {
		f.add("id", "duplicate relation %q (set a key to tell two apart)", id)
	}
	v.rels[h] = struct{}{}
	var since, until *Date
	if r.Since != "" {
		if d, err := ParseDate(r.Since); err != nil {
			f.add("since", "%v", err)
		} else {
			since = &d
		}
	}
	if r.Until != "" {
		if d, err := ParseDate(r.Until); err != nil {
			f.add("until", "%v", err)
		} else {
			until = &d
		}
	}
	if since != nil && until != nil && until.End() < since.Start() {
		f.add("until", "%s is before since %s", r.Until, r.Since)
	}
	if !r.Status.Valid() {
		f.add("status", "unknown status %q (want STATED, ALLEGED, DISPUTED or HISTORICAL)", r.Status)
	}
	if c := r.Confidence; c == nil {
		f.add("confidence", "must be set, between 0 and 1")
	} else if math.IsNaN(*c) || *c < 0 || *c > 1 {
		f.add("confidence", "must be between 0 and 1, got %g", *c)
	}
	if len(r.Via) > 0 && r.Type != Funds {
		f.add("via", "only a FUNDS relation has a route")
	}
	for j, via := range r.Via {
		if !v.knownActor(via) {
			f.add(fmt.Sprintf("via[%d]", j), "unknown actor %q", via)
		}
	}
	v.checkEvidence(f, r.Evidence)
	return f.errs
}

func joinKinds() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, " ")
}
