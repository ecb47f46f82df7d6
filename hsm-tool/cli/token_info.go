package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshfn/meshfn/hsm-tool/ceremony"
	"github.com/spf13/cobra"
)

func (a *app) tokenCommand() *cobra.Command {
	info := &cobra.Command{
		Use:     "info",
		Short:   "Show the module, slots, tokens, mechanisms and objects (never values)",
		Example: `  P11_LIB=/usr/lib/softhsm/libsofthsm2.so P11_TOKEN=asm P11_PIN_FILE=pin hsm-tool token info`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, done, err := a.ceremony(true)
			if err != nil {
				return err
			}
			defer done()
			r, err := c.TokenInfo(cmd.Context())
			if err != nil {
				return err
			}
			a.printTokenInfo(c.Token, r)
			return nil
		},
	}
	return group("token", "Inspect the token", info)
}

func (a *app) printTokenInfo(name string, r ceremony.TokenReport) {
	out := a.stdout
	fmt.Fprintf(out, "module: %s %s (library %s)\n", r.Info.ModuleManufacturer, r.Info.ModuleDescription, r.Info.LibraryVersion)
	for _, sl := range r.Info.Slots {
		fmt.Fprintf(out, "slot %d: %s\n  token: %q model %s serial %s\n  mechanisms: %s\n",
			sl.ID, sl.Description, sl.TokenLabel, sl.TokenModel, sl.TokenSerial, strings.Join(sl.Mechanisms, " "))
	}
	fmt.Fprintf(out, "objects on %q:\n", name)
	for _, o := range r.Objects {
		var attrs []string
		for k, v := range o.Attributes {
			if v {
				attrs = append(attrs, k)
			}
		}
		sort.Strings(attrs)
		allowed := ""
		if len(o.AllowedMechanisms) > 0 {
			allowed = " allowed=" + strings.Join(o.AllowedMechanisms, ",")
		}
		fmt.Fprintf(out, "  %-14s %-8s label=%q id=%s%s %s\n", o.Class, o.KeyType, o.Label, o.ID, allowed, strings.Join(attrs, ","))
	}
}
