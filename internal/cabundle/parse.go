package cabundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/meshfn/meshfn/internal/certchain"
	"github.com/meshfn/meshfn/internal/keyscan"
	"github.com/meshfn/meshfn/internal/yamlnode"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Parse reads a CABundle strictly: a field it does not know, or a value of the wrong type,
// is an error naming the field, and so is private key material anywhere in the resource,
// its comments included (FindKeys). It
// reports every problem it finds (errors.Join of *FieldError). It does not check the
// certificates: that is Check.
func Parse(node *yaml.RNode) (*CABundle, error) {
	if node == nil || node.IsNil() {
		return nil, errors.New("no CABundle")
	}
	y := node.YNode()
	if y.Kind == yaml.DocumentNode && len(y.Content) == 1 {
		y = y.Content[0]
	}
	// A key is reported first and wherever it is: in an unknown field or a comment too.
	if err := findKeys(y); err != nil {
		return nil, err
	}
	var errs []error
	if y.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("expected a mapping, got %s", yamlnode.Describe(y))
	}
	if api, kind := node.GetApiVersion(), node.GetKind(); kind != Kind || api != APIVersion {
		return nil, fieldErr("apiVersion", "expected apiVersion %s, kind %s; got apiVersion %q, kind %q", APIVersion, Kind, api, kind)
	}
	checkShape(y, reflect.TypeOf(CABundle{}), "", &errs)
	if len(errs) > 0 {
		return nil, joinErrs(errs)
	}
	raw, err := node.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var b CABundle
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		// checkShape has seen every field and type; this is a safety net.
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, fieldErr(typeErr.Field, "expected %s, got %s", typeName(typeErr.Type), typeErr.Value)
		}
		return nil, err
	}
	return &b, nil
}

// FindKeys reports private key material anywhere in a resource, in any form keyscan
// knows: in every key and value, and in every comment, each as an error naming the field
// (errors.Join of *FieldError wrapping certchain.ErrPrivateKey), never the key. It is nil
// when there is none.
func FindKeys(node *yaml.RNode) error {
	if node == nil {
		return nil
	}
	return findKeys(node.YNode())
}

func findKeys(n *yaml.Node) error {
	var errs []error
	walkKeys(n, "", &errs)
	return joinErrs(errs)
}

// walkKeys reports the key material of n, the node at path, and of what it holds.
func walkKeys(n *yaml.Node, path string, errs *[]error) {
	if n == nil {
		return
	}
	found := func(field, where string, texts ...string) bool {
		for _, t := range texts {
			if f, ok := keyscan.FindString(t); ok {
				*errs = append(*errs, keyErr(field, where, f))
				return true
			}
		}
		return false
	}
	found(path, "a comment ", n.HeadComment, n.LineComment, n.FootComment)
	found(path, "", n.Anchor, n.Tag)
	switch n.Kind {
	case yaml.ScalarNode:
		found(path, "", n.Value)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			// A key pasted as a mapping key: name the mapping, not the key.
			if found(path, "a key of it ", k.Value, k.Anchor, k.Tag) {
				continue
			}
			kpath := join(path, k.Value)
			found(kpath, "a comment ", k.HeadComment, k.LineComment, k.FootComment)
			walkKeys(n.Content[i+1], kpath, errs)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkKeys(c, fmt.Sprintf("%s[%d]", path, i), errs)
		}
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkKeys(c, path, errs)
		}
	}
}

// keyErr is the error for key material f in field; where says in which part of it
// ("a comment "), empty for its value.
func keyErr(field, where string, f keyscan.Finding) error {
	return &FieldError{Field: field, Msg: where + certchain.KeyError(f).Error(), err: certchain.ErrPrivateKey}
}

// checkShape compares a YAML node with the Go type it decodes into, by the type's JSON
// field names, exactly (encoding/json would match names case-insensitively): unknown fields
// and values of the wrong kind are errors naming the field.
func checkShape(n *yaml.Node, t reflect.Type, path string, errs *[]error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.Tag == yaml.NodeTagNull {
		return // a null is the field left out
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			*errs = append(*errs, fieldErr(path, "expected a mapping, got %s", yamlnode.Describe(n)))
			return
		}
		fields := jsonFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				*errs = append(*errs, fieldErr(join(path, k.Value), "unknown field (known: %s)", strings.Join(fieldNames(t), ", ")))
				continue
			}
			checkShape(v, ft, join(path, k.Value), errs)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			*errs = append(*errs, fieldErr(path, "expected a mapping, got %s", yamlnode.Describe(n)))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkShape(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), errs)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			*errs = append(*errs, fieldErr(path, "expected a string, got %s", yamlnode.Describe(n)))
			return
		}
		switch n.Tag {
		case yaml.NodeTagInt, yaml.NodeTagFloat, yaml.NodeTagBool:
			*errs = append(*errs, fieldErr(path, "expected a string, got %s (quote it)", yamlnode.Describe(n)))
		}
	}
}

// jsonFields maps a struct's JSON field names to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.IsExported() && name != "" && name != "-" {
			out[name] = f.Type
		}
	}
	return out
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	case reflect.Slice:
		return "a list"
	}
	return t.String()
}
