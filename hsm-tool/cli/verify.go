package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) verifyCommand() *cobra.Command {
	var chainFile, rootLabel string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check a certificate chain against the root held on the token",
		Long: `Checks a cert-chain.pem the way istiod does before it loads a CA: every block parses, the
first certificate is a CA, the chain verifies to the root certificate stored on the token, and
every certificate is valid now. Then the way the peers of its workloads will: a workload
certificate it issues in --trust-domain (spiffe://<trust domain>/ns/.../sa/...) must verify
for client auth and for server auth, so name constraints that exclude the trust domain, or an
extended key usage without one of them, are refused. Private key material in the file, however
written, is refused without being printed.`,
		Example: `  hsm-tool verify --chain c1/cert-chain.pem --root-label mesh-root`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if chainFile == "" {
				return usageError{errors.New("--chain is required")}
			}
			c, done, err := a.ceremony(true)
			if err != nil {
				return err
			}
			defer done()
			if err := c.Verify(cmd.Context(), chainFile, rootLabel); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s verifies to root %q\n", chainFile, rootLabel)
			return nil
		},
	}
	cmd.Flags().StringVar(&chainFile, "chain", "", "the chain to check (PEM): CA certificate first, root last")
	cmd.Flags().StringVar(&rootLabel, "root-label", "root-ca", "label of the root certificate on the token")
	return cmd
}
