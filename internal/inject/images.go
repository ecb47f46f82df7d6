package inject

import (
	"strings"

	networking "istio.io/api/networking/v1beta1"
)

// Image types Istio publishes; the suffix of a tag names the type.
const (
	imageTypeDefault    = "default"
	imageTypeDistroless = "distroless"
	imageTypeDebug      = "debug"
)

// proxyImage is the istio-proxy image: hub/image:tag, the tag suffixed with the image type
// from the proxy config, the values' variant, or the pod's sidecar.istio.io/proxyImageType.
// Before Istio 1.31 (Rules.ProxyInitImage), a proxy config that names an image decides
// the type even when it gives none, and the values' variant is not read.
func (s *Settings) proxyImage(image *networking.ProxyImage, annotations map[string]string) string {
	name := "proxyv2"
	if n := s.Values.String("global", "proxy", "image"); n != "" {
		name = n
	}
	imageType := s.Values.String("global", "variant")
	if image != nil && (image.GetImageType() != "" || !s.Rules.ProxyInitImage) {
		imageType = image.GetImageType()
	}
	return imageURL(s.Values, name, imageType, annotations)
}

// proxyInitImage is the istio-init image: its own from Istio 1.31 on (Rules.ProxyInitImage),
// the proxy's before.
func (s *Settings) proxyInitImage(image *networking.ProxyImage, annotations map[string]string) string {
	if !s.Rules.ProxyInitImage {
		return s.proxyImage(image, annotations)
	}
	name := "proxyv2"
	if n := s.Values.String("global", "proxy_init", "image"); n != "" {
		name = n
	}
	return imageURL(s.Values, name, s.Values.String("global", "variant"), annotations)
}

func imageURL(values Values, name, imageType string, annotations map[string]string) string {
	if t, ok := annotations[annotationProxyImageType]; ok {
		imageType = t
	}
	return values.String("global", "hub") + "/" + name + ":" + withImageType(values.String("global", "tag"), imageType)
}

// withImageType replaces a known image-type suffix of tag by imageType ("default" means none).
func withImageType(tag, imageType string) string {
	if imageType == "" {
		return tag
	}
	for _, known := range []string{imageTypeDistroless, imageTypeDebug} {
		if strings.HasSuffix(tag, "-"+known) {
			tag = strings.TrimSuffix(tag, "-"+known)
			break
		}
	}
	if imageType == imageTypeDefault {
		return tag
	}
	return tag + "-" + imageType
}

// ProxyImage is the istio-proxy image the revision injects into a pod with these
// annotations, with the mesh's default proxy config (ProxyConfig resources and a pod's
// proxy.istio.io/config may still change its image type).
func (s *Settings) ProxyImage(annotations map[string]string) string {
	return s.proxyImage(s.Mesh.GetDefaultConfig().GetImage(), annotations)
}
