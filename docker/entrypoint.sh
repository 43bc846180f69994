#!/bin/bash
# Starts conveyor with the container defaults (listen on every interface,
# data in the volume), then CONVEYOR_SET's space-separated key=value pairs,
# then the container's arguments — later settings win.
set -euo pipefail
args=(--set "listeners=${CONVEYOR_LISTENERS:-PLAINTEXT://0.0.0.0:9092}"
      --set "advertised.listeners=${CONVEYOR_ADVERTISED_LISTENERS:-PLAINTEXT://localhost:9092}"
      --set "log.dirs=/var/lib/conveyor")
for pair in ${CONVEYOR_SET:-}; do
  args+=(--set "$pair")
done
exec /usr/local/bin/conveyor "${args[@]}" "$@"
