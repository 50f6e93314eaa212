package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/actorgraph/actorgraph/graph"
)

// post is gqlgen's POST transport (transport.POST of v0.17.95 with its default settings) for
// application/json requests: the same request decoding, the same Content-Type negotiation, and for every
// request that reaches GraphQL the same status codes and the same bytes. It differs in three ways:
//
//   - A body that cannot be read or is not a JSON request gets INVALID, field "body", with the reason
//     (413 when it is over the size cap, 400 otherwise); transport.POST gives an error without a code,
//     which the error presenter turns into INTERNAL.
//   - An answer that carries data and nothing else (no errors, no extensions) is written as {"data":…}
//     straight from the bytes gqlgen's execution produced. transport.POST passes every answer through
//     encoding/json, which re-scans the data to compact it and escape HTML; that scan was a sixth of the
//     service's CPU on depth-1 neighbourhoods (BENCHMARKS.md, "Floors"). Data that holds none of the
//     bytes encoding/json would change (see mustEscape) is written as is, and the bytes are those
//     encoding/json would write; any other data, and every answer with errors or extensions, still goes
//     through encoding/json.
//   - Every answer has a Content-Length, so that large answers are not sent chunked.
//
// TestPostSameBytes holds it to transport.POST's bytes, headers and status codes.
type post struct{}

var _ graphql.Transport = post{}

// Supports is transport.POST's: a POST with Content-Type application/json that is not an upgrade.
func (post) Supports(r *http.Request) bool { return transport.POST{}.Supports(r) }

// Do answers one request as transport.POST.Do does, but for the differences listed on post.
func (post) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := responseType(r.Header.Get("Accept"))
	w.Header().Add("Content-Type", contentType)
	start := graphql.Now()
	refuse := func(status int, bad *graph.Error) {
		writeResponse(w, status, exec.DispatchError(ctx, gqlerror.List{{Message: bad.Error(), Err: bad}}))
	}
	body, err := io.ReadAll(r.Body)
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		refuse(http.StatusRequestEntityTooLarge, bodyTooLarge(tooLarge.Limit))
		return
	} else if err != nil {
		refuse(http.StatusBadRequest, graph.Invalid("body", "the request body could not be read: %v", err))
		return
	}
	params := &graphql.RawParams{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(params); err != nil {
		refuse(http.StatusBadRequest, graph.Invalid("body", "the request body is not a GraphQL request in JSON ({\"query\": …, \"variables\": {…}}): %v", err))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	rc, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		status := http.StatusOK
		if errcode.GetErrorKind(opErr) == errcode.KindProtocol {
			status = http.StatusUnprocessableEntity
			if contentType == graphqlResponseJSON {
				status = http.StatusBadRequest
			}
		}
		writeResponse(w, status, exec.DispatchError(graphql.WithOperationContext(ctx, rc), opErr))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	writeResponse(w, http.StatusOK, responses(ctx))
}

const graphqlResponseJSON = "application/graphql-response+json"

// bodyTooLarge is the error for a request body over the cap of limit bytes, whether the middleware sees it
// from the Content-Length or post while reading a body sent without one.
func bodyTooLarge(limit int64) *graph.Error {
	return graph.Invalid("body", "the request body is larger than %d bytes", limit)
}

// mustEscape reports whether encoding/json would change data when it compacts an answer: whether data
// holds a character it escapes (<, >, &, U+2028, U+2029), or whitespace outside strings, which can only
// be a newline, a carriage return or a tab (none of them may appear raw inside a JSON string), since
// gqlgen's marshalers put no space between tokens. (Its JSON scalar, graphql.Map, ends its value with a
// newline.) One vectorised bytes.IndexByte per byte looked for: about 1/40 of encoding/json's scan
// (BenchmarkWriteResponse).
func mustEscape(data []byte) bool {
	for _, c := range []byte("<>&\n\r\t") {
		if bytes.IndexByte(data, c) >= 0 {
			return true
		}
	}
	// U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
	for rest := data; ; {
		i := bytes.IndexByte(rest, 0xE2)
		if i < 0 || i+2 >= len(rest) {
			return false
		}
		if rest[i+1] == 0x80 && (rest[i+2] == 0xA8 || rest[i+2] == 0xA9) {
			return true
		}
		rest = rest[i+1:]
	}
}

// responseType is the Content-Type of the answer to a request with this Accept header, as transport.POST
// chooses it: application/json when Accept is empty or a wildcard, the first of application/json and
// application/graphql-response+json that Accept names, otherwise application/graphql-response+json.
func responseType(accept string) string {
	if accept == "" {
		return "application/json"
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", "application/json":
			return "application/json"
		case graphqlResponseJSON:
			return graphqlResponseJSON
		}
	}
	return graphqlResponseJSON
}

// writeResponse writes resp with the status and its Content-Length: a data-only answer as is (see post),
// any other through encoding/json. An answer encoding/json cannot encode panics, as in transport.POST;
// the middleware answers 500.
func writeResponse(w http.ResponseWriter, status int, resp *graphql.Response) {
	const open, close = `{"data":`, `}`
	if resp != nil && len(resp.Data) > 0 && len(resp.Errors) == 0 && len(resp.Extensions) == 0 &&
		resp.Label == "" && len(resp.Path) == 0 && resp.HasNext == nil && !mustEscape(resp.Data) {
		w.Header().Set("Content-Length", strconv.Itoa(len(open)+len(resp.Data)+len(close)))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, open)
		_, _ = w.Write(resp.Data)
		_, _ = io.WriteString(w, close)
		return
	}
	b, err := json.Marshal(resp)
	if err != nil {
		panic(fmt.Errorf("unable to marshal %s: %w", string(resp.Data), err))
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
