#!/usr/bin/env bash
# check-rendered.sh: meshfn's CI check of its own root package, which is a fleet: the
# script blueprints/fleet ships to mesh repositories (scripts/ci-check.sh), run here.
# Rendering must pass (the root's validator, validate-mesh, included), validate-mesh --package
# must pass on the rendered files, and the committed tree must be unchanged.
#
#   hack/check-rendered.sh                  # kpt fn render . (the Kptfiles' images)
#   hack/check-rendered.sh make render      # meshfn's own CI (.ci/run): exec mode, bin/validate-mesh
here=$(cd -- "$(dirname -- "$0")/.." && pwd)
if [ $# -gt 0 ] && [ -z "${MESHFN_VALIDATE_MESH:-}" ] && [ -z "${MESHFN_RENDER_EXEC:-}" ]; then
	export MESHFN_VALIDATE_MESH=$here/bin/validate-mesh
fi
exec "$here/blueprints/fleet/scripts/ci-check.sh" "$@"
