#!/usr/bin/env bash
# Switchboard alone under load, on the peer benchmark's flow ("call-completed": webhook -> filter ->
# HTTP POST to a local sink -> respond), sync and async, with wrk on 127.0.0.1. Prints a markdown
# table: runs/s, p50/p99, sink hits per acknowledged webhook, peak and idle RSS, start-up time.
#
#   bench/load.sh                     # 5 s warm-up + 20 s per mode at 64 connections
#   DURATION=10 CONNECTIONS=16 bench/load.sh
#
# Needs: wrk (apt-get install wrk), python3, a release build (the script builds it).
# Every request goes to 127.0.0.1; each wrk run stops by itself.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="${PEERS_HARNESS:-$REPO/../shared/peers}"
DURATION="${DURATION:-20}"; WARMUP="${WARMUP:-5}"; CONNECTIONS="${CONNECTIONS:-64}"
SINK_PORT="${SINK_PORT:-18080}"; PORT="${PORT:-18095}"
WORK="$(mktemp -d)"
cleanup() { kill "${SERVER_PID:-}" "${SINK_PID:-}" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
(cd "$REPO" && cargo build --release --bin switchboard >&2)

python3 "$PEERS/sink.py" --port "$SINK_PORT" > "$WORK/sink.log" 2>&1 &
SINK_PID=$!
BODY='{"call_id":"c-123","from":"+4915112345678","to":"+4930123456","status":"completed","duration_sec":74,"summary":"Interested in demo","extracted":{"qualified":true,"budget":5000,"email":"lead@example.com"}}'
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' "'$BODY'" > "$WORK/post.lua"
sleep 0.5

sink_total() { curl -s "http://127.0.0.1:$SINK_PORT/count" | python3 -c 'import sys,json; print(json.load(sys.stdin)["total"])'; }
rss_kb() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }

start_server() {
  local t0; t0=$(date +%s%N)
  "$REPO/bench/peers/start-switchboard.sh" "$PORT" "http://127.0.0.1:$SINK_PORT/sink" "$WORK/data" > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  until curl -s -o /dev/null -w '%{http_code}' -X POST -H 'content-type: application/json' -d "$BODY" \
        "http://127.0.0.1:$PORT/hooks/call" 2>/dev/null | grep -q '^200$'; do sleep 0.002; done
  STARTUP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  # Idle: a few seconds after the first webhook, once the allocator has returned freed pages.
  sleep 5; IDLE_KB=$(rss_kb "$SERVER_PID")
}

measure() { # $1 mode, $2 url
  local peak=0 before after acked rps p50 p99 out
  curl -s -X POST "http://127.0.0.1:$SINK_PORT/reset" > /dev/null
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$WORK/post.lua" "$2" > /dev/null
  sleep 2; before=$(sink_total)
  ( while kill -0 "$SERVER_PID" 2>/dev/null; do rss_kb "$SERVER_PID"; sleep 0.2; done ) > "$WORK/rss.$1" &
  local sampler=$!
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/post.lua" "$2")
  local in_window; in_window=$(( $(sink_total) - before ))
  # Let an async backlog drain (bounded), then count.
  local last=-1 now; for _ in $(seq 1 120); do now=$(sink_total); [ "$now" = "$last" ] && break; last=$now; sleep 1; done
  after=$(sink_total); kill "$sampler" 2>/dev/null || true
  peak=$(sort -n "$WORK/rss.$1" | tail -1)
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  acked=$(echo "$out" | awk '/requests in/{print $1}')
  p50=$(echo "$out" | awk '$1=="50%"{print $2}'); p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  local errors; errors=$(echo "$out" | awk '/Non-2xx|Socket errors/{print}' | tr '\n' ' ')
  echo "| switchboard | $1 | $CONNECTIONS | ${rps%.*} | $p50 | $p99 | $((after - before))/$acked | $((in_window / DURATION)) | $((peak / 1024)) MB | ${errors:-0} |"
}

start_server
echo "start-up to the first accepted webhook: ${STARTUP_MS} ms; idle RSS: $((IDLE_KB / 1024)) MB"
echo
echo "| engine | mode | c | runs/s (2xx) | p50 | p99 | sink hits/2xx | sink/s in window | peak RSS | errors |"
echo "|---|---|---|---|---|---|---|---|---|---|"
measure sync "http://127.0.0.1:$PORT/hooks/call/sync"
measure async "http://127.0.0.1:$PORT/hooks/call"
