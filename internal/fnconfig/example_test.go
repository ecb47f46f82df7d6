package fnconfig_test

import (
	"errors"
	"fmt"

	"github.com/meshfn/meshfn/internal/fnconfig"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// greeting is the settings of an imaginary function, kind Greeting.
type greeting struct {
	Name  string `json:"name"`
	Times int    `json:"times,omitempty"`
}

func (g *greeting) Default() {
	if g.Times == 0 {
		g.Times = 1
	}
}

func (g *greeting) Validate() error {
	if g.Name == "" {
		return fnconfig.FieldError("spec.name", "required")
	}
	return nil
}

// The same settings come as the typed kind or as a ConfigMap of strings, which is what
// `kpt fn eval -- name=world times=2` gives the function.
func ExampleDecode() {
	for _, config := range []string{`
apiVersion: fn.meshfn.dev/v1alpha1
kind: Greeting
metadata:
  name: hello
spec:
  name: world
`, `
apiVersion: v1
kind: ConfigMap
metadata:
  name: function-input
data:
  name: world
  times: "2"
`} {
		var g greeting
		src, err := fnconfig.Decode(yaml.MustParse(config), "Greeting", &g)
		fmt.Println(src, g, err)
	}
	// Output:
	// Greeting/hello {world 1} <nil>
	// ConfigMap/function-input {world 2} <nil>
}

// Every problem of a config is an error of its own in the *Error's Err, which
// krm.ResourceList.ConfigError reports as one result each.
func ExampleDecode_problems() {
	config := yaml.MustParse(`
apiVersion: fn.meshfn.dev/v1alpha1
kind: Greeting
metadata:
  name: hello
spec:
  nmae: world
  times: twice
`)
	var g greeting
	_, err := fnconfig.Decode(config, "Greeting", &g)
	var ce *fnconfig.Error
	if errors.As(err, &ce) {
		for _, cause := range ce.Err.(interface{ Unwrap() []error }).Unwrap() {
			fmt.Println(ce.WithCause(cause))
		}
	}
	// Output:
	// function config Greeting/hello: unknown field spec.nmae (did you mean name?)
	// function config Greeting/hello: spec.times: expected an integer, got string
	// function config Greeting/hello: spec.name: required
}

func ExampleDidYouMean() {
	known := map[string]bool{"failOn": true, "suppress": true}
	fmt.Printf("%q\n", fnconfig.DidYouMean("failon", known))
	fmt.Printf("%q\n", fnconfig.DidYouMean("supress", known))
	fmt.Printf("%q\n", fnconfig.DidYouMean("colour", known))
	// Output:
	// " (did you mean failOn?)"
	// " (did you mean suppress?)"
	// ""
}
