#!/usr/bin/python3
"""Golden legacy message sets (magic 0 and 1) written by kafka-python, offline.

kafka-python's LegacyRecordBatchBuilder is the code its producer uses for
brokers before 0.11 (magic 0 for api_version 0.8/0.9, magic 1 for 0.10), so
its bytes are those an old client sends. No broker is needed: this script
builds the message sets and wraps each in the Produce request frame the same
client would send (Produce v1 for magic 0, as kafka-python 0.9 does; Produce
v2 for magic 1, as kafka-python 0.10 does), so that every file in
tests/golden/data is a request frame (fuzz_regression_test decodes them all).

  tests/golden/capture/legacy_message_sets.py [OUT_DIR]

writes OUT_DIR (default tests/golden/data/legacy) /
  produce_v<1|2>_kafkapython_legacy_magic<0|1>_<none|gzip|snappy|lz4>.bin
each one request frame (the bytes after the 4-byte size prefix): client id
conveyor-golden-kafka-python, acks -1, timeout 30000, topic "legacy",
partition 0, ten messages:
  i = 0..9: key b"key-<i>" (None for i == 3), value
  b"value-<i> " + b"lorem ipsum " * 8 (b"" for i == 5),
  offsets 0..9 (the producer's relative offsets), timestamps (magic 1 only)
  1700000000000 + i.
magic 0 with lz4 carries the KAFKA-3160 header checksum (kafka-python's
lz4_encode_old_kafka). Needs python3-kafka, python3-snappy, python3-lz4 and
python3-xxhash (for that old lz4 framing).
"""

import os
import sys

from kafka.protocol.api import RequestHeader
from kafka.protocol.produce import ProduceRequest
from kafka.record.legacy_records import LegacyRecordBatchBuilder

CLIENT_ID = "conveyor-golden-kafka-python"
TOPIC = "legacy"
RECORDS = 10
BASE_TIMESTAMP = 1700000000000
FILLER = b"lorem ipsum " * 8
CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3}
# magic -> the Produce version kafka-python sends it with.
PRODUCE_VERSION = {0: 1, 1: 2}


def key(i):
    return None if i == 3 else f"key-{i}".encode()


def value(i):
    return b"" if i == 5 else f"value-{i} ".encode() + FILLER


def message_set(magic, codec):
    builder = LegacyRecordBatchBuilder(magic=magic, compression_type=CODECS[codec],
                                       batch_size=1 << 20)
    for i in range(RECORDS):
        meta = builder.append(i, timestamp=BASE_TIMESTAMP + i, key=key(i), value=value(i))
        assert meta is not None
    return bytes(builder.build())


def produce_frame(magic, records):
    version = PRODUCE_VERSION[magic]
    request = ProduceRequest[version](required_acks=-1, timeout=30000,
                                      topics=[(TOPIC, [(0, records)])])
    header = RequestHeader(request, correlation_id=magic + 1, client_id=CLIENT_ID)
    return version, header.encode() + request.encode()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "data", "legacy")
    os.makedirs(out, exist_ok=True)
    for magic in (0, 1):
        for codec in CODECS:
            version, frame = produce_frame(magic, message_set(magic, codec))
            name = f"produce_v{version}_kafkapython_legacy_magic{magic}_{codec}.bin"
            with open(os.path.join(out, name), "wb") as f:
                f.write(frame)
            print(name, len(frame))


if __name__ == "__main__":
    main()
