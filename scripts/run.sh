#!/usr/bin/env bash
# Runs a TypeScript entry point on Node 24 (native type stripping), provisioning Node if needed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/ensure-node.sh"
# Node keeps compiled code (and TypeScript stripped of its types) on disk, so every start after the first skips
# that work: the API was ready in 1.9 s without it (issue 14). Children of this process inherit it.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.data/compile-cache}"
exec node --disable-warning=ExperimentalWarning "$@"
