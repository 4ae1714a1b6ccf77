#!/usr/bin/env bash
# Runs the peer benchmark (shared/peers, beside this repo) with Switchboard added as an extra
# target, so n8n, Node-RED and Switchboard are measured in one run on the same flow.
#
#   bench/peers/run.sh                      # all targets (installs peers first with SETUP=1)
#   TARGETS="ceiling-axum node-red:sync" bench/peers/run.sh
#
# Everything the harness reads (DURATION, WARMUP, CONCURRENCY, LOADGEN, PEERS_DIR, ...) passes
# through. All load goes to 127.0.0.1 and each load run stops by itself.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PEERS="${PEERS_HARNESS:-$REPO/../shared/peers}"
[ -f "$PEERS/run_bench.sh" ] || { echo "no peer harness at $PEERS (set PEERS_HARNESS)" >&2; exit 1; }
(cd "$REPO" && cargo build --release --bin switchboard)
TARGETS_FILE="$(mktemp)"
trap 'rm -f "$TARGETS_FILE"' EXIT
sed "s#@REPO@#$REPO#g" "$REPO/bench/peers/switchboard-targets.json" > "$TARGETS_FILE"
EXTRA_TARGETS_FILE="$TARGETS_FILE" "$PEERS/run_bench.sh" "$@"
