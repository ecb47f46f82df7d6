package krm

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/meshfn/meshfn/internal/yamlemit"
	"github.com/meshfn/meshfn/internal/yamlscalar"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// appendResults appends the "results:" entry of a ResourceList as the SDK's ToYAML writes
// it, without the SDK's conversion of each result (JSON text, a YAML document encoded and
// parsed again, then encoded): the result's fields become the nodes that conversion
// makes, written by yamlemit. ok is false, and dst unchanged, for what it does not
// write: a result with a field reference (values of any type), text that is not UTF-8, a
// file index the SDK writes as a float, or a node yamlemit leaves to the encoder.
func appendResults(dst []byte, results fn.Results) ([]byte, bool) {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: make([]*yaml.Node, 0, len(results))}
	for _, r := range results {
		n, ok := resultNode(r)
		if !ok {
			return dst, false
		}
		seq.Content = append(seq.Content, n)
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{resultString("results"), seq}}
	out, ok := yamlemit.Append(dst, doc)
	if !ok || !bytes.HasPrefix(out[len(dst):], []byte("results:\n")) {
		return dst, false
	}
	return out, true
}

// resultNode is the mapping the SDK makes of a result: its JSON fields (empty ones left
// out), keys in the SDK's field order.
func resultNode(r *fn.Result) (*yaml.Node, bool) {
	if r == nil || r.Field != nil {
		return nil, false
	}
	var fields []resultField
	add := func(key, value string) {
		if value != "" {
			fields = append(fields, resultField{key, resultString(value)})
		}
	}
	add("message", r.Message)
	add("severity", string(r.Severity))
	if ref := r.ResourceRef; ref != nil {
		var sub []resultField
		for _, f := range []struct{ k, v string }{{"apiVersion", ref.APIVersion}, {"kind", ref.Kind}, {"name", ref.Name}, {"namespace", ref.Namespace}} {
			if f.v != "" {
				sub = append(sub, resultField{f.k, resultString(f.v)})
			}
		}
		fields = append(fields, resultField{"resourceRef", resultMapping(sub)})
	}
	if file := r.File; file != nil {
		var sub []resultField
		if file.Path != "" {
			sub = append(sub, resultField{"path", resultString(file.Path)})
		}
		if file.Index != 0 {
			if file.Index <= -1e6 || file.Index >= 1e6 {
				return nil, false // JSON's float64, which YAML writes as 1e+06
			}
			sub = append(sub, resultField{"index", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(file.Index)}})
		}
		fields = append(fields, resultField{"file", resultMapping(sub)})
	}
	if len(r.Tags) > 0 {
		var sub []resultField
		for k, v := range r.Tags {
			sub = append(sub, resultField{k, resultString(v)})
		}
		fields = append(fields, resultField{"tags", resultMapping(sub)})
	}
	for _, f := range fields {
		if !validText(f.key) || !validText(f.value) {
			return nil, false
		}
	}
	return resultMapping(fields), true
}

type resultField struct {
	key   string
	value *yaml.Node
}

// resultMapping is a mapping of fields sorted as the SDK sorts them: kyaml's field order
// first, then by name. An empty mapping is written {} (flow), as JSON's {} reads.
func resultMapping(fields []resultField) *yaml.Node {
	sort.Slice(fields, func(i, j int) bool { return fieldLess(fields[i].key, fields[j].key) })
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: make([]*yaml.Node, 0, 2*len(fields))}
	if len(fields) == 0 {
		n.Style = yaml.FlowStyle
	}
	for _, f := range fields {
		n.Content = append(n.Content, resultString(f.key), f.value)
	}
	return n
}

// fieldLess is the SDK's order of a mapping's keys (its sortFields).
func fieldLess(a, b string) bool {
	ai, aFound := yaml.FieldOrder[a]
	bi, bFound := yaml.FieldOrder[b]
	switch {
	case aFound && bFound:
		return ai < bi
	case aFound || bFound:
		return aFound
	}
	return a < b
}

// resultString is a string as the SDK's conversion leaves it: literal when it holds a
// line break, double-quoted when the encoder would not write it plain for YAML 1.1
// readers (yes, on, 1:20), else plain (yamlemit quotes what YAML would read as another
// type, and picks the quoting plain text cannot do without, as the encoder does).
func resultString(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch {
	case strings.Contains(s, "\n"):
		n.Style = yaml.LiteralStyle
	case yamlscalar.Only11(s):
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// validText reports whether every scalar of n is UTF-8 (the SDK writes other text as
// base64 !!binary) and not a merge key.
func validText(n any) bool {
	switch n := n.(type) {
	case string:
		return utf8.ValidString(n)
	case *yaml.Node:
		if !utf8.ValidString(n.Value) || n.Value == "<<" { // the SDK writes "!!merge <<"
			return false
		}
		for _, c := range n.Content {
			if !validText(c) {
				return false
			}
		}
	}
	return true
}
