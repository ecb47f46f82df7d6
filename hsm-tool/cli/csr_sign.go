package cli

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/meshfn/meshfn/hsm-tool/atomicfile"
	"github.com/meshfn/meshfn/hsm-tool/audit"
	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/spf13/cobra"
)

func (a *app) csrSignCommand() *cobra.Command {
	var csrFile, cluster, rootLabel, outDir string
	var policy ca.Policy
	cmd := &cobra.Command{
		Use:   "sign",
		Short: "Sign a per-cluster intermediate CA with the root key on the token, under a policy",
		Long: `Checks the CSR (its signature, key strength, subject and SANs, no path length beyond 0) and
issues an intermediate CA for the cluster, signed by the root on the token: a CA with path
length 0, validity capped by --validity and by the root's own. Writes ca-cert.pem,
cert-chain.pem (intermediate, then root) and root-cert.pem into --out-dir.`,
		Example: `  hsm-tool csr sign --csr csr.pem --cluster c1 --root-label mesh-root --out-dir c1/`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if csrFile == "" || cluster == "" || outDir == "" {
				return usageError{errors.New("--csr, --cluster and --out-dir are required")}
			}
			csr, err := readCSR(csrFile)
			if err != nil {
				return err
			}
			s, err := a.openToken(cmd.Context())
			if err != nil {
				return err
			}
			defer s.close()
			files := []string{filepath.Join(outDir, "ca-cert.pem"), filepath.Join(outDir, "cert-chain.pem"), filepath.Join(outDir, "root-cert.pem")}
			entry := audit.Entry{Command: "csr sign", Token: s.name, Keys: []string{rootLabel}, Files: files}
			root, err := s.store.Certificate(rootLabel)
			if err != nil {
				return a.record(entry, fmt.Errorf("failed to find the root certificate %q on the token: %w", rootLabel, err))
			}
			signer, err := s.store.Signer(rootLabel)
			if err != nil {
				return a.record(entry, fmt.Errorf("failed to find the root key %q on the token: %w", rootLabel, err))
			}
			cert, err := ca.SignIntermediate(csr, cluster, root, signer, policy, time.Now(), rand.Reader)
			if err != nil {
				return a.record(entry, fmt.Errorf("failed to sign the intermediate for %s: %w", cluster, err))
			}
			entry.Certificates = map[string]string{"intermediate": cabundle.Fingerprint(cert), "root": cabundle.Fingerprint(root)}
			caPEM, chainPEM, rootPEM := ca.Chain(cert, root)
			err = atomicfile.WriteAll([]atomicfile.File{
				{Path: files[0], Data: caPEM, Mode: atomicfile.Public},
				{Path: files[1], Data: chainPEM, Mode: atomicfile.Public},
				{Path: files[2], Data: rootPEM, Mode: atomicfile.Public},
			})
			if err == nil {
				fmt.Fprintf(a.stdout, "issued the intermediate CA of %s (SHA-256 %s), valid until %s; wrote %s\n",
					cluster, cabundle.Fingerprint(cert), cert.NotAfter.UTC().Format(time.RFC3339), outDir)
			}
			return a.record(entry, err)
		},
	}
	f := cmd.Flags()
	f.StringVar(&csrFile, "csr", "", "the CSR (PEM), e.g. from csr decrypt")
	f.StringVar(&cluster, "cluster", "", "the cluster the intermediate is for (subject L)")
	f.StringVar(&rootLabel, "root-label", "root-ca", "label of the root key and certificate on the token")
	f.StringVar(&outDir, "out-dir", "", "folder for ca-cert.pem, cert-chain.pem and root-cert.pem")
	f.DurationVar(&policy.MaxValidity, "validity", ca.DefaultIntermediateValidity, "longest validity of the intermediate")
	f.StringSliceVar(&policy.AllowedDNSSANs, "allow-dns-san", []string{ca.DefaultIstiodDNSSAN}, "DNS SANs the CSR may carry (exact, or *.suffix)")
	return cmd
}

func readCSR(path string) (*x509.CertificateRequest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read %s: %w", path, err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		return nil, fmt.Errorf("%s holds no PEM certificate request", path)
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("failed to parse the CSR in %s: %w", path, err)
	}
	return csr, nil
}
