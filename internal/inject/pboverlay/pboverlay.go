// Package pboverlay lays JSON or YAML over a protobuf message with the rules of the legacy
// github.com/golang/protobuf/jsonpb Unmarshaler, which is what Istio's
// protomarshal.ApplyYAML/ApplyJSON use; it is built on google.golang.org/protobuf. Mesh
// config, its defaultConfig and the proxy.istio.io/config annotation are all decoded here.
package pboverlay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/meshfn/meshfn/internal/yamlnode"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"sigs.k8s.io/yaml"
)

// The rules differ from protojson's and matter for mesh config:
//
//   - the JSON is laid over the existing message: fields absent from the JSON
//     keep their value, a field present in the JSON replaces the old value as
//     a whole (messages, lists and maps are not merged);
//   - a JSON null leaves the field untouched (except for google.protobuf.Value
//     and NullValue fields); a top-level null changes nothing;
//   - both the proto name and the JSON name of a field are accepted; when both
//     are present the JSON name wins; for duplicated keys the last one wins;
//   - unknown fields are ignored (Istio first decodes strictly and retries
//     leniently on any error, which ends in the same message or error as a
//     single lenient pass);
//   - durations are parsed with time.ParseDuration ("1m", "10s", "1h30m");
//   - enums take their name or their number, integers may be quoted, several
//     members of one oneof simply overwrite each other in field order.

const fullNameValue = "google.protobuf.Value"

// YAMLToJSON converts YAML text to JSON the way sigs.k8s.io/yaml does for Istio; YAML
// anchors and aliases, which Istio would expand, are refused.
func YAMLToJSON(text string) ([]byte, error) {
	if err := yamlnode.TextNoAliases(text); err != nil {
		return nil, err
	}
	return yaml.YAMLToJSON([]byte(text))
}

// YAML lays the YAML text over msg with jsonpb rules (see above). Errors are those
// sigs.k8s.io/yaml and jsonpb give, word for word.
func YAML(text string, msg proto.Message) error {
	js, err := YAMLToJSON(text)
	if err != nil {
		return err
	}
	return JSON(js, msg)
}

// JSON lays the first JSON value of data over msg with jsonpb rules.
func JSON(data []byte, msg proto.Message) error {
	var raw json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&raw); err != nil {
		return err
	}
	m := msg.ProtoReflect()
	if isNull(raw) && m.Descriptor().FullName() != fullNameValue {
		return nil
	}
	return decodeMessage(m, raw)
}

func isNull(raw []byte) bool { return string(raw) == "null" }

func isQuoted(raw []byte) bool {
	return len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"'
}

// stripQuotes removes surrounding double quotes without unescaping, which is
// how jsonpb reads quoted numbers and enum names.
func stripQuotes(raw []byte) []byte {
	if isQuoted(raw) {
		return raw[1 : len(raw)-1]
	}
	return raw
}

// decodeMessage decodes one JSON value into the (mutable) message m.
func decodeMessage(m protoreflect.Message, in []byte) error {
	md := m.Descriptor()
	if isNull(in) && md.FullName() != fullNameValue {
		return nil
	}
	switch md.FullName() {
	case "google.protobuf.BoolValue", "google.protobuf.BytesValue", "google.protobuf.StringValue",
		"google.protobuf.Int32Value", "google.protobuf.UInt32Value", "google.protobuf.FloatValue",
		"google.protobuf.Int64Value", "google.protobuf.UInt64Value", "google.protobuf.DoubleValue":
		fd := md.Fields().ByNumber(1)
		v, err := decodeSingular(m.NewField(fd), in, fd)
		if err != nil {
			return err
		}
		m.Set(fd, v)
		return nil
	case "google.protobuf.Duration":
		return decodeDuration(m, in)
	case "google.protobuf.Timestamp":
		return decodeTimestamp(m, in)
	case fullNameValue:
		return decodeValue(m, in)
	case "google.protobuf.ListValue":
		return decodeListValue(m, in)
	case "google.protobuf.Struct":
		return decodeStruct(m, in)
	case "google.protobuf.Any":
		return errors.New("google.protobuf.Any is not supported in mesh config")
	}
	return decodeFields(m, in)
}

