#!/usr/bin/env bash
# `npm test`: the static checks (types, lint, format, architecture), then jest (arguments go to jest).
# Every step runs; any failing fails the run. Each step prints how long it took.
# jest's global setup starts a Temporal dev server and creates a fresh database (test/helpers/global-setup.ts).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/ensure-node.sh
bash scripts/ensure-postgres.sh || exit 1

status=0
# step <title> <command…>: runs one check, reports its time, and records a failure without stopping the run.
step() {
  local title="$1" started=$SECONDS
  shift
  echo "== $title" >&2
  if "$@"; then
    echo "== $title: ok ($((SECONDS - started))s)" >&2
  else
    echo "== $title FAILED ($((SECONDS - started))s)" >&2
    status=1
  fi
}

step "type check (tsc --noEmit)" node node_modules/typescript/bin/tsc --noEmit -p .
step "type check of the dashboard (tsc --noEmit -p dashboard)" node node_modules/typescript/bin/tsc --noEmit -p dashboard
step "lint (eslint)" node node_modules/eslint/bin/eslint.js .
step "format (prettier --check; npm run format fixes it)" node node_modules/prettier/bin/prettier.cjs --check --log-level warn .
step "architecture (dependency-cruiser, .dependency-cruiser.cjs)" node node_modules/dependency-cruiser/bin/dependency-cruiser.mjs --config .dependency-cruiser.cjs --output-type err .
step "jest" node --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js "$@"
exit $status
