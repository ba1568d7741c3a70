#!/usr/bin/env bash
# The whole GlobalDesk test suite on a fresh machine:
#   unit tests, the HTTP integration tests on SQLite and on PostgreSQL, the CLI, and the
#   browser journeys in real Chromium (on SQLite and PostgreSQL), with screenshots in
#   e2e/screenshots/. Installs what it needs (Chromium, Korean fonts, aiosmtpd, npm packages)
#   and starts PostgreSQL when it is not running.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_ADMIN_URL=${GLOBALDESK_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}
step() { printf '\n==> %s\n' "$*"; }

step "system packages"
missing=()
command -v chromium >/dev/null || missing+=(chromium)
fc-list 2>/dev/null | grep -qi nanum || missing+=(fonts-nanum)
command -v psql >/dev/null || missing+=(postgresql-client)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# aiosmtpd: the SMTP sink of the mail tests; icalendar and pypdf: the readers that check exported
# plans.
python3 -c 'import aiosmtpd, icalendar, pypdf' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check aiosmtpd icalendar pypdf

step "PostgreSQL"
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
psql "$PG_ADMIN_URL" -qAtc 'SELECT 1' >/dev/null

drop_test_databases() {
  psql "$PG_ADMIN_URL" -qAtc "SELECT datname FROM pg_database WHERE datname LIKE 'gdt\_%' OR datname LIKE 'gde2e\_%'" |
    while read -r db; do psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null; done
}
trap drop_test_databases EXIT

# Every state-changing request of the integration suite is checked for publishing what it
# changed; the routes it reached are noted here and compared with the routers afterwards.
coverage=$(mktemp)
export GLOBALDESK_PUBLICATION_COVERAGE="$coverage"

step "unit and integration tests on SQLite"
cargo test --workspace --quiet

step "integration tests on PostgreSQL"
GLOBALDESK_TEST_DATABASE_URL="$PG_ADMIN_URL" cargo test -p globaldesk --test integration --quiet

step "every state-changing route is reached by a test"
python3 scripts/route_coverage.py "$coverage"
unset GLOBALDESK_PUBLICATION_COVERAGE

step "browser journeys (Chromium) on SQLite and PostgreSQL"
cargo build --release -p globaldesk --quiet
(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
(cd e2e && node run.mjs)
e2e_db="gde2e_$$"
psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $e2e_db" >/dev/null
(cd e2e && E2E_DATABASE_URL="${PG_ADMIN_URL%/*}/$e2e_db" node run.mjs)
