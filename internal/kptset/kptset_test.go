package kptset

import "testing"

func TestPatternOf(t *testing.T) {
	for _, tc := range []struct {
		comment, want string
		ok            bool
	}{
		{"# kpt-set: ${revision}", "${revision}", true},
		{"# kpt-set:   istiod-${revision}  ", "istiod-${revision}", true},
		{"#kpt-set: ${revision}", "", false},
		{"# kpt-set:", "", false},
		{"# kpt-set: ", "", false},
		{"# a plain comment", "", false},
		{"", "", false},
	} {
		got, ok := PatternOf(tc.comment)
		if got != tc.want || ok != tc.ok {
			t.Errorf("PatternOf(%q) = %q, %v; want %q, %v", tc.comment, got, ok, tc.want, tc.ok)
		}
	}
}
