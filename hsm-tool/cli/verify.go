package cli

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/meshfn/meshfn/hsm-tool/audit"
	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/spf13/cobra"
)

func (a *app) verifyCommand() *cobra.Command {
	var chainFile, rootLabel string
	return configure(&cobra.Command{
		Use:   "verify",
		Short: "Check a certificate chain against the root held on the token",
		Long: `Checks a cert-chain.pem the way istiod does before it loads a CA: every block parses, the
first certificate is a CA, the chain verifies to the root certificate stored on the token, and
every certificate is valid now.`,
		Example: `  hsm-tool verify --chain c1/cert-chain.pem --root-label mesh-root`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if chainFile == "" {
				return usageError{errors.New("--chain is required")}
			}
			chain, err := os.ReadFile(chainFile)
			if err != nil {
				return fmt.Errorf("failed to read %s: %w", chainFile, err)
			}
			s, err := a.openToken(cmd.Context())
			if err != nil {
				return err
			}
			defer s.close()
			entry := audit.Entry{Command: "verify", Token: s.name, Keys: []string{rootLabel}, Files: []string{chainFile}}
			root, err := s.store.Certificate(rootLabel)
			if err != nil {
				return a.record(entry, fmt.Errorf("failed to find the root certificate %q on the token: %w", rootLabel, err))
			}
			entry.Certificates = map[string]string{"root": cabundle.Fingerprint(root)}
			err = ca.VerifyChain(chain, root, time.Now())
			if err == nil {
				fmt.Fprintf(a.stdout, "%s verifies to root %q\n", chainFile, rootLabel)
			}
			return a.record(entry, err)
		},
	}, func(c *cobra.Command) {
		c.Flags().StringVar(&chainFile, "chain", "", "the chain to check (PEM): CA certificate first, root last")
		c.Flags().StringVar(&rootLabel, "root-label", "root-ca", "label of the root certificate on the token")
	})
}

// configure applies f to c and returns it, so flag definitions sit beside the command.
func configure(c *cobra.Command, f func(*cobra.Command)) *cobra.Command {
	f(c)
	return c
}
