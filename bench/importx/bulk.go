// Package importx holds the prototype of an offline bulk path for an empty database, kept as the reference
// the import benchmark compares (*graph.Store).Import with: the dataset as the CSV files of `neo4j-admin
// database import full`, with exactly the labels and properties Store.Import writes.
package importx

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/actorgraph/actorgraph/graph"
)

// ArrayDelimiter separates the elements of list properties in the bulk CSV files (a control character,
// which no name, alias or claim contains).
const ArrayDelimiter = "\x1f"

// WriteBulkCSV writes a dataset as the CSV files of `neo4j-admin database import full`, with exactly the
// labels and properties Store.Import writes (graph/import.go, including version 1), so that a database bootstrapped from them
// answers the service as an imported one does. It returns the import tool's arguments for the files.
//
// Prototype limitation: the actors' search keys are computed with an ASCII-only normalization (the
// generated names are ASCII); the real change would call graph's own searchKeys.
func WriteBulkCSV(dir string, d *graph.Dataset) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var args []string
	write := func(name string, header []string, rows func(w *csv.Writer) error) error {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		w := csv.NewWriter(bw)
		if err := w.Write(header); err != nil {
			return err
		}
		if err := rows(w); err != nil {
			return err
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return f.Close()
	}
	join := func(s []string) string { return strings.Join(s, ArrayDelimiter) }
	err := write("sources.csv", []string{"id:ID(Source)", ":LABEL", "title", "publisher", "authors:string[]", "date", "file"},
		func(w *csv.Writer) error {
			for _, s := range d.Sources {
				if err := w.Write([]string{s.ID, "Source", s.Title, s.Publisher, join(s.Authors), s.Date, s.File}); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	args = append(args, "--nodes="+filepath.Join(dir, "sources.csv"))
	err = write("actors.csv", []string{"id:ID(Actor)", ":LABEL", "name", "kind", "aliases:string[]", "description", "countryCode",
		"searchKeys:string[]", "searchText", "evSource:string[]", "evLine:long[]", "evClaim:string[]", "version:long"},
		func(w *csv.Writer) error {
			for _, a := range d.Actors {
				keys := asciiSearchKeys(a.Name, a.Aliases)
				src, line, claim := evidenceCols(a.Evidence)
				if err := w.Write([]string{a.ID, "Actor" + ArrayDelimiter + a.Kind.Label(), a.Name, string(a.Kind), join(a.Aliases),
					a.Description, a.CountryCode, join(keys), strings.Join(keys, " "), src, line, claim, "1"}); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	args = append(args, "--nodes="+filepath.Join(dir, "actors.csv"))
	err = write("relations.csv", []string{":START_ID(Actor)", ":END_ID(Actor)", ":TYPE", "id", "key", "since", "until",
		"sinceKey:long", "untilKey:long", "status", "confidence:double", "via:string[]", "evSource:string[]", "evLine:long[]", "evClaim:string[]", "version:long"},
		func(w *csv.Writer) error {
			for i := range d.Relations {
				r := &d.Relations[i]
				sinceKey, untilKey := graph.MinDateKey, graph.MaxDateKey
				if d, err := graph.ParseDate(r.Since); err == nil {
					sinceKey = d.Start()
				}
				if d, err := graph.ParseDate(r.Until); err == nil {
					untilKey = d.End()
				}
				conf := ""
				if r.Confidence != nil {
					conf = strconv.FormatFloat(*r.Confidence, 'g', -1, 64)
				}
				src, line, claim := evidenceCols(r.Evidence)
				if err := w.Write([]string{r.From, r.To, string(r.Type), r.ID(), r.Key, r.Since, r.Until,
					strconv.Itoa(sinceKey), strconv.Itoa(untilKey), string(r.Status), conf,
					join(r.Via), src, line, claim, "1"}); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	args = append(args, "--relationships="+filepath.Join(dir, "relations.csv"))
	return args, nil
}

func evidenceCols(ev []graph.EvidenceInput) (src, line, claim string) {
	s, l, c := make([]string, len(ev)), make([]string, len(ev)), make([]string, len(ev))
	for i, e := range ev {
		s[i], l[i], c[i] = e.Source, strconv.Itoa(e.Line), e.Claim
	}
	return strings.Join(s, ArrayDelimiter), strings.Join(l, ArrayDelimiter), strings.Join(c, ArrayDelimiter)
}

// asciiSearchKeys mirrors graph's searchKeys for ASCII text: lower case, every run of other characters than
// letters and digits one space; each key also without spaces; no repeats.
func asciiSearchKeys(name string, aliases []string) []string {
	seen := map[string]bool{}
	var keys []string
	for _, s := range append([]string{name}, aliases...) {
		n := strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}), " ")
		for _, k := range []string{n, strings.ReplaceAll(n, " ", "")} {
			if k != "" && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// BulkCommand is the import tool's command line for the Neo4j home of the benchmark (tools/neo4j: its data
// folder is the home of the embedded server); its report goes to reportFile. The database must be stopped.
func BulkCommand(neo4jLib, reportFile string, args []string) []string {
	return append([]string{"java", "-Xmx2g", "-cp", neo4jLib + "/*", "org.neo4j.cli.AdminTool", "database", "import", "full",
		"neo4j", "--overwrite-destination=true", "--array-delimiter=" + ArrayDelimiter, "--multiline-fields=false",
		"--high-parallel-io=on", "--threads=2", "--verbose=false", "--report-file=" + reportFile}, args...)
}

// BulkSummary formats a bulk import's timing.
func BulkSummary(rels int, csvSeconds, toolSeconds, schemaSeconds float64) string {
	total := csvSeconds + toolSeconds + schemaSeconds
	return fmt.Sprintf("csv %.1f s + import tool %.1f s + schema/indexes %.1f s = %.1f s: %.0f relations/s",
		csvSeconds, toolSeconds, schemaSeconds, total, float64(rels)/total)
}
