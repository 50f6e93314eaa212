package graph

import "testing"

// TestSplit checks where a search for paths of n relations meets in the middle: the longer half goes to
// the end whose walks grow slower. The balls are those of actors of the generated graph at scale M.
func TestSplit(t *testing.T) {
	person := ball{7, 14855}        // person-16286: 7 relations, three of them to hubs
	hub := ball{34150, 34150 * 1e4} // group-2: more than denseBall relations, estimated
	sparse := ball{4, 11275}        // person-48579
	crowded := ball{3, 61898}       // person-35871
	unknown := ball{}
	tests := []struct {
		name string
		n    int
		a, b ball
		want int
	}{
		{"two relations", 2, person, hub, 1},
		{"person to hub, 3", 3, person, hub, 2},
		{"person to hub, 4", 4, person, hub, 3},
		{"hub to person, 3", 3, hub, person, 1},
		{"hub to person, 4", 4, hub, person, 1},
		{"equal ends", 4, sparse, sparse, 2},
		{"crowded to sparse, 5", 5, crowded, sparse, 2},
		{"crowded to sparse, 6", 6, crowded, sparse, 3},
		{"sparse to crowded, 5", 5, sparse, crowded, 3},
		{"unknown end", 4, unknown, hub, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := split(tc.n, [2]ball{tc.a, tc.b}); got != tc.want {
				t.Errorf("split(%d) = %d, want %d", tc.n, got, tc.want)
			}
		})
	}
}
