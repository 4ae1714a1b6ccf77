#!/usr/bin/env bash
# Latency of mid-call tool flows: the platform's tool request -> signature check -> tool trigger
# -> set -> respond -> the platform's answer format, at 50 concurrent callers, with wrk on
# 127.0.0.1 (client-measured, so loopback and wrk's own share of the 2 cores are included).
# Every request is a different tool call (no answer comes from the retry cache):
#   - Vapi: `x-vapi-secret` header, a unique toolCallId per request, answered {"results":[…]};
#   - Retell: a custom-function request signed with x-retell-signature (HMAC-SHA256 of body +
#     timestamp, checked against the 5-minute window), pre-signed by python, one body each.
# Each of the 50 callers (connections) sends its next call as soon as the last is answered
# ("back to back": the machine's saturation), or after a pause (PACES, in ms), as callers do.
# Prints a markdown table: answers/s, p50, p90, p99, max, non-2xx answers.
#
#   bench/tools.sh                         # 5 s warm-up + 20 s per platform and pace, 50 callers
#   DURATION=10 CONNECTIONS=16 PACES="0 20" bench/tools.sh
#
# Needs: wrk (apt-get install wrk), python3, a release build (the script builds it).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-20}"; WARMUP="${WARMUP:-5}"; CONNECTIONS="${CONNECTIONS:-50}"
PORT="${PORT:-18096}"
WORK="$(mktemp -d)"
cleanup() { kill "${SERVER_PID:-}" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
(cd "$REPO" && cargo build --release --bin switchboard >&2)

flow() { # $1 trigger, $2 props (JSON)
  cat <<EOF
{ "schema_version": 1, "name": "$1 booking tool",
  "trigger": { "id": "tool", "piece": "call", "trigger": "$1", "props": $2 },
  "steps": [
    { "id": "slot", "type": "set", "values": {
        "day": "{{ trigger.tool.arguments.day }}", "time": "14:30", "caller": "{{ trigger.call.from }}" } },
    { "id": "answer", "type": "respond", "body": "{{ steps.slot.day }} at {{ steps.slot.time }} is free" } ],
  "edges": [ { "from": "tool", "to": "slot" }, { "from": "slot", "to": "answer" } ] }
EOF
}
flow vapi_tool '{ "secret": "bench-vapi-secret" }' > "$WORK/vapi.json"
flow retell_tool '{ "api_key": "bench-retell-key" }' > "$WORK/retell.json"

# A fresh server (and database) for every measurement, so none inherits another's backlog.
start_server() {
  kill "${SERVER_PID:-}" 2>/dev/null && wait "${SERVER_PID:-}" 2>/dev/null || true
  rm -rf "$WORK/data"
  "$REPO/target/release/switchboard" serve --bind 127.0.0.1 --port "$PORT" --data-dir "$WORK/data" \
    --deploy "vapi=$WORK/vapi.json" --deploy "retell=$WORK/retell.json" --retention-every 1h \
    > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do sleep 0.01; done
}
start_server

cat > "$WORK/vapi.lua" <<'EOF'
local threads, n = 0, 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function init(args) run = args[1] or "run"; pause = tonumber(args[2] or "0") end
function delay() return pause end
function request()
  n = n + 1
  local id = string.format("%s-%d-%d", run, tid, n)
  local body = '{"message":{"type":"tool-calls","call":{"id":"call-' .. id .. '","customer":{"number":"+14155550123"}},'
    .. '"toolCallList":[{"id":"tc-' .. id .. '","type":"function","function":{"name":"check_slot",'
    .. '"arguments":"{\\"day\\":\\"Tuesday\\"}"}}],"toolWithToolCallList":[]}}'
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["x-vapi-secret"] = "bench-vapi-secret" }, body)
end
EOF

# Retell: pre-signed distinct requests, one file per wrk thread and run (signature<TAB>body).
sign_retell() { # $1 run name, $2 requests per thread
  python3 - "$WORK" "$1" "$2" <<'EOF'
import hashlib, hmac, json, sys, time
work, run, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
ts = str(int(time.time() * 1000))
for t in range(2):
    with open(f"{work}/retell-{run}-{t}.tsv", "w") as f:
        for i in range(count):
            body = json.dumps({"name": "check_slot", "args": {"day": "Tuesday"},
                "call": {"call_id": f"call-{run}-{t}-{i}", "call_status": "ongoing", "from_number": "+14155550123",
                         "to_number": "+14155550100", "transcript": f"User: is Tuesday free? ({i})"}},
                separators=(",", ":"))
            sig = hmac.new(b"bench-retell-key", body.encode() + ts.encode(), hashlib.sha256).hexdigest()
            f.write(f"v={ts},d={sig}\t{body}\n")
EOF
}
cat > "$WORK/retell.lua" <<'EOF'
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function delay() return pause end
function init(args)
  pause = tonumber(args[2] or "0")
  reqs, i = {}, 0
  for line in io.lines(args[1] .. "-" .. tid .. ".tsv") do
    local sig, body = line:match("^([^\t]*)\t(.*)$")
    reqs[#reqs + 1] = wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["x-retell-signature"] = sig }, body)
  end
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
EOF

measure() { # $1 label, $2 url, $3 script, $4 warm-up arg, $5 run arg, $6 pause between a caller's calls (ms)
  start_server
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$3" "$2" -- "$4" "$6" > /dev/null
  local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$3" "$2" -- "$5" "$6")
  local rps p50 p90 p99 max errors
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  p50=$(echo "$out" | awk '$1=="50%"{print $2}'); p90=$(echo "$out" | awk '$1=="90%"{print $2}')
  p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  max=$(echo "$out" | awk '/Latency/{print $4; exit}')
  errors=$(echo "$out" | awk '/Non-2xx/{print $4}')
  local pace="back to back"; [ "$6" != 0 ] && pace="$6 ms apart"
  echo "| $1 | $CONNECTIONS | $pace | ${rps%.*} | $p50 | $p90 | $p99 | $max | ${errors:-0} |"
}

# One answer of each, checked, before measuring.
check=$(curl -s -H 'content-type: application/json' -H 'x-vapi-secret: bench-vapi-secret' \
  -d '{"message":{"type":"tool-calls","call":{"id":"check"},"toolCallList":[{"id":"tc-check","type":"function","function":{"name":"check_slot","arguments":"{\"day\":\"Tuesday\"}"}}],"toolWithToolCallList":[]}}' \
  "http://127.0.0.1:$PORT/hooks/vapi/sync")
echo "$check" | grep -q '"result":"Tuesday at 14:30 is free"' || { echo "unexpected Vapi answer: $check" >&2; exit 1; }

PACES="${PACES:-0 10 50}"
PER_THREAD=$(( (DURATION + WARMUP) * 4000 ))
echo "| platform | callers | calls per caller | answers/s | p50 | p90 | p99 | max | non-2xx |"
echo "|---|---|---|---|---|---|---|---|---|"
for pace in $PACES; do
  measure "Vapi tool call (secret header)" "http://127.0.0.1:$PORT/hooks/vapi/sync" "$WORK/vapi.lua" "warm$pace" "run$pace" "$pace"
done
for pace in $PACES; do
  sign_retell "warm$pace" "$PER_THREAD"; sign_retell "run$pace" "$PER_THREAD"
  measure "Retell custom function (HMAC-SHA256)" "http://127.0.0.1:$PORT/hooks/retell/sync" "$WORK/retell.lua" "$WORK/retell-warm$pace" "$WORK/retell-run$pace" "$pace"
  rm -f "$WORK"/retell-*"$pace"-*.tsv
done
