#!/usr/bin/env bash
# `npm test`: type-check the whole project, then run jest (arguments go to jest). Both run; either failing fails.
# jest's global setup starts a Temporal dev server and creates a fresh database (test/helpers/global-setup.ts).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/ensure-node.sh
bash scripts/ensure-postgres.sh || exit 1

status=0
echo "== tsc --noEmit" >&2
node node_modules/typescript/bin/tsc --noEmit -p . || { echo "== type check FAILED" >&2; status=1; }

echo "== jest" >&2
node --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js "$@" || status=1
exit $status
