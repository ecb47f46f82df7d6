package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/meshfn/meshfn/hsm-tool/vaultcreds"
	"github.com/spf13/cobra"
)

// vaultFlags say where the HSM credentials live in Vault and how to log in. Secrets (the
// token, the AppRole secret id, the Kubernetes JWT) come from the environment or files.
type vaultFlags struct {
	addr         string
	caCert       string
	namespace    string
	secretPath   string
	auth         string
	mount        string
	role         string
	jwtPath      string
	roleID       string
	secretIDFile string
}

func (f *vaultFlags) register(root *cobra.Command) {
	pf := root.PersistentFlags()
	pf.StringVar(&f.addr, "vault-addr", os.Getenv("VAULT_ADDR"), "Vault's address (env VAULT_ADDR)")
	pf.StringVar(&f.caCert, "vault-cacert", os.Getenv("VAULT_CACERT"), "PEM CA bundle for Vault's TLS (env VAULT_CACERT)")
	pf.StringVar(&f.namespace, "vault-namespace", os.Getenv("VAULT_NAMESPACE"), "Vault Enterprise namespace (env VAULT_NAMESPACE)")
	pf.StringVar(&f.secretPath, "vault-secret-path", os.Getenv("HSM_SECRET_PATH"),
		"KV path of the HSM secret with fields PIN, clientcert, clientkey, servercert, e.g. asm-c1/hsm (env HSM_SECRET_PATH)")
	pf.StringVar(&f.auth, "vault-auth", "token", "how to log in to Vault: token (VAULT_TOKEN), approle or kubernetes")
	pf.StringVar(&f.mount, "vault-auth-mount", "", "mount of the AppRole or Kubernetes auth method (defaults: approle, kubernetes)")
	pf.StringVar(&f.role, "vault-role", "", "Kubernetes auth: the Vault role")
	pf.StringVar(&f.jwtPath, "vault-jwt-path", vaultcreds.DefaultKubernetesJWTPath, "Kubernetes auth: the service-account token file")
	pf.StringVar(&f.roleID, "vault-role-id", os.Getenv("VAULT_ROLE_ID"), "AppRole auth: the role id (env VAULT_ROLE_ID)")
	pf.StringVar(&f.secretIDFile, "vault-secret-id-file", os.Getenv("VAULT_SECRET_ID_FILE"),
		"AppRole auth: file holding the secret id (env VAULT_SECRET_ID_FILE)")
}

func (f *vaultFlags) config() (vaultcreds.Config, error) {
	cfg := vaultcreds.Config{Addr: f.addr, CACert: f.caCert, Namespace: f.namespace, SecretPath: f.secretPath}
	switch f.auth {
	case "token":
		cfg.Auth.Token = os.Getenv("VAULT_TOKEN")
		if cfg.Auth.Token == "" {
			return cfg, usageError{fmt.Errorf("--vault-auth token needs VAULT_TOKEN in the environment")}
		}
	case "approle":
		cfg.Auth.AppRole = &vaultcreds.AppRole{RoleID: f.roleID, SecretIDFile: f.secretIDFile, MountPath: f.mount}
	case "kubernetes":
		cfg.Auth.Kubernetes = &vaultcreds.Kubernetes{Role: f.role, JWTPath: f.jwtPath, MountPath: f.mount}
	default:
		return cfg, usageError{fmt.Errorf("--vault-auth %q is not one of token, approle, kubernetes", f.auth)}
	}
	return cfg, nil
}

// pin reads the HSM credentials from Vault. The client certificate material, when the
// secret has it, is written to a private folder (0700) for HSM clients that need it; its
// paths are exported as P11_CLIENT_CERT, P11_CLIENT_KEY and P11_SERVER_CERT for the
// module, and the folder is removed by the returned cleanup.
func (f *vaultFlags) pin(ctx context.Context, stderr io.Writer) ([]byte, func(), error) {
	cfg, err := f.config()
	if err != nil {
		return nil, nil, err
	}
	creds, err := vaultcreds.Fetch(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to read the HSM credentials from Vault: %w", err)
	}
	pin := append([]byte(nil), creds.PIN...)
	cleanup := func() {}
	if len(creds.ClientCert) > 0 || len(creds.ClientKey) > 0 || len(creds.ServerCert) > 0 {
		dir, remove, err := creds.WriteClientFiles()
		if err != nil {
			creds.Zero()
			return nil, nil, fmt.Errorf("failed to write the HSM client files: %w", err)
		}
		for env, name := range map[string]string{"P11_CLIENT_CERT": vaultcreds.ClientCertFile, "P11_CLIENT_KEY": vaultcreds.ClientKeyFile, "P11_SERVER_CERT": vaultcreds.ServerCertFile} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				os.Setenv(env, filepath.Join(dir, name))
			}
		}
		fmt.Fprintf(stderr, "HSM client certificates from Vault are in %s (removed on exit)\n", dir)
		cleanup = func() { _ = remove() }
	}
	creds.Zero()
	return pin, cleanup, nil
}
