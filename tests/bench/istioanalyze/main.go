// Command istioanalyze is the baseline of validate-mesh's benchmark: Istio's analysis
// library run the way Istio's own analyzer tests and `istioctl analyze` run it over files,
// every analyzer (analyzers.AllCombined), Kubernetes resources included, Istio's default
// resources added. It reads the YAML files named on the command line and prints how many
// messages it found.
package main

import (
	"fmt"
	"os"

	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/log"
)

func main() {
	o := log.DefaultOptions()
	o.OutputPaths = []string{"stderr"}
	o.SetDefaultOutputLevel(log.OverrideScopeName, log.ErrorLevel)
	if err := log.Configure(o); err != nil {
		fail(err)
	}
	sa := local.NewSourceAnalyzer(analyzers.AllCombined(), "", "istio-system", nil)
	var files []local.ReaderSource
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		files = append(files, local.ReaderSource{Name: name, Reader: f})
	}
	if err := sa.AddTestReaderKubeSource(files); err != nil {
		fail(err)
	}
	if err := sa.AddDefaultResources(); err != nil {
		fail(err)
	}
	res, err := sa.Analyze(make(chan struct{}))
	if err != nil {
		fail(err)
	}
	fmt.Printf("%d messages\n", len(res.Messages))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "istioanalyze:", err)
	os.Exit(1)
}
