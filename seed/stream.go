package seed

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"runtime"
	"strings"

	"github.com/actorgraph/actorgraph/graph"
)

// JSON Lines datasets (FORMAT.md, "Large datasets"): the entries of the YAML format, one per line, sources
// first, then actors, then relations, so that a dataset too large to hold in memory is checked in one pass
// over its files and written in a second, holding only ids in between.

// MaxLine is the longest line, in bytes, a JSON Lines dataset may hold.
const MaxLine = 1 << 20

// maxProblems is how many problems a rejected JSON Lines dataset lists; the others are counted.
const maxProblems = 100

// IsStream reports whether path names a JSON Lines dataset: its name ends in .jsonl or .ndjson.
func IsStream(path string) bool {
	return strings.HasSuffix(path, ".jsonl") || strings.HasSuffix(path, ".ndjson")
}

// LoadStream checks and imports JSON Lines dataset files, read in the order given as one dataset: all of it,
// or nothing, as Load. It reads the files twice: once to check every line (decoded on every core, checked in
// order, keeping the sources and the ids of the actors and relations), then again to write them through
// graph.Graph.ImportStream, a window at a time.
// A file that changes in between fails the import, which then leaves the database as it was. Ids not
// declared in the files are looked up in g: sources always, one lookup per distinct id; actors only when the
// database holds actors, one lookup per batch of lines.
func LoadStream(ctx context.Context, g graph.Graph, paths []string) (*graph.ImportResult, error) {
	if len(paths) == 0 {
		return nil, graph.Invalid("file", "no JSON Lines file given")
	}
	if r, ok := g.(recoverer); ok {
		if _, err := r.RecoverImport(ctx); err != nil {
			return nil, err
		}
	}
	stats, err := g.Stats(ctx)
	if err != nil {
		return nil, err
	}
	st, err := checkStream(ctx, g, paths, stats.Actors > 0)
	if err != nil {
		return nil, err
	}
	return g.ImportStream(ctx, st.graphStream())
}

// The sections of a JSON Lines dataset, in the order its lines must list them.
const (
	secSources = iota
	secActors
	secRelations
)

var (
	sectionLists = [3]string{"sources", "actors", "relations"}
	sectionEntry = [3]string{"a source", "an actor", "a relation"}
)

// lineDoc is one line of a JSON Lines dataset: an object holding exactly one of the three.
type lineDoc struct {
	Source   *sourceDoc   `json:"source,omitempty"`
	Actor    *actorDoc    `json:"actor,omitempty"`
	Relation *relationDoc `json:"relation,omitempty"`
}

// section returns the line's section, or -1 when it does not hold exactly one entry.
func (l *lineDoc) section() int {
	sec, n := -1, 0
	for i, set := range []bool{l.Source != nil, l.Actor != nil, l.Relation != nil} {
		if set {
			sec, n = i, n+1
		}
	}
	if n != 1 {
		return -1
	}
	return sec
}

// decodeLine decodes one non-blank line; a failure names the field (when there is one) and says why, the
// field first.
func decodeLine(b []byte) (l *lineDoc, field, msg string) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	l = &lineDoc{}
	if err := dec.Decode(l); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, te.Field, fmt.Sprintf("%s: must be %s, got a JSON %s", te.Field, jsonType(te.Type.String()), te.Value)
		}
		return nil, "", strings.TrimPrefix(err.Error(), "json: ")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, "", "a line holds one JSON object and nothing after it"
	}
	if l.section() < 0 {
		return nil, "", `a line holds one object with exactly one of "source", "actor" or "relation"`
	}
	return l, "", ""
}

// jsonType names a Go type of the documents in JSON's words.
func jsonType(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case t == "string":
		return "a string"
	case t == "int", strings.HasPrefix(t, "float"), t == "*float64":
		return "a number"
	}
	return "an object"
}

// pos is a place in a stream's files: a file (by index), a byte offset in it, and the number of the line
// that starts there.
type pos struct {
	file int
	off  int64
	line int
}

// stream is a checked JSON Lines dataset: what the import needs to read it again.
type stream struct {
	paths   []string
	sources []graph.SourceInput
	n       [3]int
	start   [4]pos              // where each section starts; start[3] is the end of the last file
	sums    map[[2]int][32]byte // sha256 of the bytes of each section in each file, by {section, file}
}

