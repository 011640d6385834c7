#!/usr/bin/env bash
# Runs a TypeScript entry point on Node 24 (native type stripping), provisioning Node if needed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/ensure-node.sh"
# Node keeps compiled code (and TypeScript stripped of its types) on disk, so every start after the first skips
# that work: the API was ready in 1.9 s without it (issue 14). Children of this process inherit it.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.data/compile-cache}"
# Memory (issue 14, measured with smaps): V8 lets each isolate's young generation grow to 3 × 16 MB, and glibc gives
# threads their own malloc arenas; the worker runs three isolates and the SDK's Rust threads. With these two caps the
# API idled at 126 MB instead of 167 and the worker at 238 MB instead of 305, at the same checkout throughput. Either
# can be overridden: set MALLOC_ARENA_MAX, or a --max-semi-space-size of your own in NODE_OPTIONS. Children inherit both.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
case " ${NODE_OPTIONS:-} " in
  *" --max-semi-space-size="*) ;;
  *) export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--max-semi-space-size=2" ;;
esac
exec node --disable-warning=ExperimentalWarning "$@"
