package vaultcreds_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/meshfn/meshfn/hsm-tool/vaultcreds"
)

// TestLiveVault runs Fetch against a real Vault when VAULT_ADDR and
// VAULT_TOKEN are set: it writes an HSM-shaped secret under a fresh test
// path of the KV mount $HSM_TOOL_VAULT_TEST_MOUNT (default "secret"), reads
// it back through Fetch with token auth, and deletes it. VAULT_CACERT and
// VAULT_NAMESPACE are honoured. The token needs create/read/delete on the
// test path (and on its metadata for KV v2).
func TestLiveVault(t *testing.T) {
	addr, token := os.Getenv("VAULT_ADDR"), os.Getenv("VAULT_TOKEN")
	if addr == "" || token == "" {
		// Not a missing tool in missing.Tool's sense: `make test` has no Vault server to give
		// it (Vault is not a Debian package), so it skips even under MESHFN_REQUIRE_TOOLS.
		t.Skip("live Vault test skipped: set VAULT_ADDR and VAULT_TOKEN (optionally VAULT_CACERT, VAULT_NAMESPACE " +
			"and HSM_TOOL_VAULT_TEST_MOUNT, default \"secret\") to run it against a real Vault; " +
			"`make test` provides none (the other tests use vaulttest's in-process stand-in)")
	}
	mount := os.Getenv("HSM_TOOL_VAULT_TEST_MOUNT")
	if mount == "" {
		mount = "secret"
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := api.NewClient(api.DefaultConfig()) // reads VAULT_* like the vault CLI
	if err != nil {
		t.Fatalf("failed to create the Vault client: %v", err)
	}
	name := "hsm-tool-vaultcreds-test-" + randomHex(t, 6)
	fields := map[string]any{
		"PIN": "pin-" + randomHex(t, 8), "clientcert": testClientCert, "clientkey": testClientKey, "servercert": testServerCert,
	}
	deleteSecret := writeLiveSecret(ctx, t, client, mount, name, fields)
	t.Cleanup(deleteSecret)

	creds, err := vaultcreds.Fetch(ctx, vaultcreds.Config{
		Addr: addr, CACert: os.Getenv("VAULT_CACERT"), Namespace: os.Getenv("VAULT_NAMESPACE"),
		SecretPath: mount + "/" + name, Auth: vaultcreds.Auth{Token: token},
	})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	defer creds.Zero()
	if string(creds.PIN) != fields["PIN"] || string(creds.ClientKey) != testClientKey ||
		string(creds.ClientCert) != testClientCert || string(creds.ServerCert) != testServerCert {
		t.Error("Fetch returned fields that differ from the ones written")
	}
}

// writeLiveSecret writes fields at mount/name, as KV v2 when the mount
// takes it and KV v1 otherwise, and returns the deletion.
func writeLiveSecret(ctx context.Context, t *testing.T, client *api.Client, mount, name string, fields map[string]any) func() {
	t.Helper()
	if _, err := client.KVv2(mount).Put(ctx, name, fields); err == nil {
		return func() {
			if err := client.KVv2(mount).DeleteMetadata(context.Background(), name); err != nil {
				t.Errorf("failed to delete the test secret %s/%s: %v", mount, name, err)
			}
		}
	}
	if err := client.KVv1(mount).Put(ctx, name, fields); err != nil {
		t.Fatalf("failed to write the test secret %s/%s (as KV v2 or v1): %v", mount, name, err)
	}
	return func() {
		if err := client.KVv1(mount).Delete(context.Background(), name); err != nil {
			t.Errorf("failed to delete the test secret %s/%s: %v", mount, name, err)
		}
	}
}

// randomHex returns n random bytes in hex.
func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
