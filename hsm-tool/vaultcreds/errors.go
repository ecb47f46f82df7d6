package vaultcreds

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/hashicorp/vault/api"
)

// Kinds of failure. Every error Fetch returns matches exactly one of them
// with errors.Is.
var (
	// ErrConfig: the Config is incomplete or contradictory, or a local file it
	// names (secret-id file, JWT, CA bundle) cannot be used.
	ErrConfig = errors.New("invalid Vault configuration")
	// ErrAuth: Vault rejected the token or the login.
	ErrAuth = errors.New("Vault authentication failed")
	// ErrPermissionDenied: the token may not read the secret.
	ErrPermissionDenied = errors.New("permission denied")
	// ErrNotFound: there is no secret at the path (or its latest version is deleted).
	ErrNotFound = errors.New("secret not found")
	// ErrMissingField: the secret lacks a field (PIN) or holds an unusable value.
	ErrMissingField = errors.New("secret field missing or invalid")
	// ErrSealed: Vault is sealed.
	ErrSealed = errors.New("Vault is sealed")
	// ErrTLS: Vault's TLS certificate could not be verified, or Vault does not speak TLS.
	ErrTLS = errors.New("TLS failure")
	// ErrUnavailable: Vault could not be reached or is not serving requests.
	ErrUnavailable = errors.New("Vault unavailable")
	// ErrVault: Vault answered with an error not covered by the kinds above.
	ErrVault = errors.New("Vault request failed")
)

// Error is the error type of this package: a message safe to print (it
// never holds a secret value) and a kind, one of the Err* variables.
type Error struct {
	kind  error
	msg   string
	cause error
}

// newError returns an *Error of the given kind. cause, if any, must not
// carry secret values; it stays reachable through errors.Unwrap.
func newError(kind error, msg string, cause error) *Error {
	return &Error{kind: kind, msg: msg, cause: cause}
}

// Error returns the message.
func (e *Error) Error() string { return e.msg }

// Is reports whether target is the error's kind.
func (e *Error) Is(target error) bool { return target == e.kind }

// Unwrap returns the underlying local error (file, network), if any.
func (e *Error) Unwrap() error { return e.cause }

// Kind returns the error's kind, one of the Err* variables.
func (e *Error) Kind() error { return e.kind }

// kindOf returns the kind of err, ErrVault when it has none.
func kindOf(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e.kind
	}
	return ErrVault
}

// minRedacted is the length below which a value is not redacted: shorter
// ones would garble every message and tell next to nothing.
const minRedacted = 4

// redactor removes known secret values from text meant for errors.
type redactor struct {
	secrets []string
}

// add remembers secret values; values shorter than minRedacted are ignored.
func (r *redactor) add(values ...string) {
	for _, v := range values {
		if v = strings.TrimSpace(v); len(v) >= minRedacted {
			r.secrets = append(r.secrets, v)
		}
	}
}

// clean replaces every known secret value in s.
func (r *redactor) clean(s string) string {
	for _, v := range r.secrets {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}

// sanitize returns err, or an equivalent *Error of the same kind with a
// redacted message when err's text contains a known secret value. It is
// the last line of defence: messages are built without secrets already.
func (r *redactor) sanitize(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if cleaned := r.clean(msg); cleaned != msg {
		return newError(kindOf(err), cleaned, nil)
	}
	return err
}

// reasons returns Vault's error strings of a response, redacted and joined,
// or the HTTP status text when Vault gave none.
func (r *redactor) reasons(re *api.ResponseError) string {
	var parts []string
	for _, e := range re.Errors {
		if e = strings.TrimSpace(e); e != "" {
			parts = append(parts, e)
		}
	}
	if len(parts) == 0 || re.RawError {
		return fmt.Sprintf("HTTP %d", re.StatusCode)
	}
	text := r.clean(strings.Join(parts, "; "))
	for _, pattern := range credentialPatterns {
		text = pattern.ReplaceAllString(text, "[redacted]")
	}
	return fmt.Sprintf("HTTP %d: %s", re.StatusCode, text)
}

// credentialPatterns match credentials by their shape in Vault's free-form
// error text, beyond the values the redactor knows: Vault tokens, JWTs and
// UUIDs (the form of AppRole secret ids and accessors).
var credentialPatterns = []*regexp.Regexp{
	regexp.MustCompile(`\b(?:hv[sbr]|[sbr])\.[A-Za-z0-9_-]{8,}`),
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`),
	regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`),
}

