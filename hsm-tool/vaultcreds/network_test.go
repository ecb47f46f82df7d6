package vaultcreds_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/vaultcreds"
)

// TestFetchUnreachable checks the errors of a Vault that cannot be reached
// and of a caller that gave up.
func TestFetchUnreachable(t *testing.T) {
	hermetic(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "https://" + ln.Addr().String()
	ln.Close() // nothing listens there any more
	cfg := vaultcreds.Config{Addr: addr, SecretPath: testSecretPath, Auth: vaultcreds.Auth{Token: testToken}}

	t.Run("connection refused", func(t *testing.T) {
		_, err := vaultcreds.Fetch(context.Background(), cfg)
		assertNoSecrets(t, err, nil)
		if !errors.Is(err, vaultcreds.ErrUnavailable) || !strings.Contains(err.Error(), "failed to reach Vault at "+addr) {
			t.Fatalf("Fetch error %v, want kind ErrUnavailable naming %s", err, addr)
		}
	})
	t.Run("context canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := vaultcreds.Fetch(ctx, cfg)
		assertNoSecrets(t, err, nil)
		if !errors.Is(err, vaultcreds.ErrUnavailable) || !errors.Is(err, context.Canceled) {
			t.Fatalf("Fetch error %v, want kind ErrUnavailable wrapping context.Canceled", err)
		}
	})
}
