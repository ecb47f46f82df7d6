package ceremony

import (
	"context"
	"crypto/x509"
	"fmt"

	"github.com/meshfn/meshfn/hsm-tool/atomicfile"
	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/hsm-tool/safefs"
	"github.com/meshfn/meshfn/internal/cabundle"
)

// SignRequest is what SignCSR issues.
type SignRequest struct {
	CSR       string    // the CSR file (PEM)
	Cluster   string    // the cluster the intermediate is for (subject L)
	RootLabel string    // the root key and certificate on the token
	OutDir    string    // where ca-cert.pem, cert-chain.pem and root-cert.pem go
	Policy    ca.Policy // what the CSR may ask for
}

// Files SignCSR writes into SignRequest.OutDir.
const (
	CACertFile    = "ca-cert.pem"
	CertChainFile = "cert-chain.pem"
	RootCertFile  = "root-cert.pem"
)

// SignCSR checks the CSR under the policy and issues the cluster's intermediate CA,
// signed by the root on the token, judges the chain as Verify does, and writes
// ca-cert.pem, cert-chain.pem (the intermediate, then the root) and root-cert.pem into
// r.OutDir.
func (c *Ceremony) SignCSR(ctx context.Context, r SignRequest) (*x509.Certificate, error) {
	files := []string{safefs.Join(r.OutDir, CACertFile), safefs.Join(r.OutDir, CertChainFile), safefs.Join(r.OutDir, RootCertFile)}
	var cert *x509.Certificate
	err := c.run(ctx, c.entry("csr sign", []string{r.RootLabel}, files...), func(s *step) error {
		csr, err := readCSR(r.CSR)
		if err != nil {
			return err
		}
		if err := atomicfile.Check(files...); err != nil {
			return err
		}
		tok, err := s.token()
		if err != nil {
			return err
		}
		root, err := tok.Certificate(r.RootLabel)
		if err != nil {
			return fmt.Errorf("failed to find the root certificate %q on the token: %w", r.RootLabel, err)
		}
		signer, err := tok.Signer(r.RootLabel)
		if err != nil {
			return fmt.Errorf("failed to find the root key %q on the token: %w", r.RootLabel, err)
		}
		cert, err = ca.SignIntermediate(csr, r.Cluster, root, signer, r.Policy, c.now(), c.rand())
		if err != nil {
			return fmt.Errorf("failed to sign the intermediate for %s: %w", r.Cluster, err)
		}
		s.entry.Certificates = map[string]string{"intermediate": cabundle.Fingerprint(cert), "root": cabundle.Fingerprint(root)}
		caPEM, chainPEM, rootPEM := ca.Chain(cert, root)
		// The root on the token may carry what the intermediate cannot shed (name
		// constraints, extended key usages): judge the chain before writing it.
		if err := ca.VerifyChain(chainPEM, root, c.now(), c.chainPolicy()); err != nil {
			return fmt.Errorf("the intermediate issued for %s is not written: %w", r.Cluster, err)
		}
		return atomicfile.WriteAll([]atomicfile.File{
			{Path: files[0], Data: caPEM, Mode: atomicfile.Public},
			{Path: files[1], Data: chainPEM, Mode: atomicfile.Public},
			{Path: files[2], Data: rootPEM, Mode: atomicfile.Public},
		})
	})
	if err != nil {
		return nil, err
	}
	return cert, nil
}

// readCSR reads the CSR file: exactly one CSR, nothing else.
func readCSR(path string) (*x509.CertificateRequest, error) {
	data, err := readInput(path)
	if err != nil {
		return nil, err
	}
	csr, err := ca.ParseCSR(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return csr, nil
}
