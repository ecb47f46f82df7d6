package istioanalysis

import (
	"fmt"
	"testing"

	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/analysis"
	"istio.io/istio/pkg/config/resource"
	"istio.io/istio/pkg/config/schema/gvk"
)

// fakeContext holds resources for analyzers, with no store behind it.
type fakeContext struct {
	analysis.Context // nil: only what analyzeGuarded and the analyzers below call
	resources        []*resource.Instance
	analyzers        []string
}

func (c *fakeContext) ForEach(_ config.GroupVersionKind, fn analysis.IteratorFn) {
	for _, r := range c.resources {
		if !fn(r) {
			return
		}
	}
}
func (c *fakeContext) Canceled() bool          { return false }
func (c *fakeContext) SetAnalyzer(name string) { c.analyzers = append(c.analyzers, name) }

// fakeAnalyzer runs analyze.
type fakeAnalyzer struct {
	name    string
	analyze func(c analysis.Context)
}

func (a fakeAnalyzer) Metadata() analysis.Metadata { return analysis.Metadata{Name: a.name} }
func (a fakeAnalyzer) Analyze(c analysis.Context)  { a.analyze(c) }

// TestAnalyzeGuardedRecoversEachPanic: a panic while an analyzer goes through a resource
// names the resource and the analyzer goes on with the next; a panic elsewhere stops that
// analyzer only; the next analyzers run.
func TestAnalyzeGuardedRecoversEachPanic(t *testing.T) {
	res := func(name string) *resource.Instance {
		return &resource.Instance{Metadata: resource.Metadata{FullName: resource.NewFullName("shop", resource.LocalName(name))}}
	}
	ctx := &fakeContext{resources: []*resource.Instance{res("a"), res("b"), res("c")}}
	var seen []string
	crashes := analyzeGuarded([]analysis.Analyzer{
		fakeAnalyzer{"per-resource", func(c analysis.Context) {
			c.ForEach(gvk.AuthorizationPolicy, func(r *resource.Instance) bool {
				seen = append(seen, r.Metadata.FullName.Name.String())
				if r.Metadata.FullName.Name == "b" {
					var m map[string]int
					m["x"] = 1
				}
				return true
			})
		}},
		fakeAnalyzer{"outside", func(analysis.Context) { panic("no resource") }},
		fakeAnalyzer{"last", func(c analysis.Context) { seen = append(seen, "last") }},
	}, ctx)
	if got := fmt.Sprint(seen); got != "[a b c last]" {
		t.Errorf("analyzers saw %s", got)
	}
	if got := fmt.Sprint(ctx.analyzers); got != "[per-resource outside last]" {
		t.Errorf("analyzers set %s", got)
	}
	want := "[{outside no resource   } {per-resource assignment to entry in nil map  shop/b }]"
	if got := fmt.Sprint(crashes); got != want {
		t.Errorf("crashes\n%s\nwant\n%s", got, want)
	}
}
