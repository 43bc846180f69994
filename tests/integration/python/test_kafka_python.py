"""kafka-python (a pure-Python client, its own protocol code): produce with
acks=all and each codec it supports here, consume by manual assignment,
check content, order, offsets and counts; end offsets and offsets-for-times."""
import unittest

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

from conveyor_broker import Broker

TIMEOUT = 30


def available_codecs():
    codecs = [None, "gzip"]
    for module, codec in (("snappy", "snappy"), ("lz4", "lz4"), ("zstandard", "zstd")):
        try:
            __import__(module)
            codecs.append(codec)
        except ImportError:
            pass
    return codecs


class KafkaPythonTest(unittest.TestCase):
    def setUp(self):
        self.broker = Broker().start()
        self.bootstrap = self.broker.bootstrap

    def tearDown(self):
        self.broker.cleanup()

    def consume(self, topic, partition, count):
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False,
                                 consumer_timeout_ms=TIMEOUT * 1000)
        tp = TopicPartition(topic, partition)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        got = []
        for msg in consumer:
            got.append(msg)
            if len(got) == count:
                break
        end = consumer.end_offsets([tp])[tp]
        consumer.close()
        return got, end

    def test_produce_consume_each_codec(self):
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap)
        codecs = available_codecs()
        admin.create_topics([NewTopic(f"kp-{c or 'none'}", num_partitions=2, replication_factor=1) for c in codecs])
        admin.close()
        for codec in codecs:
            with self.subTest(codec=codec):
                topic = f"kp-{codec or 'none'}"
                producer = KafkaProducer(bootstrap_servers=self.bootstrap, acks="all", compression_type=codec,
                                         linger_ms=5)
                futures = [producer.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), partition=1)
                           for i in range(1000)]
                producer.flush(TIMEOUT)
                offsets = [f.get(timeout=TIMEOUT).offset for f in futures]
                producer.close()
                self.assertEqual(offsets, list(range(1000)))
                got, end = self.consume(topic, 1, 1000)
                self.assertEqual([(m.offset, m.key, m.value) for m in got],
                                 [(i, f"k{i}".encode(), f"v{i}".encode()) for i in range(1000)])
                self.assertEqual(end, 1000)

    def test_offsets_for_times(self):
        producer = KafkaProducer(bootstrap_servers=self.bootstrap, acks=1)
        base = 1_600_000_000_000
        for i in range(20):
            producer.send("kp-times", value=b"x", partition=0, timestamp_ms=base + i * 10).get(timeout=TIMEOUT)
        producer.close()
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap)
        tp = TopicPartition("kp-times", 0)
        found = consumer.offsets_for_times({tp: base + 55})
        self.assertEqual(found[tp].offset, 6)
        self.assertEqual(found[tp].timestamp, base + 60)
        self.assertEqual(consumer.beginning_offsets([tp])[tp], 0)
        consumer.close()


if __name__ == "__main__":
    unittest.main()
