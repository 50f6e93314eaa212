package graph

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// letters that decomposition does not fold to ASCII.
var extraFolds = strings.NewReplacer("ı", "i", "ø", "o", "ß", "ss", "ł", "l", "đ", "d", "æ", "ae", "œ", "oe", "’", "'", "ʿ", "", "ʾ", "")

// foldDiacritics removes combining marks (Türkiye -> Turkiye) and folds a few letters without decomposition.
func foldDiacritics(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return extraFolds.Replace(out)
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// searchKeys returns the normalized forms of an actor's name and aliases, each also without spaces
// ("isis k" and "isisk"), without repeats. They are what search matches exactly.
func searchKeys(name string, aliases []string) []string {
	seen := map[string]bool{}
	var keys []string
	for _, s := range append([]string{name}, aliases...) {
		n := normalizeSearch(s)
		for _, k := range []string{n, strings.ReplaceAll(n, " ", "")} {
			if k != "" && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// luceneQuery builds the full-text query for normalized text: every word must match exactly, as a
// prefix, or with one typo; or the words run together must (so "ISIS-K" meets "isisk"). The input holds
// only letters, digits and spaces (see normalizeSearch), so no Lucene syntax can come from the user.
func luceneQuery(norm string) string {
	words := strings.Fields(norm)
	var b strings.Builder
	b.WriteString("(")
	for i, w := range words {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString("(" + w + "^3 OR " + w + "*")
		if len([]rune(w)) >= 4 {
			b.WriteString(" OR " + w + "~1")
		}
		b.WriteString(")")
	}
	b.WriteString(")")
	if compact := strings.Join(words, ""); len(words) > 1 {
		b.WriteString(" OR " + compact + "^3 OR " + compact + "*")
		if len([]rune(compact)) >= 4 {
			b.WriteString(" OR " + compact + "~1")
		}
	}
	return b.String()
}

// matchBonus ranks exact and near matches of the query against an actor's keys above full-text score
// noise: an exact name or alias wins, then a prefix, then one edit away.
func matchBonus(query string, keys []string) float64 {
	compact := strings.ReplaceAll(query, " ", "")
	best := 0.0
	for i, k := range keys {
		b := 0.0
		switch {
		case k == query || k == compact:
			b = 100
			if i < 2 { // the canonical name itself
				b = 110
			}
		case strings.HasPrefix(k, query) || strings.HasPrefix(k, compact):
			b = 50
		case editDistanceAtMost1(k, compact) || editDistanceAtMost1(k, query):
			b = 40
		}
		if b > best {
			best = b
		}
	}
	return best
}

// editDistanceAtMost1 reports whether a and b differ by at most one insertion, deletion, substitution or
// transposition of adjacent letters.
func editDistanceAtMost1(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	if len(ra)-len(rb) > 1 {
		return false
	}
	i := 0
	for i < len(rb) && ra[i] == rb[i] {
		i++
	}
	if i == len(rb) {
		return true
	}
	if len(ra) == len(rb) {
		if string(ra[i+1:]) == string(rb[i+1:]) {
			return true
		}
		return i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && string(ra[i+2:]) == string(rb[i+2:])
	}
	return string(ra[i+1:]) == string(rb[i:])
}
