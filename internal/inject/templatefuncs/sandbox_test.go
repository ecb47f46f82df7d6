package templatefuncs

import (
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/Masterminds/sprig/v3"
	meshv1 "istio.io/api/mesh/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestTemplatesCannotReachTheClockRandomnessOrNetwork: a template from the package that
// calls a function depending on more than its arguments is refused when it is parsed, even
// where the call would never run, with an error naming the function and why.
func TestTemplatesCannotReachTheClockRandomnessOrNetwork(t *testing.T) {
	cases := []struct{ text, want string }{
		{`{{ now }}`, "template function now reads the clock"},
		{`{{ ago 0 }}`, "template function ago reads the clock"},
		{`{{ date "2006" 0 }}`, "template function date works on dates and times"},
		{`{{ toDate "2006" "2024" }}`, "template function toDate works on dates and times"},
		{`{{ randAlphaNum 8 }}`, "template function randAlphaNum is random"},
		{`{{ randInt 1 9 }}`, "template function randInt is random"},
		{`{{ uuidv4 }}`, "template function uuidv4 is random"},
		{`{{ shuffle "abc" }}`, "template function shuffle is random"},
		{`{{ genPrivateKey "ecdsa" }}`, "template function genPrivateKey is random"},
		{`{{ (genCA "x" 1).Cert }}`, "template function genCA is random"},
		{`{{ bcrypt "pw" }}`, "template function bcrypt is random"},
		{`{{ encryptAES "k" "text" }}`, "template function encryptAES is random"},
		{`{{ getHostByName "example.com" }}`, "template function getHostByName resolves a host name on the network"},
		{`{{ osBase "/a/b" }}`, "template function osBase depends on the operating system"},
		{`{{ derivePassword 1 "long" "pw" "user" "example.com" }}`, "template function derivePassword is a deliberately slow key derivation"},
		{`{{ if false }}{{ now }}{{ end }}`, "template function now reads the clock"},
		{`{{ define "helper" }}{{ uuidv4 }}{{ end }}x`, `template "helper": template function uuidv4 is random`},
		{`{{ range $i, $c := .Spec.Containers }}{{ $c.Name | printf "%s-%s" randAlpha }}{{ end }}`, "template function randAlpha is random"},
		{`{{ .ProxyConfig.ProtoReflect }}`, "template field or method ProtoReflect"},
		{`{{ $m := .MeshConfig }}{{ $m.ProtoReflect.Descriptor }}`, "template field or method ProtoReflect"},
		{`{{ .ObjectMeta.Unmarshal nil }}`, "template field or method Unmarshal"},
	}
	for _, c := range cases {
		_, err := Parse("custom", c.text, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%s): error %v, want one containing %q", c.text, err, c.want)
		}
	}
}

// TestEnvironmentStaysOut: env and expandenv are Istio's, answered from Options, and the
// process's environment never shows (see also TestEnvComesFromOptions).
func TestEnvironmentStaysOut(t *testing.T) {
	t.Setenv("MESHFN_SECRET_FROM_PROCESS", "leaked")
	got := render(t, Options{}, `{{ env "MESHFN_SECRET_FROM_PROCESS" "-" }}{{ expandenv "$MESHFN_SECRET_FROM_PROCESS" }}`, nil)
	if got != "-" {
		t.Errorf("the process environment reached the template: %q", got)
	}
}

