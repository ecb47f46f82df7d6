package annotations

import (
	"errors"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/inject/proxyconfig"
)

// FuzzValidate checks every annotation parser on arbitrary values: none panics, and
// Validate fails on a pod with the annotation exactly when Check fails on its value, with
// one problem naming the annotation and the value.
func FuzzValidate(f *testing.F) {
	names := Validated()
	for i, v := range []string{"", "REDIRECT", "15020", "10.0.0.0/8,fd00::/8", "*", "1,2, 3", "eth0,lo",
		"100m", "1Gi", "true", "concurrency: 2", "{proxyMetadata: {A: b}}", "a\x00b", "-1", "65536", " 80 "} {
		f.Add(uint8(i), v)
	}
	f.Fuzz(func(t *testing.T, which uint8, value string) {
		name := names[int(which)%len(names)]
		checkErr := Check(name, value)
		err := Validate(map[string]string{name: value, "unrelated.example.com/x": value})
		if (err == nil) != (checkErr == nil) {
			t.Fatalf("%s=%q: Validate says %v, Check says %v", name, value, err, checkErr)
		}
		if err == nil {
			return
		}
		var multi *proxyconfig.MultiError
		if !errors.As(err, &multi) || len(multi.Errors) != 1 {
			t.Fatalf("%s=%q: Validate returned %#v, want one problem", name, value, err)
		}
		if msg := multi.Errors[0].Error(); !strings.Contains(msg, name) || !strings.Contains(msg, value) {
			t.Fatalf("%s=%q: the problem does not name the annotation and value: %s", name, value, msg)
		}
	})
}
