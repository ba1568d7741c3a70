#!/usr/bin/env bash
# Load benchmarks for the foundation issue, on SQLite (default) or PostgreSQL:
#   bash bench/run.sh                                   # SQLite file under /tmp
#   bash bench/run.sh postgres://postgres@127.0.0.1:5432/gd_bench   (create the database first: createdb -h 127.0.0.1 -U postgres gd_bench)
# 100,000 demo companies, then wrk at 200 connections against officer search and profile pages.
# wrk runs on the same two cores as the server, so the figures are a floor, not a ceiling.
set -euo pipefail
cd "$(dirname "$0")/.."
URL=${1:-sqlite:///tmp/gd-bench.db}
PORT=${PORT:-18090}
DURATION=${DURATION:-20s}
COMPANIES=${COMPANIES:-100000}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -p globaldesk --quiet
BIN=target/release/globaldesk

ready_ms() { # database URL → milliseconds from launch to /readyz for `serve --demo`
  local start pid ms
  start=$(date +%s%N)
  GLOBALDESK_LOG=warn $BIN --database-url "$1" serve --demo --addr 127.0.0.1:$((PORT + 1)) --no-worker >/dev/null 2>&1 &
  pid=$!
  until curl -sf http://127.0.0.1:$((PORT + 1))/readyz >/dev/null; do sleep 0.01; done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  kill $pid; wait $pid 2>/dev/null || true
  echo "$ms"
}
if [[ "$URL" == sqlite* ]]; then
  rm -f /tmp/gd-startup.db*
  echo "== start-up to ready, default demo: first start (creates and seeds the database) $(ready_ms sqlite:///tmp/gd-startup.db) ms, second start $(ready_ms sqlite:///tmp/gd-startup.db) ms"
fi

echo "== generate $COMPANIES demo companies on $URL"
/usr/bin/time -f "generated in %e s" $BIN --database-url "$URL" demo --companies "$COMPANIES" 2>&1 | grep -v '^\[' | tail -2

echo "== start-up to ready with $COMPANIES companies (existing database)"
start=$(date +%s%N)
GLOBALDESK_LOG=warn $BIN --database-url "$URL" serve --demo --addr 127.0.0.1:$PORT --no-worker >/tmp/gd-bench-serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
until curl -sf http://127.0.0.1:$PORT/readyz >/dev/null; do sleep 0.02; done
echo "ready after $(( ($(date +%s%N) - start) / 1000000 )) ms"

. bench/lib.sh
officer=$(login officer@demo.test)
member=$(login company@demo.test)
company_id=$(curl -s -H "Authorization: Bearer $($BIN --database-url "$URL" token create --email company@demo.test 2>/dev/null)" http://127.0.0.1:$PORT/api/v1/me | sed 's/.*"company_id":\([0-9]*\).*/\1/')

run() { wrk_page "$@"; }
run "officer search, region + stage" "$officer" "/companies?region=26&stage=novice"
run "officer search, HS prefix + country" "$officer" "/companies?hs=85&country=VN"
run "officer search, name substring" "$officer" "/companies?q=%EC%98%88%EC%8B%9C%EA%B8%B0%EC%97%85%200421"
run "officer search, no filter, page 40" "$officer" "/companies?page=40"
run "company profile (officer view)" "$officer" "/companies/$company_id"
run "company profile (member's form)" "$member" "/company"
run "health (no database)" "$officer" "/healthz"

# Pages are kept rendered until a company changes, so the runs above mostly measure serving a
# kept page. These runs ask for more different pages than a node keeps (1,000), so most are
# searched and rendered afresh.
paths=$(mktemp)
for r in 11 26 27 28 29 30 31 36 41 51 43 44 52 46 47 48 50; do for s in domestic novice promising growth established; do
  for p in $(seq 1 20); do echo "/companies?region=$r&stage=$s&page=$p"; done; done; done | shuf --random-source=<(yes) > "$paths"
wrk_rotate "officer search, region + stage + page" "$officer" "$paths"
ids=$(mktemp)
seq 1 2000 | sed 's|^|/companies/|' > "$ids"
wrk_rotate "company profile (officer view), 2,000 companies" "$officer" "$ids"
