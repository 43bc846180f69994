#!/usr/bin/env bash
# Regenerates the golden request captures in tests/golden/data (or in the
# directory given as $1): builds the mock cluster of bench/load/mock_cluster.c,
# starts it with the topic "golden" (one partition), and drives kcat and
# kafka-python through capture_proxy.py, one proxy per client run.
# See tests/golden/README.md. Needs librdkafka-dev, kcat, python3-kafka,
# python3-snappy, python3-lz4, python3-zstandard (.ci/install-deps.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(mkdir -p "${1:-$here/../data}" && cd "${1:-$here/../data}" && pwd)"
python=/usr/bin/python3
codecs=(none gzip snappy lz4 zstd)
kcat_id=conveyor-golden-kcat

work="$(mktemp -d)"
mock_pid=""
proxy_pid=""
cleanup() {
  [[ -n "$proxy_pid" ]] && kill "$proxy_pid" 2>/dev/null || true
  [[ -n "$mock_pid" ]] && kill "$mock_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cc -O1 -o "$work/mock_cluster" "$here/../../../bench/load/mock_cluster.c" $(pkg-config --cflags --libs rdkafka)
"$work/mock_cluster" golden:1 >"$work/upstream" &
mock_pid=$!
for _ in $(seq 50); do [[ -s "$work/upstream" ]] && break; sleep 0.1; done
upstream="$(head -n1 "$work/upstream")"
[[ -n "$upstream" ]] || { echo "capture: mock cluster did not start" >&2; exit 1; }
echo "capture: mock cluster at $upstream, writing to $out"
rm -f "$out"/*.bin

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# capture <client> <tag> <apis> <command...>: runs the command with
# $bootstrap pointing at a fresh proxy that records the named APIs.
bootstrap=""
capture() {
  local client="$1" tag="$2" apis="$3"
  shift 3
  local port
  port="$(free_port)"
  "$python" "$here/capture_proxy.py" --listen "$port" --upstream "$upstream" --out "$out" \
    --client "$client" --tag "$tag" --apis "$apis" &
  proxy_pid=$!
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  export bootstrap="127.0.0.1:$port"
  echo "capture: $client $tag"
  timeout 60 bash -c '"$@"' capture "$@"
  kill "$proxy_pid"
  wait "$proxy_pid" || true
  proxy_pid=""
}

kcat_metadata() { kcat -b "$bootstrap" -X client.id="$kcat_id" -L >/dev/null; }
# Ten records key-<i> / "value-<i> " + "lorem ipsum " x 8: long and alike
# enough that every codec shrinks the batch (both clients send a batch
# uncompressed when compression would not make it smaller).
records() {
  local filler="" i
  for i in $(seq 8); do filler+="lorem ipsum "; done
  for i in $(seq 0 9); do printf 'key-%d:value-%d %s\n' "$i" "$i" "$filler"; done
}
kcat_produce() {
  records |
    kcat -b "$bootstrap" -X client.id="$kcat_id" -X compression.codec="$1" -X linger.ms=200 \
      -P -t golden -p 0 -K:
}
kcat_consume() {
  kcat -b "$bootstrap" -X client.id="$kcat_id" -C -t golden -p 0 -o beginning -c 10 -e -K: >/dev/null
}
kafka_python() { "$python" "$here/kafka_python_client.py" "$bootstrap" "$@"; }
export here python kcat_id
export -f records kcat_metadata kcat_produce kcat_consume kafka_python

capture kcat metadata api_versions,metadata kcat_metadata
for codec in "${codecs[@]}"; do
  capture kcat "produce_$codec" produce kcat_produce "$codec"
done
capture kcat consume list_offsets,fetch kcat_consume

capture kafkapython produce_none api_versions,metadata,produce kafka_python produce none
for codec in "${codecs[@]:1}"; do
  capture kafkapython "produce_$codec" produce kafka_python produce "$codec"
done
capture kafkapython consume list_offsets,fetch kafka_python consume

echo "capture: $(ls "$out"/*.bin | wc -l) files in $out"
