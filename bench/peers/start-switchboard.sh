#!/usr/bin/env bash
# Starts Switchboard for the peer benchmark (../../../shared/peers): the "call-completed" flow
# (webhook -> filter -> HTTP POST to the sink -> respond) deployed as flow id `call`, so the
# webhook is POST /hooks/call (async) and /hooks/call/sync (sync).
#
#   start-switchboard.sh PORT SINK_URL DATA_DIR
#
# The binary is target/release/switchboard (build it first: cargo build --release).
set -euo pipefail
PORT="$1"; SINK_URL="$2"; DATA_DIR="$3"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
rm -rf "$DATA_DIR"; mkdir -p "$DATA_DIR"
FLOW="$DATA_DIR/call-completed.json"
sed "s#http://127.0.0.1:18080/sink#${SINK_URL}#" "$ROOT/flows/examples/call-completed.json" > "$FLOW"
exec "$ROOT/target/release/switchboard" serve --bind 127.0.0.1 --port "$PORT" --data-dir "$DATA_DIR" \
  --deploy "call=$FLOW" --webhook-ack-status 200 --retention-every 1h