// partHashes computes the sha256 of each section's bytes in each file, the lines given in order.
type partHashes struct {
	key  [2]int
	h    hash.Hash
	sums map[[2]int][32]byte
}

func (ph *partHashes) write(section, file int, raw []byte) {
	if k := [2]int{section, file}; ph.h == nil || k != ph.key {
		ph.flush()
		ph.key, ph.h = k, sha256.New()
	}
	ph.h.Write(raw)
}

func (ph *partHashes) flush() {
	if ph.h != nil {
		var sum [32]byte
		copy(sum[:], ph.h.Sum(nil))
		ph.sums[ph.key] = sum
		ph.h = nil
	}
}

// errLong is the error of a line longer than MaxLine.
var errLong = fmt.Errorf("line longer than %d bytes", MaxLine)

// scan calls fn with every line (its bytes, newline included, and where it starts) of paths from from up to
// to, and returns where the reading ended. An error of fn ends it.
func scan(paths []string, from, to pos, fn func(p pos, raw []byte) error) (pos, error) {
	end := from
	var buf []byte
	for i := from.file; i < len(paths) && i <= to.file; i++ {
		p := pos{file: i, line: 1}
		if i == from.file {
			p = from
		}
		err := func() error {
			f, err := os.Open(paths[i])
			if err != nil {
				return &graph.Error{Code: graph.EINVALID, Field: "file", Message: err.Error()}
			}
			defer f.Close()
			if _, err := f.Seek(p.off, io.SeekStart); err != nil {
				return &graph.Error{Code: graph.EINVALID, Field: "file", Message: err.Error()}
			}
			r := bufio.NewReaderSize(f, 64<<10)
			for i < to.file || p.off < to.off {
				var rerr error
				buf, rerr = readLine(r, buf)
				if len(buf) > 0 {
					if rerr == errLong {
						return rerr
					}
					if err := fn(p, buf); err != nil {
						return err
					}
					p.off += int64(len(buf))
					p.line++
				}
				if rerr == io.EOF {
					return nil
				}
				if rerr != nil {
					return &graph.Error{Code: graph.EINVALID, Field: "file", Message: fmt.Sprintf("%s: %v", paths[i], rerr)}
				}
			}
			return nil
		}()
		end = p
		if err != nil {
			return end, err
		}
	}
	return end, nil
}

// readLine reads one line into buf, at most MaxLine bytes (then errLong).
func readLine(r *bufio.Reader, buf []byte) ([]byte, error) {
	buf = buf[:0]
	for {
		chunk, err := r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > MaxLine {
			return buf, errLong
		}
		if err != bufio.ErrBufferFull {
			return buf, err
		}
	}
}

// decoded is a line of the first pass as decodeLine left it: the entry, or why there is none (blank: both
// empty).
type decoded struct {
	l          *lineDoc
	field, msg string
}

// lineBatch is lines on their way from the reader, through a decoder, to the checker; the last one carries
// the reading's end and error.
type lineBatch struct {
	pos  []pos
	raw  [][]byte
	dec  []decoded
	end  pos
	err  error
	done chan struct{} // closed once dec is filled
}

// batchLines is the number of lines a decoder takes at a time.
const batchLines = 1024

