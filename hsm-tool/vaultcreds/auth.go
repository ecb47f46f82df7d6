package vaultcreds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"
	approleauth "github.com/hashicorp/vault/api/auth/approle"
	k8sauth "github.com/hashicorp/vault/api/auth/kubernetes"
	"github.com/meshfn/meshfn/hsm-tool/safefs"
	"github.com/meshfn/meshfn/hsm-tool/secretfile"
)

// maxCredentialFile bounds the size of a secret-id or JWT file.
const maxCredentialFile = 64 << 10

// revokeTimeout bounds the best-effort revocation of a login token.
const revokeTimeout = 10 * time.Second

// loadAuthFiles reads the secret-id or JWT file of the configured login, so
// that a missing or unreadable file is reported before Vault is contacted.
func (f *fetcher) loadAuthFiles() error {
	var err error
	switch a := f.cfg.Auth; {
	case a.AppRole != nil:
		// The secret id is the AppRole's password: its file must be private. (A
		// Kubernetes service-account token is projected readable by design.)
		var id []byte
		if id, err = secretfile.Read(a.AppRole.SecretIDFile, "AppRole secret-id file", maxCredentialFile); err != nil {
			err = newError(ErrConfig, err.Error(), err)
		}
		f.loginSecret = string(id)
		clear(id)
	case a.Kubernetes != nil:
		f.loginSecret, err = readCredentialFile(a.Kubernetes.JWTPath, "Kubernetes service-account token file")
	}
	f.redact.add(f.loginSecret)
	return err
}

// readCredentialFile returns the trimmed content of a credential file. A
// file that cannot be read, is empty or is oversized is an ErrConfig error;
// the error names the file, never its content.
func readCredentialFile(path, what string) (string, error) {
	file, err := safefs.OpenRead(path)
	if err != nil {
		return "", newError(ErrConfig, fmt.Sprintf("failed to read the %s: %v", what, err), err)
	}
	defer file.Close()
	raw, err := io.ReadAll(io.LimitReader(file, maxCredentialFile+1))
	if err != nil {
		return "", newError(ErrConfig, fmt.Sprintf("failed to read the %s %s: %v", what, path, err), err)
	}
	if len(raw) > maxCredentialFile {
		return "", newError(ErrConfig, fmt.Sprintf("the %s %s is larger than %d bytes", what, path, maxCredentialFile), nil)
	}
	value := strings.TrimSpace(string(raw))
	clear(raw)
	if value == "" {
		return "", newError(ErrConfig, fmt.Sprintf("the %s %s is empty", what, path), nil)
	}
	return value, nil
}

// authenticate gives the client a token by the configured method.
func (f *fetcher) authenticate(ctx context.Context) error {
	switch a := f.cfg.Auth; {
	case a.AppRole != nil:
		method, err := approleauth.NewAppRoleAuth(a.AppRole.RoleID,
			&approleauth.SecretID{FromString: f.loginSecret}, approleauth.WithMountPath(a.AppRole.MountPath))
		if err != nil {
			return newError(ErrConfig, fmt.Sprintf("failed to set up the AppRole login: %s", f.redact.clean(err.Error())), nil)
		}
		return f.login(ctx, method, "AppRole", a.AppRole.MountPath,
			"check the role id, the secret id and the AppRole mount path")
	case a.Kubernetes != nil:
		method, err := k8sauth.NewKubernetesAuth(a.Kubernetes.Role,
			k8sauth.WithServiceAccountToken(f.loginSecret), k8sauth.WithMountPath(a.Kubernetes.MountPath))
		if err != nil {
			return newError(ErrConfig, fmt.Sprintf("failed to set up the Kubernetes login: %s", f.redact.clean(err.Error())), nil)
		}
		return f.login(ctx, method, "Kubernetes", a.Kubernetes.MountPath,
			"check the role, the service-account token and the Kubernetes auth mount path")
	default:
		return f.checkToken(ctx)
	}
}

// checkToken sets the configured token and looks it up
// (auth/token/lookup-self) so that an invalid or expired token fails here
// with a clear message rather than as a denied read later.
func (f *fetcher) checkToken(ctx context.Context) error {
	f.client.SetToken(f.cfg.Auth.Token)
	info, err := f.client.Auth().Token().LookupSelfWithContext(ctx)
	if err != nil {
		var re *api.ResponseError
		if errors.As(err, &re) && !isSealed(re) && (re.StatusCode == 401 || re.StatusCode == 403) {
			return newError(ErrAuth, fmt.Sprintf(
				"Vault at %s rejected the token (auth/token/lookup-self: %s): it is invalid, expired or revoked, "+
					"or its policies lack the default policy's lookup-self capability",
				f.cfg.Addr, f.redact.reasons(re)), nil)
		}
		return f.requestError(err, "looking up the token")
	}
	if info == nil || info.Data == nil {
		return newError(ErrAuth, fmt.Sprintf(
			"Vault at %s returned no information for the token (auth/token/lookup-self)", f.cfg.Addr), nil)
	}
	return nil
}

// login runs an auth method's login at auth/<mount>/login and keeps the
// issued token, which Fetch revokes when done.
func (f *fetcher) login(ctx context.Context, method api.AuthMethod, name, mount, hint string) error {
	path := "auth/" + mount + "/login"
	secret, err := f.client.Auth().Login(ctx, method)
	if secret != nil && secret.Auth != nil {
		f.redact.add(secret.Auth.ClientToken, secret.Auth.Accessor)
	}
	if err == nil {
		f.loggedIn = true
		return nil
	}
	var re *api.ResponseError
	var ue *url.Error
	switch {
	case errors.As(err, &re) && !isSealed(re) && re.StatusCode >= 400 && re.StatusCode < 500:
		return newError(ErrAuth, fmt.Sprintf("%s login at %s on Vault %s failed (%s): %s",
			name, path, f.cfg.Addr, f.redact.reasons(re), hint), nil)
	case re != nil || errors.As(err, &ue):
		return f.requestError(err, fmt.Sprintf("logging in at %s", path))
	default:
		return newError(ErrAuth, fmt.Sprintf("%s login at %s on Vault %s returned no client token",
			name, path, f.cfg.Addr), nil)
	}
}

// revokeLoginToken revokes a token obtained by login (auth/token/revoke-self),
// best effort, so that no usable token outlives the ceremony's fetch. A
// token given in the Config belongs to the caller and is left alone.
func (f *fetcher) revokeLoginToken(ctx context.Context) {
	if f.client == nil {
		return
	}
	if f.loggedIn {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), revokeTimeout)
		defer cancel()
		_ = f.client.Auth().Token().RevokeSelfWithContext(rctx, "")
	}
	f.client.ClearToken()
}
