#!/usr/bin/env bash
# Runs a TypeScript entry point on Node 24 (native type stripping), provisioning Node if needed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/ensure-node.sh"
exec node --disable-warning=ExperimentalWarning "$@"