// isSealed reports whether a response error says Vault is sealed.
func isSealed(re *api.ResponseError) bool {
	if re.StatusCode != 503 {
		return false
	}
	for _, e := range re.Errors {
		if strings.Contains(strings.ToLower(e), "sealed") {
			return true
		}
	}
	return false
}

// responseError turns a Vault error response of the step op (e.g.
// "reading asm-c1/hsm") into an *Error for the cases every step shares:
// sealed, unavailable, anything else.
func (f *fetcher) responseError(re *api.ResponseError, op string) *Error {
	switch {
	case isSealed(re):
		return f.sealedError()
	case re.StatusCode >= 500:
		return newError(ErrUnavailable, fmt.Sprintf(
			"Vault at %s failed %s (%s)", f.cfg.Addr, op, f.redact.reasons(re)), nil)
	default:
		return newError(ErrVault, fmt.Sprintf(
			"Vault at %s refused %s (%s)", f.cfg.Addr, op, f.redact.reasons(re)), nil)
	}
}

// sealedError is the error for a sealed Vault.
func (f *fetcher) sealedError() *Error {
	return newError(ErrSealed, fmt.Sprintf("Vault at %s is sealed", f.cfg.Addr), nil)
}

// requestError turns any error of a Vault request made for op into an
// *Error: Vault's error responses through responseError, transport
// failures (TLS, connection, timeout) by their cause.
func (f *fetcher) requestError(err error, op string) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var re *api.ResponseError
	if errors.As(err, &re) {
		return f.responseError(re, op)
	}
	return f.transportError(err, op)
}

// transportError classifies an error that is not a Vault response.
func (f *fetcher) transportError(err error, op string) *Error {
	addr := f.cfg.Addr
	if reason, ok := tlsReason(err); ok {
		return newError(ErrTLS, fmt.Sprintf(
			"failed to verify the TLS certificate of Vault at %s (%s): set VAULT_CACERT to the PEM bundle "+
				"of the CA that issued Vault's certificate", addr, reason), err)
	}
	if errors.Is(err, errRedirect) {
		return newError(ErrVault, fmt.Sprintf("Vault at %s, %s: %s", addr, op, f.redact.clean(redirectReason(err))), err)
	}
	if strings.Contains(err.Error(), plainHTTPAnswer) {
		return newError(ErrTLS, fmt.Sprintf(
			"Vault at %s answered in plain HTTP, not TLS: check VAULT_ADDR (and VAULT_CACERT)", addr), err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return newError(ErrUnavailable, fmt.Sprintf(
			"gave up %s at Vault %s: %v", op, addr, f.redact.clean(err.Error())), err)
	}
	return newError(ErrUnavailable, fmt.Sprintf(
		"failed to reach Vault at %s while %s: %s", addr, op, f.redact.clean(err.Error())), err)
}

// plainHTTPAnswer is how net/http reports an https request answered in plain HTTP.
const plainHTTPAnswer = "server gave HTTP response to HTTPS client"

// tlsReason reports whether err is a failure to verify the server's
// certificate and, if so, the verifier's reason.
func tlsReason(err error) (string, bool) {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknown):
		return unknown.Error(), true
	case errors.As(err, &host):
		return host.Error(), true
	case errors.As(err, &invalid):
		return invalid.Error(), true
	case errors.As(err, &verify):
		return verify.Err.Error(), true
	}
	return "", false
}

// redirectReason is the message of the errRedirect in err, without the URL error around it.
func redirectReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
