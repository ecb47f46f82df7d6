package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/meshfn/meshfn/hsm-tool/atomicfile"
	"github.com/meshfn/meshfn/hsm-tool/audit"
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
			return a.exportBundle(f)
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

func (a *app) exportBundle(f bundleFlags) error {
	if f.cluster == "" || f.pkg == "" {
		return usageError{errors.New("--cluster and --package are required")}
	}
	b, err := f.build()
	if err != nil {
		return err
	}
	out := filepath.Join(f.pkg, "cabundle-"+f.cluster+".yaml")
	entry := audit.Entry{Command: "bundle export", Files: []string{out}}
	if err := b.FillInformational(); err != nil {
		return a.record(entry, fmt.Errorf("failed to read the certificates: %w", err))
	}
	entry.Certificates = map[string]string{"caCert": b.Spec.Fingerprints.CACert, "root": b.Spec.Fingerprints.RootCert}
	warnings, err := cabundle.Check(b, time.Now(), 30*24*time.Hour)
	if err != nil {
		return a.record(entry, fmt.Errorf("the bundle would not load in istiod: %w", err))
	}
	for _, w := range warnings {
		fmt.Fprintln(a.stderr, "warning:", w)
	}
	text, err := b.Node().String()
	if err == nil {
		err = atomicfile.Write(out, []byte(text), atomicfile.Public)
	}
	if err == nil {
		fmt.Fprintf(a.stdout, "wrote %s (CA %s, expires %s)\n", out, b.Spec.Fingerprints.CACert, b.Spec.NotAfter)
	}
	return a.record(entry, err)
}

// build reads the PEM files into a CABundle.
func (f bundleFlags) build() (*cabundle.CABundle, error) {
	read := func(flag, name string) (string, error) {
		if flag == "" {
			flag = filepath.Join(f.dir, name)
		}
		b, err := os.ReadFile(flag)
		if err != nil {
			return "", fmt.Errorf("failed to read %s: %w", flag, err)
		}
		return string(b), nil
	}
	b := &cabundle.CABundle{APIVersion: cabundle.APIVersion, Kind: cabundle.Kind,
		Metadata: cabundle.ObjectMeta{Name: f.cluster},
		Spec:     cabundle.Spec{Cluster: f.cluster, Namespace: f.namespace, Flow: f.flow}}
	var err error
	if b.Spec.CACert, err = read(f.caCert, "ca-cert.pem"); err != nil {
		return nil, err
	}
	if b.Spec.CertChain, err = read(f.chain, "cert-chain.pem"); err != nil {
		return nil, err
	}
	if b.Spec.RootCert, err = read(f.root, "root-cert.pem"); err != nil {
		return nil, err
	}
	if f.flow == cabundle.FlowPluggedIn {
		if f.storeName == "" || f.remoteKey == "" {
			return nil, usageError{errors.New("the plugged-in flow needs --ca-key-store and --ca-key-remote-key: the key never goes into the bundle")}
		}
		b.Spec.CAKey = &cabundle.CAKey{ExternalSecret: &cabundle.ExternalSecretRef{
			SecretStoreRef: cabundle.SecretStoreRef{Name: f.storeName, Kind: f.storeKind},
			RemoteRef:      cabundle.RemoteRef{Key: f.remoteKey, Property: f.remoteProperty},
		}}
	}
	return b, nil
}
