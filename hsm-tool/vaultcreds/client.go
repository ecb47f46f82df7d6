package vaultcreds

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/meshfn/meshfn/hsm-tool/safefs"
)

// maxCABundle bounds the VAULT_CACERT bundle: a handful of PEM certificates.
const maxCABundle = 1 << 20

// Network limits of the Vault client.
const (
	requestTimeout      = 60 * time.Second
	tlsHandshakeTimeout = 10 * time.Second
	maxRetries          = 2
	minRetryWait        = 500 * time.Millisecond
	maxRetryWait        = 1500 * time.Millisecond
)

// newClient builds a vault/api client for cfg from explicit settings only:
// the TLS roots come from cfg.CACert (else the system), and the token and
// namespace the library would pick up from VAULT_TOKEN / VAULT_NAMESPACE
// are cleared so that only cfg decides.
func newClient(cfg Config) (*api.Client, error) {
	tlsConfig, err := clientTLSConfig(cfg.CACert)
	if err != nil {
		return nil, err
	}
	transport := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		TLSClientConfig:     tlsConfig,
		TLSHandshakeTimeout: tlsHandshakeTimeout,
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}
	addr, err := url.Parse(cfg.Addr)
	if err != nil {
		return nil, newError(ErrConfig, fmt.Sprintf("invalid Vault address %q", cfg.Addr), nil)
	}
	httpClient := &http.Client{
		Transport: &pinnedTransport{base: transport, addr: addr},
		Timeout:   requestTimeout,
		// No redirect is followed: not by net/http, not by vault/api
		// (DisableRedirects), and pinnedTransport refuses any that get through.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	client, err := api.NewClient(&api.Config{
		Address:      cfg.Addr,
		HttpClient:   httpClient,
		Timeout:      requestTimeout,
		MaxRetries:   maxRetries,
		MinRetryWait: minRetryWait,
		MaxRetryWait: maxRetryWait,
		Backoff:      linearBackoff,
		CheckRetry:   retryPolicy,
		// vault/api would follow one redirect with the token (CheckRedirect above has
		// no effect on it).
		DisableRedirects: true,
	})
	if err != nil {
		return nil, newError(ErrConfig, fmt.Sprintf("failed to create the Vault client for %s: %v", cfg.Addr, err), err)
	}
	client.ClearToken()
	client.ClearNamespace()
	if cfg.Namespace != "" {
		client.SetNamespace(cfg.Namespace)
	}
	return client, nil
}

// clientTLSConfig returns the TLS settings for Vault: TLS 1.2 or later and,
// when caFile is set, its certificates as the only roots (as VAULT_CACERT
// does for the vault CLI).
func clientTLSConfig(caFile string) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return conf, nil
	}
	pemBytes, err := safefs.ReadFile(caFile, maxCABundle)
	if err != nil {
		return nil, newError(ErrConfig, fmt.Sprintf("failed to read the VAULT_CACERT bundle: %v", err), err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		return nil, newError(ErrConfig, fmt.Sprintf(
			"failed to load the VAULT_CACERT bundle %s: no PEM certificate in it", caFile), nil)
	}
	conf.RootCAs = pool
	return conf, nil
}

// retryPolicy is vault/api's default retry policy, except that a 503 (a
// sealed Vault does not recover within seconds) and a TLS failure (a
// certificate or a plain-HTTP server does not change on retry) and a refused redirect
// are final.
func retryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if resp != nil && resp.StatusCode == http.StatusServiceUnavailable {
		return false, nil
	}
	if err != nil {
		if _, isTLS := tlsReason(err); isTLS || strings.Contains(err.Error(), plainHTTPAnswer) || errors.Is(err, errRedirect) {
			return false, err
		}
	}
	return api.DefaultRetryPolicy(ctx, resp, err)
}

// linearBackoff waits min, 2×min, … capped at max between retries.
func linearBackoff(minWait, maxWait time.Duration, attempt int, _ *http.Response) time.Duration {
	wait := minWait * time.Duration(attempt+1)
	if wait > maxWait {
		return maxWait
	}
	return wait
}

// checkHealth asks sys/health (unauthenticated, outside any namespace)
// whether Vault is initialized and unsealed, so that a sealed Vault or a
// TLS problem is reported before any credential is sent. An error answer
// from sys/health itself (e.g. a proxy in front of it) is not fatal: the
// following requests report what is wrong.
func (f *fetcher) checkHealth(ctx context.Context) error {
	health, err := f.client.WithNamespace("").Sys().HealthWithContext(ctx)
	if err != nil {
		var re *api.ResponseError
		if errors.As(err, &re) {
			if isSealed(re) {
				return f.sealedError()
			}
			return nil
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			return f.transportError(err, "checking its health")
		}
		return nil // not a Vault health document; let the next requests tell
	}
	if health.Sealed {
		return f.sealedError()
	}
	if !health.Initialized {
		return newError(ErrUnavailable, fmt.Sprintf("Vault at %s is not initialized", f.cfg.Addr), nil)
	}
	return nil
}
