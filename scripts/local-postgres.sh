#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster for the test suites: trust auth on 127.0.0.1:5432 and a
# database `test`. Idempotent; used by .ci/run and by hand (`bash scripts/local-postgres.sh`).
# Trust is for this loopback test server only; deployments use DATABASE_URL with a password.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi

if ! command -v pg_ctlcluster >/dev/null; then
  $SUDO apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
fi
version="$(ls /etc/postgresql | sort -V | tail -n 1)"
if [ -z "$version" ]; then
  echo "local-postgres: no PostgreSQL cluster under /etc/postgresql" >&2
  exit 2
fi
conf="/etc/postgresql/$version/main"
hba="$conf/pg_hba.conf"
# Trust on loopback first, so it wins over the packaged scram/peer lines.
if ! $SUDO grep -q '^# muragat-test' "$hba"; then
  $SUDO sh -c "printf '%s\n' '# muragat-test: trust on loopback for the test database' \
    'host all all 127.0.0.1/32 trust' 'host all all ::1/128 trust' 'local all postgres trust' \
    | cat - '$hba' > '$hba.new' && mv '$hba.new' '$hba' && chown postgres:postgres '$hba'"
  reload=1
fi
$SUDO sh -c "grep -q \"^listen_addresses = 'localhost'\" '$conf/postgresql.conf' || echo \"listen_addresses = 'localhost'\" >> '$conf/postgresql.conf'"
$SUDO sh -c "grep -q '^port = 5432' '$conf/postgresql.conf' || sed -i 's/^port = .*/port = 5432/' '$conf/postgresql.conf'"

if pg_isready -h 127.0.0.1 -p 5432 -q; then
  [ "${reload:-}" = 1 ] && $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload
else
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
pg_isready -h 127.0.0.1 -p 5432
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test' >/dev/null
echo "local-postgres: PostgreSQL $version on 127.0.0.1:5432, database test (trust)"
