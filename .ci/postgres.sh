#!/usr/bin/env bash
# Install (Debian packages) and start PostgreSQL with PostGIS, make an empty test database with
# the postgis extension, and print its URL on standard output (everything else goes to stderr):
#
#     export TEST_DATABASE_URL="$(.ci/postgres.sh)"
#
# The contributions store's tests (tests/store) then run on PostgreSQL as well as SQLite.
# Run as root (CI) or as a user who may use sudo. Safe to run again: it reuses what is there.
set -euo pipefail

DB="${JUL_TEST_DB:-jul_test}"
# The tests connect over the Unix socket as the user who runs them (peer authentication):
# that user gets a role of the same name, which owns the test database (not a superuser).
ROLE="${SUDO_USER:-$(id -un)}"
SOCKET_DIR=/var/run/postgresql
log() { echo "postgres.sh: $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root runuser -u postgres -- "$@"; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 \
    || ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
    log "installing PostgreSQL and PostGIS (Debian packages)"
    as_root apt-get update >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y --no-install-recommends \
        postgresql postgresql-postgis >&2 \
      || DEBIAN_FRONTEND=noninteractive as_root apt-get install -y --no-install-recommends \
        postgresql "postgresql-$(ls /usr/lib/postgresql | sort -V | tail -1)-postgis-3" >&2
fi

VERSION="$(ls /usr/lib/postgresql | sort -V | tail -1)"
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main"' | grep -q .; then
    log "creating cluster $VERSION/main"
    as_root pg_createcluster "$VERSION" main >&2
fi
PORT="$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $3}')"
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    log "starting cluster $VERSION/main on port $PORT"
    as_root pg_ctlcluster "$VERSION" main start >&2
fi
for _ in $(seq 1 30); do
    as_postgres pg_isready -q -h "$SOCKET_DIR" -p "$PORT" && break
    sleep 1
done
as_postgres pg_isready -h "$SOCKET_DIR" -p "$PORT" >&2

# A fresh, empty test database each run, owned by the role of the user who runs the tests.
as_postgres psql -h "$SOCKET_DIR" -p "$PORT" -v ON_ERROR_STOP=1 -q >&2 <<SQL
SELECT format('CREATE ROLE %I LOGIN', '$ROLE')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ROLE') \gexec
DROP DATABASE IF EXISTS $DB WITH (FORCE);
SELECT format('CREATE DATABASE $DB OWNER %I', '$ROLE') \gexec
SQL
as_postgres psql -h "$SOCKET_DIR" -p "$PORT" -d "$DB" -v ON_ERROR_STOP=1 -q \
    -c "CREATE EXTENSION postgis" >&2
log "PostgreSQL $VERSION with PostGIS $(as_postgres psql -h "$SOCKET_DIR" -p "$PORT" -d "$DB" -tAc 'SELECT postgis_lib_version()') ready: database $DB"

echo "postgresql+psycopg://$ROLE@/$DB?host=$SOCKET_DIR&port=$PORT"
