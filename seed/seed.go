// Package seed holds ActorGraph's seed dataset (data/, drawn from the five source documents) and the loader
// that imports it, or a user's own dataset in the same format (FORMAT.md), into the graph.
//
// Loading is all or nothing: every file is parsed and the whole dataset validated before anything is
// written, and the write is graph.Graph.Import, which applies a dataset whole or not at all (one
// transaction, or for a large dataset into an empty database an initial load that removes itself when it
// fails, or on the next load when its process was killed). A failed load leaves the database as it was.
package seed

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/actorgraph/actorgraph/graph"
)

// data is the seed dataset, embedded so that the binary can seed a database on its own.
//
//go:embed data
var data embed.FS

// File is one dataset file: its name (for error messages) and content.
type File struct {
	Name string
	Data []byte
}

// MaxFileSize is the largest dataset file the loader accepts.
const MaxFileSize = 256 << 20

// Default returns the embedded seed dataset files, in a stable order.
func Default() ([]File, error) {
	var files []File
	err := fs.WalkDir(data, "data", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".yaml" {
			return err
		}
		b, err := data.ReadFile(p)
		files = append(files, File{Name: "seed/" + p, Data: b})
		return err
	})
	return files, err
}

// ReadFiles reads dataset files from disk.
func ReadFiles(paths []string) ([]File, error) {
	files := make([]File, 0, len(paths))
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, &graph.Error{Code: graph.EINVALID, Field: "file", Message: err.Error()}
		}
		if st.Size() > MaxFileSize {
			return nil, graph.Invalid("file", "%s is larger than %d MiB", p, MaxFileSize>>20)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, &graph.Error{Code: graph.EINVALID, Field: "file", Message: err.Error()}
		}
		files = append(files, File{Name: p, Data: b})
	}
	return files, nil
}

// Problem is one reason a dataset was rejected, placed in its file.
type Problem struct {
	File  string
	Line  int
	Entry string // e.g. relations[3] (iskp:RIVAL_OF:taliban)
	Field string
	Msg   string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if p.Entry == "" {
		return fmt.Sprintf("%s: %s", loc, p.Msg)
	}
	return fmt.Sprintf("%s: %s: %s: %s", loc, p.Entry, p.Field, p.Msg)
}

// Problems is the error of a rejected dataset; Load wraps it in a *graph.Error with code INVALID.
type Problems []Problem

func (ps Problems) Error() string { return ps.report(len(ps)) }

// report lists ps as the first of total problems.
func (ps Problems) report(total int) string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	count := fmt.Sprintf("%d problems", total)
	if total > len(ps) {
		count += fmt.Sprintf(", the first %d listed", len(ps))
	}
	return fmt.Sprintf("dataset rejected, nothing written (%s):\n%s", count, strings.Join(lines, "\n"))
}

// Parsed is a dataset and where each of its entries came from.
type Parsed struct {
	graph.Dataset
	pos map[string][]Problem // list name -> position (File, Line, Entry) of each entry, by index
}

type fileDoc struct {
	Sources   []sourceDoc   `yaml:"sources"`
	Actors    []actorDoc    `yaml:"actors"`
	Relations []relationDoc `yaml:"relations"`
}

// The documents of FORMAT.md, as read (Parse, the JSON Lines reader) and written (WriteYAML, WriteJSONL).
// An optional field left empty is not written.

type sourceDoc struct {
	ID        string   `yaml:"id" json:"id"`
	Title     string   `yaml:"title" json:"title"`
	Publisher string   `yaml:"publisher,omitempty" json:"publisher,omitempty"`
	Authors   []string `yaml:"authors,omitempty" json:"authors,omitempty"`
	Date      string   `yaml:"date,omitempty" json:"date,omitempty"`
	File      string   `yaml:"file,omitempty" json:"file,omitempty"`
}

type evidenceDoc struct {
	Source string `yaml:"source" json:"source"`
	Line   int    `yaml:"line,omitempty" json:"line,omitempty"`
	Claim  string `yaml:"claim" json:"claim"`
}

