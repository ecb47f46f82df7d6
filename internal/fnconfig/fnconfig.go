// Package fnconfig decodes the configuration of a meshfn function.
//
// Every function accepts two forms of the same settings:
//
//   - its typed kind in the fn.meshfn.dev/v1alpha1 group, with the settings under spec;
//   - a ConfigMap whose data holds the same settings as flat string keys, which is what
//     `kpt fn eval -- key=value` and a Kptfile's inline `configMap:` produce.
//
// Decoding goes in three steps, as in kyaml's framework: unmarshal (strictly: unknown
// fields and wrong types are errors), default, validate. Every problem is reported, each on
// its own (see Decode).
package fnconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/meshfn/meshfn/internal/yamlnode"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// Group and Version of the typed function configurations.
const (
	Group      = "fn.meshfn.dev"
	Version    = "v1alpha1"
	APIVersion = Group + "/" + Version
)

// Spec is the settings of one function. Default fills in what was left out; Validate
// returns every problem it finds (errors.Join), each naming the field.
type Spec interface {
	Default()
	Validate() error
}

// Source says which form the configuration came in, for messages.
type Source struct {
	Kind string // the typed kind or "ConfigMap"
	Name string // metadata.name, possibly empty
	Path string // the file it was read from, when the orchestrator said so
}

func (s Source) String() string {
	if s.Name == "" {
		return s.Kind
	}
	return s.Kind + "/" + s.Name
}

// Identity names the config as the owner of what a generator generates: "Kind/name".
// kpt names the ConfigMap it builds from `kpt fn eval -- key=value` "function-input" on
// every call, so for that one what is generated (key, such as the revision) is part of
// the identity: two imperative calls for two keys keep both.
func (s Source) Identity(key string) string {
	id := s.Kind + "/" + s.Name
	if s.Kind == "ConfigMap" && (s.Name == "" || s.Name == "function-input") {
		id += "/" + key
	}
	return id
}

// Error is a configuration problem. It names the configuration and, where there is one,
// the field.
type Error struct {
	Source Source
	Field  string
	Err    error
}

func (e *Error) Error() string {
	where := "function config " + e.Source.String()
	if e.Source.Path != "" {
		where += " (" + e.Source.Path + ")"
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %v", where, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: %v", where, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// FieldError returns an error about one field of a spec, for use in Validate. field is
// its path ("spec.tags[1]" or "tags"); a problem with a choice names each ("namespaces or
// selector"). Decode leaves it out when a setting it names did not decode.
func FieldError(field, format string, args ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...)}
}

type fieldError struct{ field, msg string }

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

// Decode reads the function config into spec. kind is the function's typed kind
// (for example "ControlPlaneRevision"). A nil or empty config is an error naming the
// forms it can take.
//
// Every problem is reported, each as one error of the errors.Join the returned *Error
// holds: every unknown field or key, every value of the wrong type, and every problem
// Validate finds in the settings that did decode. Validate's problems about a setting
// whose value did not decode are left out: they would be about a value that is not there.
func Decode(config *yaml.RNode, kind string, spec Spec) (Source, error) {
	src := Source{Kind: kind}
	if config == nil || config.IsNilOrEmpty() {
		return src, &Error{Source: src, Err: fmt.Errorf("missing: expected kind %s (apiVersion %s) or a ConfigMap", kind, APIVersion)}
	}
	if err := checkShape(config, kind); err != nil {
		return src, &Error{Source: src, Err: err}
	}
	meta, _ := config.GetMeta()
	src = Source{Kind: meta.Kind, Name: meta.Name, Path: pathOf(config)}
	var d decoded
	switch {
	case meta.Kind == kind && meta.APIVersion == APIVersion:
		d = decodeTyped(config, spec)
	case meta.Kind == "ConfigMap" && meta.APIVersion == "v1":
		d = decodeFlat(config, spec)
	case meta.Kind == kind:
		d = unread(fmt.Errorf("unsupported apiVersion %q for kind %s: expected %s", meta.APIVersion, kind, APIVersion))
	default:
		d = unread(fmt.Errorf("unsupported kind %q (apiVersion %q): expected %s (apiVersion %s) or a v1 ConfigMap",
			meta.Kind, meta.APIVersion, kind, APIVersion))
	}
	errs := d.errs
	if !d.unread {
		spec.Default()
		errs = append(errs, d.keepValid(spec.Validate())...)
	}
	if len(errs) > 0 {
		return src, &Error{Source: src, Err: errors.Join(errs...)}
	}
	return src, nil
}