// scanDecoded is scan over every line of paths with each line decoded (decodeLine) by runtime.GOMAXPROCS
// decoders in parallel, fn called in order in the calling goroutine; batch, unless nil, is called there with
// each batch of decoded lines before fn is with its lines. An error of fn, or the end of ctx, stops the
// reading.
func scanDecoded(ctx context.Context, paths []string, batch func([]decoded), fn func(p pos, raw []byte, d decoded) error) (pos, error) {
	order := make(chan *lineBatch, 4) // the batches in reading order
	jobs := make(chan *lineBatch, 4)  // the same, to the decoders
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(jobs)
		defer close(order)
		b := &lineBatch{done: make(chan struct{})}
		send := func() bool {
			select {
			case order <- b:
			case <-stop:
				return false
			}
			jobs <- b
			b = &lineBatch{done: make(chan struct{})}
			return true
		}
		errStopped := errors.New("stopped")
		end, err := scan(paths, pos{line: 1}, pos{file: len(paths) - 1, off: math.MaxInt64}, func(p pos, raw []byte) error {
			b.pos = append(b.pos, p)
			b.raw = append(b.raw, append([]byte(nil), raw...))
			if len(b.raw) == batchLines && !send() {
				return errStopped
			}
			return nil
		})
		if !errors.Is(err, errStopped) {
			b.end, b.err = end, err
			send()
		}
	}()
	for range runtime.GOMAXPROCS(0) {
		go func() {
			for b := range jobs {
				b.dec = make([]decoded, len(b.raw))
				for i, raw := range b.raw {
					if t := bytes.TrimSpace(raw); len(t) > 0 {
						b.dec[i].l, b.dec[i].field, b.dec[i].msg = decodeLine(t)
					}
				}
				close(b.done)
			}
		}()
	}
	for b := range order {
		<-b.done
		if err := ctx.Err(); err != nil {
			return b.end, err
		}
		if batch != nil {
			batch(b.dec)
		}
		for i := range b.raw {
			if err := fn(b.pos[i], b.raw[i], b.dec[i]); err != nil {
				return b.pos[i], err
			}
		}
		if b.end != (pos{}) || b.err != nil {
			return b.end, b.err
		}
	}
	return pos{}, nil // not reached: the last batch returns
}

// lookups answers the first pass's questions about ids the dataset does not declare, asking the database
// once per distinct id, or once for a whole batch of lines (prefetchActors). The first error is kept in err;
// the ids it could not look up count as unknown.
type lookups struct {
	ctx             context.Context
	g               graph.Graph
	actors, sources map[string]bool // the answers so far
	err             error
}

func newLookups(ctx context.Context, g graph.Graph) *lookups {
	return &lookups{ctx: ctx, g: g, actors: map[string]bool{}, sources: map[string]bool{}}
}

// ask looks the ids up in one round trip and keeps the answers.
func (lk *lookups) ask(actorIDs, sourceIDs []string) {
	if lk.err != nil || len(actorIDs)+len(sourceIDs) == 0 {
		return
	}
	actors, sources, err := lk.g.Existing(lk.ctx, actorIDs, sourceIDs)
	if err != nil {
		lk.err = err
		return
	}
	for _, id := range actorIDs {
		lk.actors[id] = actors[id]
	}
	for _, id := range sourceIDs {
		lk.sources[id] = sources[id]
	}
}

// actor is the Validator's actor lookup.
func (lk *lookups) actor(id string) bool {
	if _, ok := lk.actors[id]; !ok {
		lk.ask([]string{id}, nil)
	}
	return lk.actors[id]
}

// source is the Validator's source lookup.
func (lk *lookups) source(id string) bool {
	if _, ok := lk.sources[id]; !ok {
		lk.ask(nil, []string{id})
	}
	return lk.sources[id]
}

// prefetchActors asks, in one round trip, about every actor that the batch's relations refer to and that is
// neither declared so far nor asked about before, so that checking the batch asks nothing more: a dataset
// that refers to thousands of the database's actors costs one round trip per batch of lines, not one per
// actor.
func (lk *lookups) prefetchActors(v *graph.Validator, batch []decoded) {
	var ids []string
	seen := map[string]bool{}
	for _, d := range batch {
		if d.l == nil || d.l.Relation == nil {
			continue
		}
		r := d.l.Relation
		for _, id := range append([]string{r.From, r.To}, r.Via...) {
			if _, asked := lk.actors[id]; id == "" || asked || seen[id] || v.DeclaresActor(id) {
				continue
			}
			seen[id] = true
			ids = append(ids, id)
		}
	}
	lk.ask(ids, nil)
}

