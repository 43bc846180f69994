#!/usr/bin/env bash
# README command 2: install what is missing, build, and run every test:
#   1. the release build: unit tests, integration tests against the real
#      broker binary with real clients (librdkafka, kcat, confluent-kafka,
#      kafka-python, kafkajs);
#   2. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Exits non-zero when any build step or test fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

.ci/install-deps.sh

jobs="${CONVEYOR_JOBS:-$(nproc)}"
export CTEST_PARALLEL_LEVEL="${CTEST_PARALLEL_LEVEL:-$jobs}"

echo "== release build"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
echo "== release tests"
ctest --preset release -j "$jobs"

echo "== ASan+UBSan build (unit tests)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
echo "== ASan+UBSan unit tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan-unit -j "$jobs"

echo "== all tests passed"
