#!/usr/bin/env bash
# Prints a PostgreSQL URL the test suite may use to create and drop its own databases.
# Uses the server on 127.0.0.1:5432 when one answers; otherwise installs Debian's
# PostgreSQL if needed and starts a throw-away cluster in /tmp (port 55432).
set -euo pipefail
if [ -n "${MOTCUA_TEST_PG_URL:-}" ]; then echo "$MOTCUA_TEST_PG_URL"; exit 0; fi
# MOTCUA_TEST_PG_OWN=1 skips the shared server (to check this script's own cluster path).
if [ -z "${MOTCUA_TEST_PG_OWN:-}" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432 \
   && psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  echo "postgresql://postgres@127.0.0.1:5432/postgres"; exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ]; then
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
data=/tmp/motcua-test-pg; port=55432
run_as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! pg_isready -q -h 127.0.0.1 -p $port 2>/dev/null; then
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"; [ "$(id -u)" -eq 0 ] && chown postgres "$data"
    run_as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >&2
  fi
  run_as_pg "$bindir/pg_ctl" -D "$data" -l "$data/log" -w \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2
fi
echo "postgresql://postgres@127.0.0.1:$port/postgres"
