#!/usr/bin/python3
"""The kafka-python side of the golden captures (run by capture.sh).

  kafka_python_client.py <bootstrap> produce <none|gzip|snappy|lz4|zstd>
      sends key-0/"value-0 lorem ipsum ..." .. key-9 to golden[0] in one batch
  kafka_python_client.py <bootstrap> consume
      reads golden[0] from the beginning (assigned, no group) until it has
      seen at least ten records
"""

import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

CLIENT_ID = "conveyor-golden-kafka-python"
TOPIC = "golden"
RECORDS = 10
# Long and alike enough that every codec shrinks the batch (kafka-python sends
# a batch uncompressed when compression would not make it smaller).
FILLER = "lorem ipsum " * 8


def value(i):
    return f"value-{i} {FILLER}".encode()


def produce(bootstrap, codec):
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=CLIENT_ID,
        compression_type=None if codec == "none" else codec,
        acks=-1,
        request_timeout_ms=10000,
        linger_ms=200,  # all three records in one batch
    )
    futures = [
        producer.send(TOPIC, key=f"key-{i}".encode(), value=value(i), partition=0)
        for i in range(RECORDS)
    ]
    producer.flush(timeout=20)
    for future in futures:
        future.get(timeout=20)
    producer.close(timeout=10)


def consume(bootstrap):
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        client_id=CLIENT_ID,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        consumer_timeout_ms=10000,
    )
    partition = TopicPartition(TOPIC, 0)
    consumer.assign([partition])
    consumer.seek_to_beginning(partition)
    seen = 0
    for message in consumer:
        if message.key == f"key-{seen}".encode() and message.value == value(seen):
            seen += 1
        else:
            sys.exit(f"kafka_python_client: unexpected record {message}")
        if seen >= RECORDS:
            break
    consumer.close()
    if seen < RECORDS:
        sys.exit(f"kafka_python_client: consumed {seen} records, expected {RECORDS}")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    bootstrap, mode = sys.argv[1], sys.argv[2]
    if mode == "produce" and len(sys.argv) == 4:
        produce(bootstrap, sys.argv[3])
    elif mode == "consume":
        consume(bootstrap)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
