package resolvers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/actorgraph/actorgraph/graph"
)

// RequestIDFunc returns the request id of a context (set by the HTTP layer); it may be nil.
type RequestIDFunc func(ctx context.Context) string

// ErrorPresenter maps errors to GraphQL errors once, at the edge: a *graph.Error keeps its code, field and
// message in extensions; anything else is INTERNAL, with its detail only in the log.
func ErrorPresenter(log *slog.Logger, requestID RequestIDFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		var ge *graph.Error
		var qe *gqlerror.Error
		switch {
		case errors.As(err, &ge):
			gerr.Message = ge.Message
			if ge.Field != "" {
				gerr.Message = ge.Field + ": " + ge.Message
			}
			setExt(gerr, "code", ge.Code)
			if ge.Field != "" {
				setExt(gerr, "field", ge.Field)
			}
			if ge.Code == graph.EINTERNAL {
				gerr.Message = "internal error"
				log.ErrorContext(ctx, "internal error", "err", err, "request_id", id(ctx, requestID))
			}
		case errors.As(err, &qe) && qe.Extensions["code"] != nil:
			// gqlgen's own validation and parsing errors already carry a code
		default:
			log.ErrorContext(ctx, "internal error", "err", err, "request_id", id(ctx, requestID))
			gerr.Message = "internal error"
			setExt(gerr, "code", graph.EINTERNAL)
		}
		if rid := id(ctx, requestID); rid != "" {
			setExt(gerr, "requestId", rid)
		}
		return gerr
	}
}

// Recover turns a panic in a resolver into an INTERNAL error, logged with its request id.
func Recover(log *slog.Logger, requestID RequestIDFunc) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "request_id", id(ctx, requestID))
		return &graph.Error{Code: graph.EINTERNAL, Message: "internal error"}
	}
}

func setExt(e *gqlerror.Error, k string, v any) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions[k] = v
}

func id(ctx context.Context, f RequestIDFunc) string {
	if f == nil {
		return ""
	}
	return f(ctx)
}
