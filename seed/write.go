package seed

import (
	"bufio"
	"encoding/json"
	"io"

	"gopkg.in/yaml.v3"

	"github.com/actorgraph/actorgraph/graph"
)

// WriteYAML writes d as one YAML file of the seed format (FORMAT.md), which Load reads back as d. Meant for
// small datasets: a file over MaxFileSize is refused by the loader.
func WriteYAML(w io.Writer, d *graph.Dataset) error {
	var f fileDoc
	for i := range d.Sources {
		f.Sources = append(f.Sources, sourceDocOf(&d.Sources[i]))
	}
	for i := range d.Actors {
		f.Actors = append(f.Actors, actorDocOf(&d.Actors[i]))
	}
	for i := range d.Relations {
		f.Relations = append(f.Relations, relationDocOf(&d.Relations[i]))
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&f); err != nil {
		return err
	}
	return enc.Close()
}

// WriteJSONL writes d as JSON Lines of the seed format (FORMAT.md, "Large datasets"): a line per source, then
// per actor, then per relation, which LoadStream reads back as d.
func WriteJSONL(w io.Writer, d *graph.Dataset) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range d.Sources {
		doc := sourceDocOf(&d.Sources[i])
		if err := enc.Encode(lineDoc{Source: &doc}); err != nil {
			return err
		}
	}
	for i := range d.Actors {
		doc := actorDocOf(&d.Actors[i])
		if err := enc.Encode(lineDoc{Actor: &doc}); err != nil {
			return err
		}
	}
	for i := range d.Relations {
		doc := relationDocOf(&d.Relations[i])
		if err := enc.Encode(lineDoc{Relation: &doc}); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// sourceDocOf, actorDocOf and relationDocOf are the inverses of the documents' input methods.
func sourceDocOf(s *graph.SourceInput) sourceDoc {
	return sourceDoc{ID: s.ID, Title: s.Title, Publisher: s.Publisher, Authors: s.Authors, Date: s.Date, File: s.File}
}

func actorDocOf(a *graph.ActorInput) actorDoc {
	return actorDoc{ID: a.ID, Kind: string(a.Kind), Name: a.Name, Aliases: a.Aliases, Description: a.Description,
		CountryCode: a.CountryCode, Evidence: evidenceDocs(a.Evidence)}
}

func relationDocOf(r *graph.RelationInput) relationDoc {
	return relationDoc{Type: string(r.Type), From: r.From, To: r.To, Key: r.Key, Since: r.Since, Until: r.Until,
		Status: string(r.Status), Confidence: r.Confidence, Via: r.Via, Evidence: evidenceDocs(r.Evidence)}
}

func evidenceDocs(ev []graph.EvidenceInput) []evidenceDoc {
	out := make([]evidenceDoc, len(ev))
	for i, e := range ev {
		out[i] = evidenceDoc(e)
	}
	return out
}
