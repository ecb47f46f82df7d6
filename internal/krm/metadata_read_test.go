package krm

import (
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func TestReadLabels(t *testing.T) {
	tests := []struct {
		name    string
		obj     string
		want    map[string]string
		wantErr string
	}{
		{name: "no metadata", obj: "kind: Namespace\n", want: map[string]string{}},
		{name: "no labels", obj: "kind: Namespace\nmetadata: {name: a}\n", want: map[string]string{}},
		{name: "null labels", obj: "kind: Namespace\nmetadata:\n  name: a\n  labels:\n", want: map[string]string{}},
		{
			name: "scalars of any tag read as strings",
			obj:  "kind: Namespace\nmetadata:\n  labels: {a: \"yes\", b: on, c: 1, d: ~}\n",
			want: map[string]string{"a": "yes", "b": "on", "c": "1", "d": ""},
		},
		{name: "labels a list", obj: "kind: Namespace\nmetadata:\n  labels: [a]\n", wantErr: "metadata.labels: expected a mapping, got a list"},
		{name: "labels a scalar", obj: "kind: Namespace\nmetadata:\n  labels: env=prod\n", wantErr: `got the scalar "env=prod"`},
		{name: "value a mapping", obj: "kind: Namespace\nmetadata:\n  labels: {a: {b: c}}\n", wantErr: "metadata.labels.a: expected a string, got a mapping"},
		{name: "metadata a list", obj: "kind: Namespace\nmetadata: [a]\n", wantErr: "metadata: expected a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Labels(yaml.MustParse(tt.obj))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("labels = %v, want %v", got, tt.want)
			}
		})
	}
}
