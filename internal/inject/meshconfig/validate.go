package meshconfig

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/meshfn/meshfn/internal/inject/proxyconfig"
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

// addEach records every entry of a *proxyconfig.MultiError as a problem of
// its own, and any other error as one problem.
func (p *problems) addEach(err error) {
	var list *proxyconfig.MultiError
	if errors.As(err, &list) {
		*p = append(*p, list.Errors...)
		return
	}
	p.add("", err)
}

func (p *problems) addf(format string, args ...any) {
	*p = append(*p, fmt.Errorf(format, args...))
}

func (p problems) err() error { return errors.Join(p...) }

var wildcardPrefixRe = regexp.MustCompile(`^(\*|(\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$`)

const (
	topologyRegion = "topology.kubernetes.io/region"
	topologyZone   = "topology.kubernetes.io/zone"
	topologySubzon = "topology.istio.io/subzone"
)

func isWildcardDNS1123Label(s string) bool {
	return len(s) <= proxyconfig.MaxDNS1123LabelLength && wildcardPrefixRe.MatchString(s)
}

// validateMeshConfig returns the errors Istio's ValidateMeshConfig reports,
// one problem a line; the defaultConfig checks are proxyconfig.Validate's,
// each of its entries a problem of its own.
func validateMeshConfig(mc *meshv1.MeshConfig) error {
	var p problems
	p.add("invalid proxy listen port:", proxyconfig.ValidatePort(int(mc.ProxyListenPort)))
	p.add("invalid connect timeout:", validateConnectTimeout(mc.ConnectTimeout))
	p.add("invalid protocol detection timeout:", validateProtocolDetectionTimeout(mc.ProtocolDetectionTimeout))
	if mc.DefaultConfig == nil {
		p.addf("missing default config")
	} else {
		p.addEach(proxyconfig.Validate(mc.DefaultConfig))
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

func validateConnectTimeout(pd *durationpb.Duration) error {
	if err := proxyconfig.ValidateDuration(pd); err != nil {
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
		return proxyconfig.ValidateDNS1123Labels(rest)
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
		if !proxyconfig.IsDNS1123Label(label) {
			return fmt.Errorf("trust domain name %q invalid", domain)
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

// validateLocalities rejects malformed or overlapping locality names
// (region[/zone[/subzone]], optionally ending in a single '*').
func validateLocalities(localities []string) error {
	seen := map[string]map[string]map[string]bool{}
	overlap := func(l string) error { return fmt.Errorf("locality %s overlap with previous specified ones", l) }
	for _, l := range localities {
		if n := strings.Count(l, "*"); n > 1 || (n == 1 && !strings.HasSuffix(l, "*")) {
			return fmt.Errorf("locality %s wildcard '*' number can not exceed 1 and must be in the end", l)
		}
		if _, ok := seen["*"]; ok {
			return overlap(l)
		}
		parts := strings.SplitN(l, "/", 3)
		for _, part := range parts {
			if part == "" {
				return fmt.Errorf("locality %s must not contain empty region/zone/subzone info", l)
			}
		}
		region := parts[0]
		zones, regionSeen := seen[region]
		if len(parts) == 1 {
			if regionSeen {
				return overlap(l)
			}
			seen[region] = map[string]map[string]bool{"*": {"*": true}}
			continue
		}
		if !regionSeen {
			zones = map[string]map[string]bool{}
			seen[region] = zones
		} else if _, ok := zones["*"]; ok {
			return overlap(l)
		}
		zone := parts[1]
		subzones, zoneSeen := zones[zone]
		if len(parts) == 2 {
			if zoneSeen {
				return overlap(l)
			}
			zones[zone] = map[string]bool{"*": true}
			continue
		}
		if !zoneSeen {
			subzones = map[string]bool{}
			zones[zone] = subzones
		} else if subzones["*"] || subzones[parts[2]] {
			return overlap(l)
		}
		subzones[parts[2]] = true
	}
	return nil
}
