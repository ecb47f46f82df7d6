package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshfn/meshfn/hsm-tool/audit"
	"github.com/spf13/cobra"
)

func (a *app) tokenCommand() *cobra.Command {
	info := &cobra.Command{
		Use:     "info",
		Short:   "Show the module, slots, tokens, mechanisms and objects (never values)",
		Example: `  P11_LIB=/usr/lib/softhsm/libsofthsm2.so P11_TOKEN=asm P11_PIN_FILE=pin hsm-tool token info`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.openToken(cmd.Context())
			if err != nil {
				return err
			}
			defer s.close()
			return a.record(audit.Entry{Command: "token info", Token: s.name}, a.printTokenInfo(s))
		},
	}
	return group("token", "Inspect the token", info)
}

func (a *app) printTokenInfo(s *session) error {
	info, err := s.store.Info()
	if err != nil {
		return fmt.Errorf("failed to read the token information: %w", err)
	}
	out := a.stdout
	fmt.Fprintf(out, "module: %s %s (library %s)\n", info.ModuleManufacturer, info.ModuleDescription, info.LibraryVersion)
	for _, sl := range info.Slots {
		fmt.Fprintf(out, "slot %d: %s\n  token: %q model %s serial %s\n  mechanisms: %s\n",
			sl.ID, sl.Description, sl.TokenLabel, sl.TokenModel, sl.TokenSerial, strings.Join(sl.Mechanisms, " "))
	}
	objs, err := s.store.Objects()
	if err != nil {
		return fmt.Errorf("failed to list the objects: %w", err)
	}
	fmt.Fprintf(out, "objects on %q:\n", s.name)
	for _, o := range objs {
		var attrs []string
		for k, v := range o.Attributes {
			if v {
				attrs = append(attrs, k)
			}
		}
		sort.Strings(attrs)
		fmt.Fprintf(out, "  %-14s %-8s label=%q id=%s %s\n", o.Class, o.KeyType, o.Label, o.ID, strings.Join(attrs, ","))
	}
	return nil
}
