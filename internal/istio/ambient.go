package istio

import (
	"istio.io/api/annotation"
	"istio.io/api/label"
)

// Labels of Istio's ambient data plane.
var (
	// DataplaneModeLabel puts a namespace or pod in the ambient mesh ("ambient") or keeps a
	// pod out of it ("none"); a pod's label wins over its namespace's.
	DataplaneModeLabel = label.IoIstioDataplaneMode.Name
	// UseWaypointLabel names the waypoint a namespace, Service or pod sends its traffic
	// through ("NAME"; "none" for none).
	UseWaypointLabel = label.IoIstioUseWaypoint.Name
	// UseWaypointNamespaceLabel names the namespace of that waypoint when it is another.
	UseWaypointNamespaceLabel = label.IoIstioUseWaypointNamespace.Name
	// WaypointForLabel says which traffic a waypoint Gateway handles: service (Istio's
	// default when absent), workload, all or none.
	WaypointForLabel = label.IoIstioWaypointFor.Name
)

// Values of the data-plane mode label.
const (
	DataplaneModeAmbient = "ambient"
	DataplaneModeNone    = "none"
)

// StatusAnnotation is the annotation the sidecar injector puts on every pod it injects,
// recording what injection added; ambient capture skips pods that carry it (the sidecar
// takes precedence).
var StatusAnnotation = annotation.SidecarStatus.Name

// NoWaypoint is the use-waypoint value that opts out of a namespace's waypoint.
const NoWaypoint = "none"
