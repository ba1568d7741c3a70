#!/usr/bin/env bash
# Same-run A/B of two builds on one database (the machine's state then weighs on both alike):
#   DURATION=8s bash bench/ab.sh OLD_BINARY NEW_BINARY [sqlite:///tmp/gd-desk.db]
# The database is the one bench/desk.sh generates (100,000 cases). Each binary serves in turn,
# twice, and wrk measures a kept queue page, 1,760 queue pages in turn, random case pages and
# /healthz against it.
set -uo pipefail
cd "$(dirname "$0")/.."
OLD=$1; NEW=$2; URL=${3:-sqlite:///tmp/gd-desk.db}
PORT=${PORT:-18391}
DURATION=${DURATION:-8s}
. bench/lib.sh
paths=$(mktemp)
for v in all ours mine unassigned due_soon overdue waiting_company waiting_foreign referred_to_us open resolved; do
  for s in due updated priority created; do for p in $(seq 1 40); do echo "/officer/cases?view=$v&sort=$s&page=$p"; done; done
done | shuf --random-source=<(yes) > "$paths"
cases=$(mktemp); seq 1 100000 | shuf --random-source=<(yes) | sed 's|^|/cases/|' > "$cases"
for round in 1 2; do
  for bin in "$OLD" "$NEW"; do
    GLOBALDESK_LOG=warn "$bin" --database-url "$URL" serve --demo --addr 127.0.0.1:$PORT --no-worker >/tmp/gd-bench-ab.log 2>&1 &
    pid=$!
    until curl -sf http://127.0.0.1:$PORT/readyz >/dev/null; do sleep 0.2; done
    sleep 15 # the case details load in the background
    officer=$(login officer@demo.test); admin=$(login admin@demo.test)
    echo "## round $round, $bin, load $(cut -d' ' -f1-3 /proc/loadavg)"
    wrk_page "queue, agency's open cases" "$officer" "/officer/cases"
    wrk_rotate "queue afresh" "$officer" "$paths"
    wrk_rotate "random case page (platform admin)" "$admin" "$cases"
    wrk_page "health" "$officer" "/healthz"
    kill $pid; wait $pid 2>/dev/null
  done
done
