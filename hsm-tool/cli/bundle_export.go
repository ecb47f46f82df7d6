package cli

import (
	"errors"
	"fmt"

	"github.com/meshfn/meshfn/hsm-tool/ceremony"
	"github.com/meshfn/meshfn/hsm-tool/safefs"
	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/spf13/cobra"
)

// bundleFlags describe the CABundle to export.
type bundleFlags struct {
	cluster, namespace, flow  string
	dir, caCert, chain, root  string
	pkg                       string
	storeName, storeKind      string
	remoteKey, remoteProperty string
}

func (a *app) bundleCommand() *cobra.Command {
	var f bundleFlags
	export := &cobra.Command{
		Use:   "export",
		Short: "Write the cluster's public CA material as a CABundle resource into a kpt package",
		Long: `Writes a CABundle (meshfn.dev/v1alpha1, local-config) into the package, with the CA
certificate, the chain and the root, their fingerprints and the CA certificate's expiry. It
checks the bundle the way istiod will (and the way generate-ca-secrets does) first. No
private key ever goes into it: for the plugged-in flow, name where the key is kept
(--ca-key-store, --ca-key-remote-key) and generate-ca-secrets renders an ExternalSecret.`,
		Example: `  hsm-tool bundle export --cluster c1 --dir c1/ --package blueprints/offline-ca
  hsm-tool bundle export --cluster c1 --dir c1/ --flow plugged-in \
      --ca-key-store vault --ca-key-remote-key asm-c1/ca --ca-key-remote-property ca-key.pem --package ca/`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := f.request()
			if err != nil {
				return err
			}
			c, done, err := a.ceremony(false)
			if err != nil {
				return err
			}
			defer done()
			out, err := c.ExportBundle(cmd.Context(), r)
			if err != nil {
				return err
			}
			for _, w := range out.Warnings {
				fmt.Fprintln(a.stderr, "warning:", w)
			}
			fmt.Fprintf(a.stdout, "wrote %s (CA %s, expires %s)\n", out.Path, out.Bundle.Spec.Fingerprints.CACert, out.Bundle.Spec.NotAfter)
			return nil
		},
	}
	fl := export.Flags()
	fl.StringVar(&f.cluster, "cluster", "", "the cluster (also the resource's name)")
	fl.StringVar(&f.namespace, "namespace", "istio-system", "the control-plane namespace the Secrets go to")
	fl.StringVar(&f.flow, "flow", cabundle.FlowHSMPlugin, "hsm-plugin (Secret istio-ca-cert) or plugged-in (Secret cacerts)")
	fl.StringVar(&f.dir, "dir", ".", "folder holding ca-cert.pem, cert-chain.pem and root-cert.pem (from csr sign)")
	fl.StringVar(&f.caCert, "ca-cert", "", "the CA certificate (default DIR/ca-cert.pem)")
	fl.StringVar(&f.chain, "cert-chain", "", "the chain (default DIR/cert-chain.pem)")
	fl.StringVar(&f.root, "root-cert", "", "the root certificate (default DIR/root-cert.pem)")
	fl.StringVar(&f.pkg, "package", "", "the kpt package to write cabundle-CLUSTER.yaml into")
	fl.StringVar(&f.storeName, "ca-key-store", "", "plugged-in: the external-secrets SecretStore holding the CA key")
	fl.StringVar(&f.storeKind, "ca-key-store-kind", "ClusterSecretStore", "plugged-in: SecretStore or ClusterSecretStore")
	fl.StringVar(&f.remoteKey, "ca-key-remote-key", "", "plugged-in: the key of the CA key in the store, e.g. asm-c1/ca")
	fl.StringVar(&f.remoteProperty, "ca-key-remote-property", "", "plugged-in: the property holding the PEM key")
	return group("bundle", "Export the CA material for the pipeline", export)
}

// request checks the flags and turns them into the ceremony's request.
func (f bundleFlags) request() (ceremony.BundleRequest, error) {
	r := ceremony.BundleRequest{Cluster: f.cluster, Namespace: f.namespace, Flow: f.flow, Package: f.pkg,
		CACert: f.caCert, CertChain: f.chain, RootCert: f.root}
	if f.cluster == "" || f.pkg == "" {
		return r, usageError{errors.New("--cluster and --package are required")}
	}
	for _, p := range []struct {
		to   *string
		name string
	}{{&r.CACert, ceremony.CACertFile}, {&r.CertChain, ceremony.CertChainFile}, {&r.RootCert, ceremony.RootCertFile}} {
		if *p.to == "" {
			*p.to = safefs.Join(f.dir, p.name)
		}
	}
	switch f.flow {
	case cabundle.FlowHSMPlugin:
	case cabundle.FlowPluggedIn:
		if f.storeName == "" || f.remoteKey == "" {
			return r, usageError{errors.New("the plugged-in flow needs --ca-key-store and --ca-key-remote-key: the key never goes into the bundle")}
		}
		r.CAKey = &cabundle.CAKey{ExternalSecret: &cabundle.ExternalSecretRef{
			SecretStoreRef: cabundle.SecretStoreRef{Name: f.storeName, Kind: f.storeKind},
			RemoteRef:      cabundle.RemoteRef{Key: f.remoteKey, Property: f.remoteProperty},
		}}
	default:
		return r, usageError{fmt.Errorf("--flow %q is not one of %v", f.flow, cabundle.Flows)}
	}
	return r, nil
}
