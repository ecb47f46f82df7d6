package proxyconfig

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// dns1123Label is a DNS (RFC 1123) label, without the length limit.
var dns1123Label = regexp.MustCompile(`^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$`)

// MaxDNS1123LabelLength is the longest DNS (RFC 1123) label.
const MaxDNS1123LabelLength = 63

// IsDNS1123Label reports whether s is a DNS (RFC 1123) label: 1 to 63
// letters, digits and dashes, starting and ending with a letter or digit.
func IsDNS1123Label(s string) bool {
	return len(s) <= MaxDNS1123LabelLength && dns1123Label.MatchString(s)
}

// ValidatePort accepts the ports 1..65535 (Istio's agent.ValidatePort).
func ValidatePort(port int) error {
	if port < 1 || port > 65535 {
		return fmt.Errorf("port number %d must be in the range 1..65535", port)
	}
	return nil
}

// ValidateFQDN accepts a domain name of 1 to 255 characters made of DNS
// labels (Istio's agent.ValidateFQDN); see ValidateDNS1123Labels.
func ValidateFQDN(name string) error {
	switch {
	case len(name) > 255:
		return fmt.Errorf("domain name %q too long (max 255)", name)
	case name == "":
		return errors.New("empty domain name not allowed")
	}
	return ValidateDNS1123Labels(name)
}

// ValidateDNS1123Labels accepts dot-separated DNS labels whose last label is
// not all digits; a trailing dot is allowed (Istio's
// agent.ValidateDNS1123Labels).
func ValidateDNS1123Labels(domain string) error {
	labels := strings.Split(domain, ".")
	last := labels[len(labels)-1]
	if _, err := strconv.Atoi(last); err == nil {
		return fmt.Errorf("domain name %q invalid (top level domain %q cannot be all-numeric)", domain, last)
	}
	for i, label := range labels {
		if label == "" && i == len(labels)-1 {
			break
		}
		if !IsDNS1123Label(label) {
			return fmt.Errorf("domain name %q invalid (label %q invalid)", domain, label)
		}
	}
	return nil
}

// ValidateProxyAddress accepts host:port, where the port is 1..65535 and the
// host a domain name or an IP address (Istio's agent.ValidateProxyAddress).
func ValidateProxyAddress(addr string) error {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("unable to split %q: %v", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return fmt.Errorf("port (%s) is not a number: %v", portText, err)
	}
	if err := ValidatePort(port); err != nil {
		return err
	}
	if ValidateFQDN(host) == nil {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err != nil || !ip.IsValid() {
		return fmt.Errorf("%q is not a valid hostname or an IP address", host)
	}
	return nil
}
