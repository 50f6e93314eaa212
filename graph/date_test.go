package graph

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
)

func slogDiscard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in         string
		start, end int
		bad        bool
	}{
		{in: "2020", start: 20200101, end: 20201231},
		{in: "2020-06", start: 20200601, end: 20200630},
		{in: "2024-02", start: 20240201, end: 20240229},
		{in: "2023-02", start: 20230201, end: 20230228},
		{in: "2020-06-15", start: 20200615, end: 20200615},
		{in: "2021-13", bad: true},
		{in: "2021-00", bad: true},
		{in: "2023-02-29", bad: true},
		{in: "2021-1-1", bad: true},
		{in: "20211", bad: true},
		{in: "0000", bad: true},
		{in: "+202", bad: true},
		{in: "2021/06", bad: true},
		{in: "", bad: true},
		{in: "last year", bad: true},
	} {
		d, err := ParseDate(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseDate(%q) accepted: %+v", tc.in, d)
			}
			continue
		}
		if err != nil || d.Start() != tc.start || d.End() != tc.end {
			t.Errorf("ParseDate(%q) = %d..%d, %v; want %d..%d", tc.in, d.Start(), d.End(), err, tc.start, tc.end)
		}
	}
}

func TestNormalizeSearch(t *testing.T) {
	for in, want := range map[string]string{
		"ISIS-K":                             "isis k",
		"Türkiye":                            "turkiye",
		"  al-Sadiq  office ":                "al sadiq office",
		"}) DETACH DELETE n //":              "detach delete n",
		`name:"x" OR *:* AND title:[a TO z]`: "name x or and title a to z",
		"Шахаб":                              "шахаб",
	} {
		if got := normalizeSearch(in); got != want {
			t.Errorf("normalizeSearch(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSearchKeysAndBonus(t *testing.T) {
	keys := searchKeys("Islamic State Khorasan Province", []string{"ISIS-K", "Wilayat Khorasan"})
	want := []string{"islamic state khorasan province", "islamicstatekhorasanprovince", "isis k", "isisk", "wilayat khorasan", "wilayatkhorasan"}
	if len(keys) != len(want) {
		t.Fatalf("keys %q, want %q", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("keys %q, want %q", keys, want)
		}
	}
	for _, tc := range []struct {
		q    string
		want float64
	}{
		{"islamic state khorasan province", 110},
		{"isis k", 100},
		{"is is k", 100}, // run together it is an alias
		{"wilayat", 50},
		{"wilayat khorasam", 40},
		{"taliban", 0},
	} {
		if got := matchBonus(tc.q, keys); got != tc.want {
			t.Errorf("matchBonus(%q) = %g, want %g", tc.q, got, tc.want)
		}
	}
}

func TestEditDistanceAtMost1(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"karrar", "karar", true}, {"ghafari", "ghafary", true}, {"haqqani", "haqani", true},
		{"abc", "bac", true}, {"abc", "abc", true}, {"abc", "xyz", false}, {"kabul", "kabulistan", false},
	} {
		if got := editDistanceAtMost1(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistanceAtMost1(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestMapErrCancelled(t *testing.T) {
	s := &Store{log: slogDiscard()}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := errors.New("Reading from connection has been canceled: context canceled") // as neo4j-go-driver words it
	if code := ErrorCode(s.mapErr(ctx, err)); code != ETIMEOUT {
		t.Errorf("cancelled request: %s, want TIMEOUT", code)
	}
	if code := ErrorCode(s.mapErr(t.Context(), err)); code != EINTERNAL {
		t.Errorf("same message, live request: %s, want INTERNAL", code)
	}
}

func TestMapErrOverload(t *testing.T) {
	s := &Store{log: slogDiscard()}
	for _, msg := range []string{"timed out waiting for other goroutine to update routing table", "dial tcp: connection refused",
		"server did not accept any of the requested Bolt versions ([4]bolt.protocolVersion{})",
		"none of the server offered Bolt versions are supported (offered: []bolt.protocolVersion{})"} {
		if code := ErrorCode(s.mapErr(t.Context(), errors.New(msg))); code != EUNAVAILABLE {
			t.Errorf("%q: %s, want UNAVAILABLE", msg, code)
		}
		// A refused connection or handshake never served: reads retry it; a busy pool is not retried.
		if got, want := deadConnection(errors.New(msg)), !strings.Contains(msg, "routing table"); got != want {
			t.Errorf("deadConnection(%q) = %v, want %v", msg, got, want)
		}
	}
}
