package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) kekCommand() *cobra.Command {
	var id string
	gen := &cobra.Command{
		Use:   "generate",
		Short: "Generate the key-encryption key (AES-256, sensitive, never extractable) on the token",
		Long: `Generates the KEK istiod's HSM plugin seals its CSR's data-encryption key with. The key is
created on the token as AES-256, sensitive and not extractable, usable only for AES-GCM. An
existing object with the same id is never replaced.`,
		Example: `  hsm-tool kek generate --kek-id asm-c1-kek`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id == "" {
				return usageError{errors.New("--kek-id is required")}
			}
			c, done, err := a.ceremony(true)
			if err != nil {
				return err
			}
			defer done()
			if err := c.GenerateKEK(cmd.Context(), id); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "generated KEK %q on token %q\n", id, c.Token)
			return nil
		},
	}
	gen.Flags().StringVar(&id, "kek-id", "", "id (label) of the new KEK; istiod's HSM plugin is configured with it")
	return group("kek", "Manage the key-encryption key", gen)
}
