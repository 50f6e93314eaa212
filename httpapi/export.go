package httpapi

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/actorgraph/actorgraph/graph"
)

// export serves GET /export?id=...&format=graphml|json|csv with the arguments of the neighbourhood query
// (depth, types, direction, kinds, asOf, minConfidence, statuses, limit, perNodeLimit; lists comma-separated),
// as a file download for Gephi, yEd, Cytoscape desktop or a spreadsheet. format=csv gives the edges;
// add table=nodes for the actors.
func (h *Handler) export(w http.ResponseWriter, r *http.Request) {
	q, format, err := exportQuery(r.URL.Query())
	if err != nil {
		h.httpError(w, r, err)
		return
	}
	g, err := h.g.Neighbourhood(r.Context(), q)
	if err != nil {
		h.httpError(w, r, err)
		return
	}
	name := "actorgraph-" + q.ID
	switch format {
	case "json":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
		_ = json.NewEncoder(w).Encode(exportJSON(g))
	case "graphml":
		w.Header().Set("Content-Type", "application/graphml+xml")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.graphml"`)
		_ = writeGraphML(w, g)
	case "csv":
		table := r.URL.Query().Get("table")
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		if table == "nodes" {
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`-nodes.csv"`)
			_ = writeNodesCSV(w, g)
		} else {
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`-edges.csv"`)
			_ = writeEdgesCSV(w, g)
		}
	}
}

func exportQuery(v url.Values) (graph.NeighbourhoodQuery, string, error) {
	q := graph.NeighbourhoodQuery{ID: v.Get("id"), Depth: 1, Limit: 200, PerNodeLimit: 50}
	format := v.Get("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "graphml" && format != "csv" {
		return q, "", graph.Invalid("format", "must be graphml, json or csv, got %q", format)
	}
	if t := v.Get("table"); t != "" && t != "nodes" && t != "edges" {
		return q, "", graph.Invalid("table", "must be nodes or edges, got %q", t)
	}
	ints := []struct {
		name string
		dst  *int
	}{{"depth", &q.Depth}, {"limit", &q.Limit}, {"perNodeLimit", &q.PerNodeLimit}}
	for _, p := range ints {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return q, "", graph.Invalid(p.name, "must be an integer, got %q", s)
			}
			*p.dst = n
		}
	}
	for _, t := range splitList(v.Get("types")) {
		q.Types = append(q.Types, graph.RelType(t))
	}
	for _, k := range splitList(v.Get("kinds")) {
		q.Kinds = append(q.Kinds, graph.Kind(k))
	}
	for _, s := range splitList(v.Get("statuses")) {
		q.Statuses = append(q.Statuses, graph.Status(s))
	}
	q.Direction = graph.Direction(v.Get("direction"))
	if s := v.Get("asOf"); s != "" {
		q.AsOf = &s
	}
	if s := v.Get("minConfidence"); s != "" {
		c, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return q, "", graph.Invalid("minConfidence", "must be a number, got %q", s)
		}
		q.MinConfidence = &c
	}
	return q, format, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// httpError answers a plain HTTP request (not GraphQL) with the error's code mapped to a status.
func (h *Handler) httpError(w http.ResponseWriter, r *http.Request, err error) {
	h.writeError(w, r, statusFor(graph.ErrorCode(err)), err)
}

// writeError answers with status and err as a GraphQL error list: a *graph.Error's message (after its
// field), code and field, or "internal error" for anything else (logged); the request id always.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, status int, err error) {
	code := graph.ErrorCode(err)
	var ge *graph.Error
	msg, field := "internal error", ""
	if errors.As(err, &ge) && code != graph.EINTERNAL {
		msg, field = ge.Message, ge.Field
	} else {
		h.log.Error("internal error", "err", err, "request_id", RequestID(r.Context()))
	}
	ext := map[string]any{"code": code, "requestId": RequestID(r.Context())}
	if field != "" {
		ext["field"] = field
		msg = field + ": " + msg
	}
	if info := infoFrom(r.Context()); info != nil {
		info.setOutcome(code)
	}
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{"message": msg, "extensions": ext}}})
}

