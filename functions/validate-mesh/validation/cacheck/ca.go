package cacheck

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/meshfn/meshfn/functions/validate-mesh/validation/check"
	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/meshfn/meshfn/internal/certchain"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Check is the CA checks: the certificates of the package's CABundles and CA Secrets.
var Check = check.Check{Name: "CA", Run: run, Codes: []string{
	check.CodeCAExpiring, check.CodeCAExpired, check.CodeCARoots, check.CodeCAUnreadable,
}}

// run reads the package's CA material and checks it at the config's validAt.
func run(p *check.Package) ([]*check.Finding, error) {
	sources, fs := caSources(p.All)
	return append(fs, checkCA(sources, p.Settings.ValidAt, p.Settings.ExpiryWarning)...), nil
}

// caSource is CA material of the package: a CABundle, or a Secret istiod reads its CA from.
type caSource struct {
	obj   *yaml.RNode
	chain []*x509.Certificate // the CA certificate first, then up to the root
	root  *x509.Certificate
}

// caSources reads the CABundles and the CA Secrets (cacerts, istio-ca-cert) of the
// package. What cannot be read is a finding.
func caSources(items []*yaml.RNode) ([]caSource, []*check.Finding) {
	var out []caSource
	var fs []*check.Finding
	bundles := map[string]bool{}
	for _, it := range items {
		if cabundle.IsCABundle(it) {
			bundles[it.GetName()] = true
		}
	}
	for _, it := range items {
		if b, ok := it.GetLabels()[cabundle.BundleLabel]; ok && bundles[b] {
			continue // generate-ca-secrets rendered it from a bundle checked here
		}
		var src caSource
		var err error
		switch {
		case cabundle.IsCABundle(it):
			src, err = bundleSource(it)
		case it.GetKind() == "Secret" && it.GetApiVersion() == "v1" &&
			(it.GetName() == cabundle.PluggedInSecret || it.GetName() == cabundle.HSMSecret):
			src, err = secretSource(it)
		default:
			continue
		}
		if err != nil {
			fs = append(fs, &check.Finding{Code: check.CodeCAUnreadable, Level: check.LevelError, Item: it, Message: fmt.Sprintf(
				"its CA certificates cannot be read: %v. Export the bundle again with hsm-tool and render; never edit certificates by hand", err)})
			continue
		}
		out = append(out, src)
	}
	return out, fs
}

func bundleSource(obj *yaml.RNode) (caSource, error) {
	b, err := cabundle.Parse(obj)
	if err != nil {
		return caSource{}, err
	}
	chain, err := cabundle.ParseCertificates("spec.certChain", b.Spec.CertChain)
	if err != nil {
		return caSource{}, err
	}
	roots, err := cabundle.ParseCertificates("spec.rootCert", b.Spec.RootCert)
	if err != nil {
		return caSource{}, err
	}
	return caSource{obj: obj, chain: chain, root: roots[len(roots)-1]}, nil
}

// secretSource reads cert-chain.pem (the CA certificate up to the root), and
// root-cert.pem where the Secret has it.
func secretSource(obj *yaml.RNode) (caSource, error) {
	files, err := secretFiles(obj)
	if err != nil {
		return caSource{}, err
	}
	pemChain, ok := files[cabundle.CertChainFile]
	if !ok {
		return caSource{}, fmt.Errorf("no %s", cabundle.CertChainFile)
	}
	chain, err := certchain.ParsePEM([]byte(pemChain))
	if err != nil {
		return caSource{}, fmt.Errorf("%s: %w", cabundle.CertChainFile, err)
	}
	src := caSource{obj: obj, chain: chain, root: chain[len(chain)-1]}
	if pemRoot, ok := files[cabundle.RootCertFile]; ok {
		roots, err := certchain.ParsePEM([]byte(pemRoot))
		if err != nil {
			return caSource{}, fmt.Errorf("%s: %w", cabundle.RootCertFile, err)
		}
		src.root = roots[len(roots)-1]
	}
	return src, nil
}

// secretFiles returns a Secret's data (decoded) and stringData.
func secretFiles(obj *yaml.RNode) (map[string]string, error) {
	out := map[string]string{}
	for key, value := range obj.GetDataMap() {
		b, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			return nil, fmt.Errorf("data.%s is not base64: %w", key, err)
		}
		out[key] = string(b)
	}
	if sd := obj.Field("stringData"); sd != nil && sd.Value.YNode().Kind == yaml.MappingNode {
		c := sd.Value.YNode().Content
		for i := 0; i+1 < len(c); i += 2 {
			out[c[i].Value] = c[i+1].Value
		}
	}
	return out, nil
}