// decoded is what decoding the settings found.
type decoded struct {
	errs []error
	// failed holds the settings (top-level names) whose value did not decode.
	failed map[string]bool
	// unread is set when the settings could not be read at all, so there is nothing to
	// validate.
	unread bool
}

func unread(errs ...error) decoded {
	var all []error
	for _, err := range errs {
		all = append(all, causes(err)...)
	}
	return decoded{errs: all, unread: true}
}

// causes returns the problems err joins, or err alone.
func causes(err error) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	return []error{err}
}

// keepValid returns the problems err joins, less those about a setting whose value did
// not decode (a FieldError's field names it; "a or b" names both).
func (d decoded) keepValid(err error) []error {
	if err == nil {
		return nil
	}
	var kept []error
	for _, e := range causes(err) {
		var fe *fieldError
		if !errors.As(e, &fe) || !slices.ContainsFunc(strings.Split(fe.field, " or "), d.failedField) {
			kept = append(kept, e)
		}
	}
	return kept
}

// failedField reports whether field is in a setting whose value did not decode:
// "spec.tags[1]" and "tags" are in "tags".
func (d decoded) failedField(field string) bool {
	for _, p := range []string{"spec.", "data."} {
		field = strings.TrimPrefix(field, p)
	}
	if i := strings.IndexAny(field, ".["); i >= 0 {
		field = field[:i]
	}
	return d.failed[field]
}

// checkShape refuses a config that is not a mapping, or whose metadata is not shaped as
// every object's is (kyaml's accessors would panic on it).
func checkShape(config *yaml.RNode, kind string) error {
	if config.YNode().Kind != yaml.MappingNode {
		return fmt.Errorf("not a mapping: expected kind %s (apiVersion %s) or a ConfigMap", kind, APIVersion)
	}
	meta := config.Field("metadata")
	if meta == nil || yaml.IsYNodeNilOrEmpty(meta.Value.YNode()) {
		return nil
	}
	if meta.Value.YNode().Kind != yaml.MappingNode {
		return errors.New("metadata: expected a mapping")
	}
	for _, fw := range []struct {
		field string
		want  yaml.Kind
	}{{"name", yaml.ScalarNode}, {"namespace", yaml.ScalarNode}, {"labels", yaml.MappingNode}, {"annotations", yaml.MappingNode}} {
		field, want := fw.field, fw.want
		f := meta.Value.Field(field)
		if f == nil || yaml.IsYNodeNilOrEmpty(f.Value.YNode()) || f.Value.YNode().Kind == want {
			continue
		}
		if want == yaml.MappingNode {
			return fmt.Errorf("metadata.%s: expected a mapping", field)
		}
		return fmt.Errorf("metadata.%s: expected a string", field)
	}
	return nil
}

func pathOf(n *yaml.RNode) string {
	a := n.GetAnnotations()
	if p := a["internal.config.kubernetes.io/path"]; p != "" {
		return p
	}
	return a["config.kubernetes.io/path"]
}

var typedTopLevel = map[string]bool{"apiVersion": true, "kind": true, "metadata": true, "spec": true}

func decodeTyped(config *yaml.RNode, spec Spec) decoded {
	var errs []error
	fields, err := config.Fields()
	if err != nil {
		return unread(err)
	}
	for _, f := range fields {
		if !typedTopLevel[f] {
			hint := DidYouMean(f, typedTopLevel)
			if hint == "" {
				hint = " (settings go under spec)"
			}
			errs = append(errs, fmt.Errorf("unknown field %q%s", f, hint))
		}
	}
	specNode := config.Field("spec")
	if specNode == nil || specNode.Value.IsNilOrEmpty() {
		// No settings: every field keeps its default, and the function's own checks
		// name the fields it cannot do without.
		return decoded{errs: errs}
	}
	if specNode.Value.YNode().Kind != yaml.MappingNode {
		errs = append(errs, fmt.Errorf("spec: expected a mapping, got %s", yamlnode.Describe(specNode.Value.YNode())))
		return unread(errs...)
	}
	if err := yamlnode.NoAliases(specNode.Value.YNode()); err != nil {
		// Decoding would expand them, and a generator would write what they expand to.
		errs = append(errs, fmt.Errorf("spec: %w", err))
		return unread(errs...)
	}
	raw, err := specNode.Value.MarshalJSON()
	if err != nil {
		errs = append(errs, fmt.Errorf("spec: %w", err))
		return unread(errs...)
	}
	var settings map[string]json.RawMessage
	if err := json.Unmarshal(raw, &settings); err != nil {
		errs = append(errs, fmt.Errorf("spec: %w", err))
		return unread(errs...)
	}
	value := func(k string, _ reflect.Type) (json.RawMessage, error) { return settings[k], nil }
	d := decodeSettings(slices.Collect(maps.Keys(settings)), value, spec, "spec", "unknown field spec.")
	d.errs = append(errs, d.errs...)
	return d
}

