#!/usr/bin/env bash
# The HTTP API fuzzed from its own OpenAPI document with schemathesis (issue 15), logged in as
# each demo role, against a demo server this script starts on an empty data folder.
# schemathesis comes from PyPI, which the CI machine does not use (.ci/run installs Debian
# packages only): this is a command to run by hand; tests/fuzz/http-api.test.ts makes the same
# checks in the suite. Usage: scripts/schemathesis.sh [examples per operation, default 10] [roles…]
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${1:-10}; shift || true
ROLES=${*:-researcher archivist admin clerk director}
VENV=${SCHEMATHESIS_VENV:-$HOME/.cache/muragat-schemathesis}
[ -x "$VENV/bin/schemathesis" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q 'schemathesis==4.32.5'; }
DATA=$(mktemp -d /tmp/muragat-schemathesis-XXXX)
PORT=${PORT:-18091}
BASE=http://127.0.0.1:$PORT
MURAGAT_DATA_DIR=$DATA/data PORT=$PORT HOST=127.0.0.1 LOG_LEVEL=warn MURAGAT_MALWARE_POLICY=accept-with-warning \
  node bin/muragat.js serve --demo --quiet >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -sf "$BASE/api/health/ready" >/dev/null && break; sleep 1; done
status=0
for role in $ROLES; do
  jar=$DATA/$role.jar
  curl -s -c "$jar" -b "$jar" "$BASE/api/session" >/dev/null
  csrf=$(awk '$6=="muragat_csrf"{print $7}' "$jar")
  curl -sf -o /dev/null -c "$jar" -b "$jar" -H 'content-type: application/json' -H "x-csrf-token: $csrf" \
    -d "{\"username\":\"$role\",\"password\":\"demo-$role-muragat\"}" "$BASE/api/auth/login"
  cookie=$(sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF>=7 {printf "%s=%s; ", $6, $7}')
  echo "== schemathesis as $role ($EXAMPLES examples per operation)"
  # Logging out or changing one's password would end the session the rest of the run uses.
  "$VENV/bin/schemathesis" run "$BASE/api/openapi.json" --url "$BASE" -H "Cookie: $cookie" -H "x-csrf-token: $csrf" \
    -n "$EXAMPLES" --checks all --request-timeout 60 --no-color \
    --exclude-path '/api/auth/logout' --exclude-path-regex '/password$' \
    --report junit --report-junit-path "${REPORT_DIR:-/tmp}/schemathesis-$role.xml" || status=1
done
exit $status
