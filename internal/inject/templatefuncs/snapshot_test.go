package templatefuncs

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestTimesDoNotDependOnTheTimeZone: the times of the template data (a pod's
// creationTimestamp, read in the machine's time zone) print, format and split alike in
// every time zone, and a template asking for the machine's zone (Local) is refused.
func TestTimesDoNotDependOnTheTimeZone(t *testing.T) {
	const text = `{{ .ObjectMeta.CreationTimestamp }} {{ .ObjectMeta.CreationTimestamp.Format "15:04 MST" }} ` +
		`{{ .ObjectMeta.CreationTimestamp.Hour }} {{ .ObjectMeta.CreationTimestamp.Location }} ` +
		`{{ printf "%v" .ObjectMeta.CreationTimestamp }} {{ toJson .ObjectMeta }}`
	created := time.Date(2024, 5, 6, 22, 30, 0, 0, time.UTC)
	outputIn := func(zone *time.Location) string {
		saved := time.Local
		time.Local = zone
		defer func() { time.Local = saved }()
		// As the pod reader makes it: metav1.Time reads a timestamp into the local zone.
		data := &templateData{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(created.Local())}}
		return render(t, Options{}, text, data)
	}
	utc := outputIn(time.UTC)
	for _, zone := range []*time.Location{time.FixedZone("EAST", 5*3600+1800), time.FixedZone("WEST", -7*3600)} {
		if got := outputIn(zone); got != utc {
			t.Errorf("in %s:\n%s\nin UTC:\n%s", zone, got, utc)
		}
	}
	for _, text := range []string{
		`{{ .ObjectMeta.CreationTimestamp.Local }}`,
		`{{ $t := .ObjectMeta.CreationTimestamp }}{{ $t.Local.Hour }}`,
		`{{ (.ObjectMeta.GetCreationTimestamp).Local }}`,
	} {
		_, err := Parse("zone", text, Options{})
		if err == nil || !strings.Contains(err.Error(), "time zone") {
			t.Errorf("Parse(%s): error %v, want a refusal naming the time zone", text, err)
		}
	}
}

// TestEachExecutionHasItsOwnData: the copy an execution renders with shares no map,
// slice or pointer with the caller's data (only strings, which nothing changes, and the
// protocol buffers' type information), for the data of every corpus injector and data
// holding quantities and times: whatever a function or method does to it, the caller's
// data stays as it was.
func TestEachExecutionHasItsOwnData(t *testing.T) {
	datas := []any{sharedData(), &templateData{ObjectMeta: metav1.ObjectMeta{
		CreationTimestamp: metav1.NewTime(time.Date(2024, 5, 6, 0, 0, 0, 0, time.FixedZone("X", 3600))),
		OwnerReferences:   []metav1.OwnerReference{{Name: "rs", Controller: new(bool)}},
	}}}
	for _, s := range loadCorpusSettings(t)[:3] {
		data := samplePodData(t, s, true)
		datas = append(datas, &data)
	}
	for _, data := range datas {
		own, err := snapshot(data)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := mustJSON(t, data), mustJSON(t, own); a != b {
			t.Errorf("the copy differs from the data:\n%s\n%s", a, b)
		}
		theirs := map[uintptr]string{}
		references(reflect.ValueOf(data), "data", theirs, map[uintptr]bool{})
		mine := map[uintptr]string{}
		references(reflect.ValueOf(own), "copy", mine, map[uintptr]bool{})
		for p, path := range mine {
			if other, ok := theirs[p]; ok {
				t.Errorf("%s is %s", path, other)
			}
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// references records, into refs, the address of every map, slice and pointer reachable
// from v (its unexported fields included) with the path to it, but for what nothing
// changes: the protocol buffers' internal type information, time zones, and zero-size
// values (which share one address).
func references(v reflect.Value, path string, refs map[uintptr]string, seen map[uintptr]bool) {
	t := v.Type()
	if strings.HasPrefix(t.PkgPath(), "google.golang.org/protobuf/internal") || t == reflect.TypeFor[time.Location]() {
		return
	}
	record := func() bool {
		p := v.Pointer()
		if _, ok := refs[p]; !ok {
			refs[p] = path
		}
		if seen[p] {
			return false
		}
		seen[p] = true
		return true
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() || t.Elem().Size() == 0 || t.Elem() == reflect.TypeFor[time.Location]() ||
			strings.HasPrefix(t.Elem().PkgPath(), "google.golang.org/protobuf/internal") || !record() {
			return
		}
		references(v.Elem(), path, refs, seen)
	case reflect.Map:
		if v.IsNil() || !record() {
			return
		}
		for it := v.MapRange(); it.Next(); {
			references(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()), refs, seen)
		}
	case reflect.Slice:
		if v.Cap() == 0 || t.Elem().Size() == 0 || !record() {
			return
		}
		for i := range v.Len() {
			references(v.Index(i), fmt.Sprintf("%s[%d]", path, i), refs, seen)
		}
	case reflect.Array:
		for i := range v.Len() {
			references(v.Index(i), fmt.Sprintf("%s[%d]", path, i), refs, seen)
		}
	case reflect.Interface:
		if !v.IsNil() {
			references(v.Elem(), path, refs, seen)
		}
	case reflect.Struct:
		for i := range t.NumField() {
			references(v.Field(i), path+"."+t.Field(i).Name, refs, seen)
		}
	}
}

// TestKeptCopiesAreTakenOnlyWhileUnchanged: the copy of the values an executor keeps is
// taken again only while it equals the caller's values: not once an execution changed it,
// nor once the caller did.
func TestKeptCopiesAreTakenOnlyWhileUnchanged(t *testing.T) {
	data := &templateData{Values: map[string]any{"global": map[string]any{"hub": "a", "l": []any{"x"}}}}
	var s snapshots
	take := func() *templateData {
		own, _, err := s.take(data)
		if err != nil {
			t.Fatal(err)
		}
		return own.(*templateData)
	}
	first := take()
	if again := take(); reflect.ValueOf(again.Values).Pointer() != reflect.ValueOf(first.Values).Pointer() {
		t.Error("an unchanged copy was made anew")
	}
	first.Values["global"].(map[string]any)["l"].([]any)[0] = "changed by an execution"
	if got := take(); got.Values["global"].(map[string]any)["l"].([]any)[0] != "x" {
		t.Errorf("a copy an execution changed was taken again: %v", got.Values)
	}
	data.Values["global"].(map[string]any)["hub"] = "changed by the caller"
	if got := take(); got.Values["global"].(map[string]any)["hub"] != "changed by the caller" {
		t.Errorf("a copy of values the caller changed was taken again: %v", got.Values)
	}
	if got := take(); reflect.ValueOf(got.Values).Pointer() == reflect.ValueOf(data.Values).Pointer() {
		t.Error("the execution got the caller's values")
	}
}
