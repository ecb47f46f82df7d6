package vaultcreds

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// errRedirect marks a request refused because it would leave the configured Vault: a
// redirect answer, or a request to another scheme or host.
var errRedirect = errors.New("redirect refused")

// pinnedTransport sends requests only to the scheme and host of the configured address
// and turns every redirect answer into an error, so that no credential (token header,
// AppRole secret id, Kubernetes JWT) can reach another host or travel over plain http
// because Vault, or something posing as it, answered 3xx. vault/api follows one redirect
// on its own (an http.Client's CheckRedirect does not stop it); this transport sits
// below it.
type pinnedTransport struct {
	base http.RoundTripper
	addr *url.URL
}

func (p *pinnedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != p.addr.Scheme || req.URL.Host != p.addr.Host {
		return nil, fmt.Errorf("%w: hsm-tool talks only to %s://%s, not to %s://%s",
			errRedirect, p.addr.Scheme, p.addr.Host, req.URL.Scheme, req.URL.Host)
	}
	resp, err := p.base.RoundTrip(req)
	if err != nil || resp.StatusCode < 300 || resp.StatusCode > 399 || resp.StatusCode == http.StatusNotModified {
		return resp, err
	}
	where := resp.Header.Get("Location")
	resp.Body.Close()
	return nil, fmt.Errorf("%w: Vault answered HTTP %d, a redirect to %q; hsm-tool follows none "+
		"(a standby node redirects to the active one: set VAULT_ADDR to the address you trust)",
		errRedirect, resp.StatusCode, where)
}
