package graph

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCoalescerTurns checks the coalescer's bookkeeping alone (TestCoalescedReads checks it against
// Neo4j): while its one turn is held, reads queue; when the turn ends they are sent in arrival order of
// their shapes, each shape's reads as one call (a shape with one distinct id as a single read); a failing
// call fails every read in it, with its error, and no other; a call that panics fails its reads with
// INTERNAL, and the turn goes on.
func TestCoalescerTurns(t *testing.T) {
	boom := errors.New("boom")
	hold := make(chan struct{})
	var mu sync.Mutex
	var calls []string
	c := &coalescer[string]{turns: 1,
		one: func(_ context.Context, id string, arg any) (string, bool, error) {
			if id == "holder" {
				<-hold
			}
			mu.Lock()
			calls = append(calls, "one "+arg.(string)+" "+id)
			mu.Unlock()
			return arg.(string) + ":" + id, id != "absent", nil
		},
		many: func(_ context.Context, ids []string, arg any) (map[string]string, error) {
			mu.Lock()
			calls = append(calls, "many "+arg.(string)+" "+strings.Join(ids, ","))
			mu.Unlock()
			switch arg {
			case "bad":
				return nil, boom
			case "panic":
				panic("the statement's code broke")
			}
			found := map[string]string{}
			for _, id := range ids {
				if id != "absent" {
					found[id] = arg.(string) + ":" + id
				}
			}
			return found, nil
		},
	}
	ctx := context.Background()
	held := make(chan error, 1)
	go func() { _, _, err := c.get(ctx, "holder", func() string { return "a" }, "a"); held <- err }()
	waitUntil(t, func() bool { return c.stats().Running == 1 })

	reads := []struct{ id, shape, want string }{
		{"x", "a", "a:x"},
		{"y", "b", "b:y"},
		{"absent", "a", "not found"},
		{"x", "a", "a:x"},
		{"z", "bad", "boom"},
		{"w", "bad", "boom"},
		{"y", "b", "b:y"},
		{"p", "panic", "INTERNAL: internal error"},
		{"q", "panic", "INTERNAL: internal error"},
	}
	got := make([]string, len(reads))
	var wg sync.WaitGroup
	for i, r := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, found, err := c.get(ctx, r.id, func() string { return r.shape }, r.shape)
			switch {
			case err != nil:
				got[i] = err.Error()
			case !found:
				got[i] = "not found"
			default:
				got[i] = v
			}
		}()
		waitUntil(t, func() bool { return c.stats().Waiting == i+1 }) // arrival order is the table's
	}
	close(hold)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	for i, r := range reads {
		if got[i] != r.want {
			t.Errorf("read %d (%s, shape %s): %q, want %q", i, r.id, r.shape, got[i], r.want)
		}
	}
	want := []string{"one a holder", "many a x,absent", "one b y", "many bad z,w", "many panic p,q"}
	if !slices.Equal(calls, want) {
		t.Errorf("calls %q, want %q", calls, want)
	}
	waitUntil(t, func() bool { return c.stats().Running == 0 }) // the last batch hands its turn back after answering
	if st := c.stats(); st != (Coalescing{Max: 1, Batches: 3, Batched: 7}) {
		t.Errorf("at rest: %+v", st)
	}
}

// TestCoalescerLimit checks that a waiting read gives up once the coalescer's limit has passed, while the
// batch ahead of it still runs, and is taken out of the queue; the read ahead answers when its batch does.
func TestCoalescerLimit(t *testing.T) {
	hold := make(chan struct{})
	c := &coalescer[string]{turns: 1, limit: 50 * time.Millisecond,
		one: func(_ context.Context, id string, _ any) (string, bool, error) {
			<-hold
			return id, true, nil
		},
		many: func(context.Context, []string, any) (map[string]string, error) {
			t.Error("a batch was sent for a read that gave up")
			return nil, nil
		},
	}
	ctx := context.Background()
	held := make(chan error, 1)
	go func() { _, _, err := c.get(ctx, "holder", oneShape, nil); held <- err }()
	waitUntil(t, func() bool { return c.stats().Running == 1 })
	start := time.Now()
	waiter := make(chan error, 1)
	go func() { _, _, err := c.get(ctx, "waiter", oneShape, nil); waiter <- err }()
	select {
	case err := <-waiter:
		if waited := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || waited < 50*time.Millisecond {
			t.Errorf("waiting read: %v after %s, want %v after the limit of 50ms", err, waited, context.DeadlineExceeded)
		}
	case <-time.After(2 * time.Second):
		close(hold)
		t.Fatal("the waiting read still waits 2s after its limit of 50ms")
	}
	if st := c.stats(); st.Waiting != 0 {
		t.Errorf("after the waiting read gave up: %+v", st)
	}
	close(hold)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return c.stats().Running == 0 })
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

// TestPairKey checks that a pair of ids written as one coalesced read's id reads back as the same pair,
// whatever the ids hold, and that pairs that differ give different keys.
func TestPairKey(t *testing.T) {
	pairs := [][2]string{{"iskp", "taliban"}, {"a:b", "c"}, {"a", ":bc"}, {"12:ab", "x"}, {"a\x00b", "c"}, {"a", "\x00bc"}, {"ü", "ß"}}
	seen := map[string][2]string{}
	for _, p := range pairs {
		k := pairKey(p[0], p[1])
		if from, to := splitPair(k); from != p[0] || to != p[1] {
			t.Errorf("pairKey(%q, %q) = %q reads back as %q, %q", p[0], p[1], k, from, to)
		}
		if o, ok := seen[k]; ok {
			t.Errorf("pairs %q and %q share the key %q", o, p, k)
		}
		seen[k] = p
	}
}
