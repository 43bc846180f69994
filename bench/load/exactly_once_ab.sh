#!/usr/bin/env bash
# Exactly-once producers against plain produce on one conveyor (issue 6
# targets: the idempotent producer costs <= 5% throughput; transactions of
# 100 messages reach >= 50% of plain). Runs conveyor_load with acks=all,
# 100 B values, 3 partitions, alternately plain and in MODE, ROUNDS pairs,
# each run on a fresh topic, and prints each pair's msgs/s and ratio and the
# median ratio (pairs in one run cancel the machine's drift; quote the median).
#
#   bench/load/exactly_once_ab.sh                       # idempotent
#   MODE=transactional bench/load/exactly_once_ab.sh    # 100 messages per transaction
#
# Environment: BUILD_DIR [build/release], MODE [idempotent|transactional],
# ROUNDS [5], COUNT [2000000], SIZE [100], TXN_MESSAGES [100], PRODUCERS [1]
# (producer instances in both runs of a pair; transactional ones use their
# own transactional ids), CONVEYOR_ARGS [] (extra --set for the broker)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build/release}"
rounds="${ROUNDS:-5}"
count="${COUNT:-2000000}"
size="${SIZE:-100}"
mode="${MODE:-idempotent}"
txn_messages="${TXN_MESSAGES:-100}"
producers="${PRODUCERS:-1}"
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
"$conveyor" --set "listeners=PLAINTEXT://127.0.0.1:$port" --set "log.dirs=$work/data" ${CONVEYOR_ARGS:-} 2>"$work/conveyor.log" &
broker_pid=$!
for _ in $(seq 100); do grep -qs "started:" "$work/conveyor.log" && break; sleep 0.1; done

rate() {  # rate TOPIC [extra conveyor_load args]: prints msgs/s
  local topic="$1"
  shift
  "$load" produce --bootstrap "127.0.0.1:$port" --topic "$topic" --partitions 3 --size "$size" \
    --count "$count" --acks all --producers "$producers" --json "$@" 2>/dev/null |
    python3 -c 'import json, sys; print(int(json.loads(sys.stdin.read())["msgs_per_s"]))'
}

case "$mode" in
  idempotent) mode_args() { echo --set enable.idempotence=true; } ;;
  transactional) mode_args() { echo --transactional-id "bench-$1" --txn-messages "$txn_messages"; } ;;
  *) echo "exactly_once_ab: MODE must be idempotent or transactional" >&2; exit 2 ;;
esac

ratios=()
echo "pair  plain msgs/s  $mode msgs/s  $mode/plain"
for i in $(seq "$rounds"); do
  plain="$(rate "plain-$i")"
  # shellcheck disable=SC2046 # mode_args prints separate words on purpose
  other="$(rate "$mode-$i" $(mode_args "$i"))"
  ratio="$(python3 -c "print(f'{$other / $plain:.3f}')")"
  ratios+=("$ratio")
  printf "%4d  %12d  %12d  %8s\n" "$i" "$plain" "$other" "$ratio"
done
printf "median $mode/plain: %s\n" \
  "$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