// checkStream reads and checks every line of paths (the first pass).
func checkStream(ctx context.Context, g graph.Graph, paths []string, dbHasActors bool) (*stream, error) {
	st := &stream{paths: paths}
	var problems Problems
	more := 0
	add := func(p Problem) {
		if len(problems) < maxProblems {
			problems = append(problems, p)
		} else {
			more++
		}
	}
	lk := newLookups(ctx, g)
	var existingActor graph.Lookup
	if dbHasActors {
		existingActor = lk.actor
	}
	v := graph.NewValidator(existingActor, lk.source)
	var batch func([]decoded)
	if dbHasActors {
		batch = func(dec []decoded) { lk.prefetchActors(v, dec) }
	}
	sec := secSources
	ph := &partHashes{sums: map[[2]int][32]byte{}}
	end, err := scanDecoded(ctx, paths, batch, func(p pos, raw []byte, d decoded) error {
		if lk.err != nil {
			return lk.err
		}
		name := paths[p.file]
		l := d.l
		if l == nil {
			ph.write(sec, p.file, raw)
			if d.msg != "" {
				add(Problem{File: name, Line: p.line, Field: d.field, Msg: d.msg})
			}
			return nil
		}
		k := l.section()
		if k < sec {
			add(Problem{File: name, Line: p.line, Msg: fmt.Sprintf("%s after the %s: a JSON Lines dataset lists its sources, then its actors, then its relations",
				sectionEntry[k], sectionLists[sec])})
		}
		for ; sec < k; sec++ {
			st.start[sec+1] = p
		}
		ph.write(sec, p.file, raw)
		var errs []graph.FieldError
		switch k {
		case secSources:
			in := l.Source.input()
			errs = v.Source(&in)
			st.sources = append(st.sources, in)
		case secActors:
			in := l.Actor.input()
			errs = v.Actor(&in)
		case secRelations:
			in := l.Relation.input()
			errs = v.Relation(&in)
		}
		for _, e := range errs {
			add(Problem{File: name, Line: p.line, Entry: fmt.Sprintf("%s[%d] (%s)", e.List, e.Index, e.Entry), Field: e.Field, Msg: e.Msg})
		}
		if dbHasActors {
			_, a, r := v.Counts()
			return graph.CheckTransactionImport(a, r)
		}
		return nil
	})
	if errors.Is(err, errLong) {
		add(Problem{File: paths[end.file], Line: end.line, Field: "file", Msg: fmt.Sprintf("line longer than %d bytes; the file was read no further", MaxLine)})
	} else if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, invalidOf(problems, len(problems)+more)
	}
	for ; sec < secRelations; sec++ {
		st.start[sec+1] = end
	}
	st.start[3] = end
	ph.flush()
	st.sums = ph.sums
	st.n[0], st.n[1], st.n[2] = v.Counts()
	return st, nil
}

// graphStream is the checked dataset as the import reads it: the sources kept, the actors and relations
// read again from the files.
func (st *stream) graphStream() *graph.Stream {
	return &graph.Stream{Sources: st.sources, Actors: st.n[secActors], Relations: st.n[secRelations],
		EachActor: func(yield func(*graph.ActorInput) bool) error {
			return st.read(secActors, func(l *lineDoc) bool {
				in := l.Actor.input()
				return yield(&in)
			})
		},
		EachRelation: func(yield func(*graph.RelationInput) bool) error {
			return st.read(secRelations, func(l *lineDoc) bool {
				in := l.Relation.input()
				return yield(&in)
			})
		}}
}

// errStop ends a read that the import stopped.
var errStop = errors.New("stop")

// read reads section k again, calling fn with each entry until it returns false. A line that no longer
// decodes to an entry of k, or a file whose part of the section is not the bytes checked, is an error.
func (st *stream) read(k int, fn func(*lineDoc) bool) error {
	changed := func(file int) error {
		return graph.Invalid("file", "%s changed after it was checked; load it again", st.paths[file])
	}
	ph := &partHashes{sums: map[[2]int][32]byte{}}
	end, err := scan(st.paths, st.start[k], st.start[k+1], func(p pos, raw []byte) error {
		ph.write(k, p.file, raw)
		b := bytes.TrimSpace(raw)
		if len(b) == 0 {
			return nil
		}
		// The line was checked by decodeLine in the first pass; if its bytes changed since, the sums below
		// fail the read, so a plain (faster) decoding will do here.
		l := &lineDoc{}
		if json.Unmarshal(b, l) != nil || l.section() != k {
			return changed(p.file)
		}
		if !fn(l) {
			return errStop
		}
		return nil
	})
	switch {
	case errors.Is(err, errStop):
		return nil
	case errors.Is(err, errLong):
		return changed(end.file)
	case err != nil:
		return err
	}
	ph.flush()
	for f := range st.paths {
		key := [2]int{k, f}
		if ph.sums[key] != st.sums[key] {
			return changed(f)
		}
	}
	return nil
}
