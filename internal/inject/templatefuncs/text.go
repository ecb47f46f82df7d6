package templatefuncs

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"google.golang.org/protobuf/types/known/durationpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// formatDuration renders d in Go's time.Duration notation ("45s", "1m30s");
// a nil duration renders as "0s".
func formatDuration(d *durationpb.Duration) string {
	return d.AsDuration().String()
}

// isset reports whether key is present in m, whatever its value.
func isset(m map[string]string, key string) bool {
	_, ok := m[key]
	return ok
}

// directory returns everything up to and including the last slash of p
// ("/etc/certs/key.pem" gives "/etc/certs/", "key.pem" gives "").
func directory(p string) string {
	dir, _ := path.Split(p)
	return dir
}

// contains is strings.Contains with its arguments swapped, so a pipeline
// `haystack | contains needle` reads naturally.
func contains(needle, haystack string) bool {
	return strings.Contains(haystack, needle)
}

// indent prefixes every line but the first with n spaces. Unlike sprig's
// indent, the first line is left alone, so the call can follow text already
// on the line. A negative n indents by -n (Istio pads with a width of
// "%-ns", which fmt treats as left-justified width n).
func indent(n int, s string) string {
	if n < 0 {
		n = -n
	}
	pad := "\n" + strings.Repeat(" ", n)
	return strings.ReplaceAll(s, "\n", pad)
}

// annotation returns the annotation name of meta when present (even if
// empty), otherwise def formatted with fmt.Sprint.
func annotation(meta metav1.ObjectMeta, name string, def any) string {
	if v, ok := meta.Annotations[name]; ok {
		return v
	}
	return fmt.Sprint(def)
}

// valueOrDefault returns def when v is nil or the empty string, else v.
// Other zero values (0, false, empty maps, typed nil pointers) are kept.
func valueOrDefault(v, def any) any {
	if v == nil || v == "" {
		return def
	}
	return v
}

// appendMultusNetwork adds network (a Multus network name, optionally
// "namespace/name") to the value of a k8s.v1.cni.cncf.io/networks
// annotation, unless it is already listed.
//
// The value is treated as a JSON list when it contains a "]": the entry
// {"name": ...[, "namespace": ...]} is spliced in before the last "]", and an
// invalid list is returned untouched. Otherwise it is a comma-separated list
// of names and ", network" is appended.
func appendMultusNetwork(existing, network string) string {
	if existing == "" {
		return network
	}
	end := strings.LastIndex(existing, "]")
	if end < 0 {
		for _, n := range strings.Split(existing, ",") {
			if strings.TrimSpace(n) == network {
				return existing
			}
		}
		return existing + ", " + network
	}
	var entries []map[string]any
	if err := json.Unmarshal([]byte(existing), &entries); err != nil {
		return existing
	}
	ns, name := splitQualifiedName(network)
	for _, e := range entries {
		if e["name"] != name {
			continue
		}
		entryNS := e["namespace"]
		if entryNS == nil {
			entryNS = ""
		}
		if entryNS == ns {
			return existing
		}
	}
	entry := fmt.Sprintf(`, {"name": "%s"}`, name)
	if ns != "" {
		entry = fmt.Sprintf(`, {"name": "%s", "namespace": "%s"}`, name, ns)
	}
	return existing[:end] + entry + existing[end:]
}

// splitQualifiedName splits "namespace/name" the way Kubernetes' utility of
// that name does: without a slash the namespace is empty, and anything after
// a second slash is dropped.
func splitQualifiedName(s string) (namespace, name string) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 {
		return "", s
	}
	return parts[0], parts[1]
}

// omit returns a copy of dict without the given keys; a nil dict gives an
// empty, non-nil map.
func omit(dict map[string]string, keys ...string) map[string]string {
	drop := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		drop[k] = struct{}{}
	}
	out := make(map[string]string, len(dict))
	for k, v := range dict {
		if _, skip := drop[k]; !skip {
			out[k] = v
		}
	}
	return out
}

// strdict builds a map[string]string from alternating keys and values, like
// sprig's dict but typed for labels and annotations. A trailing key without
// a value maps to "". Later duplicates win.
func strdict(kv ...string) map[string]string {
	out := make(map[string]string, (len(kv)+1)/2)
	for i := 0; i < len(kv); i += 2 {
		v := ""
		if i+1 < len(kv) {
			v = kv[i+1]
		}
		out[kv[i]] = v
	}
	return out
}

// mergeMaps merges maps left to right, later maps overriding earlier keys.
// With no arguments it returns nil; otherwise a new, non-nil map.
func mergeMaps(maps ...map[string]string) map[string]string {
	if len(maps) == 0 {
		return nil
	}
	out := make(map[string]string, len(maps[0]))
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
