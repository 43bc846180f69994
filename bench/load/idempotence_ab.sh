#!/usr/bin/env bash
# Idempotent against plain produce on one conveyor (issue 6 target: the
# idempotent producer costs <= 5% throughput). Runs conveyor_load with
# acks=all, 100 B values, 3 partitions, alternately with and without
# enable.idempotence=true, ROUNDS pairs, each pair on a fresh topic, and
# prints each pair's msgs/s and ratio and the median ratio (pairs in one run
# cancel the machine's drift; quote the median).
#
#   bench/load/idempotence_ab.sh            # after a release build
#
# Environment: BUILD_DIR [build/release], ROUNDS [5], COUNT [2000000], SIZE [100]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build/release}"
rounds="${ROUNDS:-5}"
count="${COUNT:-2000000}"
size="${SIZE:-100}"
conveyor="$build/src/conveyor"
load="$build/bench/load/conveyor_load"

work="$(mktemp -d /tmp/conveyor-idem.XXXXXX)"
broker_pid=""
cleanup() {
  [[ -n "$broker_pid" ]] && kill "$broker_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$conveyor" --set "listeners=PLAINTEXT://127.0.0.1:$port" --set "log.dirs=$work/data" 2>"$work/conveyor.log" &
broker_pid=$!
for _ in $(seq 100); do grep -qs "started:" "$work/conveyor.log" && break; sleep 0.1; done

rate() {  # rate TOPIC [extra conveyor_load args]: prints msgs/s
  local topic="$1"
  shift
  "$load" produce --bootstrap "127.0.0.1:$port" --topic "$topic" --partitions 3 --size "$size" \
    --count "$count" --acks all --json "$@" 2>/dev/null |
    python3 -c 'import json, sys; print(int(json.loads(sys.stdin.read())["msgs_per_s"]))'
}

ratios=()
echo "pair  plain msgs/s  idempotent msgs/s  idempotent/plain"
for i in $(seq "$rounds"); do
  plain="$(rate "plain-$i")"
  idem="$(rate "idem-$i" --set enable.idempotence=true)"
  ratio="$(python3 -c "print(f'{$idem / $plain:.3f}')")"
  ratios+=("$ratio")
  printf "%4d  %12d  %17d  %16s\n" "$i" "$plain" "$idem" "$ratio"
done
printf "median idempotent/plain: %s\n" \
  "$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
