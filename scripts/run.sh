#!/usr/bin/env bash
# Runs a TypeScript entry point on Node 24 (native type stripping), provisioning Node if needed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/ensure-node.sh"
# Node keeps compiled code (and TypeScript stripped of its types) on disk, so every start after the first skips
# that work: the API was ready in 1.9 s without it (issue 14). Children of this process inherit it.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.data/compile-cache}"
# Memory (issue 14, measured; README "Performance: the latest figures"): glibc gives threads their own malloc arenas,
# and V8 lets each isolate's young generation grow to 3 × 16 MB. Two arenas cost no measurable throughput. The worker
# (three isolates, the SDK's Rust threads) also takes 2 MB semi-spaces: idle 305 → 237 MB, the same checkout throughput.
# The API (one isolate; 2 MB cost 10 % of its product-list throughput) takes 8 MB: idle 167 → 126-147 MB.
# The flag goes on the command line, so children started through this script pick their own. Set MALLOC_ARENA_MAX, or
# --max-semi-space-size in NODE_OPTIONS, to choose yourself.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
semi_space=()
case " ${NODE_OPTIONS:-} " in
  *" --max-semi-space-size="*) ;;
  *)
    semi_space=(--max-semi-space-size=8)
    for arg in "$@"; do [ "$arg" = workers/main.ts ] && semi_space=(--max-semi-space-size=2); done
    ;;
esac
# The worker's old generation grows 30 % past what a full collection left live before the next one, where V8 otherwise
# lets it grow up to 4 × when collecting is cheap: its peak under 20 checkouts/s 416-508 → 317-323 MB, the same rate
# (issue 14). WORKER_HEAP_GROWING_PERCENT chooses another (0: V8's own); V8 refuses the flag in NODE_OPTIONS.
heap_growing=()
for arg in "$@"; do [ "$arg" = workers/main.ts ] && heap_growing=(--heap-growing-percent="${WORKER_HEAP_GROWING_PERCENT:-30}"); done
# ${a[@]+"${a[@]}"}: an empty array under `set -u` is an error in bash before 4.4 (macOS ships 3.2).
exec node --disable-warning=ExperimentalWarning ${semi_space[@]+"${semi_space[@]}"} ${heap_growing[@]+"${heap_growing[@]}"} "$@"