// decodeFields decodes a JSON object into the known fields of m; unknown keys
// are ignored.
func decodeFields(m protoreflect.Message, in []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(in, &obj); err != nil {
		return err
	}
	fds := m.Descriptor().Fields()
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		raw, ok := obj[string(fd.JSONName())]
		if !ok {
			raw, ok = obj[string(fd.Name())]
		}
		if !ok || raw == nil || (isNull(raw) && !nullIsValue(fd)) {
			continue
		}
		v, err := decodeField(m.NewField(fd), raw, fd)
		if err != nil {
			return err
		}
		m.Set(fd, v)
	}
	return nil
}

// nullIsValue reports whether a JSON null is a real value for fd rather than
// "leave unset".
func nullIsValue(fd protoreflect.FieldDescriptor) bool {
	if fd.IsList() || fd.IsMap() {
		return false
	}
	if md := fd.Message(); md != nil {
		return md.FullName() == fullNameValue
	}
	if ed := fd.Enum(); ed != nil {
		return ed.FullName() == "google.protobuf.NullValue"
	}
	return false
}

// decodeField decodes a field value (list, map or singular) into the fresh
// value v created for fd.
func decodeField(v protoreflect.Value, in []byte, fd protoreflect.FieldDescriptor) (protoreflect.Value, error) {
	switch {
	case fd.IsList():
		var items []json.RawMessage
		if err := json.Unmarshal(in, &items); err != nil {
			return v, err
		}
		list := v.List()
		for _, raw := range items {
			item, err := decodeSingular(list.NewElement(), raw, fd)
			if err != nil {
				return v, err
			}
			list.Append(item)
		}
		return v, nil
	case fd.IsMap():
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(in, &obj); err != nil {
			return v, err
		}
		mp := v.Map()
		for key, raw := range obj {
			mk, err := decodeMapKey(key, fd.MapKey())
			if err != nil {
				return v, err
			}
			val, err := decodeSingular(mp.NewValue(), raw, fd.MapValue())
			if err != nil {
				return v, err
			}
			mp.Set(mk, val)
		}
		return v, nil
	default:
		return decodeSingular(v, in, fd)
	}
}

func decodeMapKey(key string, kfd protoreflect.FieldDescriptor) (protoreflect.MapKey, error) {
	if kfd.Kind() == protoreflect.StringKind {
		return protoreflect.ValueOfString(key).MapKey(), nil
	}
	v, err := decodeSingular(kfd.Default(), []byte(key), kfd)
	if err != nil {
		return protoreflect.MapKey{}, err
	}
	return v.MapKey(), nil
}

// decodeSingular decodes one scalar, enum or message value. Scalars are read
// with encoding/json, so a null element of a list or map becomes the zero value.
func decodeSingular(v protoreflect.Value, in []byte, fd protoreflect.FieldDescriptor) (protoreflect.Value, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		var b bool
		err := json.Unmarshal(in, &b)
		return protoreflect.ValueOfBool(b), err
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		var n int32
		err := json.Unmarshal(stripQuotes(in), &n)
		return protoreflect.ValueOfInt32(n), err
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		var n int64
		err := json.Unmarshal(stripQuotes(in), &n)
		return protoreflect.ValueOfInt64(n), err
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		var n uint32
		err := json.Unmarshal(stripQuotes(in), &n)
		return protoreflect.ValueOfUint32(n), err
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		var n uint64
		err := json.Unmarshal(stripQuotes(in), &n)
		return protoreflect.ValueOfUint64(n), err
	case protoreflect.FloatKind:
		if f, ok := nonFinite(in); ok {
			return protoreflect.ValueOfFloat32(float32(f)), nil
		}
		var f float32
		err := json.Unmarshal(stripQuotes(in), &f)
		return protoreflect.ValueOfFloat32(f), err
	case protoreflect.DoubleKind:
		if f, ok := nonFinite(in); ok {
			return protoreflect.ValueOfFloat64(f), nil
		}
		var f float64
		err := json.Unmarshal(stripQuotes(in), &f)
		return protoreflect.ValueOfFloat64(f), err
	case protoreflect.StringKind:
		var s string
		err := json.Unmarshal(in, &s)
		return protoreflect.ValueOfString(s), err
	case protoreflect.BytesKind:
		var b []byte
		err := json.Unmarshal(in, &b)
		return protoreflect.ValueOfBytes(b), err
	case protoreflect.EnumKind:
		return decodeEnum(in, fd)
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return v, decodeMessage(v.Message(), in)
	}
	return v, fmt.Errorf("unsupported field kind %v for %s", fd.Kind(), fd.FullName())
}

