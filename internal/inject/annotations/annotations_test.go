package annotations

import (
	"errors"
	"reflect"
	"testing"

	"github.com/meshfn/meshfn/internal/inject/proxyconfig"
)

var validateCases = []struct {
	name string
	ann  map[string]string
	want string // "" for no error
}{
	{name: "nil", ann: nil},
	{name: "unvalidated annotations are ignored", ann: map[string]string{
		"sidecar.istio.io/inject":                       "maybe",
		"traffic.sidecar.istio.io/includeOutboundPorts": "bad",
		"sidecar.istio.io/rewriteAppHTTPProbers":        "perhaps",
	}},
	{name: "all valid", ann: map[string]string{
		"sidecar.istio.io/interceptionMode":                      "TPROXY",
		"status.sidecar.istio.io/port":                           " 0 ",
		"readiness.status.sidecar.istio.io/initialDelaySeconds":  "4294967295",
		"readiness.status.sidecar.istio.io/periodSeconds":        "0",
		"readiness.status.sidecar.istio.io/failureThreshold":     "30",
		"traffic.sidecar.istio.io/includeOutboundIPRanges":       "*",
		"traffic.sidecar.istio.io/excludeOutboundIPRanges":       "10.0.0.0/8,fd00::/8",
		"traffic.sidecar.istio.io/includeInboundPorts":           "*",
		"traffic.sidecar.istio.io/excludeInboundPorts":           " 80, 443 ,65535 ",
		"traffic.sidecar.istio.io/excludeOutboundPorts":          "",
		"traffic.sidecar.istio.io/excludeInterfaces":             "eth0, net1.100",
		"traffic.sidecar.istio.io/kubevirtInterfaces":            "",
		"istio.io/reroute-virtual-interfaces":                    "k6t-eth0",
		"prometheus.istio.io/merge-metrics":                      "F",
		"proxy.istio.io/config":                                  "concurrency: 2\nunknownField: 1\n",
		"sidecar.istio.io/proxyCPU":                              "100m",
		"sidecar.istio.io/proxyMemory":                           "1Gi",
		"sidecar.istio.io/proxyCPULimit":                         "2",
		"sidecar.istio.io/proxyMemoryLimit":                      "1e3",
		"traffic.sidecar.istio.io/includeOutboundPorts":          "x",
		"readiness.status.sidecar.istio.io/applicationPorts":     "x",
		"sidecar.istio.io/statsInclusionPrefixes":                "x",
		"traffic.sidecar.istio.io/excludeInboundPortsIgnoreCase": "x",
	}},
	{
		name: "include ranges",
		ann:  map[string]string{"traffic.sidecar.istio.io/includeOutboundIPRanges": "10.0.0.0/8, 10.1.0.0/16"},
		want: "1 error occurred:\n\t* invalid value '10.0.0.0/8, 10.1.0.0/16' for annotation 'traffic.sidecar.istio.io/includeOutboundIPRanges': " +
			"includeIPRanges invalid: failed parsing cidr ' 10.1.0.0/16': netip.ParsePrefix(\" 10.1.0.0/16\"): ParseAddr(\" 10.1.0.0\"): unexpected character (at \" 10.1.0.0\")\n\n",
	},
	{
		name: "exclude ranges star is not special",
		ann:  map[string]string{"traffic.sidecar.istio.io/excludeOutboundIPRanges": "*"},
		want: "1 error occurred:\n\t* invalid value '*' for annotation 'traffic.sidecar.istio.io/excludeOutboundIPRanges': " +
			"excludeIPRanges invalid: failed parsing cidr '*': netip.ParsePrefix(\"*\"): no '/'\n\n",
	},
	{
		name: "status port reported as excludeInboundPorts",
		ann:  map[string]string{"status.sidecar.istio.io/port": "70000"},
		want: "1 error occurred:\n\t* invalid value '70000' for annotation 'status.sidecar.istio.io/port': " +
			"excludeInboundPorts invalid: failed parsing port '70000': strconv.ParseUint: parsing \"70000\": value out of range\n\n",
	},
	{
		name: "port list entry",
		ann:  map[string]string{"traffic.sidecar.istio.io/excludeOutboundPorts": "80,,90"},
		want: "1 error occurred:\n\t* invalid value '80,,90' for annotation 'traffic.sidecar.istio.io/excludeOutboundPorts': " +
			"excludeOutboundPorts invalid: failed parsing port '': failed parsing port '': strconv.ParseUint: parsing \"\": invalid syntax\n\n",
	},
	{
		name: "include inbound ports",
		ann:  map[string]string{"traffic.sidecar.istio.io/includeInboundPorts": "-1"},
		want: "1 error occurred:\n\t* invalid value '-1' for annotation 'traffic.sidecar.istio.io/includeInboundPorts': " +
			"includeInboundPorts invalid: failed parsing port '-1': failed parsing port '-1': strconv.ParseUint: parsing \"-1\": invalid syntax\n\n",
	},
	{
		name: "readiness integers",
		ann:  map[string]string{"readiness.status.sidecar.istio.io/periodSeconds": "-5"},
		want: "1 error occurred:\n\t* invalid value '-5' for annotation 'readiness.status.sidecar.istio.io/periodSeconds': " +
			"strconv.ParseUint: parsing \"-5\": invalid syntax\n\n",
	},
	{
		name: "merge metrics bool",
		ann:  map[string]string{"prometheus.istio.io/merge-metrics": "yes"},
		want: "1 error occurred:\n\t* invalid value 'yes' for annotation 'prometheus.istio.io/merge-metrics': " +
			"strconv.ParseBool: parsing \"yes\": invalid syntax\n\n",
	},
	{
		name: "quantity with control character",
		ann:  map[string]string{"sidecar.istio.io/proxyMemory": "128Mi\n"},
		want: "1 error occurred:\n\t* invalid value '128Mi\n' for annotation 'sidecar.istio.io/proxyMemory': value contains control characters\n\n",
	},
	{
		name: "interfaces",
		ann:  map[string]string{"traffic.sidecar.istio.io/kubevirtInterfaces": "averyveryverylongname"},
		want: "1 error occurred:\n\t* invalid value 'averyveryverylongname' for annotation 'traffic.sidecar.istio.io/kubevirtInterfaces': " +
			"interface name \"averyveryverylongname\" too long (max 15 chars)\n\n",
	},
	{
		name: "several problems, sorted by annotation name",
		ann: map[string]string{
			"traffic.sidecar.istio.io/excludeInterfaces": "eth0,,x",
			"sidecar.istio.io/proxyCPU":                  "1x",
			"sidecar.istio.io/interceptionMode":          "redirect",
			"istio.io/reroute-virtual-interfaces":        "1eth",
			"sidecar.istio.io/proxyMemory":               "1Gi",
		},
		want: "4 errors occurred:\n" +
			"\t* invalid value '1eth' for annotation 'istio.io/reroute-virtual-interfaces': interface name \"1eth\" contains invalid characters\n" +
			"\t* invalid value 'redirect' for annotation 'sidecar.istio.io/interceptionMode': interceptionMode invalid, use REDIRECT,TPROXY,NONE: redirect\n" +
			"\t* invalid value '1x' for annotation 'sidecar.istio.io/proxyCPU': " +
			"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n" +
			"\t* invalid value 'eth0,,x' for annotation 'traffic.sidecar.istio.io/excludeInterfaces': empty interface name\n\n",
	},
	{
		name: "proxy config problems nest as text",
		ann:  map[string]string{"proxy.istio.io/config": "statusPort: 0"},
		want: "1 error occurred:\n\t* invalid value 'statusPort: 0' for annotation 'proxy.istio.io/config': " +
			"1 error occurred:\n\t* invalid status port: port number 0 must be in the range 1..65535\n\n\n\n",
	},
}

