#pragma once
// The code the fuzzers drive, shared with the regression test
// (tests/unit/golden/fuzz_regression_test.cc) so that an input which once
// crashed a fuzzer is replayed through exactly the same path in every build.
//
// Each entry point accepts any bytes. Bad input must give an error value; an
// entry point aborts (via check_invariant) only when the code under test
// breaks one of its own promises, e.g. a decoded message that does not encode
// back, or size() disagreeing with encode().

#include <cstddef>
#include <cstdint>
#include <span>

#include "conveyor/protocol/protocol_error.h"

namespace conveyor::fuzz {

// A request frame (the bytes after the 4-byte size prefix): the header at the
// version its API key and version imply, then the body of that API at that
// version, as the broker reads it. When both decode, re-encodes them and checks
// size() == encoded length and encode(decode(encode(m))) == encode(m).
// Returns the first decode error (none when the whole frame decoded).
protocol::ProtocolError request_frame(std::span<const std::uint8_t> frame);

// A record batch header at the start of `bytes`; when it reads, checks what it
// promises (lengths, counts) and that the in-place edits the broker makes keep
// the CRC consistent (on a copy).
void record_batch_header(std::span<const std::uint8_t> bytes);

// One whole record batch: its records parsed (CRC not required, so the
// fuzzer reaches the record parser), checked against the header, rebuilt
// with the builder and parsed back to the same records; validate_batch; and
// the legacy conversions in both directions on the same bytes.
void record_batch(std::span<const std::uint8_t> bytes);

// The wire primitives one at a time: varints, strings (UTF-8 checked), bytes,
// records, array lengths, tagged fields, with each value re-encoded and read
// back. The first byte of each step chooses the primitive.
void wire_primitives(std::span<const std::uint8_t> bytes);

// Aborts with `what` when `condition` is false (in every build type).
void check_invariant(bool condition, const char* what);

}  // namespace conveyor::fuzz
