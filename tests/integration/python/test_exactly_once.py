"""Exactly once end to end: a consume-transform-produce application
(eos_app.py, confluent-kafka) dies in the middle of a transaction and is
started again; read_committed consumers of its output see every input
message transformed exactly once, in order per partition. The restarted
instance fences the dead one (its open transaction is aborted) and resumes
from the offsets committed with the last committed transaction."""
import os
import subprocess
import sys
import unittest

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from conveyor_broker import Broker

TIMEOUT = 60
APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "eos_app.py")


class ExactlyOnceTest(unittest.TestCase):
    def setUp(self):
        self.broker = Broker().start()
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        for future in admin.create_topics([NewTopic("in", 2, 1), NewTopic("out", 2, 1)]).values():
            future.result(TIMEOUT)

    def tearDown(self):
        self.broker.cleanup()

    def run_app(self, *args):
        return subprocess.run([sys.executable, APP, self.broker.bootstrap, *args], capture_output=True, text=True,
                              timeout=TIMEOUT)

    def read(self, topic, isolation_level):
        consumer = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "reader-" + isolation_level,
                             "enable.auto.commit": False, "isolation.level": isolation_level,
                             "enable.partition.eof": True})
        consumer.assign([TopicPartition(topic, p, 0) for p in range(2)])
        out, at_end = {0: [], 1: []}, set()
        try:
            while len(at_end) < 2:
                msg = consumer.poll(TIMEOUT)
                self.assertIsNotNone(msg)
                if msg.error():
                    self.assertEqual(msg.error().code(), KafkaError._PARTITION_EOF, msg.error())
                    at_end.add(msg.partition())
                    continue
                out[msg.partition()].append(msg.value())
        finally:
            consumer.close()
        return out

    def test_killed_mid_transaction_and_restarted(self):
        producer = Producer({"bootstrap.servers": self.broker.bootstrap})
        for i in range(200):
            producer.produce("in", value=b"m%03d" % i, partition=i % 2)
        producer.flush(TIMEOUT)

        crashed = self.run_app("--crash-after", "70")
        self.assertEqual(crashed.returncode, 3, crashed.stderr)
        uncommitted = self.read("out", "read_uncommitted")
        self.assertGreaterEqual(sum(len(v) for v in uncommitted.values()), 70, "the open transaction's output is in the log")

        finished = self.run_app()
        self.assertEqual(finished.returncode, 0, finished.stderr)
        self.assertLess(int(finished.stdout), 200, "the restart resumed after the committed offsets")

        expected = {p: [b"M%03d" % i for i in range(p, 200, 2)] for p in range(2)}
        self.assertEqual(self.read("out", "read_committed"), expected)
        # read_uncommitted sees the dead instance's aborted output as well.
        self.assertGreater(sum(len(v) for v in self.read("out", "read_uncommitted").values()), 200)


if __name__ == "__main__":
    unittest.main()
