#!/usr/bin/env bash
# Installs every Debian package Conveyor needs to build, test and benchmark,
# and the npm packages its kafkajs tests use. Idempotent: when everything is
# already present it runs no apt-get at all (a dpkg query takes milliseconds),
# so the README commands stay fast on a second run.
set -euo pipefail

root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev          # Asio with C++20 coroutines and as_tuple
  libspdlog-dev libyaml-cpp-dev
  libzstd-dev liblz4-dev zlib1g-dev libsnappy-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  librdkafka-dev kcat
  python3 python3-confluent-kafka python3-kafka
  python3-snappy python3-lz4 python3-zstandard python3-xxhash  # kafka-python's codecs (xxhash: lz4 of the old message format)
  docker-compose            # static check of docker/docker-compose.yml (no engine here)
  nodejs
  clang libclang-rt-14-dev   # libFuzzer targets and sanitizer runtimes
  gnuplot-nox               # the throughput/latency plot in docs/benchmarks.md
)

missing=()
for pkg in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
# npm ships inside nodesource's nodejs; Debian splits it out.
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ "$(id -u)" == 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# kafkajs for the Node.js client tests, pinned by tests/clients/node/package-lock.json.
node_dir="$root_dir/tests/clients/node"
if [[ -f "$node_dir/package.json" && ! -d "$node_dir/node_modules/kafkajs" ]]; then
  echo "install-deps: npm ci in $node_dir"
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
