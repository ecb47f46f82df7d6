package annotations

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"

	meshconfig "istio.io/api/mesh/v1alpha1"
	networking "istio.io/api/networking/v1alpha3"
)

// ValidatePort accepts 1..65535.
func ValidatePort(port int) error {
	if port >= 1 && port <= 65535 {
		return nil
	}
	return fmt.Errorf("port number %d must be in the range 1..65535", port)
}

// ValidateProxyAddress accepts host:port where port is 1..65535 and host is
// a DNS name or an IP address.
func ValidateProxyAddress(addr string) error {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("unable to split %q: %v", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return fmt.Errorf("port (%s) is not a number: %v", p, err)
	}
	if err := ValidatePort(port); err != nil {
		return err
	}
	if !isFQDN(host) && !isIPAddress(host) {
		return fmt.Errorf("%q is not a valid hostname or an IP address", host)
	}
	return nil
}

var dnsLabel = regexp.MustCompile(`^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$`)

// isFQDN: 1..255 characters of DNS-1123 labels (a trailing dot allowed),
// the last label not all digits.
func isFQDN(name string) bool {
	if name == "" || len(name) > 255 {
		return false
	}
	labels := strings.Split(name, ".")
	if _, err := strconv.Atoi(labels[len(labels)-1]); err == nil {
		return false
	}
	for i, l := range labels {
		if i == len(labels)-1 && l == "" {
			return true
		}
		if len(l) > 63 || !dnsLabel.MatchString(l) {
			return false
		}
	}
	return true
}

func isIPAddress(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.IsValid()
}

// tracingErrors checks the tracer collectors, tracing TLS and custom tags.
func tracingErrors(t *meshconfig.Tracing) []error {
	var out []error
	if ls := t.GetLightstep(); ls != nil {
		if err := checkLightstep(ls); err != nil {
			out = append(out, prefixed(err, "invalid lightstep config:"))
		}
	}
	if z := t.GetZipkin(); z != nil {
		if err := ValidateProxyAddress(strings.Replace(z.GetAddress(), "$(HOST_IP)", "127.0.0.1", 1)); err != nil {
			out = append(out, prefixed(err, "invalid zipkin config:"))
		}
	}
	if d := t.GetDatadog(); d != nil {
		if err := ValidateProxyAddress(strings.Replace(d.GetAddress(), "$(HOST_IP)", "127.0.0.1", 1)); err != nil {
			out = append(out, prefixed(err, "invalid datadog config:"))
		}
	}
	if tls := t.GetTlsSettings(); tls != nil {
		if err := checkClientTLS(tls); err != nil {
			out = append(out, prefixed(err, "invalid tracing TLS config:"))
		}
	}
	if tags := t.GetCustomTags(); tags != nil {
		if err := checkCustomTags(tags); err != nil {
			out = append(out, prefixed(err, "invalid tracing custom tags:"))
		}
	}
	return out
}

func checkLightstep(ls *meshconfig.Tracing_Lightstep) error {
	var errs error
	if ls.GetAddress() == "" {
		errs = appendErrors(errs, errors.New("address is required"))
	}
	if err := ValidateProxyAddress(ls.GetAddress()); err != nil {
		errs = appendErrors(errs, prefixed(err, "invalid lightstep address:"))
	}
	if ls.GetAccessToken() == "" {
		errs = appendErrors(errs, errors.New("access token is required"))
	}
	return errs
}

// checkCustomTags reports a tag without value. Istio reports the first one
// met in map order; here the first by name.
func checkCustomTags(tags map[string]*meshconfig.Tracing_CustomTag) error {
	names := make([]string, 0, len(tags))
	for name := range tags {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if tags[name] == nil {
			return fmt.Errorf("encountered nil value for custom tag: %s", name)
		}
	}
	return nil
}

const configMapURI = "configmap://"

// checkClientTLS is Istio's ValidateTLS with an empty config namespace, as
// proxy config validation calls it.
func checkClientTLS(s *networking.ClientTLSSettings) error {
	var errs error
	simple := s.Mode == networking.ClientTLSSettings_SIMPLE
	mutual := s.Mode == networking.ClientTLSSettings_MUTUAL
	if rest, ok := strings.CutPrefix(s.CredentialName, configMapURI); ok {
		if err := checkConfigMapName(s.CredentialName, rest); err != nil {
			errs = joinOne(errs, fmt.Errorf("invalid configmap:// credentialName: %v", err))
		} else {
			// The namespace can never match the empty config namespace.
			errs = joinOne(errs, fmt.Errorf("invalid configmap:// credentialName: namespace must match the configuration namespace %q", ""))
		}
	}
	if s.GetInsecureSkipVerify().GetValue() {
		if simple && (s.CaCertificates != "" || s.CredentialName != "" || s.SubjectAltNames != nil) {
			errs = joinOne(errs, errors.New("cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true"))
		}
		if mutual && (s.CaCertificates != "" || s.SubjectAltNames != nil) {
			errs = joinOne(errs, errors.New("cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true"))
		}
	}
	if (simple || mutual) && s.CredentialName != "" {
		if s.ClientCertificate != "" || s.CaCertificates != "" || s.PrivateKey != "" || s.CaCrl != "" {
			errs = joinOne(errs, errors.New("cannot specify client certificates or CA certificate or CA CRL If credentialName is set"))
		}
		return errs
	}
	if mutual {
		if s.ClientCertificate == "" {
			errs = joinOne(errs, errors.New("client certificate required for mutual tls"))
		}
		if s.PrivateKey == "" {
			errs = joinOne(errs, errors.New("private key required for mutual tls"))
		}
	}
	return errs
}

// checkConfigMapName requires configmap://<namespace>/<name>.
func checkConfigMapName(full, rest string) error {
	parts := strings.Split(rest, "/")
	switch {
	case len(parts) <= 1:
		return fmt.Errorf("invalid resource name %q. Expected namespace and name", full)
	case parts[0] == "":
		return fmt.Errorf("invalid resource name %q. Expected namespace", full)
	case parts[1] == "":
		return fmt.Errorf("invalid resource name %q. Expected name", full)
	}
	return nil
}
