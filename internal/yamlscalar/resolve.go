// Package yamlscalar holds the rules for YAML scalars that meshfn writes and reads: the
// type YAML 1.2 (go-yaml v3, as kyaml reads) and YAML 1.1 (go-yaml v2, as kubectl and
// Istio read) give a plain scalar, and when a string must be quoted so that both read it
// back as that string. Every package that asks these questions asks them here.
package yamlscalar

import (
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Tag returns the short tag ("!!str", "!!int", "!!bool", "!!null", "!!float",
// "!!timestamp") YAML 1.2, as go-yaml v3 resolves it, gives the plain scalar s. It
// answers the common cases itself and asks the resolver for the rest.
func Tag(s string) string {
	if s == "" {
		return "!!null"
	}
	switch c := s[0]; {
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		// The resolver looks such words up in its table of booleans and nulls only.
		switch s {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return "!!bool"
		case "~", "null", "Null", "NULL":
			return "!!null"
		}
		return "!!str"
	case strings.IndexByte("+-0123456789.", c) < 0, notNumber(s):
		return "!!str" // the resolver looks no further for such a first character
	}
	probe := yaml.Node{Kind: yaml.ScalarNode, Value: s}
	return probe.ShortTag()
}

// IsString reports whether YAML 1.2 (go-yaml v3) reads the plain scalar s as a string.
func IsString(s string) bool { return Tag(s) == "!!str" }

// notNumber reports, for a plain scalar whose first character the resolver reads as the
// start of a number (a sign, a digit or a point; false for others), whether it surely is
// a string: a sign followed by a letter or a sign (--domain, -p), or a character no
// number, infinity, timestamp or special float has (100m, 128Mi, 15090,15021; a comma
// only outside what starts like a timestamp). False means "ask the resolver" (it also
// reads underscores away: -_5 is -5).
func notNumber(s string) bool {
	if len(s) < 2 || strings.IndexByte("+-0123456789.", s[0]) < 0 {
		return false
	}
	if (s[0] == '-' || s[0] == '+') && strings.IndexByte("0123456789._", s[1]) < 0 && s[1] != 'I' && s[1] != 'i' && s[1] != 'N' && s[1] != 'n' {
		return true
	}
	for i := 0; i < len(s); i++ {
		if !numberByte[s[i]] && !(s[i] == ',' && timestampLike(s)) {
			return true
		}
	}
	return false
}

// timestampLike reports whether s starts as the resolver's timestamps do (four digits and
// a dash), where a comma can separate the seconds' fraction as a point does
// (2001-12-14t21:59:43,10Z): Go's time.Parse, which the resolver calls, accepts both.
func timestampLike(s string) bool {
	if len(s) < 5 || s[4] != '-' {
		return false
	}
	for i := range 4 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// numberByte holds what numbers (decimal, 0x, 0o, 0b, with underscores and exponents),
// timestamps (2001-12-14t21:59:43.10-05:00) and .inf/.nan are written with.
var numberByte = func() (set [256]bool) {
	for _, c := range []byte("0123456789+-._:xXoObBaAcCdDeEfFtTzZiInN ") {
		set[c] = true
	}
	return set
}()
