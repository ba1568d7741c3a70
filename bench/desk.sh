#!/usr/bin/env bash
# Load benchmark for issue 4 (the regulatory desk): queue pages, the case page, full-text search
# and the SLA sweep with 100,000 cases and about a million timeline events, on SQLite (default)
# or PostgreSQL:
#   bash bench/desk.sh                                              # SQLite file under /tmp
#   bash bench/desk.sh postgres://postgres@127.0.0.1:5432/gd_bench_desk   (createdb it first)
# wrk runs on the same two cores as the server, so the figures are a floor, not a ceiling.
set -euo pipefail
cd "$(dirname "$0")/.."
URL=${1:-sqlite:///tmp/gd-desk.db}
PORT=${PORT:-18191}
DURATION=${DURATION:-20s}
CASES=${CASES:-100000}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -p globaldesk --bins --example sla_sweep --quiet
BIN=target/release/globaldesk

echo "== generate $CASES illustrative cases on $URL"
/usr/bin/time -f "generated in %e s" $BIN --database-url "$URL" demo --companies 2000 --cases "$CASES" 2>&1 | grep -v '^\[' | grep -v ' / ' | tail -2

echo "== SLA status of every open case (load from the database, then compute)"
target/release/examples/sla_sweep "$URL"

GLOBALDESK_LOG=warn $BIN --database-url "$URL" serve --demo --addr 127.0.0.1:$PORT --no-worker >/tmp/gd-bench-desk.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
until curl -sf http://127.0.0.1:$PORT/readyz >/dev/null; do sleep 0.1; done

login() { # e-mail → session cookie
  local jar; jar=$(mktemp)
  local csrf
  csrf=$(curl -s -c "$jar" http://127.0.0.1:$PORT/login | grep -o 'name="csrf-token" content="[a-f0-9]*"' | sed 's/.*content="//;s/"//')
  curl -s -b "$jar" -c "$jar" -o /dev/null -d "_csrf=$csrf&email=$1&password=globaldesk-demo" http://127.0.0.1:$PORT/login
  grep gd_session "$jar" | awk '{print $7}'
}
officer=$(login officer@demo.test)
admin=$(login admin@demo.test)
total=$(curl -s -H "Cookie: gd_session=$admin" "http://127.0.0.1:$PORT/officer/cases?view=all" | grep -o 'id="queue-total">[^<]*' | sed 's/.*>//')
echo "cases visible to the platform admin: $total"

run() { # label cookie path
  echo "== $1: GET $3"
  curl -s -o /dev/null -w "status %{http_code}, %{size_download} bytes, single request %{time_total}s\n" -H "Cookie: gd_session=$2" "http://127.0.0.1:$PORT$3"
  wrk -t2 -c200 -d"$DURATION" --latency -H "Cookie: gd_session=$2" "http://127.0.0.1:$PORT$3" | grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors'
}
run "queue: the agency's open cases (MSS officer)" "$officer" "/officer/cases"
run "queue: overdue" "$officer" "/officer/cases?view=overdue"
run "queue: waiting on the company, sorted by priority" "$officer" "/officer/cases?view=waiting_company&sort=priority"
run "queue with full-text search (Korean)" "$officer" "/officer/cases?view=all&q=%EC%9D%B8%EC%A6%9D"
run "public knowledge base search" "$officer" "/knowledge?q=halal"

# The case page over random cases (the platform admin may open any).
cat > /tmp/gd-case.lua <<LUA
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/cases/" .. math.random(1, $CASES))
end
LUA
echo "== case page, random case of $CASES (platform admin)"
wrk -t2 -c200 -d"$DURATION" --latency -s /tmp/gd-case.lua -H "Cookie: gd_session=$admin" "http://127.0.0.1:$PORT" | grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors'