// TestExecutionIsBounded runs templates that loop, recurse or grow values or output
// without end: each must stop with an error saying so, deterministically (by what it
// did, not by time), after allocating little memory.
func TestExecutionIsBounded(t *testing.T) {
	const stopped = "template execution stopped"
	cases := []struct{ name, text, want string }{
		{"until", `{{ range until 50000000 }}{{ end }}`, stopped},
		{"untilStep", `{{ range untilStep 0 2000000000 1 }}{{ end }}`, stopped},
		{"seq", `{{ seq 1 100000000 }}`, stopped},
		{"range over an integer", `{{ range 100000000 }}{{ end }}`, stopped},
		{"nested loops", `{{ range until 2000 }}{{ range until 2000 }}{{ end }}{{ end }}`, stopped},
		{"exponential template calls", `{{ define "t" }}{{ if lt (len .) 40 }}{{ template "t" (append . 1) }}{{ template "t" (append . 1) }}{{ end }}{{ end }}{{ template "t" list }}`, stopped},
		{"string doubling", `{{ $s := "xx" }}{{ range until 60 }}{{ $s = cat $s $s }}{{ end }}{{ len $s }}`, stopped},
		{"printf doubling", `{{ $s := "xx" }}{{ range until 60 }}{{ $s = printf "%s%s" $s $s }}{{ end }}{{ len $s }}`, stopped},
		{"js doubling", `{{ $s := "\\" }}{{ range until 60 }}{{ $s = js $s }}{{ end }}{{ len $s }}`, stopped},
		{"list doubling", `{{ $l := list 1 }}{{ range until 60 }}{{ $l = list $l $l }}{{ end }}{{ toJson $l }}`, stopped},
		{"a map holding itself", `{{ $d := dict }}{{ $_ := set $d "self" $d }}{{ $d }}`, "set would put a map into itself"},
		{"a map holding itself, deeper", `{{ $d := dict }}{{ $_ := set $d "x" (list 1 (dict "y" $d)) }}{{ $d }}`, "set would put a map into itself"},
		{"merging a map into itself", `{{ $d := dict "a" 1 }}{{ $_ := merge $d (dict "b" $d) }}{{ $d }}`, "merge would put a map into itself"},
		{"repeat", `{{ repeat 1000000000 "x" }}`, stopped},
		{"indent", `{{ indent 1000000000 "a\nb" }}`, stopped},
		{"nindent", `{{ nindent 1000000000 "a" }}`, stopped},
		{"replace", `{{ $s := repeat 100000 "x" }}{{ replace "" $s $s }}`, stopped},
		{"regexReplaceAll", `{{ $s := repeat 100000 "x" }}{{ regexReplaceAll "" $s $s }}`, stopped},
		{"wide printf", `{{ range until 1000 }}{{ printf "%0999999d" 1 }}{{ end }}`, stopped},
		{"uniq", `{{ uniq (until 1000000) }}`, stopped},
		{"output", `{{ $s := repeat 1000000 "x" }}{{ range until 100 }}{{ $s }}{{ end }}`, stopped},
		// Memory a call makes from little it is given, or from the data, unpriced before.
		{"printf widths from arguments", `{{ printf (repeat 5000 "%[1]*[2]d") 1000000 1 }}`, stopped},
		{"printf widths per element", `{{ printf "%*v" 1000000 (until 2000) }}`, stopped},
		{"printf precisions per element", `{{ printf "%.999999f" (until 2000) }}`, stopped},
		{"toPrettyJson of a deep value", `{{ toPrettyJson .Values.deep }}`, stopped},
		{"toYaml of a deep value", `{{ toYaml .Values.deep }}`, stopped},
		{"regexFindAll of every empty match", `{{ $s := repeat 15000000 "x" }}{{ len (regexFindAll "" $s -1) }}`, stopped},
		{"mustRegexSplit at every position", `{{ $s := repeat 5000000 "x" }}{{ len (mustRegexSplit "" $s -1) }}`, stopped},
		{"toJson of structs grown by concat", `{{ $l := .Spec.Containers }}{{ range until 12 }}{{ $l = concat $l $l }}{{ end }}{{ len (toJson $l) }}`, stopped},
		{"comparing large values again and again", `{{ range until 100000 }}{{ if deepEqual $.Values.deep $.Values.deep2 }}{{ end }}{{ end }}`, stopped},
		{"searching large values again and again", `{{ range until 100000 }}{{ if has 1 (list $.Values.deep $.Values.deep2) }}{{ end }}{{ end }}`, stopped},
		{"dropping nils from large values again and again", `{{ range until 100000 }}{{ $_ := omitNil $.Values.nils }}{{ end }}`, stopped},
		{"results kept in variables", strings.Repeat(`{{ $a := omitNil .Values.deep }}`, 1000), stopped},
		{"deepCopy of structs grown by concat", `{{ $l := .Spec.Containers }}{{ range until 12 }}{{ $l = concat $l $l }}{{ end }}{{ len (deepCopy $l) }}`, stopped},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmpl, err := Parse("loop", c.text, Options{})
			if err != nil {
				t.Fatal(err)
			}
			data := boundedData()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			var out strings.Builder
			err = tmpl.Execute(&out, data)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 512<<20 {
				t.Errorf("allocated %d MiB before stopping", alloc>>20)
			}
		})
	}
}

// boundedData is template data of a package of about a megabyte: a list nested 3,000 deep
// holding 40,000 numbers (pretty-printed, every line is indented by its depth), a copy of
// it, one holding 40,000 nils, and a container with 500 kB of arguments.
func boundedData() *templateData {
	deep := make([]any, 40000)
	for i := range deep {
		deep[i] = 0.0
	}
	var v, v2, nils any = deep, append([]any(nil), deep...), make([]any, 40000)
	for range 3000 {
		v, v2, nils = []any{v}, []any{v2}, []any{nils}
	}
	args := make([]string, 1000)
	for i := range args {
		args[i] = strings.Repeat("a", 500)
	}
	return &templateData{
		Values: map[string]any{"deep": v, "deep2": v2, "nils": nils},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "registry.example/web:1.0",
			Args: args, Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}}}},
	}
}

