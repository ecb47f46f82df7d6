package cli

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/meshfn/meshfn/hsm-tool/atomicfile"
	"github.com/meshfn/meshfn/hsm-tool/audit"
	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/hsm-tool/hsm"
	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/spf13/cobra"
)

func (a *app) rootCACommand() *cobra.Command {
	var label, keyType, out string
	var opts ca.RootOptions
	create := &cobra.Command{
		Use:   "create",
		Short: "Generate the root CA key pair on the token and its self-signed certificate",
		Long: `Generates the root key pair on the token (never extractable; usable only for signing) and
its self-signed CA certificate (key usage certSign and cRLSign, as Istio's tools/certs), stores
the certificate on the token under the same label and writes it to root-cert.pem. An existing
key or certificate with that label is never replaced.`,
		Example: `  hsm-tool root create --label mesh-root --key-type ecdsa-p384 -o root-cert.pem`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			alg := hsm.KeyAlgorithm(keyType)
			if !validAlgorithm(alg) {
				return usageError{fmt.Errorf("--key-type %q is not one of %v", keyType, hsm.KeyAlgorithms())}
			}
			if out == "" {
				return usageError{errors.New("-o is required")}
			}
			s, err := a.openToken(cmd.Context())
			if err != nil {
				return err
			}
			defer s.close()
			entry := audit.Entry{Command: "root create", Token: s.name, Keys: []string{label}, Files: []string{out}}
			cert, err := createRoot(s.store, label, alg, opts)
			if err == nil {
				entry.Certificates = map[string]string{"root": cabundle.Fingerprint(cert)}
				err = atomicfile.Write(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), atomicfile.Public)
			}
			if err == nil {
				fmt.Fprintf(a.stdout, "root CA %q on token %q, certificate in %s (SHA-256 %s)\n", label, s.name, out, cabundle.Fingerprint(cert))
			}
			return a.record(entry, err)
		},
	}
	f := create.Flags()
	f.StringVar(&label, "label", "root-ca", "label of the root key pair and certificate on the token")
	f.StringVar(&keyType, "key-type", string(hsm.ECDSAP384), fmt.Sprintf("key algorithm, one of %v", hsm.KeyAlgorithms()))
	f.StringVar(&opts.CommonName, "common-name", ca.DefaultRootCommonName, "subject common name")
	f.StringVar(&opts.Organization, "organization", ca.DefaultOrganization, "subject organization")
	f.DurationVar(&opts.Validity, "validity", ca.DefaultRootValidity, "validity of the root certificate")
	f.StringVarP(&out, "output", "o", "root-cert.pem", "where to write the root certificate")
	return group("root", "Manage the root CA on the token", create)
}

func validAlgorithm(alg hsm.KeyAlgorithm) bool {
	for _, k := range hsm.KeyAlgorithms() {
		if k == alg {
			return true
		}
	}
	return false
}

// createRoot generates the key pair, signs the root certificate with it, and stores the
// certificate beside the key.
func createRoot(store hsm.Store, label string, alg hsm.KeyAlgorithm, opts ca.RootOptions) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	tmpl, err := ca.RootTemplate(opts, time.Now(), serial)
	if err != nil {
		return nil, fmt.Errorf("failed to build the root certificate: %w", err)
	}
	signer, err := store.GenerateKeyPair(label, alg)
	if err != nil {
		return nil, fmt.Errorf("failed to generate the root key pair %q: %w", label, err)
	}
	cert, err := selfSign(store, label, tmpl, signer)
	if err != nil {
		// Leave no half-made root behind: the label is free for a new attempt.
		if derr := store.DeleteKeyPair(label); derr != nil {
			return nil, errors.Join(err, fmt.Errorf("failed to remove the new key pair %q: %w", label, derr))
		}
		return nil, err
	}
	return cert, nil
}

// selfSign signs the root certificate with its key on the token and stores it there.
func selfSign(store hsm.Store, label string, tmpl *x509.Certificate, signer crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("failed to sign the root certificate on the token: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	if err := store.ImportCertificate(label, cert); err != nil {
		return nil, fmt.Errorf("failed to store the root certificate on the token: %w", err)
	}
	return cert, nil
}
