#!/usr/bin/env bash
# A full Temporal server on PostgreSQL persistence, what production runs (DESIGN.md §8), for measuring against it
# (issue 14 scope 7): `bash scripts/temporal-on-postgres.sh start` then
# `TEMPORAL_ADDRESS=127.0.0.1:7233 node bench/checkout-ramp.ts`; `bash scripts/temporal-on-postgres.sh stop` afterwards.
# Builds server and sql tool v1.29.1 (the dev server's version) into .tools/bin the first time (minutes), then creates
# fresh databases temporal_pg and temporal_pg_visibility on PGHOST (default 127.0.0.1:5432, user postgres, trust auth).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=v1.29.1
bin="$root/.tools/bin"
work="$root/.data/temporal-pg"
pg_host="${PGHOST:-127.0.0.1}"
pg_port="${PGPORT:-5432}"
db=temporal_pg
vis_db=temporal_pg_visibility
go="${GO:-/usr/local/go/bin/go}"

stop() {
  if [ -f "$work/server.pid" ]; then
    kill "$(cat "$work/server.pid")" 2>/dev/null || true
    rm -f "$work/server.pid"
  fi
}

if [ "${1:-start}" = stop ]; then
  stop
  exit 0
fi

mkdir -p "$bin"
if [ ! -x "$bin/server" ] || [ ! -x "$bin/sql" ]; then
  echo "building Temporal server and sql tool $version into $bin (minutes the first time)"
  GOBIN="$bin" "$go" install "go.temporal.io/server/cmd/server@$version"
  GOBIN="$bin" "$go" install "go.temporal.io/server/cmd/tools/sql@$version"
fi
mod="$("$go" env GOMODCACHE)/go.temporal.io/server@$version"

stop
rm -rf "$work"
mkdir -p "$work/config/dynamicconfig"
# The module's own development config, pointed at our databases with the machine's trust-auth user.
sed -e 's/user: "temporal"/user: "postgres"/' -e 's/password: "temporal"/password: ""/' \
  -e "s/databaseName: \"temporal\"/databaseName: \"$db\"/" -e "s/databaseName: \"temporal_visibility\"/databaseName: \"$vis_db\"/" \
  -e "s/connectAddr: \"127.0.0.1:5432\"/connectAddr: \"$pg_host:$pg_port\"/" \
  "$mod/config/development-postgres12.yaml" > "$work/config/development-postgres12.yaml"
cp "$mod/config/dynamicconfig/development-sql.yaml" "$work/config/dynamicconfig/"
# The dynamic config every server of ours runs with (ops/temporal-dynamic-config.yaml: eager activity dispatch).
cat "$root/ops/temporal-dynamic-config.yaml" >> "$work/config/dynamicconfig/development-sql.yaml"

for name in "$db" "$vis_db"; do
  psql -h "$pg_host" -p "$pg_port" -U postgres -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)"
done
sql_tool() { "$bin/sql" --plugin postgres12 --ep "$pg_host" -p "$pg_port" -u postgres "$@" >> "$work/setup.log" 2>&1; }
sql_tool --db "$db" create-database
sql_tool --db "$db" setup-schema -v 0.0
sql_tool --db "$db" update-schema -d "$mod/schema/postgresql/v12/temporal/versioned"
sql_tool --db "$vis_db" create-database
sql_tool --db "$vis_db" setup-schema -v 0.0
sql_tool --db "$vis_db" update-schema -d "$mod/schema/postgresql/v12/visibility/versioned"

(cd "$work" && exec "$bin/server" --root "$work" --config config --env development-postgres12 --allow-no-auth start > "$work/server.log" 2>&1) &
echo $! > "$work/server.pid"
cli="$bin/temporal"
for _ in $(seq 1 60); do
  "$cli" operator cluster health --address 127.0.0.1:7233 > /dev/null 2>&1 && break
  sleep 1
done
"$cli" operator namespace create --address 127.0.0.1:7233 --namespace default > /dev/null 2>&1 || true
for _ in $(seq 1 30); do
  "$cli" operator namespace describe --address 127.0.0.1:7233 --namespace default > /dev/null 2>&1 && break
  sleep 1
done
# The search attributes our workflows set, read from the code that declares them (contracts/search-attributes.ts).
. "$root/scripts/ensure-node.sh"
attributes="$(node --disable-warning=ExperimentalWarning --input-type=module -e "
  const { SEARCH_ATTRIBUTE_TYPES } = await import('$root/contracts/search-attributes.ts');
  console.log(Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => name + '=' + type).join(' '));")"
for sa in $attributes; do
  "$cli" operator search-attribute create --address 127.0.0.1:7233 --namespace default --name "${sa%%=*}" --type "${sa#*=}" > /dev/null
done
echo "Temporal $version on PostgreSQL ($db, $vis_db) at 127.0.0.1:7233; log $work/server.log; stop: bash scripts/temporal-on-postgres.sh stop"
