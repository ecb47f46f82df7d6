package templatefuncs

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestExcludeInboundPort(t *testing.T) {
	cases := []struct {
		name     string
		port     any
		excluded string
		want     string
	}{
		{"into empty", 15020, "", "15020"},
		{"appended", 15020, "80,443", "80,443,15020"},
		{"string port", "8080", "80", "80,8080"},
		{"port is trimmed", " 8080 ", "80", "80,8080"},
		{"already present", 80, "80,443", "80,443"},
		{"present list returned verbatim", 443, " 80,443,, ", " 80,443,, "},
		{"elements trimmed and blanks dropped", 15020, " 80 ,, 443 ,", "80,443,15020"},
		{"untrimmed element does not match", 90, "80, 90", "80,90,90"},
		{"zero port", 0, "80, 90", "80, 90"},
		{"zero string port", "0", " x ", " x "},
		{"empty port", "", "80", "80"},
		{"blank port", "  ", "80", "80"},
		{"nil port", nil, "80", "80,<nil>"},
		{"int32 port", int32(15090), "", "15090"},
		{"float port", 15020.0, "", "15020"},
	}
	for _, c := range cases {
		if got := excludeInboundPort(c.port, c.excluded); got != c.want {
			t.Errorf("%s: excludeInboundPort(%v, %q) = %q, want %q", c.name, c.port, c.excluded, got, c.want)
		}
	}
}

func containersWithPorts() []corev1.Container {
	return []corev1.Container{
		{Name: "app", Ports: []corev1.ContainerPort{
			{ContainerPort: 8080},
			{ContainerPort: 53, Protocol: corev1.ProtocolUDP},
			{ContainerPort: 9090, Protocol: corev1.ProtocolTCP},
			{ContainerPort: 3868, Protocol: corev1.ProtocolSCTP},
		}},
		{Name: "istio-proxy", Ports: []corev1.ContainerPort{
			{ContainerPort: 15090, Protocol: corev1.ProtocolTCP},
		}},
		{Name: "no-ports"},
		{Name: "other", Ports: []corev1.ContainerPort{{ContainerPort: 80}, {ContainerPort: 8080}}},
	}
}

func TestIncludeInboundPorts(t *testing.T) {
	cases := []struct {
		name string
		in   []corev1.Container
		want string
	}{
		{"nil", nil, ""},
		{"no ports", []corev1.Container{{Name: "a"}}, ""},
		{"only udp", []corev1.Container{{Ports: []corev1.ContainerPort{{ContainerPort: 53, Protocol: "UDP"}}}}, ""},
		{"mixed, duplicates kept", containersWithPorts(), "8080,9090,15090,80,8080"},
	}
	for _, c := range cases {
		if got := includeInboundPorts(c.in); got != c.want {
			t.Errorf("%s: includeInboundPorts = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestApplicationPorts(t *testing.T) {
	cases := []struct {
		name string
		in   []corev1.Container
		want string
	}{
		{"nil", nil, ""},
		{"proxy ports skipped", containersWithPorts(), "8080,9090,80,8080"},
		{"only proxy", []corev1.Container{{Name: "istio-proxy", Ports: []corev1.ContainerPort{{ContainerPort: 1}}}}, ""},
	}
	for _, c := range cases {
		if got := applicationPorts(c.in); got != c.want {
			t.Errorf("%s: applicationPorts = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestInterfacePassThrough(t *testing.T) {
	fm := FuncMap(Options{})
	for _, name := range []string{"kubevirtInterfaces", "excludeInterfaces"} {
		fn, ok := fm[name].(func(string) string)
		if !ok {
			t.Fatalf("%s has type %T, want func(string) string", name, fm[name])
		}
		for _, in := range []string{"", "net1", " net1, net2 "} {
			if got := fn(in); got != in {
				t.Errorf("%s(%q) = %q, want it unchanged", name, in, got)
			}
		}
	}
}
