package inject

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	meshv1 "istio.io/api/mesh/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

// Prometheus annotation keys as Prometheus normalizes them: prometheus.io/port,
// prometheus.io.port and prometheus-io/port mean the same.
const (
	promScrape        = "prometheus_io_scrape"
	promPort          = "prometheus_io_port"
	promPath          = "prometheus_io_path"
	promScrapeTargets = "prometheus_istio_io_scrape_targets"
	promSecurePort    = "prometheus_istio_io_secure_port"
	// promScrapingEnv carries the application's scrape settings to the agent.
	promScrapingEnv = "ISTIO_PROMETHEUS_ANNOTATIONS"
)

// istioReservedPorts are data-plane ports that metrics merging must not scrape.
var istioReservedPorts = map[string]string{
	"15000": "Envoy admin",
	"15001": "outbound traffic capture",
	"15004": "pilot debug",
	"15006": "inbound traffic capture",
	"15008": "HBONE tunnel",
	"15020": "pilot-agent status / merged Prometheus",
	"15021": "Envoy health",
	"15053": "DNS proxy",
	"15090": "Envoy Prometheus (already merged)",
}

type scrapeTarget struct {
	Port string `json:"port"`
	Path string `json:"path"`
}

type scrapeConfig struct {
	Scrape  string         `json:"scrape"`
	Path    string         `json:"path"`
	Port    string         `json:"port"`
	Targets []scrapeTarget `json:"targets,omitempty"`
}

func (c scrapeConfig) empty() bool {
	return c.Scrape == "" && c.Path == "" && c.Port == "" && len(c.Targets) == 0
}

// sanitizeLabelName is Prometheus's normalization: every character outside [a-zA-Z0-9_]
// becomes "_".
func sanitizeLabelName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, s)
}

// promAnnotation returns the value of the first annotation (in key order) that
// normalizes to key.
func promAnnotation(annotations map[string]string, key string) (string, bool) {
	keys := make([]string, 0, len(annotations))
	for k := range annotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if sanitizeLabelName(k) == key {
			return annotations[k], true
		}
	}
	return "", false
}

func prometheusPort(annotations map[string]string) (string, bool) {
	return promAnnotation(annotations, promPort)
}

// clearPrometheusAnnotations removes the application's scrape settings, scrape targets
// too where the release reads them.
func clearPrometheusAnnotations(annotations map[string]string, targets bool) {
	for k := range annotations {
		switch sanitizeLabelName(k) {
		case promPath, promPort, promScrape:
			delete(annotations, k)
		case promScrapeTargets:
			if targets {
				delete(annotations, k)
			}
		}
	}
}

func parseScrapeTargets(raw string) ([]scrapeTarget, error) {
	var out []scrapeTarget
	for _, entry := range strings.Split(raw, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		port, path, _ := strings.Cut(entry, ":")
		port, path = strings.TrimSpace(port), strings.TrimSpace(path)
		if port == "" {
			return nil, fmt.Errorf("empty port in scrape target %q", entry)
		}
		if path == "" {
			path = "/metrics"
		}
		out = append(out, scrapeTarget{Port: port, Path: path})
	}
	return out, nil
}

func mergeMetricsEnabled(mesh *meshv1.MeshConfig, annotations map[string]string) bool {
	if v, ok := annotations[annotationMergeMetrics]; ok {
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	if m := mesh.GetEnablePrometheusMerge(); m != nil {
		return m.GetValue()
	}
	return true
}

// applyPrometheusMerge points the pod's Prometheus annotations at the agent's merged
// metrics endpoint and hands the application's own settings to the agent in an env var.
// With checks (Istio 1.31 on) it also reads prometheus.istio.io/scrape-targets and refuses
// scrape ports that are no ports or Istio's own; before, any port was passed on.
func applyPrometheusMerge(pod *corev1.Pod, mesh *meshv1.MeshConfig, checks bool) error {
	if v, ok := promAnnotation(pod.Annotations, promScrape); ok {
		if b, err := strconv.ParseBool(v); err == nil && !b {
			return nil
		}
	}
	if !mergeMetricsEnabled(mesh, pod.Annotations) {
		return nil
	}
	target := strconv.Itoa(int(mesh.GetDefaultConfig().GetStatusPort()))
	if cur, ok := prometheusPort(pod.Annotations); ok && cur == target {
		return nil
	}
	cfg := scrapeConfig{}
	cfg.Port, _ = promAnnotation(pod.Annotations, promPort)
	cfg.Scrape, _ = promAnnotation(pod.Annotations, promScrape)
	cfg.Path, _ = promAnnotation(pod.Annotations, promPath)
	if checks {
		if raw, ok := promAnnotation(pod.Annotations, promScrapeTargets); ok {
			if targets, err := parseScrapeTargets(raw); err == nil {
				cfg.Targets = targets
			}
		}
		if err := checkScrapePorts(&cfg, target); err != nil {
			return err
		}
	}
	if sidecar := findSidecar(pod); sidecar != nil && !cfg.empty() {
		b, err := json.Marshal(cfg)
		if err != nil {
			return err
		}
		sidecar.Env = append(sidecar.Env, corev1.EnvVar{Name: promScrapingEnv, Value: string(b)})
	}
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	clearPrometheusAnnotations(pod.Annotations, checks)
	pod.Annotations["prometheus.io/port"] = target
	pod.Annotations["prometheus.io/path"] = "/stats/prometheus"
	pod.Annotations["prometheus.io/scrape"] = "true"
	return nil
}

// checkScrapePorts refuses application scrape ports that are the agent's or Istio's own.
// With scrape targets, the first one also fills the legacy port and path.
func checkScrapePorts(cfg *scrapeConfig, agentPort string) error {
	if len(cfg.Targets) > 0 {
		cfg.Port, cfg.Path = cfg.Targets[0].Port, cfg.Targets[0].Path
		for _, t := range cfg.Targets {
			if err := checkScrapePort("targets", "target port", t.Port, agentPort); err != nil {
				return err
			}
		}
		return nil
	}
	if cfg.Port != "" {
		return checkScrapePort("configuration", "port", cfg.Port, agentPort)
	}
	return nil
}

func checkScrapePort(what, noun, port, agentPort string) error {
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("invalid prometheus scrape %s: invalid %s %q", what, noun, port)
	}
	canon := strconv.Itoa(n)
	if canon == agentPort {
		return fmt.Errorf("invalid prometheus scrape %s: %s %s conflicts with agent port", what, noun, port)
	}
	if reason, reserved := istioReservedPorts[canon]; reserved {
		return fmt.Errorf("invalid prometheus scrape %s: %s %s is reserved for Istio (%s) and cannot be scraped", what, noun, port, reason)
	}
	return nil
}

// applySecurePrometheusAnnotation sets prometheus.istio.io/secure-port from the proxy's
// ENVOY_SECURE_MERGED_METRICS_PORT, unless the pod sets it.
func applySecurePrometheusAnnotation(pod *corev1.Pod) {
	if _, ok := promAnnotation(pod.Annotations, promSecurePort); ok {
		return
	}
	sidecar := findSidecar(pod)
	if sidecar == nil {
		return
	}
	for _, e := range sidecar.Env {
		if e.Name == "ENVOY_SECURE_MERGED_METRICS_PORT" && e.Value != "" && e.Value != "0" {
			pod.Annotations["prometheus.istio.io/secure-port"] = e.Value
			return
		}
	}
}
