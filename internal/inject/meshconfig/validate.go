package meshconfig

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	meshv1 "istio.io/api/mesh/v1alpha1"
	networkingv1 "istio.io/api/networking/v1alpha3"
)

// This file reproduces the error part of Istio's agent.ValidateMeshConfig,
// which mesh.ApplyMeshConfig runs on its result. Istio only logs warnings
// (and problems with extension providers), so those are not reproduced.

// problems collects validation errors.
type problems []error

// add records err (if any) with an optional prefix.
func (p *problems) add(prefix string, err error) {
	if err == nil {
		return
	}
	if prefix != "" {
		err = fmt.Errorf("%s %w", prefix, err)
	}
	*p = append(*p, err)
}

func (p *problems) addf(format string, args ...any) {
	*p = append(*p, fmt.Errorf(format, args...))
}

func (p problems) err() error { return errors.Join(p...) }

var (
	dns1123LabelRe   = regexp.MustCompile(`^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$`)
	wildcardPrefixRe = regexp.MustCompile(`^(\*|(\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$`)
)

const (
	maxLabelLength = 63
	topologyRegion = "topology.kubernetes.io/region"
	topologyZone   = "topology.kubernetes.io/zone"
	topologySubzon = "topology.istio.io/subzone"
)

func isDNS1123Label(s string) bool {
	return len(s) <= maxLabelLength && dns1123LabelRe.MatchString(s)
}

func isWildcardDNS1123Label(s string) bool {
	return len(s) <= maxLabelLength && wildcardPrefixRe.MatchString(s)
}

// validateMeshConfig returns the errors Istio's ValidateMeshConfig reports.
func validateMeshConfig(mc *meshv1.MeshConfig) error {
	var p problems
	p.add("invalid proxy listen port:", validatePort(int(mc.ProxyListenPort)))
	p.add("invalid connect timeout:", validateConnectTimeout(mc.ConnectTimeout))
	p.add("invalid protocol detection timeout:", validateProtocolDetectionTimeout(mc.ProtocolDetectionTimeout))
	if mc.DefaultConfig == nil {
		p.addf("missing default config")
	} else {
		p.add("", validateProxyConfig(mc.DefaultConfig))
	}
	p.add("", validateLocalityLbSetting(mc.LocalityLbSetting))
	p.add("", validateZoneAwareLbSetting(mc.ZoneAwareLbSetting))
	for i, s := range mc.ServiceSettings {
		for _, h := range s.GetHosts() {
			if err := validateWildcardDomain(h); err != nil {
				p.addf("serviceSettings[%d], host `%s`: %v", i, h, err)
			}
		}
	}
	if err := validateTrustDomain(mc.TrustDomain); err != nil {
		p.addf("trustDomain: %v", err)
	}
	for i, alias := range mc.TrustDomainAliases {
		if err := validateTrustDomain(alias); err != nil {
			p.addf("trustDomainAliases[%d], domain `%s` : %v", i, alias, err)
		}
	}
	if len(mc.GetMeshMTLS().GetEcdhCurves()) > 0 {
		p.addf("mesh TLS does not support ECDH curves configuration")
	}
	p.add("", validateDefaultTrafficPolicy(mc.DefaultTrafficPolicy))
	return p.err()
}

// validateDuration requires at least 1ms and millisecond precision.
func validateDuration(pd *durationpb.Duration) error {
	d := pd.AsDuration()
	if d < time.Millisecond {
		return errors.New("duration must be greater than 1ms")
	}
	if d%time.Millisecond != 0 {
		return errors.New("only durations to ms precision are supported")
	}
	return nil
}

func validateConnectTimeout(pd *durationpb.Duration) error {
	if err := validateDuration(pd); err != nil {
		return err
	}
	if d := pd.AsDuration(); d < time.Millisecond || d > time.Hour {
		return fmt.Errorf("time %v must be >%v and <%v", d, time.Millisecond, time.Hour)
	}
	return nil
}

func validateProtocolDetectionTimeout(pd *durationpb.Duration) error {
	d := pd.AsDuration()
	if d != 0 && d%time.Millisecond != 0 {
		return errors.New("only durations to ms precision are supported")
	}
	return nil
}

func validatePort(port int) error {
	if port < 1 || port > 65535 {
		return fmt.Errorf("port number %d must be in the range 1..65535", port)
	}
	return nil
}

func validateFQDN(name string) error {
	if len(name) > 255 {
		return fmt.Errorf("domain name %q too long (max 255)", name)
	}
	if name == "" {
		return errors.New("empty domain name not allowed")
	}
	return validateDNSLabels(name)
}

