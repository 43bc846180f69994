"""Compaction in the running broker: a compacted topic's closed segments are
cleaned by the cleaner thread (planned and swapped in on the partition's
shard) while producers keep writing; consumers then read the latest value
of every key, at its original offset, and nothing newer is lost."""
import unittest

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from conveyor_broker import Broker

TIMEOUT = 30
KEYS = 20
ROUNDS = 60


class CompactionTest(unittest.TestCase):
    def setUp(self):
        self.broker = Broker("log.cleaner.backoff.ms=100").start()
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        config = {"cleanup.policy": "compact", "segment.bytes": "2048", "min.cleanable.dirty.ratio": "0.01"}
        admin.create_topics([NewTopic("table", 1, 1, config=config)])["table"].result(TIMEOUT)

    def tearDown(self):
        self.broker.cleanup()

    def read_all(self):
        consumer = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "check",
                             "enable.auto.commit": False, "enable.partition.eof": True})
        consumer.assign([TopicPartition("table", 0, 0)])
        out = []
        try:
            while True:
                msg = consumer.poll(TIMEOUT)
                self.assertIsNotNone(msg)
                if msg.error():
                    self.assertEqual(msg.error().code(), -191, msg.error())  # _PARTITION_EOF
                    return out
                out.append((msg.offset(), msg.key(), msg.value()))
        finally:
            consumer.close()

    def test_latest_value_of_every_key_survives_while_producing(self):
        producer = Producer({"bootstrap.servers": self.broker.bootstrap, "acks": "all", "linger.ms": 0})
        offsets = {}

        def delivered(err, msg):
            self.assertIsNone(err)
            offsets[(msg.key(), msg.value())] = msg.offset()

        for r in range(ROUNDS):
            for k in range(KEYS):
                producer.produce("table", key=b"k%02d" % k, value=b"r%03d" % r, on_delivery=delivered)
            producer.flush(TIMEOUT)
            if r == ROUNDS // 2:
                self.assertTrue(self.broker.log_contains("compacted", timeout=TIMEOUT), "no compaction pass ran")
        self.assertTrue(self.broker.log_contains("compacted", timeout=TIMEOUT))

        records = self.read_all()
        self.assertLess(len(records), KEYS * ROUNDS, "superseded records were removed")
        self.assertEqual([o for o, _, _ in records], sorted(o for o, _, _ in records))
        latest = {}
        for offset, key, value in records:
            self.assertEqual(offsets[(key, value)], offset, "a record keeps its offset")
            latest[key] = value
        self.assertEqual(latest, {b"k%02d" % k: b"r%03d" % (ROUNDS - 1) for k in range(KEYS)})


if __name__ == "__main__":
    unittest.main()
