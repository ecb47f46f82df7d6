package templatefuncs

// omitNil drops nil values from the map[string]any and []any nesting of v,
// as decoded from JSON (Istio's .Values). A map or list that loses elements
// and ends up empty becomes nil in turn, and so is dropped from its parent;
// one that was empty to begin with is kept. Containers without any nil inside
// are returned as they are, not copied. Other types are returned unchanged.
func omitNil(v any) any {
	out, _ := pruneNil(v)
	return out
}

// pruneNil returns v without nils and whether anything was removed (a nil v
// itself counts as removed).
func pruneNil(v any) (any, bool) {
	switch t := v.(type) {
	case nil:
		return nil, true
	case map[string]any:
		return pruneNilMap(t)
	case []any:
		return pruneNilList(t)
	default:
		return v, false
	}
}

func pruneNilMap(m map[string]any) (any, bool) {
	out := make(map[string]any, len(m))
	changed := false
	for k, val := range m {
		pruned, c := pruneNil(val)
		changed = changed || c
		if pruned != nil {
			out[k] = pruned
		}
	}
	switch {
	case !changed:
		return m, false
	case len(out) == 0:
		return nil, true
	default:
		return out, true
	}
}

func pruneNilList(l []any) (any, bool) {
	out := make([]any, 0, len(l))
	changed := false
	for _, val := range l {
		pruned, c := pruneNil(val)
		changed = changed || c
		if pruned != nil {
			out = append(out, pruned)
		}
	}
	switch {
	case !changed:
		return l, false
	case len(out) == 0:
		return nil, true
	default:
		return out, true
	}
}
