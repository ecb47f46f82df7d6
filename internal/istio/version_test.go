package istio

import "testing"

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"1.29", "1.29", true},
		{"1.29.6", "1.29.6", true},
		{"1.29.6-distroless", "", false},
		{"v1.29", "", false},
		{"1", "", false},
		{"1.29.6.1", "", false},
		{"", "", false},
		{"latest", "", false},
	}
	for _, tt := range tests {
		v, err := ParseVersion(tt.in)
		if (err == nil) != tt.ok || (tt.ok && v.String() != tt.want) {
			t.Errorf("ParseVersion(%q) = %v, %v; want %q ok=%t", tt.in, v, err, tt.want, tt.ok)
		}
	}
}

func TestVersionOfTag(t *testing.T) {
	tests := []struct {
		tag, want string
		ok        bool
	}{
		{"1.29.6", "1.29.6", true},
		{"1.29.6-distroless", "1.29.6", true},
		{"1.31.0-rc.0", "1.31.0", true},
		{"1.29.6-asm.1", "1.29.6", true},
		{"1.29", "", false}, // a tag names a patch release
		{"latest", "", false},
		{"1.29-dev", "", false},
		{"sha256:abc", "", false},
		{"1.29.6 ", "", false},
	}
	for _, tt := range tests {
		v, ok := VersionOfTag(tt.tag)
		if ok != tt.ok || (ok && v.String() != tt.want) {
			t.Errorf("VersionOfTag(%q) = %v, %t; want %q, %t", tt.tag, v, ok, tt.want, tt.ok)
		}
	}
}

func TestVersionCompare(t *testing.T) {
	order := []string{"1.9.9", "1.28", "1.28.0", "1.28.10", "1.29", "1.29.0", "1.30.3", "2.0"}
	for i := range order {
		for j := range order {
			a, _ := ParseVersion(order[i])
			b, _ := ParseVersion(order[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("%s.Compare(%s) = %d, want %d", a, b, got, want)
			}
		}
	}
}