type actorDoc struct {
	ID          string        `yaml:"id" json:"id"`
	Kind        string        `yaml:"kind" json:"kind"`
	Name        string        `yaml:"name" json:"name"`
	Aliases     []string      `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	Description string        `yaml:"description,omitempty" json:"description,omitempty"`
	CountryCode string        `yaml:"countryCode,omitempty" json:"countryCode,omitempty"`
	Evidence    []evidenceDoc `yaml:"evidence" json:"evidence"`
}

type relationDoc struct {
	Type       string        `yaml:"type" json:"type"`
	From       string        `yaml:"from" json:"from"`
	To         string        `yaml:"to" json:"to"`
	Key        string        `yaml:"key,omitempty" json:"key,omitempty"`
	Since      string        `yaml:"since,omitempty" json:"since,omitempty"`
	Until      string        `yaml:"until,omitempty" json:"until,omitempty"`
	Status     string        `yaml:"status" json:"status"`
	Confidence *float64      `yaml:"confidence" json:"confidence"`
	Via        []string      `yaml:"via,omitempty" json:"via,omitempty"`
	Evidence   []evidenceDoc `yaml:"evidence" json:"evidence"`
}

func evidenceInputs(ev []evidenceDoc) []graph.EvidenceInput {
	out := make([]graph.EvidenceInput, len(ev))
	for i, e := range ev {
		out[i] = graph.EvidenceInput{Source: e.Source, Line: e.Line, Claim: strings.TrimSpace(e.Claim)}
	}
	return out
}

func (s *sourceDoc) input() graph.SourceInput {
	return graph.SourceInput{ID: s.ID, Title: s.Title, Publisher: s.Publisher, Authors: s.Authors, Date: s.Date, File: s.File}
}

func (a *actorDoc) input() graph.ActorInput {
	return graph.ActorInput{ID: a.ID, Kind: graph.Kind(a.Kind), Name: strings.TrimSpace(a.Name), Aliases: a.Aliases,
		Description: strings.TrimSpace(a.Description), CountryCode: a.CountryCode, Evidence: evidenceInputs(a.Evidence)}
}

func (r *relationDoc) input() graph.RelationInput {
	return graph.RelationInput{Type: graph.RelType(r.Type), From: r.From, To: r.To, Key: r.Key, Since: r.Since,
		Until: r.Until, Status: graph.Status(r.Status), Confidence: r.Confidence, Via: r.Via,
		Evidence: evidenceInputs(r.Evidence)}
}

// Parse decodes every file (unknown fields and wrong value types are problems too) into one dataset. It
// does not validate the entries: Load does, once it knows what the database already holds.
func Parse(files []File) (*Parsed, error) {
	p := &Parsed{pos: map[string][]Problem{}}
	var problems Problems
	for _, f := range files {
		var doc fileDoc
		dec := yaml.NewDecoder(bytes.NewReader(f.Data))
		dec.KnownFields(true)
		if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) { // an empty file is an empty dataset
			problems = append(problems, Problem{File: f.Name, Msg: strings.TrimPrefix(err.Error(), "yaml: ")})
			continue
		}
		lines := entryLines(f.Data)
		at := func(list string, i int, id string) Problem {
			return Problem{File: f.Name, Line: lines[list][i], Entry: fmt.Sprintf("%s[%d] (%s)", list, i, id)}
		}
		for i, s := range doc.Sources {
			p.pos["sources"] = append(p.pos["sources"], at("sources", i, s.ID))
			p.Sources = append(p.Sources, s.input())
		}
		for i, a := range doc.Actors {
			p.pos["actors"] = append(p.pos["actors"], at("actors", i, a.ID))
			p.Actors = append(p.Actors, a.input())
		}
		for i, r := range doc.Relations {
			in := r.input()
			p.pos["relations"] = append(p.pos["relations"], at("relations", i, in.ID()))
			p.Relations = append(p.Relations, in)
		}
	}
	if len(problems) > 0 {
		return nil, invalid(problems)
	}
	return p, nil
}

// entryLines finds the line of each entry of the three lists, by index.
func entryLines(b []byte) map[string][]int {
	out := map[string][]int{}
	var root yaml.Node
	if yaml.Unmarshal(b, &root) != nil || len(root.Content) == 0 {
		return out
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		for _, item := range m.Content[i+1].Content {
			out[m.Content[i].Value] = append(out[m.Content[i].Value], item.Line)
		}
	}
	return out
}

// Validate checks the dataset; ids it does not declare are looked up in g (which may be nil: then they
// must all be declared).
func (p *Parsed) Validate(ctx context.Context, g graph.Graph) error {
	var actorRefs, sourceRefs []string
	declared := map[string]bool{}
	for _, a := range p.Actors {
		declared[a.ID] = true
	}
	for _, s := range p.Sources {
		declared["source:"+s.ID] = true
	}
	addSources := func(ev []graph.EvidenceInput) {
		for _, e := range ev {
			if !declared["source:"+e.Source] {
				sourceRefs = append(sourceRefs, e.Source)
			}
		}
	}
	for _, a := range p.Actors {
		addSources(a.Evidence)
	}
	for _, r := range p.Relations {
		for _, id := range append([]string{r.From, r.To}, r.Via...) {
			if !declared[id] {
				actorRefs = append(actorRefs, id)
			}
		}
		addSources(r.Evidence)
	}
	existingActors, existingSources := map[string]bool{}, map[string]bool{}
	if g != nil && len(actorRefs)+len(sourceRefs) > 0 {
		var err error
		if existingActors, existingSources, err = g.Existing(ctx, actorRefs, sourceRefs); err != nil {
			return err
		}
	}
	errs := p.Dataset.Validate(func(id string) bool { return existingActors[id] }, func(id string) bool { return existingSources[id] })
	if len(errs) == 0 {
		return nil
	}
	problems := make(Problems, len(errs))
	for i, e := range errs {
		pr := p.pos[e.List][e.Index]
		pr.Field, pr.Msg = e.Field, e.Msg
		problems[i] = pr
	}
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].File != problems[j].File {
			return problems[i].File < problems[j].File
		}
		return problems[i].Line < problems[j].Line
	})
	return invalid(problems)
}

func invalid(ps Problems) error { return invalidOf(ps, len(ps)) }

// invalidOf is the error of a dataset rejected for total problems, of which ps are listed.
func invalidOf(ps Problems, total int) error {
	first := ps[0]
	return &graph.Error{Code: graph.EINVALID, Field: strings.TrimSpace(first.Entry + " " + first.Field), Message: ps.report(total), Err: ps}
}

// recoverer is implemented by *graph.Store: it removes an initial load that was interrupted.
type recoverer interface {
	RecoverImport(ctx context.Context) (bool, error)
}

// Load parses, validates and imports files into g: all of them, or nothing. When g can (a *graph.Store),
// it first removes what an interrupted initial load left behind, so that the dataset is validated against
// what the database really holds.
func Load(ctx context.Context, g graph.Graph, files []File) (*graph.ImportResult, error) {
	p, err := Parse(files)
	if err != nil {
		return nil, err
	}
	if r, ok := g.(recoverer); ok {
		if _, err := r.RecoverImport(ctx); err != nil {
			return nil, err
		}
	}
	if err := p.Validate(ctx, g); err != nil {
		return nil, err
	}
	return g.Import(ctx, &p.Dataset)
}
