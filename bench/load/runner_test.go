package load

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// A cell measured in rounds walks the sample where the last round stopped, as one run would.
func TestRoundsContinueTheSample(t *testing.T) {
	for _, tc := range []struct {
		name              string
		conc, items, reqs int // reqs: requests per round (MaxRequests)
		rounds            int
		want              map[int]int // item -> times asked
	}{
		{"one worker, three rounds", 1, 10, 4, 3, map[int]int{0: 2, 1: 2, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1}},
		{"one worker, one round", 1, 10, 12, 1, map[int]int{0: 2, 1: 2, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			got := map[int]int{}
			do := func(_ context.Context, item int) (int, error) {
				mu.Lock()
				got[item]++
				mu.Unlock()
				return 1, nil
			}
			lim := Limits{Duration: time.Minute, MaxRequests: int64(tc.reqs), RequestTimeout: time.Second}
			cur := NewCursor(tc.conc, tc.items)
			var parts []Cell
			for range tc.rounds {
				parts = append(parts, RunFrom(context.Background(), tc.conc, tc.items, lim, do, cur))
			}
			if len(got) != len(tc.want) {
				t.Fatalf("items asked %v, want %v", got, tc.want)
			}
			for item, n := range tc.want {
				if got[item] != n {
					t.Errorf("item %d asked %d times, want %d (all: %v)", item, got[item], n, got)
				}
			}
			if c := Merge(parts...); c.Requests != tc.rounds*int(lim.MaxRequests) || c.Rounds != tc.rounds {
				t.Errorf("merged %d requests in %d rounds, want %d in %d", c.Requests, c.Rounds, tc.rounds*int(lim.MaxRequests), tc.rounds)
			}
		})
	}
}

// Workers start spread over the sample, so that they ask about different ids at any moment.
func TestNewCursor(t *testing.T) {
	for _, tc := range []struct {
		conc, items int
		want        Cursor
	}{
		{1, 10, Cursor{0}},
		{4, 10, Cursor{0, 2, 5, 7}},
		{3, 2, Cursor{0, 0, 1}},
	} {
		if got := NewCursor(tc.conc, tc.items); !slices.Equal(got, tc.want) {
			t.Errorf("NewCursor(%d, %d) = %v, want %v", tc.conc, tc.items, got, tc.want)
		}
	}
}

// Merge pools the rounds' requests: percentiles over all of them, throughput over the summed time.
func TestMerge(t *testing.T) {
	ms := time.Millisecond
	round := func(seconds float64, errs int, rss float64, lat ...time.Duration) Cell {
		c := Cell{Query: "actor", System: "raw", Concurrency: 8, Seconds: seconds, Errors: errs, RSSMiB: rss,
			lat: lat, bytes: int64(100 * len(lat))}
		c.summarize()
		return c
	}
	for _, tc := range []struct {
		name                   string
		rounds                 []Cell
		requests, errors       int
		throughput, p50, maxMs float64
		rss                    float64
	}{
		{"one round", []Cell{round(2, 0, 30, 1*ms, 2*ms, 3*ms, 4*ms)}, 4, 0, 2, 3, 4, 30},
		{"pooled", []Cell{round(1, 1, 30, 1*ms, 9*ms), round(3, 0, 50, 2*ms, 3*ms, 4*ms, 5*ms)}, 6, 1, 5.0 / 4, 4, 9, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Merge(tc.rounds...)
			if c.Requests != tc.requests || c.Errors != tc.errors || c.Throughput != tc.throughput ||
				c.P50 != tc.p50 || c.Max != tc.maxMs || c.RSSMiB != tc.rss || c.MeanBytes != 100 {
				t.Errorf("got requests %d errors %d req/s %v p50 %v max %v RSS %v bytes %v; want %d %d %v %v %v %v 100",
					c.Requests, c.Errors, c.Throughput, c.P50, c.Max, c.RSSMiB, c.MeanBytes,
					tc.requests, tc.errors, tc.throughput, tc.p50, tc.maxMs, tc.rss)
			}
			if c.Query != "actor" || c.System != "raw" || c.Concurrency != 8 || c.Rounds != len(tc.rounds) {
				t.Errorf("identity %s/%s/%d rounds %d", c.Query, c.System, c.Concurrency, c.Rounds)
			}
			var each []float64
			for _, r := range tc.rounds {
				each = append(each, r.Throughput)
			}
			if !slices.Equal(c.RoundThroughput, each) {
				t.Errorf("round throughputs %v, want %v", c.RoundThroughput, each)
			}
		})
	}
}

// Summarize gives latencies measured outside Run the percentiles Run's cells have.
func TestSummarize(t *testing.T) {
	var lat []time.Duration
	for i := 100; i >= 1; i-- { // 100 ms down to 1 ms: Summarize sorts
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	c := Summarize(lat)
	if c.Requests != 100 || c.P50 != 51 || c.P95 != 96 || c.P99 != 100 || c.Max != 100 || c.Mean != 50.5 || c.Throughput != 0 {
		t.Errorf("Summarize = %d requests, p50 %v p95 %v p99 %v max %v mean %v, throughput %v",
			c.Requests, c.P50, c.P95, c.P99, c.Max, c.Mean, c.Throughput)
	}
}

// CheckAnswer counts a status other than 200, or an "errors" list, as an error, and nothing else.
func TestCheckAnswer(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		want   string // the error's start; "" for none
	}{
		{200, `{"data":{"actor":{"id":"a"}}}`, ""},
		{200, `{"data":{"actor":{"name":"errors"}}}`, ""},
		{200, `{"data":null,"errors":[{"message":"no"}]}`, `GraphQL errors: "errors":[{"message":"no"}]`},
		{400, `{"errors":[{"message":"bad"}]}`, "HTTP 400: "},
		{500, `oops`, "HTTP 500: oops"},
	} {
		err := CheckAnswer(tc.status, []byte(tc.body))
		if (err == nil) != (tc.want == "") || err != nil && !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("CheckAnswer(%d, %s) = %v, want %q", tc.status, tc.body, err, tc.want)
		}
	}
}
