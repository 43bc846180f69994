"""Clients pinned to old protocol versions, as Kafka 3.x still serves them:
kafka-python with api_version 0.9 (Produce v1 / Fetch v1, magic 0 message
sets) and 0.10.1 (Produce v2 / Fetch v3, magic 1). Their message sets are
converted to magic 2 batches on the way in and back on the way out; keys,
values, offsets and (magic 1) timestamps survive, with and without gzip.
A modern client reads what they wrote, and they read what it wrote."""
import unittest

from confluent_kafka import Producer
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from conveyor_broker import Broker
from test_produce_consume_confluent import consume_all, create_topic

TIMEOUT = 30
OLD_VERSIONS = {"0.9": (0, 9), "0.10.1": (0, 10, 1)}


class LegacyClientsTest(unittest.TestCase):
    def setUp(self):
        self.broker = Broker().start()

    def tearDown(self):
        self.broker.cleanup()

    def old_consume(self, topic, api_version, count):
        consumer = KafkaConsumer(bootstrap_servers=self.broker.bootstrap, api_version=api_version,
                                 enable_auto_commit=False, consumer_timeout_ms=TIMEOUT * 1000)
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek(tp, 0)
        got = []
        for msg in consumer:
            got.append(msg)
            if len(got) == count:
                break
        consumer.close()
        return got

    def test_old_producers_and_consumers(self):
        for name, api_version in OLD_VERSIONS.items():
            for codec in (None, "gzip"):
                with self.subTest(api_version=name, codec=codec):
                    topic = f"legacy-{name}-{codec or 'none'}".replace(".", "_")
                    create_topic(self.broker.bootstrap, topic, 1)
                    producer = KafkaProducer(bootstrap_servers=self.broker.bootstrap, api_version=api_version,
                                             compression_type=codec, acks=1, linger_ms=5)
                    base = 1_650_000_000_000
                    futures = [producer.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), partition=0,
                                             timestamp_ms=base + i if api_version >= (0, 10) else None)
                               for i in range(200)]
                    producer.flush(TIMEOUT)
                    self.assertEqual([f.get(timeout=TIMEOUT).offset for f in futures], list(range(200)))
                    producer.close()

                    # Old consumer: down-converted message sets.
                    got = self.old_consume(topic, api_version, 200)
                    self.assertEqual([(m.offset, m.key, m.value) for m in got],
                                     [(i, f"k{i}".encode(), f"v{i}".encode()) for i in range(200)])
                    if api_version >= (0, 10):
                        self.assertEqual([m.timestamp for m in got], [base + i for i in range(200)])

                    # Modern consumer: the up-converted batches.
                    modern = consume_all(self.broker.bootstrap, topic, [0], 200)
                    self.assertEqual([(m.offset(), m.value()) for m in modern],
                                     [(i, f"v{i}".encode()) for i in range(200)])

    def test_old_consumer_reads_a_modern_producers_batches(self):
        create_topic(self.broker.bootstrap, "modern", 1)
        producer = Producer({"bootstrap.servers": self.broker.bootstrap, "linger.ms": 5,
                             "compression.codec": "lz4"})
        for i in range(300):
            producer.produce("modern", key=f"k{i}".encode(), value=f"v{i}".encode(), partition=0,
                             headers=[("dropped", b"legacy has no headers")])
        producer.flush(TIMEOUT)
        for api_version in OLD_VERSIONS.values():
            got = self.old_consume("modern", api_version, 300)
            self.assertEqual([(m.offset, m.key, m.value) for m in got],
                             [(i, f"k{i}".encode(), f"v{i}".encode()) for i in range(300)])


if __name__ == "__main__":
    unittest.main()
