// Package cli is hsm-tool's command line: one file per command, sharing how the token,
// its PIN, Vault and the audit log are reached.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/meshfn/meshfn/internal/certchain"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the operation failed
	exitUsage = 2 // the command line was wrong
)

// usageError marks errors in how the command was called.
type usageError struct{ error }

// app holds the global settings shared by every command.
type app struct {
	token    tokenFlags
	vault    vaultFlags
	auditLog string
	// trustDomain is the mesh's SPIFFE trust domain chains are judged in.
	trustDomain string
	stdout      io.Writer
	stderr      io.Writer
}

// Execute runs hsm-tool with args and returns the process exit code.
func Execute(args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(context.Background())
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "hsm-tool:", err)
	var ue usageError
	if errors.As(err, &ue) || unknownCommand(root, args) {
		return exitUsage
	}
	return exitError
}

// unknownCommand reports whether args name no command of root. Cobra finds the command
// before it runs anything and fails only when the first argument names no command of the
// root, so after a failed run the same lookup tells that error from the command's own.
func unknownCommand(root *cobra.Command, args []string) bool {
	_, _, err := root.Find(args)
	return err != nil
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "hsm-tool",
		Short: "Run Istio's offline CA ceremony on a PKCS#11 HSM",
		Long: `hsm-tool keeps an Istio mesh's root CA key on a hardware security module and runs the
ceremony around it: a key-encryption key (KEK) for istiod's HSM plugin, the root key pair and
certificate, decrypting the CSR istiod publishes, signing per-cluster intermediates under a
policy, and exporting the public result as a CABundle resource for generate-ca-secrets.

The token is selected with --module and --token-label (or --slot). Its PIN comes from
--pin-file, or from HashiCorp Vault (--vault-secret-path), never from the command line.

Exit codes: 0 success, 1 the operation failed, 2 the command line was wrong.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	a.token.register(root)
	a.vault.register(root)
	root.PersistentFlags().StringVar(&a.auditLog, "audit-log", os.Getenv("HSM_TOOL_AUDIT_LOG"),
		"append a JSON line when an operation starts and one when it ends to this file, which must be writable before anything is done (env HSM_TOOL_AUDIT_LOG)")
	root.PersistentFlags().StringVar(&a.trustDomain, "trust-domain", certchain.DefaultTrustDomain,
		"the mesh's SPIFFE trust domain (meshConfig.trustDomain): verify, csr sign and bundle export refuse a chain whose workload certificates in it would not verify")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(a.tokenCommand(), a.kekCommand(), a.rootCACommand(), a.caCommand(), a.csrCommand(),
		a.bundleCommand(), a.verifyCommand())
	return root
}

// group is a command that only holds subcommands.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: use, Short: short, Args: noSubcommand,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError{fmt.Errorf("%s needs a subcommand", use)}
		}}
	c.AddCommand(subs...)
	return c
}

// noSubcommand refuses, as a usage error, a group's argument that names none of its
// subcommands.
func noSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
	}
	return nil
}

// noArgs refuses positional arguments as a usage error.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", args)}
	}
	return nil
}
