# Shared by the load scripts: sign a demo account in, and run wrk on one page. They use $PORT
# and $DURATION from the calling script.

login() { # e-mail → session cookie
  local jar; jar=$(mktemp)
  local csrf
  csrf=$(curl -s -c "$jar" http://127.0.0.1:$PORT/login | grep -o 'name="csrf-token" content="[a-f0-9]*"' | sed 's/.*content="//;s/"//')
  curl -s -b "$jar" -c "$jar" -o /dev/null -d "_csrf=$csrf&email=$1&password=globaldesk-demo" http://127.0.0.1:$PORT/login
  grep gd_session "$jar" | awk '{print $7}'
}

wrk_page() { # label cookie path
  echo "== $1: GET $3"
  curl -s -o /dev/null -w "status %{http_code}, %{size_download} bytes, single request %{time_total}s\n" -H "Cookie: gd_session=$2" "http://127.0.0.1:$PORT$3"
  wrk -t2 -c200 -d"$DURATION" --latency -H "Cookie: gd_session=$2" "http://127.0.0.1:$PORT$3" | grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors'
}

wrk_rotate() { # label cookie paths-file: the paths in turn (more than the server keeps rendered)
  echo "== $1: $(wc -l < "$3") different pages in turn, e.g. $(sed -n 7p "$3")"
  wrk -t2 -c200 -d"$DURATION" --latency -s bench/rotate.lua -H "Cookie: gd_session=$2" "http://127.0.0.1:$PORT" -- "$3" | grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors'
}