// TestTemplatesChangeOnlyTheirOwnMaps: set, unset and merge may change maps the template
// made (dict, deepCopy, fromJson), not the template data, which every workload shares:
// a template counting workloads in the values would render each differently.
func TestTemplatesChangeOnlyTheirOwnMaps(t *testing.T) {
	refused := []string{
		`{{ $_ := set .Values "n" (add1 (default 0 .Values.n)) }}{{ .Values.n }}`,
		`{{ $_ := unset .Values "global" }}`,
		`{{ $_ := merge .Values (dict "n" 1) }}`,
		`{{ $d := dict "g" .Values.global }}{{ $_ := mergeOverwrite $d (dict "g" (dict "n" 1)) }}`,
	}
	for _, text := range refused {
		data := &templateData{Values: map[string]any{"global": map[string]any{"hub": "a"}}}
		tmpl, err := Parse("count", text, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		err = tmpl.Execute(&out, data)
		if err == nil || !strings.Contains(err.Error(), "would change a map of the template data") {
			t.Errorf("%s: error %v, want a refusal", text, err)
		}
		if len(data.Values) != 1 || len(data.Values["global"].(map[string]any)) != 1 {
			t.Errorf("%s changed the shared values: %v", text, data.Values)
		}
	}
	allowed := []struct{ text, want string }{
		{`{{ $d := dict "n" 1 }}{{ $_ := set $d "n" 2 }}{{ $d.n }}`, "2"},
		{`{{ $v := deepCopy .Values }}{{ $_ := set $v.global "hub" "b" }}{{ $v.global.hub }}{{ .Values.global.hub }}`, "ba"},
		{`{{ $v := fromJson "{\"a\":{\"b\":1}}" }}{{ $_ := merge $v (dict "c" 2) }}{{ len $v }}`, "2"},
		{`{{ $d := dict }}{{ $_ := set $d "g" .Values.global }}{{ $_ := unset $d "g" }}{{ len $d }}`, "0"},
	}
	for _, c := range allowed {
		data := &templateData{Values: map[string]any{"global": map[string]any{"hub": "a"}}}
		if got := render(t, Options{}, c.text, data); got != c.want {
			t.Errorf("%s = %q, want %q", c.text, got, c.want)
		}
	}
	// Whatever a function or method does to what it is given (sortAlpha sorts a list of
	// strings in place, Quantity.Mul and RoundUp change their receiver), it does it to the
	// execution's own copy: neither the caller's data nor the next execution sees it.
	changing := []string{
		`{{ sortAlpha .MeshConfig.DefaultProviders.Tracing }}`,
		`{{ sortAlpha (index .Spec.Containers 0).Args }}`,
		`{{ sortAlpha .ObjectMeta.Finalizers }}`,
		`{{ (index .Spec.Volumes 0).EmptyDir.SizeLimit.Mul 1000 }}`,
		`{{ $q := (index .Spec.Volumes 0).EmptyDir.SizeLimit }}{{ $q.RoundUp 0 }}`,
	}
	const show = `{{ .MeshConfig.DefaultProviders.Tracing }} {{ (index .Spec.Containers 0).Args }} ` +
		`{{ .ObjectMeta.Finalizers }} {{ (index .Spec.Volumes 0).EmptyDir.SizeLimit.String }}`
	want := render(t, Options{}, show, sharedData())
	for _, text := range changing {
		data := sharedData()
		render(t, Options{}, text, data)
		if got := render(t, Options{}, show, data); got != want {
			t.Errorf("after %s, the next execution saw %q, want %q", text, got, want)
		}
	}
}

// sharedData is template data holding lists and quantities functions and methods could
// change in place.
func sharedData() *templateData {
	limit := resource.MustParse("1500m")
	return &templateData{
		ObjectMeta: metav1.ObjectMeta{Finalizers: []string{"z", "a"}},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "web", Args: []string{"serve", "--b", "--a"}}},
			Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{
				EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: &limit}}}},
		},
		MeshConfig: &meshv1.MeshConfig{DefaultProviders: &meshv1.MeshConfig_DefaultProviders{Tracing: []string{"zipkin", "otel"}}},
		Values:     map[string]any{"global": map[string]any{"hub": "a"}},
	}
}

