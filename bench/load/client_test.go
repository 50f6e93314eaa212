package load

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestPoster runs the benchmark's HTTP client against a loopback server: connections kept alive and
// reused, answers of every framing read whole, a connection the server closed replaced without an error,
// and a request past its deadline failing without spoiling the next.
func TestPoster(t *testing.T) {
	var dials atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want a JSON POST", http.StatusBadRequest)
			return
		}
		w.Write(b)
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for i := range 3 {
			io.WriteString(w, strings.Repeat(string(rune('a'+i)), 40_000))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/close", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, "bye")
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusNotFound) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	post := func(t *testing.T, p *poster, body string, timeout time.Duration) (int, string, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		status, b, err := p.post(ctx, []byte(body))
		return status, string(b), err
	}
	newP := func(t *testing.T, path string) *poster {
		t.Helper()
		p, err := newPoster(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.close)
		return p
	}

	tests := []struct {
		name      string
		path      string
		requests  int
		between   func(p *poster) // after the first request
		wantBody  string
		status    int
		wantDials int64
	}{
		{"kept alive: one connection for all", "/echo", 50, nil, `{"q":1}`, 200, 1},
		{"chunked answer read whole", "/chunked", 3, nil, strings.Repeat("a", 40_000) + strings.Repeat("b", 40_000) + strings.Repeat("c", 40_000), 200, 1},
		{"Connection: close: a new connection each time", "/close", 4, nil, "bye", 200, 4},
		{"status and body of an error", "/missing", 2, nil, "no\n", 404, 1},
		{"idle connection closed by the server: sent again on a new one", "/echo", 3,
			func(*poster) { srv.CloseClientConnections() }, `{"q":1}`, 200, 2},
		{"every idle connection closed: the retry does not take another of them", "/echo", 3,
			func(p *poster) {
				more := make([]*httpConn, 3)
				for i := range more { // three more idle connections, as concurrent workers leave them
					more[i], _, _ = p.get(context.Background(), true)
				}
				for _, c := range more {
					p.put(c)
				}
				for i := 0; i < 100 && dials.Load() < 4; i++ { // the server has taken them on
					time.Sleep(10 * time.Millisecond)
				}
				srv.CloseClientConnections()
			}, `{"q":1}`, 200, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dials.Store(0)
			p := newP(t, tc.path)
			for i := range tc.requests {
				status, body, err := post(t, p, `{"q":1}`, 5*time.Second)
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				if status != tc.status || body != tc.wantBody {
					t.Fatalf("request %d: %d %.60q, want %d %.60q", i, status, body, tc.status, tc.wantBody)
				}
				if i == 0 && tc.between != nil {
					tc.between(p)
					time.Sleep(50 * time.Millisecond) // the close reaches the client's side
				}
			}
			if got := dials.Load(); got != tc.wantDials {
				t.Errorf("%d connections, want %d", got, tc.wantDials)
			}
		})
	}

	t.Run("past its deadline: an error, and the next request on a new connection", func(t *testing.T) {
		dials.Store(0)
		slow, echo := newP(t, "/slow"), newP(t, "/echo")
		start := time.Now()
		_, _, err := post(t, slow, `{}`, 200*time.Millisecond)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
			t.Fatalf("after %v: %v, want a deadline error at 200 ms", time.Since(start), err)
		}
		if len(slow.idle) != 0 {
			t.Fatal("the timed-out connection was kept")
		}
		if status, body, err := post(t, echo, `{"q":2}`, 5*time.Second); err != nil || status != 200 || body != `{"q":2}` {
			t.Fatalf("next request: %d %q %v", status, body, err)
		}
	})

	t.Run("bad URL", func(t *testing.T) {
		for _, u := range []string{"https://127.0.0.1:1/", "127.0.0.1:80/graphql", "http:///x"} {
			if _, err := newPoster(u); err == nil {
				t.Errorf("%q: no error", u)
			}
		}
	})
}
