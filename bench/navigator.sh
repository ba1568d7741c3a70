#!/usr/bin/env bash
# Load benchmark for issue 5 (the navigator): a company's plan page, plans over many companies
# (cache misses first, then hits), the plan API and a country guide, on SQLite (default) or
# PostgreSQL:
#   bash bench/navigator.sh                                              # SQLite file under /tmp
#   bash bench/navigator.sh postgres://postgres@127.0.0.1:5432/gd_bench_nav   (createdb it first)
# wrk runs on the same two cores as the server, so the figures are a floor, not a ceiling.
set -euo pipefail
cd "$(dirname "$0")/.."
URL=${1:-sqlite:///tmp/gd-nav.db}
PORT=${PORT:-18192}
DURATION=${DURATION:-20s}
PLANS=${PLANS:-5000}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -p globaldesk --bins --quiet
BIN=target/release/globaldesk

echo "== generate $PLANS illustrative plans on $URL"
/usr/bin/time -f "generated in %e s" $BIN --database-url "$URL" demo --companies 2000 --plans "$PLANS" 2>&1 | grep -v '^\[' | tail -2

GLOBALDESK_LOG=warn $BIN --database-url "$URL" serve --demo --addr 127.0.0.1:$PORT --no-worker >/tmp/gd-bench-nav.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
until curl -sf http://127.0.0.1:$PORT/readyz >/dev/null; do sleep 0.1; done
. bench/lib.sh

# The demo company's own Indonesian plan, with a few steps recorded (once per database).
token=$($BIN --database-url "$URL" token create --email company@demo.test --name bench)
api() { curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
plan=$(api "http://127.0.0.1:$PORT/api/v1/plans" | python3 -c 'import json,sys; p=[x for x in json.load(sys.stdin)["items"] if x["country"]=="ID"]; print(p[0]["id"] if p else "")')
if [ -z "$plan" ]; then
  plan=$(api -X POST -d '{"country":"ID","entity_type":"foreign_owned_company","target_open_on":"2028-06-30"}' "http://127.0.0.1:$PORT/api/v1/plans" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for key in kr_outward_report kbli_check; do
    rv=$(api "http://127.0.0.1:$PORT/api/v1/plans/$plan" | python3 -c 'import json,sys; print(json.load(sys.stdin)["row_version"])')
    api -X POST -d "{\"row_version\":$rv,\"status\":\"done\"}" "http://127.0.0.1:$PORT/api/v1/plans/$plan/steps/$key" >/dev/null
  done
fi
echo "the demo company's plan: $plan; plans in all: $PLANS"

company=$(login company@demo.test)
admin=$(login admin@demo.test)
wrk_page "plan page (the company's own, 16 steps)" "$company" "/plans/$plan"
wrk_page "plans list (company)" "$company" "/plans"
wrk_page "country guide (Indonesia)" "$company" "/guides/ID"

cat > /tmp/gd-plan.lua <<LUA
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/plans/" .. math.random(1, $PLANS))
end
LUA
echo "== plan page, random plan of $PLANS (platform admin; first visits load, later ones hit the cache)"
wrk -t2 -c200 -d"$DURATION" --latency -s /tmp/gd-plan.lua -H "Cookie: gd_session=$admin" "http://127.0.0.1:$PORT" | grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors'

echo "== plan API (JSON with the computed schedule)"
wrk -t2 -c200 -d"$DURATION" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/plans/$plan" | grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors'
