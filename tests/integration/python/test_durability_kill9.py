"""Nothing acknowledged is lost: produce with acks=all, kill -9 the broker
in the middle of the stream, restart it on the same data directory, and
find every acknowledged message at the offset it was acknowledged with —
and the log still serving appends after recovery."""
import os
import time
import unittest

from confluent_kafka import Consumer, Producer, TopicPartition

from conveyor_broker import Broker

TIMEOUT = 30


class KillNineTest(unittest.TestCase):
    def setUp(self):
        # Small segments (and batches well below them), so the kill lands
        # among several segments and indexes.
        self.broker = Broker("log.segment.bytes=262144").start()

    def tearDown(self):
        self.broker.cleanup()

    def test_acknowledged_messages_survive_kill_9(self):
        acked = {}
        failed = []

        def delivered(err, msg):
            if err is None:
                acked[msg.offset()] = msg.value()
            else:
                failed.append(err)

        producer = Producer({"bootstrap.servers": self.broker.bootstrap, "acks": "all", "linger.ms": 2,
                             "batch.size": 16384, "message.timeout.ms": 3000, "retries": 0})
        sent = 0
        for _ in range(3000):
            producer.produce("durable", value=f"message-{sent}".encode() * 4, partition=0, on_delivery=delivered)
            sent += 1
            producer.poll(0)
        self.assertEqual(producer.flush(TIMEOUT), 0)
        self.assertEqual((len(acked), failed), (3000, []))
        # Keep producing while the broker dies.
        for _ in range(2000):
            producer.produce("durable", value=f"message-{sent}".encode() * 4, partition=0, on_delivery=delivered)
            sent += 1
        producer.poll(0)
        self.broker.kill()
        # Every message gets its report: acknowledged before the kill, or
        # failed by message.timeout.ms.
        while len(acked) + len(failed) < sent:
            self.assertGreater(producer.poll(TIMEOUT), 0, "a delivery report is missing")
        self.assertGreaterEqual(len(acked), 3000)

        self.broker.start()
        consumer = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "unused",
                             "enable.auto.commit": False})
        low, high = consumer.get_watermark_offsets(TopicPartition("durable", 0), timeout=TIMEOUT)
        self.assertEqual(low, 0)
        self.assertGreaterEqual(high, max(acked) + 1)
        consumer.assign([TopicPartition("durable", 0, 0)])
        stored = {}
        while len(stored) < high:
            msg = consumer.poll(TIMEOUT)
            self.assertIsNotNone(msg, f"timed out after {len(stored)} of {high}")
            self.assertIsNone(msg.error())
            stored[msg.offset()] = msg.value()
        consumer.close()
        self.assertEqual(sorted(stored), list(range(high)))
        for offset, value in acked.items():
            self.assertEqual(stored[offset], value, f"offset {offset}")

        # The recovered log keeps going from where it ends.
        after = Producer({"bootstrap.servers": self.broker.bootstrap, "acks": "all"})
        offsets = []
        after.produce("durable", value=b"after-recovery", partition=0,
                      on_delivery=lambda err, msg: offsets.append(msg.offset()))
        after.flush(TIMEOUT)
        self.assertEqual(offsets, [high], "\n".join(self.broker.log_lines[-20:]))


class CheckpointTest(unittest.TestCase):
    def test_recovery_point_checkpoint_follows_acknowledged_writes(self):
        broker = Broker("log.flush.offset.checkpoint.interval.ms=100").start()
        try:
            producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
            for i in range(100):
                producer.produce("checkpointed", value=b"x", partition=0)
            self.assertEqual(producer.flush(TIMEOUT), 0)
            path = os.path.join(broker.data_dir, "checkpointed-0", "partition.checkpoint")
            deadline = time.monotonic() + TIMEOUT
            point = None
            while time.monotonic() < deadline:
                if os.path.exists(path):
                    with open(path) as f:
                        fields = dict(line.split() for line in f.read().splitlines()[1:] if " " in line)
                    point = int(fields.get("recovery_point", -1))
                    if point >= 100:
                        break
                time.sleep(0.05)  # polling a file the broker rewrites; no event to wait on
            self.assertEqual(point, 100)
        finally:
            broker.cleanup()


if __name__ == "__main__":
    unittest.main()
