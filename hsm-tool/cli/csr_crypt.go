package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) csrCommand() *cobra.Command {
	return group("csr", "Encrypt, decrypt and sign the CSR of istiod's HSM plugin flow",
		a.csrDecryptCommand(), a.csrEncryptCommand(), a.csrSignCommand())
}

func (a *app) csrDecryptCommand() *cobra.Command {
	var in, out string
	cmd := &cobra.Command{
		Use:   "decrypt",
		Short: "Decrypt the encrypted CSR istiod published (Secret istio-ca-cert-csr) with the KEK on the token",
		Example: `  kubectl get secret istio-ca-cert-csr -n istio-system -o jsonpath='{.data}' > encrypted_csr.json
  hsm-tool csr decrypt -f encrypted_csr.json -o csr.pem`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if in == "" || out == "" {
				return usageError{errors.New("-f and -o are required")}
			}
			c, done, err := a.ceremony(true)
			if err != nil {
				return err
			}
			defer done()
			if err := c.DecryptCSR(cmd.Context(), in, out); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "wrote %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&in, "file", "f", "", "the encrypted CSR: the Secret's .data as JSON, or the Secret")
	cmd.Flags().StringVarP(&out, "output", "o", "", "where to write the CSR (PEM)")
	return cmd
}

func (a *app) csrEncryptCommand() *cobra.Command {
	var in, out, kekID, csrID string
	cmd := &cobra.Command{
		Use:   "encrypt",
		Short: "Encrypt a CSR as istiod's HSM plugin does (for tests and interoperability)",
		Long: `Produces the encrypted-CSR document istiod's HSM plugin publishes: a fresh data-encryption
key sealed under the KEK on the token, and the CSR sealed under that key with the csr-id as
additional data. The output is the Secret's .data form.`,
		Example: `  hsm-tool csr encrypt --kek-id asm-c1-kek -f istiod.csr.pem -o encrypted_csr.json`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if in == "" || out == "" || kekID == "" {
				return usageError{errors.New("--kek-id, -f and -o are required")}
			}
			c, done, err := a.ceremony(true)
			if err != nil {
				return err
			}
			defer done()
			return c.EncryptCSR(cmd.Context(), kekID, in, out, csrID)
		},
	}
	cmd.Flags().StringVarP(&in, "file", "f", "", "the CSR to encrypt (PEM)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "where to write the encrypted CSR (JSON)")
	cmd.Flags().StringVar(&kekID, "kek-id", "", "the KEK on the token")
	cmd.Flags().StringVar(&csrID, "csr-id", "istiod-csr", "the CSR id bound to the ciphertext")
	return cmd
}
