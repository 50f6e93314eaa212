package gen

import (
	"bufio"
	"encoding/json"
	"io"

	"gopkg.in/yaml.v3"

	"github.com/actorgraph/actorgraph/graph"
)

// The shape of seed/FORMAT.md: YAML, and the entries of JSON Lines.
type yamlFile struct {
	Sources   []yamlSource   `yaml:"sources"`
	Actors    []yamlActor    `yaml:"actors"`
	Relations []yamlRelation `yaml:"relations"`
}

type yamlSource struct {
	ID        string   `yaml:"id" json:"id"`
	Title     string   `yaml:"title" json:"title"`
	Publisher string   `yaml:"publisher,omitempty" json:"publisher,omitempty"`
	Authors   []string `yaml:"authors,omitempty" json:"authors,omitempty"`
	Date      string   `yaml:"date,omitempty" json:"date,omitempty"`
	File      string   `yaml:"file,omitempty" json:"file,omitempty"`
}

type yamlEvidence struct {
	Source string `yaml:"source" json:"source"`
	Line   int    `yaml:"line,omitempty" json:"line,omitempty"`
	Claim  string `yaml:"claim" json:"claim"`
}

type yamlActor struct {
	ID          string         `yaml:"id" json:"id"`
	Kind        graph.Kind     `yaml:"kind" json:"kind"`
	Name        string         `yaml:"name" json:"name"`
	Aliases     []string       `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	Description string         `yaml:"description,omitempty" json:"description,omitempty"`
	CountryCode string         `yaml:"countryCode,omitempty" json:"countryCode,omitempty"`
	Evidence    []yamlEvidence `yaml:"evidence" json:"evidence"`
}

type yamlRelation struct {
	Type       graph.RelType  `yaml:"type" json:"type"`
	From       string         `yaml:"from" json:"from"`
	To         string         `yaml:"to" json:"to"`
	Key        string         `yaml:"key,omitempty" json:"key,omitempty"`
	Since      string         `yaml:"since,omitempty" json:"since,omitempty"`
	Until      string         `yaml:"until,omitempty" json:"until,omitempty"`
	Status     graph.Status   `yaml:"status" json:"status"`
	Confidence *float64       `yaml:"confidence" json:"confidence"`
	Via        []string       `yaml:"via,omitempty" json:"via,omitempty"`
	Evidence   []yamlEvidence `yaml:"evidence" json:"evidence"`
}

func yamlEv(ev []graph.EvidenceInput) []yamlEvidence {
	out := make([]yamlEvidence, len(ev))
	for i, e := range ev {
		out[i] = yamlEvidence(e)
	}
	return out
}

// WriteYAML writes the dataset as one file in the seed format (seed/FORMAT.md), loadable with
// `actorgraph seed --file PATH`. Meant for the small scales: at M the file is several hundred MB.
func WriteYAML(w io.Writer, d *graph.Dataset) error {
	var f yamlFile
	for _, s := range d.Sources {
		f.Sources = append(f.Sources, yamlSource(s))
	}
	for _, a := range d.Actors {
		f.Actors = append(f.Actors, yamlActor{ID: a.ID, Kind: a.Kind, Name: a.Name, Aliases: a.Aliases,
			Description: a.Description, CountryCode: a.CountryCode, Evidence: yamlEv(a.Evidence)})
	}
	for _, r := range d.Relations {
		f.Relations = append(f.Relations, yamlRelation{Type: r.Type, From: r.From, To: r.To, Key: r.Key,
			Since: r.Since, Until: r.Until, Status: r.Status, Confidence: r.Confidence, Via: r.Via,
			Evidence: yamlEv(r.Evidence)})
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&f); err != nil {
		return err
	}
	return enc.Close()
}

// WriteJSONL writes the dataset as JSON Lines in the seed format (seed/FORMAT.md, "Large datasets"): one
// line per source, then per actor, then per relation; loadable with `actorgraph seed --file PATH.jsonl`.
func WriteJSONL(w io.Writer, d *graph.Dataset) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, s := range d.Sources {
		if err := enc.Encode(map[string]any{"source": yamlSource(s)}); err != nil {
			return err
		}
	}
	for _, a := range d.Actors {
		if err := enc.Encode(map[string]any{"actor": yamlActor{ID: a.ID, Kind: a.Kind, Name: a.Name, Aliases: a.Aliases,
			Description: a.Description, CountryCode: a.CountryCode, Evidence: yamlEv(a.Evidence)}}); err != nil {
			return err
		}
	}
	for _, r := range d.Relations {
		if err := enc.Encode(map[string]any{"relation": yamlRelation{Type: r.Type, From: r.From, To: r.To, Key: r.Key,
			Since: r.Since, Until: r.Until, Status: r.Status, Confidence: r.Confidence, Via: r.Via,
			Evidence: yamlEv(r.Evidence)}}); err != nil {
			return err
		}
	}
	return bw.Flush()
}
