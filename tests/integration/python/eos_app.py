"""A consume-transform-produce application with exactly-once semantics, run
as its own process by test_exactly_once.py so that it can die mid-stream.

It reads `in` (partitions assigned by hand, from the group's committed
offsets), upper-cases each value into the same partition of `out`, and
commits its input offsets in the same transaction
(send_offsets_to_transaction). With --crash-after N it exits abruptly (as a
kill would) after writing N messages of a transaction it never ends.

Usage: eos_app.py BOOTSTRAP [--crash-after N]
"""
import os
import sys

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

IN, OUT, GROUP, PARTITIONS = "in", "out", "eos-app", 2


def main():
    bootstrap = sys.argv[1]
    crash_after = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--crash-after" else None
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": "eos-app", "linger.ms": 1})
    # Fences a previous instance and aborts its open transaction first, so
    # that the committed offsets read next are stable.
    producer.init_transactions(30)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": GROUP, "enable.auto.commit": False,
                         "isolation.level": "read_committed", "enable.partition.eof": True,
                         "auto.offset.reset": "earliest"})
    committed = consumer.committed([TopicPartition(IN, p) for p in range(PARTITIONS)], timeout=30)
    consumer.assign(committed)
    written, at_end = 0, set()
    while len(at_end) < PARTITIONS:
        messages = consumer.consume(20, timeout=1)
        data = []
        for m in messages:  # in order: data after an end-of-partition event means more came
            if not m.error():
                data.append(m)
                at_end.discard(m.partition())
            elif m.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(m.partition())
            else:
                raise RuntimeError(m.error())
        if not data:
            continue
        producer.begin_transaction()
        for m in data:
            producer.produce(OUT, value=m.value().upper(), partition=m.partition())
            written += 1
            if crash_after is not None and written >= crash_after:
                producer.flush(30)  # the output is in the log, the transaction open
                os._exit(3)
        producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                             consumer.consumer_group_metadata(), 30)
        producer.commit_transaction(30)
    consumer.close()
    print(written)


if __name__ == "__main__":
    main()
