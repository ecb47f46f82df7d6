package vaultcreds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/vault/api"
)

// errPreflightForbidden: sys/internal/ui/mounts/<path> answered 403, so the
// KV version must be found by trying both layouts.
var errPreflightForbidden = errors.New("KV version detection forbidden")

// readSecret returns the key/value data of the secret at cfg.SecretPath,
// from a KV version 1 or 2 mount.
func (f *fetcher) readSecret(ctx context.Context) (map[string]any, error) {
	mount, version, err := f.detectKV(ctx)
	if errors.Is(err, errPreflightForbidden) {
		return f.readWithoutDetection(ctx)
	}
	if err != nil {
		return nil, err
	}
	if version == 2 {
		return f.readKV(ctx, kvV2DataPath(f.cfg.SecretPath, mount), 2)
	}
	return f.readKV(ctx, f.cfg.SecretPath, 1)
}

// detectKV asks Vault which mount holds the secret and its KV version, as
// the vault CLI's preflight does: GET sys/internal/ui/mounts/<path>. A 404
// (a Vault older than this endpoint) means version 1, as for the CLI.
func (f *fetcher) detectKV(ctx context.Context) (string, int, error) {
	op := fmt.Sprintf("detecting the KV version of %s (sys/internal/ui/mounts)", f.cfg.SecretPath)
	req := f.client.NewRequest(http.MethodGet, "/v1/sys/internal/ui/mounts/"+f.cfg.SecretPath)
	resp, err := f.client.RawRequestWithContext(ctx, req)
	if resp != nil {
		defer resp.Body.Close()
	}
	if err != nil {
		var re *api.ResponseError
		switch {
		case errors.As(err, &re) && re.StatusCode == http.StatusNotFound:
			return "", 1, nil
		case re != nil && re.StatusCode == http.StatusForbidden:
			return "", 0, errPreflightForbidden
		}
		return "", 0, f.requestError(err, op)
	}
	secret, err := api.ParseSecret(resp.Body)
	if err != nil || secret == nil || secret.Data == nil {
		return "", 0, newError(ErrVault, fmt.Sprintf("Vault at %s gave no mount information %s", f.cfg.Addr, op), nil)
	}
	mount, _ := secret.Data["path"].(string)
	if kind, _ := secret.Data["type"].(string); kind != "" && kind != "kv" && kind != "generic" {
		return "", 0, newError(ErrConfig, fmt.Sprintf(
			"secret path %s is on a %q mount, not a KV secrets engine", f.cfg.SecretPath, kind), nil)
	}
	options, _ := secret.Data["options"].(map[string]any)
	if v, _ := options["version"].(string); v == "2" {
		return mount, 2, nil
	}
	return mount, 1, nil
}

// kvV2DataPath returns the API path of a KV v2 secret: <mount>/data/<rest>.
// mount is the path Vault reported, which may carry a namespace prefix the
// secret path lacks; without a usable mount the first segment is taken.
func kvV2DataPath(secretPath, mount string) string {
	m := strings.Trim(mount, "/")
	for m != "" {
		if strings.HasPrefix(secretPath, m+"/") {
			return m + "/data/" + strings.TrimPrefix(secretPath, m+"/")
		}
		i := strings.Index(m, "/")
		if i < 0 {
			break
		}
		m = m[i+1:]
	}
	first, rest, _ := strings.Cut(secretPath, "/")
	return first + "/data/" + rest
}

// readWithoutDetection reads the secret when the KV version cannot be
// detected: first as KV v2 (<first segment>/data/<rest>), then as KV v1.
// If neither works, a "not found" from either wins over "permission
// denied", since the policy only covers the layout of the real mount.
func (f *fetcher) readWithoutDetection(ctx context.Context) (map[string]any, error) {
	v2, err2 := f.readKV(ctx, kvV2DataPath(f.cfg.SecretPath, ""), 2)
	if err2 == nil {
		return v2, nil
	}
	if !errors.Is(err2, ErrNotFound) && !errors.Is(err2, ErrPermissionDenied) {
		return nil, err2
	}
	v1, err1 := f.readKV(ctx, f.cfg.SecretPath, 1)
	if err1 == nil {
		return v1, nil
	}
	switch {
	case !errors.Is(err1, ErrNotFound) && !errors.Is(err1, ErrPermissionDenied):
		return nil, err1
	case errors.Is(err2, ErrNotFound):
		return nil, err2
	case errors.Is(err1, ErrNotFound):
		return nil, err1
	}
	return nil, newError(ErrPermissionDenied, fmt.Sprintf(
		"permission denied reading %s (check the policy of the token/role; "+
			"sys/internal/ui/mounts/%s was denied too, so the KV version was not detected)",
		f.cfg.SecretPath, f.cfg.SecretPath), nil)
}

// readKV reads apiPath and returns the secret's key/value data: the
// response's data for KV v1, its data.data for KV v2.
func (f *fetcher) readKV(ctx context.Context, apiPath string, version int) (map[string]any, error) {
	secret, err := f.client.Logical().ReadWithContext(ctx, apiPath)
	if err != nil {
		var re *api.ResponseError
		if errors.As(err, &re) && re.StatusCode == http.StatusForbidden {
			return nil, newError(ErrPermissionDenied, fmt.Sprintf(
				"permission denied reading %s (check the policy of the token/role)", f.cfg.SecretPath), nil)
		}
		return nil, f.requestError(err, "reading "+f.cfg.SecretPath)
	}
	if secret == nil || secret.Data == nil {
		return nil, f.notFound("")
	}
	if version == 1 {
		return secret.Data, nil
	}
	raw, present := secret.Data["data"]
	if !present || raw == nil {
		return nil, f.notFound(deletedNote(secret.Data["metadata"]))
	}
	data, ok := raw.(map[string]any)
	if !ok {
		return nil, newError(ErrVault, fmt.Sprintf(
			"Vault at %s answered reading %s with no KV v2 data object", f.cfg.Addr, f.cfg.SecretPath), nil)
	}
	return data, nil
}

// deletedNote explains a KV v2 read that found metadata but no data.
func deletedNote(metadata any) string {
	md, _ := metadata.(map[string]any)
	if destroyed, _ := md["destroyed"].(bool); destroyed {
		return "its latest version is destroyed"
	}
	if when, _ := md["deletion_time"].(string); when != "" {
		return "its latest version was deleted at " + when
	}
	return ""
}

// notFound is the error for a missing secret, with an optional note.
func (f *fetcher) notFound(note string) *Error {
	msg := "no secret at " + f.cfg.SecretPath
	if note == "" && strings.Contains("/"+f.cfg.SecretPath+"/", "/data/") {
		note = "the secret path is the one given to `vault kv get`, without a data/ segment"
	}
	if note != "" {
		msg += " (" + note + ")"
	}
	return newError(ErrNotFound, msg, nil)
}