// TestEveryFunctionIsClassified: effects names exactly the functions FuncMap offers, so
// a function a new sprig release adds is refused until someone reads it and classifies
// it; and every function sprig itself calls non-hermetic is refused here, but for env
// and expandenv, which are Istio's (Options.Env).
func TestEveryFunctionIsClassified(t *testing.T) {
	offered := sprig.TxtFuncMap()
	for name, fn := range injectionFuncs(Options{}) {
		offered[name] = fn
	}
	for name := range offered {
		if _, ok := effects[name]; !ok {
			t.Errorf("function %s is not classified in effects", name)
		}
	}
	for name := range effects {
		if _, ok := offered[name]; !ok {
			t.Errorf("effects classifies %s, which FuncMap does not offer", name)
		}
	}
	hermetic := sprig.HermeticTxtFuncMap()
	for name := range sprig.TxtFuncMap() {
		if hermetic[name] == nil && effects[name] == pure && name != "env" && name != "expandenv" {
			t.Errorf("sprig calls %s non-hermetic, effects calls it pure", name)
		}
	}
	// The tables that price and check functions name functions templates have, and a
	// function's must twin (which fails where it returns an error) is priced and checked
	// as it is.
	funcs := templateFuncs()
	tables := map[string][]string{"guards": sortedKeys(guards), "pricings": sortedKeys(pricings),
		"formatting": sortedKeys(formatting), "patternFuncs": patternFuncs, "textGuards": sortedKeys(textGuards)}
	// A text guard prices text, numbers and booleans at most as flatText does (the fast
	// wrappers skip it when that fits).
	flat := []any{"<\x00é", 1.5, nil, true, 7}
	for name := range textGuards {
		given, args := flat[:1], []reflect.Value{reflect.ValueOf(flat[0])}
		if reflect.TypeOf(funcs[name]).IsVariadic() {
			given, args = flat, []reflect.Value{reflect.ValueOf(flat)}
		}
		if n, ok := flatText(given...); guards[name] == nil || !ok || guards[name](args) > n {
			t.Errorf("the guard of %s prices text, numbers and booleans above flatText", name)
		}
	}
	for _, format := range []string{"%v %s %d", "%f %q %x", "%# x %+v %%", "%e%g%b%c%U%t%T"} {
		given := []any{1e308, "<\x00é", 1.5, true, nil, 7}
		n, _ := flatText(given...)
		m, _ := flatText(format)
		if !plainFormat(format) || printfSize([]reflect.Value{reflect.ValueOf(format), reflect.ValueOf(given)}) > n+m {
			t.Errorf("printf %q prices flat arguments above flatText", format)
		}
		if got := len(fmt.Sprintf(format, given...)); int64(got) > n+m {
			t.Errorf("printf %q made %d bytes, flatText says at most %d", format, got, n+m)
		}
	}
	for table, names := range tables {
		for _, name := range names {
			if funcs[name] == nil {
				t.Errorf("%s names %s, which templates do not have", table, name)
			}
		}
	}
	for name := range funcs {
		twin := "must" + strings.ToUpper(name[:1]) + name[1:]
		if funcs[twin] == nil {
			continue
		}
		if (guards[name] == nil) != (guards[twin] == nil) || pricings[name] != pricings[twin] ||
			slices.Contains(patternFuncs, name) != slices.Contains(patternFuncs, twin) {
			t.Errorf("%s and %s are priced differently", name, twin)
		}
	}
}

// TestConcurrentExecutionsHaveTheirOwnBudget: workloads render in parallel with one
// parsed template; each execution spends its own budget (more than half of it here).
func TestConcurrentExecutionsHaveTheirOwnBudget(t *testing.T) {
	tmpl, err := Parse("half", `{{ range until 70000 }}{{ end }}done`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	spent, err := tmpl.execute(&out, nil)
	if err != nil || spent < fuelLimit/2 {
		t.Fatalf("one execution spent %d of %d (%v); the test needs more than half", spent, fuelLimit, err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			var out strings.Builder
			errs <- tmpl.Execute(&out, nil)
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	// Executions at the same time with the same data render alike, whatever the template
	// does to its copy of it (sortAlpha sorts the list it is given, Mul changes its
	// receiver: in this execution's copy).
	tmpl, err = Parse("shared", `{{ keys .Values.global }} {{ sortAlpha .MeshConfig.DefaultProviders.Tracing }} `+
		`{{ .MeshConfig.DefaultProviders.Tracing }} {{ (index .Spec.Volumes 0).EmptyDir.SizeLimit.Mul 3 }}`+
		`{{ (index .Spec.Volumes 0).EmptyDir.SizeLimit }}`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	data := sharedData()
	for i := range 16 {
		data.Values["global"].(map[string]any)[fmt.Sprint("k", i)] = i
	}
	outs := make(chan string, 8)
	for range 8 {
		go func() {
			var out strings.Builder
			if err := tmpl.Execute(&out, data); err != nil {
				outs <- err.Error()
				return
			}
			outs <- out.String()
		}()
	}
	first := <-outs
	for range 7 {
		if got := <-outs; got != first {
			t.Errorf("executions at the same time rendered %q and %q", first, got)
		}
	}
	if !strings.HasPrefix(first, "[hub k0 k1 k10") || !strings.Contains(first, "[otel zipkin] [otel zipkin] true4500m") {
		t.Errorf("rendered %q", first)
	}
}
