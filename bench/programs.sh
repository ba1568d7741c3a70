#!/usr/bin/env bash
# Load benchmark for issue 3: "programs for you" with 100,000 companies and 2,000 programs,
# on SQLite (default) or PostgreSQL:
#   bash bench/programs.sh                                   # SQLite file under /tmp
#   bash bench/programs.sh postgres://postgres@127.0.0.1:5432/gd_bench_programs   (createdb it first)
# wrk runs on the same two cores as the server, so the figures are a floor, not a ceiling.
set -euo pipefail
cd "$(dirname "$0")/.."
URL=${1:-sqlite:///tmp/gd-bench-programs.db}
PORT=${PORT:-18190}
DURATION=${DURATION:-20s}
COMPANIES=${COMPANIES:-100000}
PROGRAMS=${PROGRAMS:-2000}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -p globaldesk --quiet
BIN=target/release/globaldesk

echo "== generate $COMPANIES demo companies and $PROGRAMS programs on $URL"
/usr/bin/time -f "generated in %e s" $BIN --database-url "$URL" demo --companies "$COMPANIES" --programs "$PROGRAMS" 2>&1 | grep -v '^\[' | tail -2

GLOBALDESK_LOG=warn $BIN --database-url "$URL" serve --demo --addr 127.0.0.1:$PORT --no-worker >/tmp/gd-bench-programs.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
until curl -sf http://127.0.0.1:$PORT/readyz >/dev/null; do sleep 0.05; done
. bench/lib.sh

member=$(login company@demo.test)
officer=$(login kotra@demo.test)
page=$(curl -s -H "Cookie: gd_session=$member" http://127.0.0.1:$PORT/my/programs)
echo "programs for you: $(echo "$page" | grep -o 'id="group-[a-z-]*"' | tr '\n' ' '); $(echo "$page" | grep -o 'id="others-count">[^<]*')"
echo "programs in the catalog: $(curl -s http://127.0.0.1:$PORT/programs | grep -o 'id="result-count" role="status">[^<]*' | sed 's/.*>//')"

wrk_page "programs for you (company member, $PROGRAMS programs)" "$member" "/my/programs"
# The page is kept rendered until the profile, the extra facts, the awards or the catalog
# change. This run adds an unused parameter that differs on every request of a round of 3,000
# (more than a node keeps), so each page is evaluated, ranked and rendered afresh.
paths=$(mktemp)
seq 1 3000 | sed 's|^|/my/programs?round=|' > "$paths"
wrk_rotate "programs for you, rendered afresh" "$member" "$paths"
wrk_page "program catalog, page 1" "$member" "/programs"
wrk_page "officer program list (page 1)" "$officer" "/officer/programs"

# The rule editor's live check: parse, count over every company, a sample with explanations and
# the diff with the published version. Timed one request at a time (it is not a page a crowd loads).
csrf=$(curl -s -H "Cookie: gd_session=$officer" http://127.0.0.1:$PORT/officer/programs | grep -o 'name="csrf-token" content="[a-f0-9]*"' | sed 's/.*content="//;s/"//')
program=$(curl -s -H "Cookie: gd_session=$officer" http://127.0.0.1:$PORT/officer/programs | grep -o 'href="/officer/programs/[0-9]*"' | head -1 | grep -o '[0-9]*')
echo "== officer live rule check over $COMPANIES companies (program $program), 10 sequential requests"
for i in $(seq 10); do
  curl -s -o /tmp/gd-check.html -w "%{time_total}s " -H "Cookie: gd_session=$officer" --data-urlencode "_csrf=$csrf" --data-urlencode "program_id=$program" \
    --data-urlencode "rule=eligible if sme and region in [\"26\", \"31\"] and exports_usd < 100_000 and age_years >= $i" http://127.0.0.1:$PORT/officer/rules/check
done
echo; grep -o 'id="rule-preview"><strong>[^<]*' /tmp/gd-check.html | sed 's/.*<strong>//'
