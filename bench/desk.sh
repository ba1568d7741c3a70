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

GLOBALDESK_LOG=warn,desk::runtime=info $BIN --database-url "$URL" serve --demo --addr 127.0.0.1:$PORT --no-worker >/tmp/gd-bench-desk.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
until curl -sf http://127.0.0.1:$PORT/readyz >/dev/null; do sleep 0.1; done
# The node serves at once, reading case pages from the database, while it loads every case's
# page details in the background (seconds for 100,000 cases); measure the node once it has.
until grep -q "case details loaded" /tmp/gd-bench-desk.log; do sleep 0.2; done
grep -o "case details loaded.*" /tmp/gd-bench-desk.log | sed 's/\x1b\[[0-9;]*m//g'
echo "node memory with everything loaded: $(ps -o rss= -p $pid) kB"
. bench/lib.sh

officer=$(login officer@demo.test)
admin=$(login admin@demo.test)
total=$(curl -s -H "Cookie: gd_session=$admin" "http://127.0.0.1:$PORT/officer/cases?view=all" | grep -o 'id="queue-total">[^<]*' | sed 's/.*>//')
echo "cases visible to the platform admin: $total"

wrk_page "queue: the agency's open cases (MSS officer)" "$officer" "/officer/cases"
wrk_page "queue: overdue" "$officer" "/officer/cases?view=overdue"
wrk_page "queue: waiting on the company, sorted by priority" "$officer" "/officer/cases?view=waiting_company&sort=priority"
wrk_page "queue with full-text search (Korean)" "$officer" "/officer/cases?view=all&q=%EC%9D%B8%EC%A6%9D"
wrk_page "public knowledge base search" "$officer" "/knowledge?q=halal"

# Queue pages are kept rendered until the desk changes, so the runs above mostly measure serving
# a kept page. This one asks for more different queue pages than a node keeps (1,000).
paths=$(mktemp)
for v in agency mine unassigned overdue at_risk waiting_company waiting_foreign waiting_agency referred closed all; do
  for s in due priority newest updated; do for p in $(seq 1 40); do echo "/officer/cases?view=$v&sort=$s&page=$p"; done; done
done | shuf --random-source=<(yes) > "$paths"
wrk_rotate "queue: 11 views x 4 sorts x 40 pages" "$officer" "$paths"

# The case page as an officer reopens it (kept until the desk changes), then over random cases.
wrk_page "case page, one case reopened (platform admin)" "$admin" "/cases/$((CASES / 2))"
# The case page over random cases (the platform admin may open any).
cat > /tmp/gd-case.lua <<LUA
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/cases/" .. math.random(1, $CASES))
end
LUA
echo "== case page, random case of $CASES (platform admin)"
wrk -t2 -c200 -d"$DURATION" --latency -s /tmp/gd-case.lua -H "Cookie: gd_session=$admin" "http://127.0.0.1:$PORT" | grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors'
