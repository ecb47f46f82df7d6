package setters

import (
	"reflect"
	"testing"
)

func TestListSetter(t *testing.T) {
	for _, tc := range []struct {
		pattern, want string
		ok            bool
	}{
		{"${hosts}", "hosts", true},
		{"${a}${b}", "", false},
		{"${ns}/${host}", "", false},
		{"prefix-${hosts}", "", false},
		{"hosts", "", false},
	} {
		got, ok := ListSetter(tc.pattern)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ListSetter(%q) = %q, %v; want %q, %v", tc.pattern, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCurrentValues(t *testing.T) {
	for _, tc := range []struct {
		pattern, value string
		want           map[string]string
	}{
		{"${hub}/pilot:${tag}", "docker.io/istio/pilot:1.22.0",
			map[string]string{"hub": "docker.io/istio", "tag": "1.22.0"}},
		{"telemetry.${stage}.${domain}.${tld}", "telemetry.prod.example.com",
			map[string]string{"stage": "prod", "domain": "example", "tld": "com"}},
		// regular expression characters in names and literals are taken literally
		{"${a+b}.(${c?})", "x.(y)", map[string]string{"a+b": "x", "c?": "y"}},
		// greedy: the first reference takes all it can
		{"${image}:${tag}", "localhost:5000/pilot:1.2", map[string]string{"image": "localhost:5000/pilot", "tag": "1.2"}},
		// no match, or a reference that would be empty, derives nothing
		{"${image}:${tag}", "pilot", map[string]string{}},
		{"${image}${tag}", "pilot:1.2", map[string]string{}},
		{"${image}:${tag}", ":1.2", map[string]string{}},
		{"no-references", "no-references", map[string]string{}},
	} {
		if got := CurrentValues(tc.pattern, tc.value); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("CurrentValues(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
		}
	}
}

func TestResolve(t *testing.T) {
	s := Setters{"tag": "1.23.0", "hub": "registry.example.com", "empty": ""}
	for _, tc := range []struct {
		pattern, current, want, err string
	}{
		{"${hub}/pilot:${tag}", "docker.io/pilot:1.22.0", "registry.example.com/pilot:1.23.0", ""},
		{"${proxy-hub}/proxyv2:${tag}", "gcr.io/x/proxyv2:1.22.0", "gcr.io/x/proxyv2:1.23.0", ""},
		{"${tag}-${tag}", "a-a", "1.23.0-1.23.0", ""},
		{"${empty}", "something", "", ""},
		{"${other}/pilot:${tag}", "pilot", "", "values for setters [${other}] must be provided"},
		{"${a}-${b}:${tag}", "x", "", "values for setters [${a} ${b}] must be provided"},
	} {
		got, err := s.Resolve(tc.pattern, tc.current)
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		if got != tc.want || errText != tc.err {
			t.Errorf("Resolve(%q, %q) = %q, %q; want %q, %q", tc.pattern, tc.current, got, errText, tc.want, tc.err)
		}
	}
}

func TestMentions(t *testing.T) {
	s := Setters{"revision": "canary"}
	if !s.Mentions("istiod-${revision}") {
		t.Error("Mentions missed a given setter")
	}
	if s.Mentions("${network}") || s.Mentions("revision") {
		t.Error("Mentions matched a pattern without a given setter")
	}
}
