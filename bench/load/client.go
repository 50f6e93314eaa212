package load

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"syscall"
	"time"
)

// poster is the benchmark's HTTP/1.1 client for the systems it asks over HTTP (ActorGraph and the peer):
// kept-alive connections, each request written and its answer read on the calling goroutine.
//
// net/http's client hands every request to a writer goroutine of its connection and every answer back from a
// reader goroutine; in a closed loop, where the client's process is idle while the service works, each
// hand-off wakes a thread of the client. That cost the benchmark's client about 0.07 ms per request, which
// the floors then counted as the service's (BENCHMARKS.md, "Hop by hop"). The raw system's driver reads on
// the calling goroutine, and now so does this client.
//
// A connection serves one request at a time: a worker takes an idle one (or dials) and puts it back once the
// answer is read whole. A request on a kept-alive connection that the server closed meanwhile (the peer
// closes idle connections after 5 s) is sent again once, on a connection dialled for it, if no answer had
// begun.
type poster struct {
	addr, host, path string

	mu   sync.Mutex
	idle []*httpConn
}

type httpConn struct {
	c   net.Conn
	br  *bufio.Reader
	buf []byte // the request being written
}

func newPoster(rawURL string) (*poster, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("%s: want an http://host:port/path URL", rawURL)
	}
	path := u.RequestURI()
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return &poster{addr: addr, host: u.Host, path: path}, nil
}

// post sends body as a JSON POST and returns the answer's status and body.
func (p *poster) post(ctx context.Context, body []byte) (int, []byte, error) {
	for attempt := 0; ; attempt++ {
		c, reused, err := p.get(ctx, attempt > 0)
		if err != nil {
			return 0, nil, err
		}
		status, answer, keep, began, err := c.exchange(ctx, p, body)
		if err == nil {
			if keep {
				p.put(c)
			} else {
				c.c.Close()
			}
			return status, answer, nil
		}
		c.c.Close()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			<-ctx.Done() // the connection's deadline is only ever the context's
		}
		if ctx.Err() != nil {
			return 0, nil, fmt.Errorf("POST %s: %w", p.path, ctx.Err())
		}
		if attempt == 0 && reused && !began && closedByPeer(err) {
			continue
		}
		return 0, nil, fmt.Errorf("POST %s: %w", p.path, err)
	}
}

// get returns an idle connection, or a new one (always, with fresh: a retry must not meet another connection
// that the server closed while it was idle).
func (p *poster) get(ctx context.Context, fresh bool) (c *httpConn, reused bool, err error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 && !fresh {
		c = p.idle[n-1]
		p.idle = p.idle[:n-1]
	}
	p.mu.Unlock()
	if c != nil {
		return c, true, nil
	}
	d := net.Dialer{Timeout: 2 * time.Second}
	nc, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, false, err
	}
	return &httpConn{c: nc, br: bufio.NewReaderSize(nc, 64<<10)}, false, nil
}

func (p *poster) put(c *httpConn) {
	p.mu.Lock()
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

// close closes the idle connections.
func (p *poster) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		c.c.Close()
	}
}

// exchange writes one request and reads its answer whole. keep reports whether the connection may serve
// another; began, on an error, whether any of the answer had arrived.
func (c *httpConn) exchange(ctx context.Context, p *poster, body []byte) (status int, answer []byte, keep, began bool, err error) {
	deadline, _ := ctx.Deadline() // zero: none
	if err := c.c.SetDeadline(deadline); err != nil {
		return 0, nil, false, false, err
	}
	// A context cancelled before its deadline ends the wait at once. A connection whose deadline the callback
	// may have moved is not used again.
	stop := context.AfterFunc(ctx, func() { c.c.SetDeadline(time.Unix(1, 0)) })
	defer func() {
		if !stop() {
			keep = false
		}
	}()
	c.buf = fmt.Appendf(c.buf[:0], "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		p.path, p.host, len(body))
	c.buf = append(c.buf, body...)
	if _, err := c.c.Write(c.buf); err != nil {
		return 0, nil, false, false, err
	}
	if _, err := c.br.Peek(1); err != nil {
		return 0, nil, false, false, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return 0, nil, false, true, err
	}
	answer, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, nil, false, true, err
	}
	return resp.StatusCode, answer, !resp.Close, true, nil
}

// closedByPeer reports whether err is what writing to or reading from a connection the server has closed gives.
func closedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE)
}
