package proxyconfig

import (
	"strings"
	"testing"
)

func TestValidateProxyAddress(t *testing.T) {
	cases := []struct{ addr, want string }{
		{addr: "istiod.istio-system.svc:15012"},
		{addr: "[fe80::1%eth0]:80"},
		{addr: "10.0.0.1:65535"},
		{addr: "trailing.dot.:1"},
		{addr: "host", want: `unable to split "host": address host: missing port in address`},
		{addr: "host:-1", want: "port number -1 must be in the range 1..65535"},
		{addr: "host:x", want: `port (x) is not a number: strconv.Atoi: parsing "x": invalid syntax`},
		{addr: "1.2.3.999:80", want: `"1.2.3.999" is not a valid hostname or an IP address`},
		{addr: strings.Repeat("a", 64) + ".io:80", want: `is not a valid hostname or an IP address`},
		{addr: ":80", want: `"" is not a valid hostname or an IP address`},
	}
	for _, tc := range cases {
		err := ValidateProxyAddress(tc.addr)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: unexpected error %v", tc.addr, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want %q", tc.addr, err, tc.want)
		}
	}
}

func TestValidateFQDN(t *testing.T) {
	cases := map[string]string{
		"example.com":             "",
		"example.com.":            "",
		"":                        "empty domain name not allowed",
		strings.Repeat("a.", 128): `too long (max 255)`,
		"a.123":                   `domain name "a.123" invalid (top level domain "123" cannot be all-numeric)`,
		"a..b":                    `domain name "a..b" invalid (label "" invalid)`,
		"-a.b":                    `domain name "-a.b" invalid (label "-a" invalid)`,
	}
	for name, want := range cases {
		err := ValidateFQDN(name)
		switch {
		case want == "" && err != nil:
			t.Errorf("%q: unexpected error %v", name, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%q: error %v, want %q", name, err, want)
		}
	}
}
