#!/usr/bin/env bash
# The end-to-end benchmark matrix (issue 4, "Benchmarks"): conveyor (release
# build, fresh data dir in /tmp) and librdkafka's in-memory mock broker, side
# by side in one run, driven by bench/load/conveyor_load. Each case runs
# against conveyor and then against the mock before the next case starts, so
# that both see the same background load.
#
#   bench/run_matrix.sh             # builds, runs (about 4 minutes), writes results
#
# Writes docs/benchmarks-e2e/{results.json,table.md,plot.dat} and
# docs/benchmarks-e2e.png, and replaces the generated block of
# docs/benchmarks.md (between the e2e-table markers) with table.md.
#
# Environment (defaults in brackets):
#   BUILD_DIR [build/release]   where conveyor, conveyor_load and mock_cluster are built
#   SKIP_BUILD [0]              1: use the binaries as they are
#   OUT_DIR [docs/benchmarks-e2e]
#   DOC [docs/benchmarks.md]    set to "" to leave the doc alone
#   DURATION [8]                seconds per saturated produce case
#   LAT_DURATION [10]           seconds of the 100,000 msgs/s latency case
#   SWEEP_RATES ["25000 50000 200000 400000"]  more fixed-rate points for the plot
#   SWEEP_DURATION [4]          seconds per sweep point
#   CONSUME_100 [5000000]       100 B messages written, then consumed from page cache
#   CONSUME_1K [1000000]        1 KiB messages written, then consumed
#   DD_MB [1024]                MiB written by the fsync'd bandwidth test
#   KEEP_DATA [0]               1: keep the scratch dir (data, logs) for inspection
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build/release}"
out="${OUT_DIR:-$root/docs/benchmarks-e2e}"
doc="${DOC-$root/docs/benchmarks.md}"
duration="${DURATION:-8}"
lat_duration="${LAT_DURATION:-10}"
sweep_rates="${SWEEP_RATES:-25000 50000 200000 400000}"
sweep_duration="${SWEEP_DURATION:-4}"
consume_100="${CONSUME_100:-5000000}"
consume_1k="${CONSUME_1K:-1000000}"
dd_mb="${DD_MB:-1024}"
report="$root/bench/load/report.py"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  cmake --build "$build" -j2 --target conveyor conveyor_load bench_mock_cluster
fi
conveyor="$build/src/conveyor"
load="$build/bench/load/conveyor_load"
mock="$build/bench/load/mock_cluster"
for bin in "$conveyor" "$load" "$mock"; do
  [[ -x "$bin" ]] || { echo "run_matrix: $bin is not built" >&2; exit 1; }
done

