package graph

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode"
)

// The fuzz targets run their committed corpus (testdata/fuzz) as ordinary tests under make test; run one
// for real with e.g. go test ./graph -run '^$' -fuzz FuzzParseDate -fuzztime 30s.

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2020", "2020-06", "2020-06-15", "2021-13", "2023-02-29", "0000", "9999-12-31", "-202", "2020-6-1", "２０２０"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.Start() > d.End() || d.Start() < 10101 || d.End() > MaxDateKey {
			t.Fatalf("%q parsed to %d..%d", s, d.Start(), d.End())
		}
		if again, err := ParseDate(s); err != nil || again != d {
			t.Fatalf("%q is not parsed the same twice", s)
		}
	})
}

// FuzzSearchText checks that whatever a user types, the full-text query holds only letters, digits,
// spaces and the operators the service itself adds: no Lucene syntax comes from the user.
func FuzzSearchText(f *testing.F) {
	for _, s := range []string{"ISIS-K", "al-Sadiq", "Türkiye", `name:* OR *:*`, `"}) DETACH DELETE n //`, `[* TO *]`, `/.*/`, `\`, "iskp~0.1^9", "الكرار", "Шахаб"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm := normalizeSearch(s)
		for _, r := range norm {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ') {
				t.Fatalf("normalizeSearch(%q) = %q holds %q", s, norm, r)
			}
		}
		if norm == "" {
			return
		}
		q := luceneQuery(norm)
		stripped := strings.NewReplacer("(", "", ")", "", "^3", "", "*", "", "~1", "", " OR ", " ", " AND ", " ").Replace(q)
		for _, r := range stripped {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ') {
				t.Fatalf("luceneQuery(%q) = %q holds %q", norm, q, r)
			}
		}
		matchBonus(norm, searchKeys(s, []string{s}))
	})
}

// FuzzCheckCypher checks that the pre-check never panics and always answers with a coded error.
func FuzzCheckCypher(f *testing.F) {
	for _, s := range []string{"MATCH (n) RETURN n", "CALL db.labels()", "CALL dbms.listConfig()", "LOAD CSV FROM 'x' AS l RETURN l",
		"RETURN 'LOAD CSV'", "// USE system\nRETURN 1", "/* unterminated", "'unterminated", "EXPLAIN MATCH (n) RETURN n", "USE system SHOW USERS"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := checkCypher(s)
		var ge *Error
		if err != nil && (!errors.As(err, &ge) || (ge.Code != EINVALID && ge.Code != EFORBIDDEN)) {
			t.Fatalf("checkCypher(%q) = %v", s, err)
		}
	})
}

// FuzzCypherParams checks that any JSON object becomes driver parameters or an INVALID error.
func FuzzCypherParams(f *testing.F) {
	for _, s := range []string{`{"id": "iskp", "n": 3}`, `{"x": 1.5, "l": [1, "a", null, true]}`, `{"big": 9007199254740993}`,
		`{"deep": [[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}`, `{"e": 1e400}`, `{}`, `{"m": {"a": {"b": {}}}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if dec.Decode(&m) != nil {
			return
		}
		p, err := cypherParams(m)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("cypherParams(%s): %v", s, err)
			}
			return
		}
		if len(p) != len(m) {
			t.Fatalf("cypherParams(%s) lost keys: %v", s, p)
		}
	})
}
