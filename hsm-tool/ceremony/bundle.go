package ceremony

import (
	"context"
	"fmt"
	"time"

	"github.com/meshfn/meshfn/hsm-tool/atomicfile"
	"github.com/meshfn/meshfn/hsm-tool/audit"
	"github.com/meshfn/meshfn/hsm-tool/safefs"
	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/meshfn/meshfn/internal/certchain"
	"github.com/meshfn/meshfn/internal/keyscan"
)

// RenewBefore is the window in which ExportBundle warns that a certificate expires.
const RenewBefore = 30 * 24 * time.Hour

// BundleRequest is the CABundle ExportBundle writes.
type BundleRequest struct {
	Cluster   string // the cluster, and the resource's name
	Namespace string // the control-plane namespace the Secrets go to
	Flow      string // cabundle.FlowHSMPlugin or cabundle.FlowPluggedIn
	// CACert, CertChain and RootCert are the PEM files csr sign wrote.
	CACert, CertChain, RootCert string
	// CAKey says where the plugged-in flow's key is kept (never the key).
	CAKey *cabundle.CAKey
	// Package is the kpt package the bundle is written into, as cabundle-CLUSTER.yaml.
	Package string
}

// Exported is what ExportBundle wrote.
type Exported struct {
	Path     string
	Bundle   *cabundle.CABundle
	Warnings []string
}

// ExportBundle checks the certificates the way istiod (and generate-ca-secrets) will and
// writes them, with their fingerprints and the CA's expiry, as a CABundle into the
// package. Private key material in the certificate files or in any field is an error
// naming where it is, never the key, and nothing is written. It does not use the token.
func (c *Ceremony) ExportBundle(ctx context.Context, r BundleRequest) (Exported, error) {
	out := Exported{Path: safefs.Join(r.Package, "cabundle-"+r.Cluster+".yaml")}
	err := c.run(ctx, audit.Entry{Command: "bundle export", Files: []string{out.Path}}, func(s *step) error {
		b := &cabundle.CABundle{APIVersion: cabundle.APIVersion, Kind: cabundle.Kind,
			Metadata: cabundle.ObjectMeta{Name: r.Cluster},
			Spec:     cabundle.Spec{Cluster: r.Cluster, Namespace: r.Namespace, Flow: r.Flow, CAKey: r.CAKey}}
		for _, f := range []struct {
			path string
			to   *string
		}{{r.CACert, &b.Spec.CACert}, {r.CertChain, &b.Spec.CertChain}, {r.RootCert, &b.Spec.RootCert}} {
			certs, err := readCertificates(f.path)
			if err != nil {
				return err
			}
			*f.to = string(certchain.EncodePEM(certs...)) // from DER: nothing else in the file is kept
		}
		if err := b.FillInformational(); err != nil {
			return fmt.Errorf("failed to read the certificates: %w", err)
		}
		s.entry.Certificates = map[string]string{"caCert": b.Spec.Fingerprints.CACert, "root": b.Spec.Fingerprints.RootCert}
		warnings, err := cabundle.Check(b, c.now(), RenewBefore, c.chainPolicy())
		if err != nil {
			return fmt.Errorf("the bundle would not load in istiod: %w", err)
		}
		text, err := b.Node().String()
		if err != nil {
			return err
		}
		// Check has looked at every field; what is written is looked at once more.
		if f, ok := keyscan.FindString(text); ok {
			return fmt.Errorf("the bundle for %s is not written: it %w", r.Cluster, certchain.KeyError(f))
		}
		out.Bundle, out.Warnings = b, warnings
		return atomicfile.Write(out.Path, []byte(text), atomicfile.Public)
	})
	return out, err
}
