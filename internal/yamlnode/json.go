package yamlnode

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// AppendJSON appends to dst what encoding/json's Marshal writes for Value(n) (mapping keys
// sorted, strings escaped alike), without building the value; ok is false where Value's
// is, and dst is then of no use.
func AppendJSON(dst []byte, n *yaml.Node) ([]byte, bool) {
	if n.Anchor != "" {
		return dst, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		return appendMapping(dst, n)
	case yaml.SequenceNode:
		dst = append(dst, '[')
		for i, e := range n.Content {
			if i > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = AppendJSON(dst, e); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	case yaml.ScalarNode:
		v, ok := scalarValue(n)
		if !ok {
			return dst, false
		}
		switch v := v.(type) {
		case string:
			return appendString(dst, v), true
		case bool:
			return strconv.AppendBool(dst, v), true
		case int:
			return strconv.AppendInt(dst, int64(v), 10), true
		case nil:
			return append(dst, "null"...), true
		}
	}
	return dst, false
}

// appendMapping is AppendJSON of a mapping: its members by key.
func appendMapping(dst []byte, n *yaml.Node) ([]byte, bool) {
	type member struct {
		key   string
		value *yaml.Node
	}
	members := make([]member, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || k.Anchor != "" {
			return dst, false
		}
		members = append(members, member{k.Value, n.Content[i+1]})
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	dst = append(dst, '{')
	for i, m := range members {
		if i > 0 {
			if m.key == members[i-1].key {
				return dst, false // a repeated key
			}
			dst = append(dst, ',')
		}
		dst = appendString(dst, m.key)
		dst = append(dst, ':')
		var ok bool
		if dst, ok = AppendJSON(dst, m.value); !ok {
			return dst, false
		}
	}
	return append(dst, '}'), true
}

// appendString appends s as encoding/json writes it: printable ASCII other than the
// characters it escapes as is, anything else as Marshal writes it.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
