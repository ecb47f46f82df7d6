package cli

import (
	"errors"
	"fmt"

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
			c, done, err := a.ceremony(true)
			if err != nil {
				return err
			}
			defer done()
			cert, err := c.ImportCA(cmd.Context(), in, label)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "stored %q on token %q (SHA-256 %s)\n", label, c.Token, cabundle.Fingerprint(cert))
			return nil
		},
	}
	imp.Flags().StringVarP(&in, "file", "f", "", "the CA certificate (PEM)")
	imp.Flags().StringVar(&label, "label", "root-ca", "label on the token")
	return group("ca", "Manage CA certificates on the token", imp)
}
