package inject

import "github.com/meshfn/meshfn/internal/inject/annotations"

// Rules are what one Istio release's injector does beyond rendering its templates: the
// annotations it validates, the template functions it has, how it names images, and how
// it rewrites Prometheus annotations. Injection templates come from the package or from
// the built-in injector; the rules always follow the release of the revision's istiod,
// so the same templates can inject differently under two releases.
//
// Each field is one behaviour that changed between supported releases, true in the
// releases that have it; builtin's release table says which release has what.
type Rules struct {
	// Release names the release the rules are of, for messages ("1.29.6").
	Release string
	// Annotations are the pod annotations the injector validates beyond those every
	// supported release validates.
	Annotations annotations.Checks
	// MissingFuncs are template functions the release's istiod does not have: a template
	// that calls one fails to parse, as it does there.
	MissingFuncs []string
	// ProxyInitImage is the istio-init image of its own (TemplateData.ProxyInitImage, from
	// global.proxy_init.image), and a proxy config image type left empty falls back to
	// global.variant. Without it (before 1.31) istio-init takes the proxy's image, and a
	// proxy config that names an image clears the variant.
	ProxyInitImage bool
	// ScrapeChecks refuses Prometheus scrape ports that are Istio's own or not ports, and
	// reads prometheus.istio.io/scrape-targets, when metrics are merged (1.31 on).
	ScrapeChecks bool
	// SecurePortAnnotation sets prometheus.istio.io/secure-port from the proxy's
	// ENVOY_SECURE_MERGED_METRICS_PORT (1.31 on).
	SecurePortAnnotation bool
}
