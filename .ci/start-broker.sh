#!/usr/bin/env bash
# README command 1: install what is missing, build the release binary, and
# start one broker on localhost:9092 with its data in ./data (the embedded
# default configuration; extra arguments are passed to the broker, e.g.
# --set log.retention.hours=1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

.ci/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "${CONVEYOR_JOBS:-$(nproc)}" --target conveyor
exec build/release/src/conveyor "$@"