func TestValidate(t *testing.T) {
	for _, tc := range validateCases {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.ann)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Validate:\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}

func TestValidateErrorType(t *testing.T) {
	err := Validate(map[string]string{"sidecar.istio.io/interceptionMode": "x", "prometheus.istio.io/merge-metrics": "x"})
	var m *proxyconfig.MultiError
	if !errors.As(err, &m) || len(m.Errors) != 2 {
		t.Fatalf("want a *MultiError with 2 entries, got %#v", err)
	}
	if err := Validate(map[string]string{"sidecar.istio.io/interceptionMode": "NONE"}); err != nil {
		t.Fatalf("valid annotations gave %v (%T)", err, err)
	}
}

func TestValidated(t *testing.T) {
	want := []string{
		"istio.io/reroute-virtual-interfaces",
		"prometheus.istio.io/merge-metrics",
		"proxy.istio.io/config",
		"readiness.status.sidecar.istio.io/failureThreshold",
		"readiness.status.sidecar.istio.io/initialDelaySeconds",
		"readiness.status.sidecar.istio.io/periodSeconds",
		"sidecar.istio.io/interceptionMode",
		"sidecar.istio.io/proxyCPU",
		"sidecar.istio.io/proxyCPULimit",
		"sidecar.istio.io/proxyMemory",
		"sidecar.istio.io/proxyMemoryLimit",
		"status.sidecar.istio.io/port",
		"traffic.sidecar.istio.io/excludeInboundPorts",
		"traffic.sidecar.istio.io/excludeInterfaces",
		"traffic.sidecar.istio.io/excludeOutboundIPRanges",
		"traffic.sidecar.istio.io/excludeOutboundPorts",
		"traffic.sidecar.istio.io/includeInboundPorts",
		"traffic.sidecar.istio.io/includeOutboundIPRanges",
		"traffic.sidecar.istio.io/kubevirtInterfaces",
	}
	if got := Validated(); !reflect.DeepEqual(got, want) {
		t.Errorf("Validated() =\n %q\nwant\n %q", got, want)
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		ok          bool
	}{
		{"sidecar.istio.io/interceptionMode", "REDIRECT", true},
		{"sidecar.istio.io/interceptionMode", "", false},
		{"status.sidecar.istio.io/port", "65535", true},
		{"status.sidecar.istio.io/port", "", false},
		{"traffic.sidecar.istio.io/includeOutboundIPRanges", "", true},
		{"traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.1", false},
		{"traffic.sidecar.istio.io/excludeOutboundIPRanges", "10.0.0.0/8,", false},
		{"traffic.sidecar.istio.io/excludeInboundPorts", "*", false},
		{"traffic.sidecar.istio.io/excludeInboundPorts", "   ", true},
		{"traffic.sidecar.istio.io/excludeInterfaces", " ", false},
		{"traffic.sidecar.istio.io/excludeInterfaces", "a_b.c-d", true},
		{"sidecar.istio.io/proxyCPULimit", "", false},
		{"sidecar.istio.io/proxyCPULimit", "0", true},
		{"prometheus.istio.io/merge-metrics", "TRUE", true},
		{"readiness.status.sidecar.istio.io/failureThreshold", "4294967296", false},
		{"not.validated/anything", "\x00", true},
	} {
		if err := Check(tc.name, tc.value); (err == nil) != tc.ok {
			t.Errorf("Check(%q, %q) = %v, want ok=%v", tc.name, tc.value, err, tc.ok)
		}
	}
}
