// Package annotations reproduces the validation Istio's sidecar injector
// applies to pod annotations before rendering the injection template
// (pkg/kube/inject/validate.go: AnnotationValidation, validateAnnotations).
// Error messages are Istio's, word for word.
package annotations

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/meshfn/meshfn/internal/inject/proxyconfig"
	"istio.io/api/annotation"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Checker validates one annotation value.
type Checker func(value string) error

// checkers is the AnnotationValidation table every supported release has.
var checkers = map[string]Checker{
	annotation.SidecarInterceptionMode.Name:                   checkInterceptionMode,
	annotation.SidecarStatusPort.Name:                         checkStatusPort,
	annotation.SidecarStatusReadinessInitialDelaySeconds.Name: checkUint32,
	annotation.SidecarStatusReadinessPeriodSeconds.Name:       checkUint32,
	annotation.SidecarStatusReadinessFailureThreshold.Name:    checkUint32,
	annotation.SidecarTrafficIncludeOutboundIPRanges.Name:     checkIncludeIPRanges,
	annotation.SidecarTrafficExcludeOutboundIPRanges.Name:     checkExcludeIPRanges,
	annotation.SidecarTrafficIncludeInboundPorts.Name:         checkIncludeInboundPorts,
	annotation.SidecarTrafficExcludeInboundPorts.Name:         portListChecker("excludeInboundPorts"),
	annotation.SidecarTrafficExcludeOutboundPorts.Name:        portListChecker("excludeOutboundPorts"),
	annotation.PrometheusMergeMetrics.Name:                    checkBool,
	annotation.ProxyConfig.Name:                               nil, // Checks.checker: per release
}

// quantityCheckers validate the proxy's resource annotations (Istio 1.28.4 on).
var quantityCheckers = map[string]Checker{
	annotation.SidecarProxyCPU.Name:         checkQuantity,
	annotation.SidecarProxyMemory.Name:      checkQuantity,
	annotation.SidecarProxyCPULimit.Name:    checkQuantity,
	annotation.SidecarProxyMemoryLimit.Name: checkQuantity,
}

// interfaceCheckers validate the network interface annotations (Istio 1.30 on).
var interfaceCheckers = map[string]Checker{
	annotation.SidecarTrafficExcludeInterfaces.Name:  checkInterfaceNames,
	annotation.SidecarTrafficKubevirtInterfaces.Name: checkInterfaceNames,
	annotation.IoIstioRerouteVirtualInterfaces.Name:  checkInterfaceNames,
}

// Checks are the validations that differ between Istio releases, beyond the table every
// supported release has; each is true in the releases that validate those annotations.
type Checks struct {
	// Quantities validates sidecar.istio.io/proxyCPU, proxyMemory, proxyCPULimit and
	// proxyMemoryLimit as Kubernetes quantities (Istio 1.28.4 on).
	Quantities bool
	// InterfaceNames validates traffic.sidecar.istio.io/excludeInterfaces,
	// kubevirtInterfaces and istio.io/reroute-virtual-interfaces (Istio 1.30 on).
	InterfaceNames bool
	// UnknownProxyConfigFields are ProxyConfig fields (JSON names) the release's API does
	// not have: proxy.istio.io/config is read without them, so they are neither validated
	// nor applied (statsCompression before 1.29, connectionSettings before 1.31).
	UnknownProxyConfigFields []string
}

// AllChecks are the validations of the newest supported release.
var AllChecks = Checks{Quantities: true, InterfaceNames: true}

// checker returns the check of an annotation, if these checks validate it.
func (c Checks) checker(name string) (Checker, bool) {
	if name == annotation.ProxyConfig.Name {
		return func(value string) error { return checkProxyConfig(value, c.UnknownProxyConfigFields) }, true
	}
	if check, ok := checkers[name]; ok {
		return check, true
	}
	if check, ok := quantityCheckers[name]; ok && c.Quantities {
		return check, true
	}
	if check, ok := interfaceCheckers[name]; ok && c.InterfaceNames {
		return check, true
	}
	return nil, false
}

