"""Produce and consume through confluent-kafka (librdkafka underneath):
every compression codec, keys to explicit partitions, acks 0/1/all,
message order, contiguous offsets from 0, counts, headers, timestamps,
watermarks and offsets-for-times, and everything still there after a
clean restart."""
import time
import unittest

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from conveyor_broker import Broker

TIMEOUT = 30
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]


def create_topic(bootstrap, name, partitions, config=None):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1,
                                            config=config or {})])
    for f in futures.values():
        f.result(timeout=TIMEOUT)


def produce(bootstrap, topic, messages, **config):
    """Produces (partition, key, value, headers) tuples; returns delivery reports in order."""
    reports = []
    errors = []

    def delivered(err, msg):
        if err is not None:
            errors.append(err)
        else:
            reports.append((msg.partition(), msg.offset(), msg.key(), msg.value()))

    settings = {"bootstrap.servers": bootstrap, "linger.ms": 5}
    settings.update(config)
    producer = Producer(settings)
    for partition, key, value, headers in messages:
        producer.produce(topic, value=value, key=key, partition=partition, headers=headers, on_delivery=delivered)
        producer.poll(0)
    remaining = producer.flush(TIMEOUT)
    if remaining or errors:
        raise AssertionError(f"{remaining} undelivered, errors: {errors[:5]}")
    return reports


def consume_all(bootstrap, topic, partitions, expected):
    """Reads `expected` messages from the start of `partitions` (no consumer group)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused-manual-assignment",
                         "enable.auto.commit": False, "enable.partition.eof": False})
    consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
    got = []
    try:
        while len(got) < expected:
            msg = consumer.poll(TIMEOUT)
            if msg is None:
                raise AssertionError(f"timed out after {len(got)} of {expected} messages")
            if msg.error():
                raise AssertionError(f"consumer error: {msg.error()}")
            got.append(msg)
        extra = consumer.poll(0.5)
        if extra is not None and not extra.error():
            raise AssertionError(f"unexpected extra message at offset {extra.offset()}")
    finally:
        consumer.close()
    return got


class ProduceConsumeTest(unittest.TestCase):
    def setUp(self):
        self.broker = Broker().start()

    def tearDown(self):
        self.broker.cleanup()

    def test_every_codec_round_trips_in_order_with_contiguous_offsets(self):
        for codec in CODECS:
            with self.subTest(codec=codec):
                topic = f"codec-{codec}"
                create_topic(self.broker.bootstrap, topic, 3)
                messages = [(i % 3, f"key-{i}".encode(), f"value-{i}-{codec}".encode() * (1 + i % 7),
                             [("n", str(i).encode())]) for i in range(3000)]
                reports = produce(self.broker.bootstrap, topic, messages, **{"compression.codec": codec,
                                                                              "acks": "all"})
                self.assertEqual(len(reports), 3000)
                got = consume_all(self.broker.bootstrap, topic, [0, 1, 2], 3000)
                by_partition = {p: [m for m in got if m.partition() == p] for p in range(3)}
                for p in range(3):
                    sent = [m for m in messages if m[0] == p]
                    received = by_partition[p]
                    self.assertEqual([m.offset() for m in received], list(range(len(sent))))
                    self.assertEqual([(m.key(), m.value()) for m in received], [(s[1], s[2]) for s in sent])
                    self.assertEqual([m.headers() for m in received], [s[3] for s in sent])

    def test_acks_levels_and_delivery_offsets(self):
        create_topic(self.broker.bootstrap, "acks", 1)
        for n, acks in enumerate(["0", "1", "all"]):
            messages = [(0, None, f"{acks}-{i}".encode(), None) for i in range(100)]
            reports = produce(self.broker.bootstrap, "acks", messages, acks=acks)
            self.assertEqual(len(reports), 100)
            if acks != "0":  # acks=0 gives no offsets back
                self.assertEqual([r[1] for r in reports], list(range(n * 100, n * 100 + 100)))
        got = consume_all(self.broker.bootstrap, "acks", [0], 300)
        self.assertEqual([m.value() for m in got],
                         [f"{a}-{i}".encode() for a in ["0", "1", "all"] for i in range(100)])

    def test_watermarks_offsets_for_times_and_restart(self):
        create_topic(self.broker.bootstrap, "times", 1)
        base = 1_700_000_000_000
        producer = Producer({"bootstrap.servers": self.broker.bootstrap, "linger.ms": 0})
        for i in range(50):
            producer.produce("times", value=f"t{i}".encode(), partition=0, timestamp=base + i * 1000)
            producer.flush(TIMEOUT)  # one batch per record: the time index sees each
        consumer = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "unused",
                             "enable.auto.commit": False})
        self.assertEqual(consumer.get_watermark_offsets(TopicPartition("times", 0), timeout=TIMEOUT), (0, 50))
        found = consumer.offsets_for_times([TopicPartition("times", 0, base + 20_500)], timeout=TIMEOUT)
        self.assertEqual(found[0].offset, 21)
        found = consumer.offsets_for_times([TopicPartition("times", 0, base + 999_999)], timeout=TIMEOUT)
        self.assertEqual(found[0].offset, -1)  # later than every record: the end
        consumer.close()

        self.broker.restart()
        got = consume_all(self.broker.bootstrap, "times", [0], 50)
        self.assertEqual([m.value() for m in got], [f"t{i}".encode() for i in range(50)])
        self.assertEqual([m.timestamp()[1] for m in got], [base + i * 1000 for i in range(50)])

    def test_unknown_partition_is_reported_to_the_producer(self):
        create_topic(self.broker.bootstrap, "small", 1)
        errors = []
        producer = Producer({"bootstrap.servers": self.broker.bootstrap, "message.timeout.ms": 5000})
        producer.produce("small", value=b"x", partition=7, on_delivery=lambda err, msg: errors.append(err))
        producer.flush(TIMEOUT)
        self.assertEqual(len(errors), 1)
        self.assertEqual(errors[0].code(), KafkaError._UNKNOWN_PARTITION)

    def test_long_poll_wakes_when_data_arrives(self):
        """A consumer parked in a Fetch with fetch.wait.max.ms=5000 gets a
        message produced 100 ms later without waiting out the 5 s: the append
        wakes the fetch. (A broker that answered only at the deadline would
        take about 5 s, so the 1 s bound tells the two apart.)"""
        create_topic(self.broker.bootstrap, "longpoll", 1)
        consumer = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "lp",
                             "fetch.wait.max.ms": 5000, "fetch.min.bytes": 1, "enable.auto.commit": False})
        consumer.assign([TopicPartition("longpoll", 0, 0)])
        # Let the consumer reach the empty partition and park its Fetch.
        self.assertIsNone(consumer.poll(1.0))
        producer = Producer({"bootstrap.servers": self.broker.bootstrap, "linger.ms": 0})
        producer.produce("longpoll", value=b"wake up", partition=0)
        self.assertEqual(producer.flush(TIMEOUT), 0)
        acknowledged = time.monotonic()
        msg = consumer.poll(TIMEOUT)
        received = time.monotonic()
        consumer.close()
        self.assertIsNotNone(msg)
        self.assertEqual(msg.value(), b"wake up")
        self.assertLess(received - acknowledged, 1.0, "the long poll waited for its deadline")


if __name__ == "__main__":
    unittest.main()
