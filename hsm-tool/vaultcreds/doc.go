// Package vaultcreds fetches the credentials of the CA ceremony's HSM from
// HashiCorp Vault: the slot PIN and the mTLS client material (client
// certificate and key, server certificate) kept in one KV secret, as in
// Anthos Service Mesh's HSM install, where a secret at <mount>/hsm holds the
// fields clientcert, clientkey, servercert and PIN and a Kubernetes-auth role
// reads it.
//
// Fetch authenticates with exactly one method (a token, AppRole or Kubernetes
// service-account JWT), detects whether the secret's mount is KV version 1
// or 2 the way the vault CLI does (sys/internal/ui/mounts/<path>), reads the
// secret and returns its fields as byte slices that the caller wipes with
// Credentials.Zero once done.
//
// Requests go only to the scheme and host of Config.Addr: a redirect answer is an error,
// never followed, so no credential reaches another host or plain http.
//
// No Vault setting is read from the environment: every one comes from
// Config (the CLI maps VAULT_ADDR, VAULT_CACERT, VAULT_NAMESPACE and
// VAULT_TOKEN onto it), and the token and namespace that vault/api would
// pick up from VAULT_TOKEN and VAULT_NAMESPACE on its own are cleared. It logs nothing, and no error it returns carries
// a secret value (PIN, key, token, JWT or AppRole secret id): errors name the
// Vault address, the secret path and the failing step, and can be told apart
// with errors.Is against ErrConfig, ErrAuth, ErrPermissionDenied,
// ErrNotFound, ErrMissingField, ErrSealed, ErrTLS and ErrUnavailable.
package vaultcreds