func validateDNSLabels(domain string) error {
	parts := strings.Split(domain, ".")
	tld := parts[len(parts)-1]
	if _, err := strconv.Atoi(tld); err == nil {
		return fmt.Errorf("domain name %q invalid (top level domain %q cannot be all-numeric)", domain, tld)
	}
	for i, label := range parts {
		if i == len(parts)-1 && label == "" {
			return nil
		}
		if !isDNS1123Label(label) {
			return fmt.Errorf("domain name %q invalid (label %q invalid)", domain, label)
		}
	}
	return nil
}

func validateWildcardDomain(domain string) error {
	if len(domain) > 255 {
		return fmt.Errorf("domain name %q too long (max 255)", domain)
	}
	if domain == "" {
		return errors.New("empty domain name not allowed")
	}
	first, rest, hasRest := strings.Cut(domain, ".")
	if !isWildcardDNS1123Label(first) {
		return fmt.Errorf("domain name %q invalid (label %q invalid)", domain, first)
	}
	if hasRest {
		return validateDNSLabels(rest)
	}
	return nil
}

func validateTrustDomain(domain string) error {
	if domain == "" {
		return errors.New("empty domain name not allowed")
	}
	parts := strings.Split(domain, ".")
	for i, label := range parts {
		if i == len(parts)-1 && label == "" {
			return nil
		}
		if !isDNS1123Label(label) {
			return fmt.Errorf("trust domain name %q invalid", domain)
		}
	}
	return nil
}

// validateProxyAddress checks a host:port address whose host is a DNS name
// or an IP address.
func validateProxyAddress(addr string) error {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("unable to split %q: %v", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return fmt.Errorf("port (%s) is not a number: %v", portText, err)
	}
	if err := validatePort(port); err != nil {
		return err
	}
	if validateFQDN(host) != nil {
		if _, err := netip.ParseAddr(host); err != nil {
			return fmt.Errorf("%q is not a valid hostname or an IP address", host)
		}
	}
	return nil
}

func validateLocalityLbSetting(lb *networkingv1.LocalityLoadBalancerSetting) error {
	if lb == nil {
		return nil
	}
	if len(lb.Distribute) > 0 && len(lb.Failover) > 0 {
		return errors.New("can not simultaneously specify 'distribute' and 'failover'")
	}
	if len(lb.Failover) > 0 {
		for _, l := range lb.FailoverPriority {
			if l == topologyRegion || l == topologyZone || l == topologySubzon {
				return fmt.Errorf("can not simultaneously set 'failover' and topology label '%s' in 'failover_priority'", l)
			}
		}
	}
	var p problems
	sources := make([]string, 0, len(lb.Distribute))
	for _, d := range lb.Distribute {
		sources = append(sources, d.GetFrom())
		var total uint32
		dests := make([]string, 0, len(d.GetTo()))
		for loc, weight := range d.GetTo() {
			dests = append(dests, loc)
			if weight == 0 || weight > 100 {
				p.addf("locality weight must be in range [1, 100]")
				return p.err()
			}
			total += weight
		}
		if total != 100 {
			p.addf("total locality weight %v != 100", total)
			return p.err()
		}
		p.add("", validateLocalities(dests))
	}
	p.add("", validateLocalities(sources))
	for _, f := range lb.Failover {
		p.add("", checkFailover(f.GetFrom(), f.GetTo(), "locality lb failover settings must specify different regions",
			"locality lb failover only specify region", "locality lb failover region should not contain '*' wildcard"))
	}
	return p.err()
}

func validateZoneAwareLbSetting(lb *networkingv1.ZoneAwareLoadBalancerSetting) error {
	if lb == nil {
		return nil
	}
	var p problems
	for _, l := range lb.FailoverPriority {
		if l == topologyRegion || l == topologyZone || l == topologySubzon {
			p.addf("'failover_priority' for zone aware lb must not use topology label '%s'; "+
				"region- and zone-level routing are handled automatically", l)
		}
	}
	for _, f := range lb.Failover {
		p.add("", checkFailover(f.GetFrom(), f.GetTo(), "zone aware lb failover settings must specify different regions",
			"zone aware lb failover only specifies region; zone and subzone failover are handled automatically",
			"zone aware lb failover region should not contain '*' wildcard"))
	}
	return p.err()
}

// checkFailover applies the three failover checks, reporting the given messages.
func checkFailover(from, to, sameMsg, slashMsg, starMsg string) error {
	var p problems
	if from == to {
		p.addf("%s", sameMsg)
	}
	if strings.Contains(from, "/") || strings.Contains(to, "/") {
		p.addf("%s", slashMsg)
	}
	if strings.Contains(from, "*") || strings.Contains(to, "*") {
		p.addf("%s", starMsg)
	}
	return p.err()
}
