package gen

import (
	"io"

	"gopkg.in/yaml.v3"

	"github.com/actorgraph/actorgraph/graph"
)

// The YAML shape of seed/FORMAT.md.
type yamlFile struct {
	Sources   []yamlSource   `yaml:"sources"`
	Actors    []yamlActor    `yaml:"actors"`
	Relations []yamlRelation `yaml:"relations"`
}

type yamlSource struct {
	ID        string   `yaml:"id"`
	Title     string   `yaml:"title"`
	Publisher string   `yaml:"publisher,omitempty"`
	Authors   []string `yaml:"authors,omitempty"`
	Date      string   `yaml:"date,omitempty"`
	File      string   `yaml:"file,omitempty"`
}

type yamlEvidence struct {
	Source string `yaml:"source"`
	Line   int    `yaml:"line,omitempty"`
	Claim  string `yaml:"claim"`
}

type yamlActor struct {
	ID          string         `yaml:"id"`
	Kind        graph.Kind     `yaml:"kind"`
	Name        string         `yaml:"name"`
	Aliases     []string       `yaml:"aliases,omitempty"`
	Description string         `yaml:"description,omitempty"`
	CountryCode string         `yaml:"countryCode,omitempty"`
	Evidence    []yamlEvidence `yaml:"evidence"`
}

type yamlRelation struct {
	Type       graph.RelType  `yaml:"type"`
	From       string         `yaml:"from"`
	To         string         `yaml:"to"`
	Key        string         `yaml:"key,omitempty"`
	Since      string         `yaml:"since,omitempty"`
	Until      string         `yaml:"until,omitempty"`
	Status     graph.Status   `yaml:"status"`
	Confidence *float64       `yaml:"confidence"`
	Via        []string       `yaml:"via,omitempty"`
	Evidence   []yamlEvidence `yaml:"evidence"`
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
