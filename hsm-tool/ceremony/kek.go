package ceremony

import (
	"context"
	"fmt"
)

// GenerateKEK creates the key-encryption key istiod's HSM plugin seals its CSR with,
// labelled id: AES-256 on the token, never extractable, AES-GCM only. An existing
// object labelled id is never replaced.
func (c *Ceremony) GenerateKEK(ctx context.Context, id string) error {
	return c.run(ctx, c.entry("kek generate", []string{id}), func(s *step) error {
		tok, err := s.token()
		if err != nil {
			return err
		}
		if err := tok.GenerateKEK(id); err != nil {
			return fmt.Errorf("failed to generate KEK %q: %w", id, err)
		}
		return nil
	})
}
