package cli

import (
	"errors"
	"fmt"
	"slices"

	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/hsm-tool/ceremony"
	"github.com/meshfn/meshfn/hsm-tool/hsm"
	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/spf13/cobra"
)

func (a *app) rootCACommand() *cobra.Command {
	var keyType string
	var r ceremony.RootRequest
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
			r.Algorithm = hsm.KeyAlgorithm(keyType)
			switch {
			case !slices.Contains(hsm.KeyAlgorithms(), r.Algorithm):
				return usageError{fmt.Errorf("--key-type %q is not one of %v", keyType, hsm.KeyAlgorithms())}
			case r.Out == "":
				return usageError{errors.New("-o is required")}
			case r.Label == "":
				return usageError{errors.New("--label is empty")}
			case r.Options.Validity <= 0:
				return usageError{fmt.Errorf("--validity %v is not positive", r.Options.Validity)}
			}
			c, done, err := a.ceremony(true)
			if err != nil {
				return err
			}
			defer done()
			cert, err := c.CreateRoot(cmd.Context(), r)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "root CA %q on token %q, certificate in %s (SHA-256 %s)\n", r.Label, c.Token, r.Out, cabundle.Fingerprint(cert))
			return nil
		},
	}
	f := create.Flags()
	f.StringVar(&r.Label, "label", "root-ca", "label of the root key pair and certificate on the token")
	f.StringVar(&keyType, "key-type", string(hsm.ECDSAP384), fmt.Sprintf("key algorithm, one of %v", hsm.KeyAlgorithms()))
	f.StringVar(&r.Options.CommonName, "common-name", ca.DefaultRootCommonName, "subject common name")
	f.StringVar(&r.Options.Organization, "organization", ca.DefaultOrganization, "subject organization")
	f.DurationVar(&r.Options.Validity, "validity", ca.DefaultRootValidity, "validity of the root certificate")
	f.StringVarP(&r.Out, "output", "o", "root-cert.pem", "where to write the root certificate")
	return group("root", "Manage the root CA on the token", create)
}
