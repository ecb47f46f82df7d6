package ca

import (
	"crypto/x509"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestRootTemplateDefaults(t *testing.T) {
	key := testKey(t, "p384")
	root := newRoot(t, key, now, 0)
	if got := root.Subject.String(); got != "CN=Root CA,O=Istio" {
		t.Errorf("subject = %q", got)
	}
	if !root.IsCA || !root.BasicConstraintsValid || root.MaxPathLen != -1 || root.MaxPathLenZero {
		t.Errorf("basic constraints: IsCA=%v valid=%v pathlen=%d zero=%v", root.IsCA, root.BasicConstraintsValid, root.MaxPathLen, root.MaxPathLenZero)
	}
	if root.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
		t.Errorf("key usage = %b", root.KeyUsage)
	}
	if got := root.NotAfter.Sub(root.NotBefore); got != DefaultRootValidity {
		t.Errorf("validity = %v, want %v", got, DefaultRootValidity)
	}
	if len(root.SubjectKeyId) == 0 {
		t.Error("no subject key identifier")
	}
	if err := root.CheckSignatureFrom(root); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	for _, ext := range root.Extensions {
		if ext.Id.Equal(oidBasicConstraints) && !ext.Critical {
			t.Error("basicConstraints is not critical")
		}
	}
}

func TestRootTemplateOptions(t *testing.T) {
	tmpl, err := RootTemplate(RootOptions{CommonName: "Mesh Root", Organization: "Example", Validity: 48 * time.Hour}, now, big.NewInt(7))
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.Subject.CommonName != "Mesh Root" || tmpl.Subject.Organization[0] != "Example" ||
		!tmpl.NotAfter.Equal(now.Add(48*time.Hour)) || tmpl.SerialNumber.Int64() != 7 {
		t.Errorf("template = %+v", tmpl)
	}
}

func TestRootTemplateRefusals(t *testing.T) {
	big21 := new(big.Int).Lsh(big.NewInt(1), 20*8) // needs 21 octets
	for _, tc := range []struct {
		name   string
		opts   RootOptions
		serial *big.Int
		want   string
	}{
		{"nil serial", RootOptions{}, nil, "serial number must be positive"},
		{"zero serial", RootOptions{}, big.NewInt(0), "serial number must be positive"},
		{"negative serial", RootOptions{}, big.NewInt(-5), "serial number must be positive"},
		{"long serial", RootOptions{}, big21, "longer than 20 octets"},
		{"negative validity", RootOptions{Validity: -time.Hour}, big.NewInt(1), "not positive"},
		{"control character", RootOptions{CommonName: "Root\nCA"}, big.NewInt(1), "control characters"},
		{"blank organization", RootOptions{Organization: "  "}, big.NewInt(1), "organization is empty"},
		{"long name", RootOptions{CommonName: strings.Repeat("x", 65)}, big.NewInt(1), "longer than 64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RootTemplate(tc.opts, now, tc.serial)
			wantErr(t, err, tc.want)
		})
	}
}
