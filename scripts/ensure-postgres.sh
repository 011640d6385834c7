#!/usr/bin/env bash
# Makes sure the local PostgreSQL (127.0.0.1:5432) accepts connections, starting the Debian cluster if it is down.
# Set PGHOST/PGPORT to check another server; nothing is started then unless it is local.
set -uo pipefail
host="${PGHOST:-127.0.0.1}"
port="${PGPORT:-5432}"

ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$host" -p "$port"
  else
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
  fi
}

ready && exit 0

if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    echo "[ensure-postgres] starting PostgreSQL $version/main" >&2
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>&1 | sed 's/^/[ensure-postgres] /' >&2 || true
  done
fi

for _ in $(seq 1 60); do
  ready && { echo "[ensure-postgres] PostgreSQL is up on $host:$port" >&2; exit 0; }
  sleep 0.5
done
echo "[ensure-postgres] PostgreSQL is not accepting connections on $host:$port after 30 s" >&2
exit 1
