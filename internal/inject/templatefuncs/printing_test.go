package templatefuncs

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	meshv1 "istio.io/api/mesh/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

// TestPrintingNeverShowsMemoryAddresses: fmt prints a pointer it does not follow as its
// address, which changes from run to run. A template printing a value that holds one
// (an action, printf, print, toString, quote, ...) or asking for an address (%p) is
// stopped with an error; values without pointers, and a pointer at the top of what an
// action prints (which text/template follows), print as before.
func TestPrintingNeverShowsMemoryAddresses(t *testing.T) {
	grace, always := int64(30), corev1.ContainerRestartPolicyAlways
	data := func() *templateData {
		return &templateData{
			Spec: corev1.PodSpec{
				TerminationGracePeriodSeconds: &grace,
				InitContainers:                []corev1.Container{{Name: "proxy", RestartPolicy: &always}},
				Containers:                    []corev1.Container{{Name: "web"}},
			},
			ProxyConfig: &meshv1.ProxyConfig{InterceptionMode: meshv1.ProxyConfig_TPROXY},
			Values:      map[string]any{"a": []any{1, "b", map[string]any{"c": nil}}},
		}
	}
	typed := func() *templateData {
		d := data()
		d.Values["typed"] = []corev1.PodSpec{d.Spec}
		return d
	}
	refused := []string{
		`{{ .Spec.InitContainers }}`,
		`{{ printf "%p" .Values }}`,
		`{{ printf "%[1]p" .Values.a }}`,
		`{{ printf "%d" .Spec.TerminationGracePeriodSeconds }}`,
		`{{ printf "%v" .Spec }}`,
		`{{ print .Spec.TerminationGracePeriodSeconds }}`,
		`{{ println .Spec.InitContainers }}`,
		`{{ toString .Spec.InitContainers }}`,
		`{{ cat "x" .Spec.TerminationGracePeriodSeconds }}`,
		`{{ quote .Spec.TerminationGracePeriodSeconds }}`,
		`{{ join "," (list .Spec.TerminationGracePeriodSeconds) }}`,
		`{{ dict .Spec.TerminationGracePeriodSeconds 1 }}`,
		`{{ $l := list .Spec.InitContainers }}{{ $l }}`,
		`{{ default .Spec.InitContainers "" }}`,
		// What the types of the data tell cannot be fooled: a template called with two
		// dots, a variable given two values, a value in the data's values that JSON does
		// not decode to.
		`{{ define "c" }}{{ . }}{{ end }}{{ template "c" .Values.a }}{{ template "c" .Spec.InitContainers }}`,
		`{{ $x := .Values.a }}{{ $x = .Spec.InitContainers }}{{ $x }}`,
		`{{ with .Spec }}{{ .InitContainers }}{{ end }}`,
	}
	refusedTyped := []string{
		`{{ .Values.typed }}`,
		`{{ range .Values.typed }}{{ .InitContainers }}{{ end }}`,
		`{{ (index .Values.typed 0).InitContainers }}`,
	}
	for _, c := range []struct {
		texts []string
		data  func() *templateData
	}{{refused, data}, {refused, typed}, {refusedTyped, typed}} {
		for _, text := range c.texts {
			tmpl, err := Parse("addr", text, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			err = tmpl.Execute(&out, c.data())
			if err == nil || !strings.Contains(err.Error(), "memory address") {
				t.Errorf("%s: printed %q (error %v), want an error naming memory addresses", text, out.String(), err)
			}
		}
	}
	for _, text := range []string{`{{ .ProxyConfig }}`, `{{ printf "%s" .ProxyConfig }}`, `{{ toString (list .ProxyConfig) }}`} {
		tmpl, err := Parse("proto", text, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		err = tmpl.Execute(&out, data())
		if err == nil || !strings.Contains(err.Error(), "protocol buffer") {
			t.Errorf("%s: printed %q (error %v), want an error naming the protocol buffer", text, out.String(), err)
		}
	}
	// What text/template prints through a String method of the value's address (the
	// Kubernetes API types' own, which print pointers' values) is not an address.
	for _, text := range []string{`{{ .Spec }}`, `{{ index .Spec.InitContainers 0 }}`,
		`{{ range $i, $c := .Spec.InitContainers }}{{ $c }}{{ end }}`} {
		if got := render(t, Options{}, text, data()); !strings.Contains(got, "RestartPolicy:*Always") {
			t.Errorf("%s = %q, want the value through its String method", text, got)
		}
	}
	printed := []struct{ text, want string }{
		{`{{ .Spec.TerminationGracePeriodSeconds }} {{ html .Spec.TerminationGracePeriodSeconds }}`, "30 30"},
		{`{{ (index .Spec.InitContainers 0).RestartPolicy }}`, "Always"},
		{`{{ .ProxyConfig.InterceptionMode }} {{ .ProxyConfig.InterceptionMode.String }}`, "TPROXY TPROXY"},
		{`{{ .Values }} {{ printf "%v|%d" .Values.a 3 }}`, "map[a:[1 b map[c:<nil>]]] [1 b map[c:<nil>]]|3"},
		{`{{ .Spec.Containers }}`, "[" + fmt.Sprint(corev1.Container{Name: "web"}) + "]"},
		{`{{ printf "%%p" }}`, "%p"},
		{`{{ range $i, $c := .Spec.InitContainers }}{{ $i }}{{ $c.Name }}{{ $c.RestartPolicy }}{{ end }}`, "0proxyAlways"},
		{`{{ range $k, $v := fromJSON "{\"a\":[1]}" }}{{ $k }}{{ $v }}{{ end }}{{ .Values.missing }}`, "a[1]<no value>"},
	}
	for _, c := range printed {
		if got := render(t, Options{}, c.text, data()); got != c.want {
			t.Errorf("%s = %q, want %q", c.text, got, c.want)
		}
	}
}

// TestNoFunctionPrintsAnAddress calls every template function, as templates get them,
// with values holding pointers wherever it takes any value: none returns text holding
// an address (those that format what they are given fail instead).
func TestNoFunctionPrintsAnAddress(t *testing.T) {
	n := 1234567
	addr := reflect.ValueOf(&n).Pointer()
	hex, dec := strconv.FormatUint(uint64(addr), 16), strconv.FormatUint(uint64(addr), 10)
	type holder struct{ P *int }
	values := func() map[reflect.Type][]any {
		v := probeValues()
		v[anyType] = []any{&holder{P: &n}, holder{P: &n}, &n, []*int{&n}, map[string]*int{"k": &n}}
		v[stringType] = []any{"%v", "%p", "%d", "%x", "%s", "%#v"}
		return v
	}
	for _, c := range probeCalls(values) {
		c.fn = (&meter{owned: map[uintptr]bool{}}).wrap(c.name, formatChecked(c.name, c.fn), guards[c.name])
		res, _ := c.call()
		for _, r := range res {
			if s := stringsIn(r); strings.Contains(s, hex) || strings.Contains(s, dec) {
				t.Errorf("%v returned %q", c, s)
			}
		}
	}
}

// stringsIn is the text of the strings v holds (its map keys included), without fmt,
// which would print pointers as addresses itself.
func stringsIn(v reflect.Value) string {
	var b strings.Builder
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		if !v.IsValid() || depth > 20 {
			return
		}
		switch v.Kind() {
		case reflect.String:
			b.WriteString(v.String() + " ")
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), depth+1)
			}
		case reflect.Slice, reflect.Array:
			for i := range min(v.Len(), 100) {
				walk(v.Index(i), depth+1)
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				walk(it.Key(), depth+1)
				walk(it.Value(), depth+1)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), depth+1)
			}
		}
	}
	walk(v, 0)
	return b.String()
}