work="$(mktemp -d /tmp/conveyor-e2e.XXXXXX)"
declare -A pid addr
sampler=""
cleanup() {
  [[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null || true
  for b in "${!pid[@]}"; do kill "${pid[$b]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ "${KEEP_DATA:-0}" == 1 ]]; then echo "run_matrix: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$out"
results="$work/results.jsonl"
: >"$results"
log() { echo "run_matrix: $*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------- the disk
# Sequential writes with an fdatasync after each write (oflag=dsync), in the
# directory that holds conveyor's data: 1 MiB writes for bandwidth, 4 KiB
# writes for fsyncs per second.
dd_rate() {  # prints "bytes seconds" from dd's summary line
  LC_ALL=C dd "$@" 2>&1 | awk '/copied/ { print $1, $(NF-3) }'
}
log "disk: ${dd_mb} MiB of 1 MiB writes with oflag=dsync in $work"
read -r dd_bytes dd_seconds < <(dd_rate if=/dev/zero of="$work/dd.bin" bs=1M count="$dd_mb" oflag=dsync)
rm -f "$work/dd.bin"
read -r fs_bytes fs_seconds < <(dd_rate if=/dev/zero of="$work/dd.bin" bs=4k count=500 oflag=dsync)
rm -f "$work/dd.bin"
log "disk: $dd_bytes bytes in $dd_seconds s; 500 fsync'd 4 KiB writes in $fs_seconds s"

# ---------------------------------------------------------------- brokers
topics=(m100 m1k lat c100 c1k)
start_conveyor() {
  local port
  port="$(free_port)"
  mkdir -p "$work/conveyor-data"
  "$conveyor" --set "listeners=PLAINTEXT://127.0.0.1:$port" --set "log.dirs=$work/conveyor-data" \
    2>"$work/conveyor.log" &
  pid[conveyor]=$!
  for _ in $(seq 100); do grep -qs "started:" "$work/conveyor.log" && break; sleep 0.1; done
  grep -q "started:" "$work/conveyor.log" || { cat "$work/conveyor.log" >&2; exit 1; }
  addr[conveyor]="127.0.0.1:$port"
}
start_mock() {
  local spec=()
  for t in "${topics[@]}"; do spec+=("$t:3"); done
  "$mock" "${spec[@]}" >"$work/mock.addr" 2>"$work/mock.log" &
  pid[mock]=$!
  for _ in $(seq 100); do [[ -s "$work/mock.addr" ]] && break; sleep 0.1; done
  addr[mock]="$(head -n1 "$work/mock.addr")"
  [[ -n "${addr[mock]}" ]] || { cat "$work/mock.log" >&2; exit 1; }
}
start_conveyor
start_mock
sleep 1
idle_conveyor="$(rss_kib "${pid[conveyor]}")"
idle_mock="$(rss_kib "${pid[mock]}")"
log "conveyor pid ${pid[conveyor]} at ${addr[conveyor]} (RSS ${idle_conveyor} KiB idle);" \
  "mock pid ${pid[mock]} at ${addr[mock]} (RSS ${idle_mock} KiB idle)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# run BROKER LABEL ARGS...: one conveyor_load run with the broker's RSS sampled
# every 100 ms and its CPU time counted; appends one JSON line to $results.
run() {
  local broker="$1" label="$2"
  shift 2
  local p="${pid[$broker]}" rc=0 limit
  limit=$((duration + lat_duration + 120))
  local rss_file="$work/rss.$broker.$label"
  (while kill -0 "$p" 2>/dev/null; do rss_kib "$p"; sleep 0.1; done) >"$rss_file" &
  sampler=$!
  local cpu0 t0 cpu1 t1 loadavg
  # Write back the previous cases' dirty pages first, so that an fsync'd
  # case does not pay for the writeback of an acks=1 case before it.
  sync
  loadavg="$(cut -d' ' -f1 /proc/loadavg)"
  cpu0="$(cpu_ticks "$p")"
  t0="$(date +%s.%N)"
  timeout "$limit" "$load" "$@" --bootstrap "${addr[$broker]}" --label "$label" --json \
    >"$work/out" 2>"$work/err" || rc=$?
  t1="$(date +%s.%N)"
  cpu1="$(cpu_ticks "$p")"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=""
  if ! kill -0 "$p" 2>/dev/null; then log "$broker exited during $label"; rc=99; fi
  python3 "$report" annotate --broker "$broker" --label "$label" --rc "$rc" \
    --cpu-ticks "$((cpu1 - cpu0))" --clk-tck "$(getconf CLK_TCK)" --wall "$t0" "$t1" \
    --rss-file "$rss_file" --loadavg "$loadavg" --stdout "$work/out" --stderr "$work/err" >>"$results"
  tail -n1 "$results" | python3 "$report" line >&2
}
both() {
  local b
  for b in conveyor mock; do run "$b" "$@"; done
}

both p100_acks1 produce --topic m100 --size 100 --acks 1 --linger-ms 5 --duration "$duration"
# The same case with 1,000 idle client connections held open against the
# broker under test (issue 4: the producer's throughput is unaffected).
hold_idle() {  # hold_idle BROKER: opens the connections, prints the holder's pid once they are up
  local ready="$work/idle.$1"
  rm -f "$ready"
  # (stdout to /dev/null: the caller's $(...) must not wait for this holder)
  python3 - "${addr[$1]}" 1000 "$ready" >/dev/null <<'PY' &
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
held = [socket.create_connection((host, int(port))) for _ in range(int(sys.argv[2]))]
open(sys.argv[3], "w").write("ready")
time.sleep(3600)
PY
  local holder=$!
  for _ in $(seq 300); do [[ -s "$ready" ]] && break; sleep 0.1; done
  echo "$holder"
}
for b in conveyor mock; do
  holder="$(hold_idle "$b")"
  run "$b" p100_acks1_idle produce --topic m100 --size 100 --acks 1 --linger-ms 5 --duration "$duration"
  kill "$holder" 2>/dev/null || true
  wait "$holder" 2>/dev/null || true
done
both p100_acksall produce --topic m100 --size 100 --acks all --linger-ms 5 --duration "$duration"
both p1k_acksall produce --topic m1k --size 1024 --acks all --linger-ms 0 --batch-size 16384 \
  --duration "$duration"
both lat_100000 produce --topic lat --size 100 --acks all --linger-ms 0 --rate 100000 \
  --duration "$lat_duration"
for rate in $sweep_rates; do
  both "lat_$rate" produce --topic lat --size 100 --acks all --linger-ms 0 --rate "$rate" \
    --duration "$sweep_duration"
done
# Consume from page cache: write a data set, then read every partition from
# the beginning to its end. (The mock keeps only the tail of each partition.)
both fill_c100 produce --topic c100 --size 100 --acks 1 --linger-ms 5 --batch-size 1000000 \
  --count "$consume_100"
both fill_c1k produce --topic c1k --size 1024 --acks 1 --linger-ms 5 --batch-size 1000000 \
  --count "$consume_1k"
both c100 consume --topic c100
both c1k consume --topic c1k

load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$report" meta \
  --dd "$dd_bytes" "$dd_seconds" --fsync 500 "$fs_seconds" \
  --idle-rss conveyor "$idle_conveyor" --idle-rss mock "$idle_mock" \
  --hwm conveyor "$(hwm_kib "${pid[conveyor]}")" --hwm mock "$(hwm_kib "${pid[mock]}")" \
  --load "$load_before" "$load_after" \
  --command "DURATION=$duration LAT_DURATION=$lat_duration SWEEP_DURATION=$sweep_duration bench/run_matrix.sh" \
  >"$work/meta.json"
python3 "$report" render --meta "$work/meta.json" --results "$results" --out "$out" \
  --plot "$(dirname "$out")/benchmarks-e2e.png" ${doc:+--doc "$doc"}
log "wrote $out and $(dirname "$out")/benchmarks-e2e.png"
