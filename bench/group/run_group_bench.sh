#!/usr/bin/env bash
# Consumer group benchmarks (issue 5) against the release broker, each on a
# fresh data directory in /tmp, driven by bench/group/conveyor_group_bench:
#
#   1. commit     offset commits/s from CONSUMERS members of one group, for
#                 each window in COMMIT_WINDOWS (async commits in flight per
#                 member; 1 = synchronous commits)
#   2. rebalance  cold start, leave and join of a CONSUMERS-member group
#                 (broker with group.initial.rebalance.delay.ms=0)
#   3. load       GROUPS groups with committed offsets, broker restarted
#                 (SIGTERM, then started on the same data), then the
#                 coordinator's own load time (its "partitions loaded ... in
#                 N ms" line per shard) and the time from the restart until
#                 every group's offsets are served again
#
#   bench/group/run_group_bench.sh       # builds, runs (about a minute), prints the figures
#
# Environment (defaults in brackets):
#   BUILD_DIR [build/release]    where conveyor and conveyor_group_bench are built
#   SKIP_BUILD [0]               1: use the binaries as they are
#   CONSUMERS [10]  DURATION [10]  COMMIT_WINDOWS ["1 64"]  ROUNDS [5]  HEARTBEAT_MS [100]
#   NUM_GROUPS [10000]  COMMITS_PER_GROUP [1]   (not GROUPS: a bash variable)
#   PARTS ["commit rebalance load"]  which benchmarks to run
#   KEEP_DATA [0]                1: keep the scratch dir (data, logs)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build/release}"
consumers="${CONSUMERS:-10}"
duration="${DURATION:-10}"
windows="${COMMIT_WINDOWS:-1 64}"
rounds="${ROUNDS:-5}"
heartbeat_ms="${HEARTBEAT_MS:-100}"
groups="${NUM_GROUPS:-10000}"
commits_per_group="${COMMITS_PER_GROUP:-1}"
parts=" ${PARTS:-commit rebalance load} "

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  cmake --build "$build" -j2 --target conveyor conveyor_group_bench
fi
conveyor="$build/src/conveyor"
bench="$build/bench/group/conveyor_group_bench"
for bin in "$conveyor" "$bench"; do
  [[ -x "$bin" ]] || { echo "run_group_bench: $bin is not built" >&2; exit 1; }
done

work="$(mktemp -d /tmp/conveyor-groups.XXXXXX)"
broker_pid=""
cleanup() {
  [[ -n "$broker_pid" ]] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null || true
  if [[ "${KEEP_DATA:-0}" == 1 ]]; then echo "run_group_bench: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_broker NAME PORT: conveyor on $work/NAME-data, log in $work/NAME.log (appended).
start_broker() {
  local name="$1" port="$2"
  "$conveyor" --set "listeners=PLAINTEXT://127.0.0.1:$port" --set "log.dirs=$work/$name-data" \
    --set group.initial.rebalance.delay.ms=0 >>"$work/$name.log" 2>&1 &
  broker_pid=$!
}

wait_started() {
  local log="$1" count="$2"
  for _ in $(seq 300); do
    [[ "$(grep -c "started:" "$log" || true)" -ge "$count" ]] && return 0
    sleep 0.1
  done
  cat "$log" >&2
  exit 1
}

stop_broker() {
  kill -TERM "$broker_pid"
  wait "$broker_pid" || { echo "run_group_bench: broker exited with $?" >&2; exit 1; }
  broker_pid=""
}

if [[ "$parts" == *" commit "* || "$parts" == *" rebalance "* ]]; then
  echo "== commit and rebalance ($consumers members, heartbeat.interval.ms=$heartbeat_ms)"
  port="$(free_port)"
  start_broker groups "$port"
  wait_started "$work/groups.log" 1
  if [[ "$parts" == *" commit "* ]]; then
    for window in $windows; do
      echo "-- commit, window $window"
      "$bench" commit --bootstrap "127.0.0.1:$port" --consumers "$consumers" --duration "$duration" \
        --window "$window" --heartbeat-ms "$heartbeat_ms" --topic "commit-w$window"
    done
  fi
  if [[ "$parts" == *" rebalance "* ]]; then
    echo "-- rebalance"
    "$bench" rebalance --bootstrap "127.0.0.1:$port" --consumers "$consumers" --rounds "$rounds" \
      --heartbeat-ms "$heartbeat_ms"
  fi
  stop_broker
fi

if [[ "$parts" == *" load "* ]]; then
  echo "== coordinator load ($groups groups, $commits_per_group commit(s) each)"
  port="$(free_port)"
  start_broker load "$port"
  wait_started "$work/load.log" 1
  "$bench" load-create --bootstrap "127.0.0.1:$port" --groups "$groups" --commits-per-group "$commits_per_group" \
    --window 256
  stop_broker
  start_broker load "$port"
  # Started at once: it retries until the broker listens and every group is served.
  "$bench" load-verify --bootstrap "127.0.0.1:$port" --groups "$groups" --commits-per-group "$commits_per_group" \
    --window 256
  wait_started "$work/load.log" 2
  echo "-- the coordinator's load after the restart (one line per shard):"
  # The second start's lines only: everything after the first shutdown.
  awk '/signal [0-9]+: shutting down/ { after = 1 } after && /partitions loaded/' "$work/load.log"
  stop_broker
fi