func decodeEnum(in []byte, fd protoreflect.FieldDescriptor) (protoreflect.Value, error) {
	if isQuoted(in) {
		name := protoreflect.Name(stripQuotes(in))
		vd := fd.Enum().Values().ByName(name)
		if vd == nil {
			// jsonpb's text: the name as written, quotes and all.
			return protoreflect.ValueOfEnum(0), fmt.Errorf("unknown value %q for enum %s", in, fd.Enum().FullName())
		}
		return protoreflect.ValueOfEnum(vd.Number()), nil
	}
	var n protoreflect.EnumNumber // named in jsonpb's type errors
	err := json.Unmarshal(in, &n)
	return protoreflect.ValueOfEnum(n), err
}

func nonFinite(in []byte) (float64, bool) {
	switch string(in) {
	case `"NaN"`:
		return math.NaN(), true
	case `"Infinity"`:
		return math.Inf(1), true
	case `"-Infinity"`:
		return math.Inf(-1), true
	}
	return 0, false
}

func unquote(in []byte) (string, error) {
	var s string
	err := json.Unmarshal(in, &s)
	return s, err
}

func setSecondsNanos(m protoreflect.Message, secs int64, nanos int32) {
	fds := m.Descriptor().Fields()
	m.Set(fds.ByNumber(1), protoreflect.ValueOfInt64(secs))
	m.Set(fds.ByNumber(2), protoreflect.ValueOfInt32(nanos))
}

func decodeDuration(m protoreflect.Message, in []byte) error {
	s, err := unquote(in)
	if err != nil {
		return err
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("bad Duration: %w", err)
	}
	ns := d.Nanoseconds()
	setSecondsNanos(m, ns/int64(time.Second), int32(ns%int64(time.Second)))
	return nil
}

func decodeTimestamp(m protoreflect.Message, in []byte) error {
	s, err := unquote(in)
	if err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("bad Timestamp: %w", err)
	}
	setSecondsNanos(m, t.Unix(), int32(t.Nanosecond()))
	return nil
}

// decodeValue decodes google.protobuf.Value by looking at the JSON token.
func decodeValue(m protoreflect.Message, in []byte) error {
	fds := m.Descriptor().Fields()
	switch {
	case isNull(in):
		m.Set(fds.ByName("null_value"), protoreflect.ValueOfEnum(0))
	case string(in) == "true" || string(in) == "false":
		m.Set(fds.ByName("bool_value"), protoreflect.ValueOfBool(string(in) == "true"))
	case isQuoted(in):
		s, err := unquote(in)
		if err != nil {
			return fmt.Errorf("unrecognized type for Value %q", in)
		}
		m.Set(fds.ByName("string_value"), protoreflect.ValueOfString(s))
	case len(in) >= 2 && in[0] == '[' && in[len(in)-1] == ']':
		return decodeMessage(m.Mutable(fds.ByName("list_value")).Message(), in)
	case len(in) >= 2 && in[0] == '{' && in[len(in)-1] == '}':
		return decodeMessage(m.Mutable(fds.ByName("struct_value")).Message(), in)
	default:
		f, err := strconv.ParseFloat(string(in), 64)
		if err != nil {
			return fmt.Errorf("unrecognized type for Value %q", in)
		}
		m.Set(fds.ByName("number_value"), protoreflect.ValueOfFloat64(f))
	}
	return nil
}

func decodeListValue(m protoreflect.Message, in []byte) error {
	var items []json.RawMessage
	if err := json.Unmarshal(in, &items); err != nil {
		return fmt.Errorf("bad ListValue: %w", err)
	}
	list := m.Mutable(m.Descriptor().Fields().ByName("values")).List()
	for _, raw := range items {
		item := list.NewElement()
		if err := decodeMessage(item.Message(), raw); err != nil {
			return err
		}
		list.Append(item)
	}
	return nil
}

func decodeStruct(m protoreflect.Message, in []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(in, &obj); err != nil {
		return fmt.Errorf("bad StructValue: %w", err)
	}
	mp := m.Mutable(m.Descriptor().Fields().ByName("fields")).Map()
	for key, raw := range obj {
		val := mp.NewValue()
		if err := decodeMessage(val.Message(), raw); err != nil {
			return fmt.Errorf("bad value in StructValue for key %q: %w", key, err)
		}
		mp.Set(protoreflect.ValueOfString(key).MapKey(), val)
	}
	return nil
}