// Validated returns the names of the annotations these checks validate, sorted.
func (c Checks) Validated() []string {
	var names []string
	for _, table := range []map[string]Checker{checkers, quantityCheckers, interfaceCheckers} {
		for name := range table {
			if _, ok := c.checker(name); ok {
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	return names
}

// Validated returns the names of the annotations the newest release validates, sorted.
func Validated() []string { return AllChecks.Validated() }

// Check validates a single annotation value as the newest release does; names Istio does
// not validate are accepted. The error is the bare reason, without the
// "invalid value ... for annotation ..." wrapping Validate adds.
func Check(name, value string) error {
	if check, ok := AllChecks.checker(name); ok {
		return check(value)
	}
	return nil
}

// Validate checks the annotations the newest release's injector validates; see
// Checks.Validate.
func Validate(annotations map[string]string) error { return AllChecks.Validate(annotations) }

// Validate checks the annotations Istio's injector validates and returns nil
// or a *proxyconfig.MultiError (Istio's go-multierror list) with one entry
// per invalid annotation, formatted as
// "invalid value '<value>' for annotation '<name>': <reason>". Istio visits
// the annotations in map order, so with several problems the order of its
// entries varies; here they are sorted by annotation name.
func (c Checks) Validate(annotations map[string]string) error {
	names := make([]string, 0, len(annotations))
	for name := range annotations {
		if _, ok := c.checker(name); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var problems []error
	for _, name := range names {
		value := annotations[name]
		check, _ := c.checker(name)
		if err := check(value); err != nil {
			problems = append(problems, fmt.Errorf("invalid value '%s' for annotation '%s': %v", value, name, err))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return &proxyconfig.MultiError{Errors: problems}
}

func checkInterceptionMode(mode string) error {
	switch mode {
	case "REDIRECT", "TPROXY", "NONE":
		return nil
	}
	return fmt.Errorf("interceptionMode invalid, use REDIRECT,TPROXY,NONE: %v", mode)
}

func checkIncludeIPRanges(ranges string) error {
	if ranges == "*" {
		return nil
	}
	if err := checkCIDRList(ranges); err != nil {
		return fmt.Errorf("includeIPRanges invalid: %v", err)
	}
	return nil
}

func checkExcludeIPRanges(ranges string) error {
	if err := checkCIDRList(ranges); err != nil {
		return fmt.Errorf("excludeIPRanges invalid: %v", err)
	}
	return nil
}

// checkCIDRList accepts "" or a comma-separated list of prefixes; entries
// are not trimmed.
func checkCIDRList(list string) error {
	if list == "" {
		return nil
	}
	for _, cidr := range strings.Split(list, ",") {
		if _, err := netip.ParsePrefix(cidr); err != nil {
			return fmt.Errorf("failed parsing cidr '%s': %v", cidr, err)
		}
	}
	return nil
}

func checkIncludeInboundPorts(ports string) error {
	if ports == "*" {
		return nil
	}
	return portListChecker("includeInboundPorts")(ports)
}

func portListChecker(parameter string) Checker {
	return func(ports string) error {
		if err := checkPortList(ports); err != nil {
			return fmt.Errorf("%s invalid: %v", parameter, err)
		}
		return nil
	}
}

// checkPortList accepts "" (after trimming) or a comma-separated list of
// 16-bit ports; a bad entry is reported with Istio's doubled wording.
func checkPortList(ports string) error {
	ports = strings.TrimSpace(ports)
	if ports == "" {
		return nil
	}
	for _, p := range strings.Split(ports, ",") {
		if err := checkPort(p); err != nil {
			return fmt.Errorf("failed parsing port '%s': %v", p, err)
		}
	}
	return nil
}

func checkPort(port string) error {
	if _, err := strconv.ParseUint(strings.TrimSpace(port), 10, 16); err != nil {
		return fmt.Errorf("failed parsing port '%s': %v", port, err)
	}
	return nil
}

// checkStatusPort reports under the excludeInboundPorts name, as Istio does.
func checkStatusPort(port string) error {
	if err := checkPort(port); err != nil {
		return fmt.Errorf("excludeInboundPorts invalid: %v", err)
	}
	return nil
}

func checkUint32(value string) error {
	_, err := strconv.ParseUint(value, 10, 32)
	return err
}

func checkBool(value string) error {
	_, err := strconv.ParseBool(value)
	return err
}

func checkQuantity(value string) error {
	for _, r := range value {
		if unicode.IsControl(r) {
			return fmt.Errorf("value contains control characters")
		}
	}
	_, err := resource.ParseQuantity(value)
	return err
}

var interfaceName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.\-]*$`)

// checkInterfaceNames accepts "" or a comma-separated list of interface
// names (trimmed, at most 15 characters, starting with a letter).
func checkInterfaceNames(list string) error {
	if list == "" {
		return nil
	}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
			return fmt.Errorf("empty interface name")
		case len(name) > 15:
			return fmt.Errorf("interface name %q too long (max 15 chars)", name)
		case !interfaceName.MatchString(name):
			return fmt.Errorf("interface name %q contains invalid characters", name)
		}
	}
	return nil
}
