package istio

import (
	"fmt"
	"regexp"
	"strconv"
)

// Version is an Istio release: a minor line (1.29) or a patch release of it (1.29.6). A
// revision renders as its release: the injection templates, values and engine rules of
// that release's istiod.
type Version struct {
	Major, Minor int
	// Patch is the patch release, or -1 when only the minor line is named ("1.29").
	Patch int
}

// versionText is a release as users write it: 1.29 or 1.29.6.
var versionText = regexp.MustCompile(`^([0-9]{1,4})\.([0-9]{1,4})(?:\.([0-9]{1,4}))?$`)

// versionTag is a proxy image tag that names a release: 1.29.6, 1.29.6-distroless,
// 1.31.0-rc.0, 1.29.6-asm.1 (a suffix after "-" or "+" is a variant or pre-release of it).
var versionTag = regexp.MustCompile(`^([0-9]{1,4})\.([0-9]{1,4})\.([0-9]{1,4})(?:[-+][0-9A-Za-z.+_-]*)?$`)

// ParseVersion reads a release as spec.istioVersion gives it: "1.29" (the minor line) or
// "1.29.6".
func ParseVersion(s string) (Version, error) {
	m := versionText.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("%q is not an Istio release like 1.29 or 1.29.6", s)
	}
	return versionOf(m), nil
}

// VersionOfTag returns the release a proxy image tag names ("1.29.6", "1.29.6-distroless"),
// and false for a tag that names none ("latest", a digest, a build hash).
func VersionOfTag(tag string) (Version, bool) {
	m := versionTag.FindStringSubmatch(tag)
	if m == nil {
		return Version{}, false
	}
	return versionOf(m), true
}

func versionOf(m []string) Version {
	v := Version{Patch: -1}
	v.Major, _ = strconv.Atoi(m[1]) // the patterns allow digits only
	v.Minor, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		v.Patch, _ = strconv.Atoi(m[3])
	}
	return v
}

// HasPatch reports whether v names a patch release, not only a minor line.
func (v Version) HasPatch() bool { return v.Patch >= 0 }

// Line is v's minor line: 1.29 for 1.29.6.
func (v Version) Line() Version { return Version{Major: v.Major, Minor: v.Minor, Patch: -1} }

// String writes v as it was read: "1.29" or "1.29.6".
func (v Version) String() string {
	if v.Patch < 0 {
		return fmt.Sprintf("%d.%d", v.Major, v.Minor)
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// Compare orders releases: -1, 0 or +1 as v is older than, the same as or newer than w. A
// minor line without a patch sorts before its patch releases.
func (v Version) Compare(w Version) int {
	for _, d := range [][2]int{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	return 0
}