// statusFor maps an error code to an HTTP status, for the endpoints that are not GraphQL.
func statusFor(code string) int {
	switch code {
	case graph.ENOTFOUND:
		return http.StatusNotFound
	case graph.EINVALID:
		return http.StatusBadRequest
	case graph.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case graph.ETIMEOUT:
		return http.StatusGatewayTimeout
	case graph.EFORBIDDEN:
		return http.StatusForbidden
	case graph.EUNAUTHENTICATED:
		return http.StatusUnauthorized
	case graph.ECONFLICT:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

type jsonActor struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Aliases     []string `json:"aliases"`
	Description *string  `json:"description,omitempty"`
	CountryCode *string  `json:"countryCode,omitempty"`
	Degree      int      `json:"degree"`
}

type jsonEvidence struct {
	Source string `json:"source"`
	Title  string `json:"title"`
	Line   *int   `json:"line,omitempty"`
	Claim  string `json:"claim"`
}

type jsonRelation struct {
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	From       string         `json:"from"`
	To         string         `json:"to"`
	Since      *string        `json:"since,omitempty"`
	Until      *string        `json:"until,omitempty"`
	Status     string         `json:"status"`
	Confidence *float64       `json:"confidence,omitempty"`
	Via        []string       `json:"via"`
	Evidence   []jsonEvidence `json:"evidence"`
}

func exportJSON(g *graph.Subgraph) map[string]any {
	nodes := make([]jsonActor, len(g.Nodes))
	for i, a := range g.Nodes {
		nodes[i] = jsonActor{a.ID, a.Name, string(a.Kind), a.Aliases, a.Description, a.CountryCode, a.Degree}
	}
	edges := make([]jsonRelation, len(g.Edges))
	for i, r := range g.Edges {
		e := jsonRelation{ID: r.ID, Type: string(r.Type), From: r.From.ID, To: r.To.ID, Since: r.Since, Until: r.Until,
			Status: string(r.Status), Confidence: r.Confidence, Via: viaIDs(r), Evidence: []jsonEvidence{}}
		for _, ev := range r.Evidence {
			e.Evidence = append(e.Evidence, jsonEvidence{ev.Source.ID, ev.Source.Title, ev.Line, ev.Claim})
		}
		edges[i] = e
	}
	return map[string]any{"nodes": nodes, "edges": edges, "truncated": g.Truncated, "omitted": g.Omitted}
}

func viaIDs(r *graph.Relation) []string {
	out := make([]string, len(r.Via))
	for i, a := range r.Via {
		out[i] = a.ID
	}
	return out
}

func sourcesOf(r *graph.Relation) string {
	var parts []string
	for _, e := range r.Evidence {
		p := e.Source.ID
		if e.Line != nil {
			p += ":" + strconv.Itoa(*e.Line)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ";")
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func conf(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// writeGraphML writes the subgraph as GraphML with typed attribute keys, readable by Gephi, yEd and
// Cytoscape desktop.
func writeGraphML(w http.ResponseWriter, g *graph.Subgraph) error {
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString(`<graphml xmlns="http://graphml.graphdrawing.org/xmlns">` + "\n")
	keys := [][4]string{
		{"name", "node", "name", "string"}, {"kind", "node", "kind", "string"}, {"aliases", "node", "aliases", "string"},
		{"description", "node", "description", "string"}, {"countryCode", "node", "countryCode", "string"},
		{"type", "edge", "type", "string"}, {"since", "edge", "since", "string"}, {"until", "edge", "until", "string"},
		{"status", "edge", "status", "string"}, {"confidence", "edge", "confidence", "double"},
		{"via", "edge", "via", "string"}, {"sources", "edge", "sources", "string"},
	}
	for _, k := range keys {
		fmt.Fprintf(&b, `  <key id="%s" for="%s" attr.name="%s" attr.type="%s"/>`+"\n", k[0], k[1], k[2], k[3])
	}
	b.WriteString(`  <graph id="actorgraph" edgedefault="directed">` + "\n")
	data := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, `      <data key="%s">%s</data>`+"\n", k, esc(v))
		}
	}
	for _, a := range g.Nodes {
		fmt.Fprintf(&b, `    <node id="%s">`+"\n", esc(a.ID))
		data("name", a.Name)
		data("kind", string(a.Kind))
		data("aliases", strings.Join(a.Aliases, "; "))
		data("description", str(a.Description))
		data("countryCode", str(a.CountryCode))
		b.WriteString("    </node>\n")
	}
	for _, r := range g.Edges {
		fmt.Fprintf(&b, `    <edge id="%s" source="%s" target="%s">`+"\n", esc(r.ID), esc(r.From.ID), esc(r.To.ID))
		data("type", string(r.Type))
		data("since", str(r.Since))
		data("until", str(r.Until))
		data("status", string(r.Status))
		data("confidence", conf(r.Confidence))
		data("via", strings.Join(viaIDs(r), ";"))
		data("sources", sourcesOf(r))
		b.WriteString("    </edge>\n")
	}
	b.WriteString("  </graph>\n</graphml>\n")
	_, err := w.Write([]byte(b.String()))
	return err
}

func writeEdgesCSV(w http.ResponseWriter, g *graph.Subgraph) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "type", "from", "from_name", "to", "to_name", "since", "until", "status", "confidence", "via", "sources", "claims"})
	for _, r := range g.Edges {
		var claims []string
		for _, e := range r.Evidence {
			claims = append(claims, e.Claim)
		}
		_ = cw.Write([]string{r.ID, string(r.Type), r.From.ID, csvSafe(r.From.Name), r.To.ID, csvSafe(r.To.Name), str(r.Since), str(r.Until),
			string(r.Status), conf(r.Confidence), strings.Join(viaIDs(r), ";"), sourcesOf(r), csvSafe(strings.Join(claims, " | "))})
	}
	cw.Flush()
	return cw.Error()
}

func writeNodesCSV(w http.ResponseWriter, g *graph.Subgraph) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "name", "kind", "aliases", "countryCode", "degree", "description"})
	for _, a := range g.Nodes {
		_ = cw.Write([]string{a.ID, csvSafe(a.Name), string(a.Kind), csvSafe(strings.Join(a.Aliases, "; ")), str(a.CountryCode),
			strconv.Itoa(a.Degree), csvSafe(str(a.Description))})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses spreadsheet formula injection: a cell starting with = + - @ is prefixed with a quote.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
