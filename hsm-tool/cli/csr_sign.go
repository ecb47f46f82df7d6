package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/hsm-tool/ceremony"
	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/spf13/cobra"
)

func (a *app) csrSignCommand() *cobra.Command {
	var r ceremony.SignRequest
	cmd := &cobra.Command{
		Use:   "sign",
		Short: "Sign a per-cluster intermediate CA with the root key on the token, under a policy",
		Long: `Checks the CSR (its signature, key strength, subject and SANs, no path length beyond 0) and
issues an intermediate CA for the cluster, signed by the root on the token: a CA with path
length 0, validity capped by --validity and by the root's own. Judges the chain as verify does
(a root whose name constraints exclude --trust-domain is refused) and writes ca-cert.pem,
cert-chain.pem (intermediate, then root) and root-cert.pem into --out-dir, checked before the
token is opened.`,
		Example: `  hsm-tool csr sign --csr csr.pem --cluster c1 --root-label mesh-root --out-dir c1/`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case r.CSR == "" || r.Cluster == "" || r.OutDir == "":
				return usageError{errors.New("--csr, --cluster and --out-dir are required")}
			case r.Policy.MaxValidity <= 0:
				return usageError{fmt.Errorf("--validity %v is not positive", r.Policy.MaxValidity)}
			}
			c, done, err := a.ceremony(true)
			if err != nil {
				return err
			}
			defer done()
			cert, err := c.SignCSR(cmd.Context(), r)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "issued the intermediate CA of %s (SHA-256 %s), valid until %s; wrote %s\n",
				r.Cluster, cabundle.Fingerprint(cert), cert.NotAfter.UTC().Format(time.RFC3339), r.OutDir)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&r.CSR, "csr", "", "the CSR (PEM), e.g. from csr decrypt")
	f.StringVar(&r.Cluster, "cluster", "", "the cluster the intermediate is for (subject L)")
	f.StringVar(&r.RootLabel, "root-label", "root-ca", "label of the root key and certificate on the token")
	f.StringVar(&r.OutDir, "out-dir", "", "folder for ca-cert.pem, cert-chain.pem and root-cert.pem")
	f.DurationVar(&r.Policy.MaxValidity, "validity", ca.DefaultIntermediateValidity, "longest validity of the intermediate")
	f.StringSliceVar(&r.Policy.AllowedDNSSANs, "allow-dns-san", []string{ca.DefaultIstiodDNSSAN}, "DNS SANs the CSR may carry (exact, or *.suffix)")
	return cmd
}
