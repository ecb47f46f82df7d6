#!/usr/bin/env bash
# check-rendered.sh: meshfn's CI check of its own root package, which is a fleet: the
# script blueprints/fleet ships to mesh repositories (scripts/ci-check.sh), run here.
# Rendering must pass (validate-mesh included) and leave the committed tree unchanged.
#
#   hack/check-rendered.sh                  # kpt fn render . (the Kptfiles' images)
#   hack/check-rendered.sh make render      # meshfn's own CI (.ci/run): exec mode
exec "$(dirname -- "$0")/../blueprints/fleet/scripts/ci-check.sh" "$@"
