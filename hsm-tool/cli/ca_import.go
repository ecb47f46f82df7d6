package cli

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/meshfn/meshfn/hsm-tool/audit"
	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/spf13/cobra"
)

func (a *app) caCommand() *cobra.Command {
	var in, label string
	imp := &cobra.Command{
		Use:   "import",
		Short: "Store a CA certificate on the token (persistently)",
		Long: `Stores a CA certificate, for example a root created elsewhere, on the token, where
verify and csr sign find it. It stays on the token (the vendor tool kept it only in memory).
An existing certificate with the same label is never replaced.`,
		Example: `  hsm-tool ca import -f root-cert.pem --label mesh-root`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if in == "" || label == "" {
				return usageError{errors.New("-f and --label are required")}
			}
			cert, err := readCertificate(in)
			if err != nil {
				return err
			}
			if !cert.IsCA {
				return fmt.Errorf("%s is not a CA certificate", in)
			}
			s, err := a.openToken(cmd.Context())
			if err != nil {
				return err
			}
			defer s.close()
			err = s.store.ImportCertificate(label, cert)
			if err == nil {
				fmt.Fprintf(a.stdout, "stored %q on token %q (SHA-256 %s)\n", label, s.name, cabundle.Fingerprint(cert))
			}
			return a.record(audit.Entry{Command: "ca import", Token: s.name,
				Certificates: map[string]string{label: cabundle.Fingerprint(cert)}}, err)
		},
	}
	imp.Flags().StringVarP(&in, "file", "f", "", "the CA certificate (PEM)")
	imp.Flags().StringVar(&label, "label", "root-ca", "label on the token")
	return group("ca", "Manage CA certificates on the token", imp)
}

// readCertificate reads the first certificate of a PEM file; anything else in front of it
// or a truncated block is an error naming the file.
func readCertificate(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read %s: %w", path, err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("failed to parse the certificate in %s: %w", path, err)
	}
	return cert, nil
}