// decodeSettings decodes the settings names into spec one at a time, in the order of
// their names, so that each setting's problem is reported, not only the first: an
// unknown name (the message starts with unknown, such as "unknown field spec."), a value
// that value cannot give as JSON for the setting's type, a field name at any depth that
// is not exactly one of the type's, or a value of the wrong type. path names the settings
// in messages ("spec" or "data").
func decodeSettings(names []string, value func(name string, t reflect.Type) (json.RawMessage, error),
	spec Spec, path, unknown string) decoded {
	d := decoded{failed: map[string]bool{}}
	fields := Fields(reflect.TypeOf(spec))
	slices.Sort(names)
	for _, k := range names {
		t, ok := fields[k]
		if !ok {
			d.errs = append(d.errs, fmt.Errorf("%s%s%s", unknown, k, DidYouMean(k, fields)))
			continue
		}
		raw, err := value(k, t)
		errs := []error{err}
		if err == nil {
			errs = decodeSetting(k, raw, t, spec, path)
		}
		if len(errs) > 0 {
			d.errs = append(d.errs, errs...)
			d.failed[k] = true
		}
	}
	return d
}

// decodeSetting decodes raw, the JSON of the setting name of type t, into spec after
// checking that every field name in it is exactly one of t's. It returns each problem.
func decodeSetting(name string, raw json.RawMessage, t reflect.Type, spec Spec, path string) []error {
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return []error{fmt.Errorf("%s.%s: %w", path, name, err)}
	}
	if errs := exactNames(generic, t, path+"."+name); len(errs) > 0 {
		return errs
	}
	one, err := json.Marshal(map[string]json.RawMessage{name: raw})
	if err == nil {
		err = strictJSON(one, spec, path+".")
	}
	if err != nil {
		return []error{err}
	}
	return nil
}

// strictJSON decodes raw into v, refusing unknown fields, and rewrites encoding/json's
// messages so they name the field as the user wrote it.
func strictJSON(raw []byte, v any, prefix string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Errorf("%s%s: expected %s, got %s", prefix, typeErr.Field, goTypeName(typeErr.Type), typeErr.Value)
	}
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("unknown field %s%s", prefix, strings.Trim(msg, `"`))
	}
	return fmt.Errorf("%s: %w", strings.TrimSuffix(prefix, "."), err)
}

func goTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	}
	return t.String()
}

// decodeFlat maps the ConfigMap's data keys onto the spec's JSON field names. Scalars are
// converted by the field's type; lists of strings may be written comma-separated; any
// other structured value is written as YAML (or JSON) in the string. A value that is not
// a string (a mapping or a list in the ConfigMap itself) is an error naming its key.
func decodeFlat(config *yaml.RNode, spec Spec) decoded {
	var dataNode *yaml.Node
	if f := config.Field("data"); f != nil {
		dataNode = f.Value.YNode()
	}
	data, err := yamlnode.StringMap(dataNode, "data")
	if err != nil {
		return unread(err)
	}
	value := func(k string, t reflect.Type) (json.RawMessage, error) {
		raw, err := flatValue(data[k], t)
		if err != nil {
			return nil, fmt.Errorf("data.%s: %w", k, err)
		}
		return raw, nil
	}
	return decodeSettings(slices.Collect(maps.Keys(data)), value, spec, "data", "unknown key data.")
}

var jsonUnmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

func flatValue(s string, t reflect.Type) (json.RawMessage, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return json.Marshal(s) // the type decodes its own string form
	}
	switch t.Kind() {
	case reflect.String:
		return json.Marshal(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("expected true or false, got %q", s)
		}
		return json.Marshal(b)
	case reflect.Int, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("expected an integer, got %q", s)
		}
		return json.Marshal(i)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String && !strings.HasPrefix(strings.TrimSpace(s), "[") {
			return json.Marshal(splitList(s))
		}
	}
	if err := yamlnode.TextNoAliases(s); err != nil {
		return nil, err
	}
	raw, err := sigsyaml.YAMLToJSON([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("expected YAML for a structured value: %w", err)
	}
	return raw, nil
}

func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Fields lists the settings of a struct type by the names Decode matches letter for
// letter (their JSON names, following embedded structs), with their types.
func Fields(t reflect.Type) map[string]reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			for k, v := range Fields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// WithCause returns a copy of e about one cause; it lets callers report each of several
// joined problems as its own result.
func (e *Error) WithCause(cause error) error {
	c := *e
	c.Err = cause
	return &c
}
