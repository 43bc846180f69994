"""File descriptors stay bounded however many segments a partition has:
with log.segments.open.max=2 only the two most recently used closed segments
of a partition keep their three files open; older ones are reopened when a
consumer reads them. Checked on the real broker through /proc/<pid>/fd while
a producer rolls hundreds of small segments and a consumer reads them all
back, in order."""
import os
import unittest

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from conveyor_broker import Broker

TIMEOUT = 30
PARTITIONS = 2
MESSAGES = 3000
OPEN_MAX = 2


class OpenFilesTest(unittest.TestCase):
    def setUp(self):
        self.broker = Broker(f"log.segments.open.max={OPEN_MAX}").start()
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        admin.create_topics([NewTopic("many", PARTITIONS, 1, config={"segment.bytes": "1024"})])["many"].result(TIMEOUT)

    def tearDown(self):
        self.broker.cleanup()

    def open_fds(self):
        """The broker's descriptors on files of the topic's partitions."""
        fd_dir = f"/proc/{self.broker.process.pid}/fd"
        count = 0
        for fd in os.listdir(fd_dir):
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except FileNotFoundError:  # closed meanwhile
                continue
            count += "/many-" in target
        return count

    def segment_files(self):
        count = 0
        for p in range(PARTITIONS):
            count += sum(1 for name in os.listdir(os.path.join(self.broker.data_dir, f"many-{p}"))
                         if name.endswith(".log"))
        return count

    def test_reading_hundreds_of_segments_keeps_descriptors_bounded(self):
        # Small batches (about 900 B each), so that nearly every batch rolls a segment.
        producer = Producer({"bootstrap.servers": self.broker.bootstrap, "acks": "all", "linger.ms": 0,
                             "batch.num.messages": 4})
        for i in range(MESSAGES):
            producer.produce("many", key=b"%05d" % i, value=b"v" * 200, partition=i % PARTITIONS)
            if i % 500 == 0:
                producer.poll(0)
        self.assertEqual(producer.flush(TIMEOUT), 0)
        segments = self.segment_files()
        self.assertGreater(segments, 300, "the topic should have rolled many segments")
        # Per partition: OPEN_MAX closed segments, one being reopened before
        # the least recently used is released, and the active one, three
        # files each; the directory (held for fsyncs); and fetch responses
        # (the one being sent, the previous one being freed) hold their
        # segment's log file a little longer.
        bound = PARTITIONS * ((OPEN_MAX + 2) * 3 + 1 + 2)
        self.assertLessEqual(self.open_fds(), bound)

        consumer = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "reader",
                             "enable.auto.commit": False, "enable.partition.eof": True})
        consumer.assign([TopicPartition("many", p, 0) for p in range(PARTITIONS)])
        seen = {p: [] for p in range(PARTITIONS)}
        at_end = set()
        most_fds = 0
        try:
            while len(at_end) < PARTITIONS:
                msg = consumer.poll(TIMEOUT)
                self.assertIsNotNone(msg, "the consumer stalled")
                if msg.error():
                    self.assertEqual(msg.error().code(), -191, msg.error())  # _PARTITION_EOF
                    at_end.add(msg.partition())
                    continue
                seen[msg.partition()].append((msg.offset(), int(msg.key())))
                if len(seen[msg.partition()]) % 100 == 0:
                    most_fds = max(most_fds, self.open_fds())
        finally:
            consumer.close()
        for p in range(PARTITIONS):
            self.assertEqual([o for o, _ in seen[p]], list(range(MESSAGES // PARTITIONS)))
            self.assertEqual([k for _, k in seen[p]], list(range(p, MESSAGES, PARTITIONS)))
        self.assertLessEqual(most_fds, bound)
        self.assertLessEqual(self.open_fds(), bound)
        self.assertLess(bound * 10, segments, "the bound is well below one descriptor per segment")


if __name__ == "__main__":
    unittest.main()
