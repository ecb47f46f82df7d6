package istioanalysis

import (
	"cmp"
	"fmt"
	"slices"

	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/analysis"
	"istio.io/istio/pkg/config/resource"
)

// Crash is an analyzer that panicked: on a resource it was going through, or (Resource
// zero) elsewhere. Its findings about that resource (or, with none, all of them) are
// missing; the other analyzers ran.
type Crash struct {
	Analyzer string
	// Reason is what the analyzer panicked with.
	Reason string
	// Resource is the resource the analyzer was at, and Document where it came from
	// ("" for Istio's default resources), as in a Message.
	Resource Resource
	Document string
}

// analyzeGuarded runs each analyzer in turn on ctx, as Istio's combined analyzer does,
// and returns their panics as crashes instead of crashing: a panic while an analyzer goes
// through a resource (ctx.ForEach) names that resource and lets it go on with the next;
// a panic elsewhere stops that analyzer only.
func analyzeGuarded(analyzers []analysis.Analyzer, ctx analysis.Context) []Crash {
	g := &guarded{Context: ctx}
	for _, a := range analyzers {
		if ctx.Canceled() {
			break
		}
		g.analyzer = a.Metadata().Name
		ctx.SetAnalyzer(g.analyzer)
		func() {
			defer func() {
				if p := recover(); p != nil {
					g.crashes = append(g.crashes, Crash{Analyzer: g.analyzer, Reason: fmt.Sprint(p)})
				}
			}()
			a.Analyze(g)
		}()
	}
	slices.SortStableFunc(g.crashes, func(a, b Crash) int {
		return cmp.Or(cmp.Compare(a.Resource.String(), b.Resource.String()), cmp.Compare(a.Analyzer, b.Analyzer),
			cmp.Compare(a.Reason, b.Reason))
	})
	return slices.CompactFunc(g.crashes, func(a, b Crash) bool { return a == b })
}

// guarded is an analysis context that recovers a panic in an analyzer's function for
// each resource of ForEach.
type guarded struct {
	analysis.Context
	analyzer string
	crashes  []Crash
}

// ForEach calls fn for every resource of the collection; a panic in fn is a crash on
// that resource, and the iteration goes on.
func (g *guarded) ForEach(c config.GroupVersionKind, fn analysis.IteratorFn) {
	g.Context.ForEach(c, func(r *resource.Instance) (more bool) {
		defer func() {
			if p := recover(); p != nil {
				g.crashes = append(g.crashes, g.crashOn(r, p))
				more = true
			}
		}()
		return fn(r)
	})
}

// crashOn is the crash of the current analyzer on r.
func (g *guarded) crashOn(r *resource.Instance, p any) Crash {
	c := Crash{Analyzer: g.analyzer, Reason: fmt.Sprint(p)}
	if r == nil {
		return c
	}
	c.Resource = Resource{Namespace: r.Metadata.FullName.Namespace.String(), Name: r.Metadata.FullName.Name.String()}
	if r.Origin != nil {
		c.Resource.Group, c.Resource.Kind = originType(r.Origin)
		if ref := r.Origin.Reference(); ref != nil {
			if c.Document = documentOf(ref.String()); c.Document == defaultsDocument {
				c.Document = ""
			}
		}
	}
	return c
}
