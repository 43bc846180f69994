#!/usr/bin/env bash
# Builds the libFuzzer targets (clang) and runs each for a while, seeded with
# the golden captures. Usage: tests/fuzz/run_fuzzers.sh [seconds per target, default 120]
#
# Crashing inputs land in build/fuzz/artifacts/<target>/; to keep one fixed,
# copy it to tests/fuzz/corpus/regressions/ together with the fix
# (fuzz_regression_test replays that directory in every build).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-120}"
build="$root/build/fuzz"
targets=(request_frame record_batch_header record_batch wire_primitives)

# The fuzz preset leaves the tests directory out (CONVEYOR_BUILD_TESTS=OFF),
# and tests/fuzz lives under it: switch tests on, build only the fuzzers.
cmake --preset fuzz -DCONVEYOR_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}"

# Seeds: every golden request frame; for the batch fuzzer, the record
# batches inside the golden Produce requests (61-byte header + payload).
corpus="$build/corpus"
mkdir -p "$corpus"/{request_frame,record_batch_header,record_batch,wire_primitives}
cp "$root"/tests/golden/data/*.bin "$corpus/request_frame/"
cp "$root"/tests/golden/data/*.bin "$corpus/wire_primitives/"
/usr/bin/python3 - "$root/tests/golden/data" "$corpus/record_batch_header" <<'EOF'
import pathlib, struct, sys
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for path in src.glob("produce_*.bin"):
    data = path.read_bytes()
    # A v2 batch starts at base offset 0 with magic 2 at +16.
    for i in range(len(data) - 61):
        if data[i:i + 8] == bytes(8) and data[i + 16] == 2:
            (length,) = struct.unpack(">i", data[i + 8:i + 12])
            (dst / path.name).write_bytes(data[i:i + 12 + length])
            break
EOF
cp "$corpus"/record_batch_header/* "$corpus/record_batch/"

status=0
for target in "${targets[@]}"; do
  artifacts="$build/artifacts/$target"
  mkdir -p "$artifacts"
  echo "run_fuzzers: fuzz_$target for ${seconds}s"
  # 4 KiB inputs; any single allocation above 64 MiB is a length trusted
  # from the wire, reported as a crash.
  if ! "$build/tests/fuzz/fuzz_$target" "$corpus/$target" "$root/tests/fuzz/corpus/regressions" \
      -max_total_time="$seconds" -max_len=4096 -malloc_limit_mb=64 -rss_limit_mb=2048 \
      -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/" 2>"$artifacts/log.txt"; then
    echo "run_fuzzers: fuzz_$target failed; see $artifacts/log.txt" >&2
    status=1
  fi
  grep -E "^(stat::|Done|#[0-9]+ +DONE)" "$artifacts/log.txt" || true
done
exit "$status"