// checkCA reports, for each source, certificates that have expired, are not valid yet, or
// expire within the warning window at validAt; a chain istiod would not load; and, across
// sources, roots that differ.
func checkCA(sources []caSource, validAt time.Time, window time.Duration) []*check.Finding {
	var fs []*check.Finding
	for _, s := range sources {
		fs = append(fs, s.checkChain()...)
		for _, l := range certchain.Certificates(s.chain, s.root) {
			c := l.Cert
			switch {
			case validAt.Before(c.NotBefore):
				fs = append(fs, &check.Finding{Code: check.CodeCAExpired, Level: check.LevelError, Item: s.obj, Message: fmt.Sprintf(
					"%s is not valid before %s (validAt %s): istiod would not load it. Export a bundle that is valid now with hsm-tool and render again",
					certchain.Name(c), certchain.FormatTime(c.NotBefore), certchain.FormatTime(validAt))})
			case validAt.After(c.NotAfter):
				fs = append(fs, &check.Finding{Code: check.CodeCAExpired, Level: check.LevelError, Item: s.obj, Message: fmt.Sprintf(
					"%s expired on %s (validAt %s): workloads reject what it signs. Export a renewed bundle with hsm-tool and render again",
					certchain.Name(c), certchain.FormatTime(c.NotAfter), certchain.FormatTime(validAt))})
			case c.NotAfter.Sub(validAt) < window:
				fs = append(fs, &check.Finding{Code: check.CodeCAExpiring, Level: check.LevelWarning, Item: s.obj, Message: fmt.Sprintf(
					"%s expires on %s, within expiryWarning (%s of validAt %s). Export a renewed bundle with hsm-tool and render again",
					certchain.Name(c), certchain.FormatTime(c.NotAfter), cabundle.FormatDuration(window), certchain.FormatTime(validAt))})
			}
		}
	}
	return append(fs, checkRoots(sources)...)
}

// checkChain reports what istiod would refuse in the chain itself, at a time every
// certificate is valid (validity is checked against validAt separately).
func (s caSource) checkChain() []*check.Finding {
	certs := certchain.Certificates(s.chain, s.root)
	from, to := certs[0].Cert.NotBefore, certs[0].Cert.NotAfter
	for _, l := range certs[1:] {
		if l.Cert.NotBefore.After(from) {
			from = l.Cert.NotBefore
		}
		if l.Cert.NotAfter.Before(to) {
			to = l.Cert.NotAfter
		}
	}
	if from.After(to) {
		return []*check.Finding{{Code: check.CodeCAUnreadable, Level: check.LevelError, Item: s.obj, Message: "its certificates are never all valid at the same time: " +
			"istiod would never load this chain. Export the bundle again with hsm-tool"}}
	}
	var fs []*check.Finding
	for _, p := range certchain.Check(s.chain, s.root, from, certchain.Policy{}) {
		fs = append(fs, &check.Finding{Code: check.CodeCAUnreadable, Level: check.LevelError, Item: s.obj, Message: fmt.Sprintf(
			"istiod would not load this CA: %s. Export the bundle again with hsm-tool", p.Msg)})
	}
	return fs
}

// checkRoots reports every source whose root is not the root most sources chain to:
// meshes whose CAs have different roots do not trust each other's workloads.
func checkRoots(sources []caSource) []*check.Finding {
	byRoot := map[string][]caSource{}
	for _, s := range sources {
		fp := cabundle.Fingerprint(s.root)
		byRoot[fp] = append(byRoot[fp], s)
	}
	if len(byRoot) < 2 {
		return nil
	}
	roots := make([]string, 0, len(byRoot))
	for fp := range byRoot {
		roots = append(roots, fp)
	}
	// The root most sources share first (ties by fingerprint), so the odd ones are reported.
	sort.Slice(roots, func(i, j int) bool {
		if len(byRoot[roots[i]]) != len(byRoot[roots[j]]) {
			return len(byRoot[roots[i]]) > len(byRoot[roots[j]])
		}
		return roots[i] < roots[j]
	})
	var others []string
	for _, s := range byRoot[roots[0]] {
		others = append(others, krm.Describe(s.obj))
	}
	var fs []*check.Finding
	for _, fp := range roots[1:] {
		for _, s := range byRoot[fp] {
			fs = append(fs, &check.Finding{Code: check.CodeCARoots, Level: check.LevelError, Item: s.obj, Message: fmt.Sprintf(
				"it chains to root %s (SHA-256 %s), but %s chain to root %s (SHA-256 %s): the clusters' workloads would not trust each other. "+
					"Sign every cluster's intermediate under one root (hsm-tool csr sign --root-label)",
				certchain.Name(s.root), fp, strings.Join(others, ", "), certchain.Name(byRoot[roots[0]][0].root), roots[0])})
		}
	}
	return fs
}
