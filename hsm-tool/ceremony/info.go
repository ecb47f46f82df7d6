package ceremony

import (
	"context"
	"fmt"

	"github.com/meshfn/meshfn/hsm-tool/hsm"
)

// TokenReport is what TokenInfo found: the module, its slots and the objects on the
// token, never a key or certificate value.
type TokenReport struct {
	Info    hsm.Info
	Objects []hsm.Object
}

// TokenInfo describes the module, its slots and the token's objects.
func (c *Ceremony) TokenInfo(ctx context.Context) (TokenReport, error) {
	var r TokenReport
	err := c.run(ctx, c.entry("token info", nil), func(s *step) error {
		tok, err := s.token()
		if err != nil {
			return err
		}
		if r.Info, err = tok.Info(); err != nil {
			return fmt.Errorf("failed to read the token information: %w", err)
		}
		if r.Objects, err = tok.Objects(); err != nil {
			return fmt.Errorf("failed to list the objects: %w", err)
		}
		return nil
	})
	return r, err
}
