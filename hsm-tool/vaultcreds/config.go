package vaultcreds

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
)

// Defaults applied by Fetch to an AppRole or Kubernetes auth left partly empty.
const (
	// DefaultAppRoleMount is where Vault mounts the AppRole auth method unless told otherwise.
	DefaultAppRoleMount = "approle"
	// DefaultKubernetesMount is where Vault mounts the Kubernetes auth method
	// unless told otherwise. The ASM HSM guide mounts it elsewhere (at the
	// secret path, e.g. "asm-c1/hsm"), so set Kubernetes.MountPath for it.
	DefaultKubernetesMount = "kubernetes"
	// DefaultKubernetesJWTPath is where Kubernetes projects a pod's service-account token.
	DefaultKubernetesJWTPath = "/var/run/secrets/kubernetes.io/serviceaccount/token"
)

// Config says which Vault to ask, how to trust it, how to log in and where
// the HSM secret lives. Nothing is read from the environment: the CLI maps
// VAULT_ADDR, VAULT_CACERT, VAULT_NAMESPACE and VAULT_TOKEN onto it.
type Config struct {
	// Addr is Vault's address, e.g. "https://vault.example.com:8200"
	// (VAULT_ADDR). Plain http is accepted only for a loopback host.
	Addr string
	// CACert is the path of a PEM CA bundle that replaces the system roots
	// when verifying Vault's TLS certificate (VAULT_CACERT); empty means the
	// system roots.
	CACert string
	// Namespace is an optional Vault Enterprise namespace, sent as
	// X-Vault-Namespace on every request but sys/health.
	Namespace string
	// SecretPath is the logical path of the KV secret, mount included, as
	// given to `vault kv get`, e.g. "asm-c1/hsm". Both KV versions work: for
	// version 2 the "data/" segment is added by Fetch.
	SecretPath string
	// Auth is the login method; exactly one of its members must be set.
	Auth Auth
}

// Auth holds the Vault login method. Exactly one member must be set.
type Auth struct {
	// Token is a Vault token (the CLI reads it from VAULT_TOKEN, never from
	// its arguments). Fetch looks it up first (auth/token/lookup-self) to
	// fail early on an invalid or expired token.
	Token string
	// AppRole logs in with a role id and a secret id kept in a file.
	AppRole *AppRole
	// Kubernetes logs in with a service-account JWT and a role.
	Kubernetes *Kubernetes
}

// AppRole configures a login with the AppRole auth method.
type AppRole struct {
	// RoleID is the role's role_id (not a secret on its own).
	RoleID string
	// SecretIDFile is the path of a file holding the secret_id; surrounding
	// white space is ignored. A file that cannot be read, or is empty, is an
	// error.
	SecretIDFile string
	// MountPath is the auth method's mount; DefaultAppRoleMount when empty.
	MountPath string
}

// Kubernetes configures a login with the Kubernetes auth method.
type Kubernetes struct {
	// Role is the Vault role bound to the service account.
	Role string
	// JWTPath is the service-account token file; DefaultKubernetesJWTPath when empty.
	JWTPath string
	// MountPath is the auth method's mount; DefaultKubernetesMount when empty.
	MountPath string
}

// normalize checks cfg and returns a copy with defaults applied and paths
// trimmed. Its errors are of kind ErrConfig.
func (cfg Config) normalize() (Config, error) {
	addr, err := normalizeAddr(cfg.Addr)
	if err != nil {
		return Config{}, err
	}
	cfg.Addr = addr
	cfg.Namespace = strings.Trim(strings.TrimSpace(cfg.Namespace), "/")
	cfg.SecretPath, err = normalizeSecretPath(cfg.SecretPath)
	if err != nil {
		return Config{}, err
	}
	cfg.Auth, err = cfg.Auth.normalize()
	if err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// normalizeAddr checks Vault's address: an http(s) URL with a host, https
// unless the host is a loopback address.
func normalizeAddr(raw string) (string, error) {
	addr := strings.TrimRight(strings.TrimSpace(raw), "/")
	if addr == "" {
		return "", newError(ErrConfig, "no Vault address: set VAULT_ADDR", nil)
	}
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", newError(ErrConfig, fmt.Sprintf(
			"invalid Vault address %q: want https://host[:port]", addr), nil)
	}
	if u.User != nil {
		return "", newError(ErrConfig, "invalid Vault address: it must not carry user information", nil)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", newError(ErrConfig, fmt.Sprintf(
			"refusing to send HSM credentials over plain http to %s: use https", addr), nil)
	}
	return addr, nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// normalizeSecretPath trims slashes and checks the path has a mount and a
// secret name and no empty, "." or ".." segment.
func normalizeSecretPath(raw string) (string, error) {
	p := strings.Trim(strings.TrimSpace(raw), "/")
	if p == "" {
		return "", newError(ErrConfig, "no secret path: want <mount>/<path>, e.g. asm-c1/hsm", nil)
	}
	segments := strings.Split(p, "/")
	if len(segments) < 2 {
		return "", newError(ErrConfig, fmt.Sprintf(
			"invalid secret path %q: want <mount>/<path>, e.g. asm-c1/hsm", p), nil)
	}
	for _, s := range segments {
		if s == "" || s == "." || s == ".." {
			return "", newError(ErrConfig, fmt.Sprintf(
				"invalid secret path %q: empty, \".\" or \"..\" segment", p), nil)
		}
	}
	return p, nil
}

// normalize checks that exactly one method is set, fills in its defaults
// and reports the conflicting methods by name.
func (a Auth) normalize() (Auth, error) {
	a.Token = strings.TrimSpace(a.Token)
	if strings.IndexFunc(a.Token, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return Auth{}, newError(ErrConfig, "the Vault token contains non-printable characters", nil)
	}
	var set []string
	if a.Token != "" {
		set = append(set, "token (VAULT_TOKEN)")
	}
	if a.AppRole != nil {
		set = append(set, "AppRole")
	}
	if a.Kubernetes != nil {
		set = append(set, "Kubernetes")
	}
	switch len(set) {
	case 0:
		return Auth{}, newError(ErrConfig,
			"no Vault auth method configured: set exactly one of a token (VAULT_TOKEN), AppRole or Kubernetes", nil)
	case 1:
	default:
		return Auth{}, newError(ErrConfig, fmt.Sprintf(
			"conflicting Vault auth methods configured: %s; set exactly one", strings.Join(set, " and ")), nil)
	}
	switch {
	case a.AppRole != nil:
		r := *a.AppRole
		if strings.TrimSpace(r.RoleID) == "" || strings.TrimSpace(r.SecretIDFile) == "" {
			return Auth{}, newError(ErrConfig, "AppRole auth needs a role id and a secret-id file", nil)
		}
		r.MountPath = authMount(r.MountPath, DefaultAppRoleMount)
		a.AppRole = &r
	case a.Kubernetes != nil:
		k := *a.Kubernetes
		if strings.TrimSpace(k.Role) == "" {
			return Auth{}, newError(ErrConfig, "Kubernetes auth needs a role", nil)
		}
		if strings.TrimSpace(k.JWTPath) == "" {
			k.JWTPath = DefaultKubernetesJWTPath
		}
		k.MountPath = authMount(k.MountPath, DefaultKubernetesMount)
		a.Kubernetes = &k
	}
	return a, nil
}

// authMount trims an auth mount path, drops a leading "auth/" and falls back to def.
func authMount(mount, def string) string {
	m := strings.Trim(strings.TrimSpace(mount), "/")
	m = strings.Trim(strings.TrimPrefix(m, "auth/"), "/")
	if m == "" {
		return def
	}
	return m
}
