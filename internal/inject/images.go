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
func proxyImage(values Values, image *networking.ProxyImage, annotations map[string]string) string {
	name := "proxyv2"
	if n := values.String("global", "proxy", "image"); n != "" {
		name = n
	}
	imageType := ""
	if image != nil {
		imageType = image.GetImageType()
	}
	return imageURL(values, name, imageType, annotations)
}

// proxyInitImage is the istio-init image.
func proxyInitImage(values Values, annotations map[string]string) string {
	name := "proxyv2"
	if n := values.String("global", "proxy_init", "image"); n != "" {
		name = n
	}
	return imageURL(values, name, "", annotations)
}

func imageURL(values Values, name, imageType string, annotations map[string]string) string {
	if imageType == "" {
		imageType = values.String("global", "variant")
	}
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
	return proxyImage(s.Values, s.Mesh.GetDefaultConfig().GetImage(), annotations)
}
