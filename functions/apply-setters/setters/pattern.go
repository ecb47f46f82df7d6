package setters

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/meshfn/meshfn/internal/kptset"
)

// Mentions reports whether the pattern references at least one of the setters, which is
// what makes a tagged field the function's business.
func (s Setters) Mentions(pattern string) bool {
	for _, name := range kptset.Refs(pattern) {
		if _, ok := s[name]; ok {
			return true
		}
	}
	return false
}

// ListSetter returns the setter name of a pattern that consists of exactly one reference,
// "${name}", the only pattern a sequence field may carry.
func ListSetter(pattern string) (string, bool) {
	refs := kptset.Refs(pattern)
	if len(refs) != 1 || pattern != "${"+refs[0]+"}" {
		return "", false
	}
	return refs[0], true
}

// Resolve substitutes the setters into pattern. References to setters without a value
// take the value they have in current, the field's value now, when current matches the
// pattern (so "${image}:${tag}" with only image given keeps the tag); otherwise Resolve
// fails, naming the setters that need a value.
func (s Setters) Resolve(pattern, current string) (string, error) {
	derived := CurrentValues(pattern, current)
	var missing []string
	out := kptset.RefPattern.ReplaceAllStringFunc(pattern, func(ref string) string {
		name := ref[2 : len(ref)-1]
		if v, ok := s[name]; ok {
			return v
		}
		if v, ok := derived[name]; ok {
			return v
		}
		missing = append(missing, ref)
		return ref
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("values for setters %v must be provided", missing)
	}
	return out, nil
}

// CurrentValues derives the setter values that produced value from pattern: each
// reference matches any text (greedily, leftmost first), the rest of the pattern matches
// itself. It returns an empty map unless value matches and every reference gets a
// non-empty value. For "my-app.${stage}.${domain}" and "my-app.dev.example" it returns
// {stage: dev, domain: example}.
func CurrentValues(pattern, value string) map[string]string {
	res := map[string]string{}
	refs := kptset.Refs(pattern)
	if len(refs) == 0 {
		return res
	}
	literals := kptset.RefPattern.Split(pattern, -1)
	var expr strings.Builder
	for i, lit := range literals {
		expr.WriteString(regexp.QuoteMeta(lit))
		if i < len(refs) {
			expr.WriteString("(.*)")
		}
	}
	re, err := regexp.Compile(expr.String())
	if err != nil {
		return res
	}
	groups := re.FindStringSubmatch(value)
	if len(groups) != len(refs)+1 {
		return res
	}
	for i, name := range refs {
		if groups[i+1] == "" {
			return map[string]string{}
		}
		res[name] = groups[i+1]
	}
	return res
}
