"""Transactions as a partition sees them: transactional batches, COMMIT and
ABORT markers (written with WriteTxnMarkers, the operation the transaction
coordinator performs), the last stable offset, and read_committed fetches —
over raw requests and through confluent-kafka consumers with
isolation.level read_committed and read_uncommitted."""
import time
import unittest

from confluent_kafka import Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

import kafka_wire as wire
from conveyor_broker import Broker

TIMEOUT = 30
READ_COMMITTED = 1
INVALID_PRODUCER_EPOCH = 47


class ReadCommittedTest(wire.RawClient, unittest.TestCase):
    BROKER_SETTINGS = ()

    def setUp(self):
        self.broker = Broker(*self.BROKER_SETTINGS).start()
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        admin.create_topics([NewTopic("txn", 1, 1)])["txn"].result(TIMEOUT)
        self.connect()

    def tearDown(self):
        self.disconnect()
        self.broker.cleanup()

    def producer_id(self):
        _, error, producer_id, _ = self.call(wire.init_producer_id_request_v0(correlation_id=self.next_id()),
                                             wire.parse_init_producer_id_response_v0)
        self.assertEqual(error, 0)
        return producer_id

    def produce(self, values, producer_id, sequence, epoch=0):
        # Current timestamps: the markers carry the broker's clock, and a jump of
        # more than segment.ms between batch timestamps would roll the segment.
        batch = wire.record_batch(values, base_timestamp=int(time.time() * 1000),
                                  producer=(producer_id, epoch, sequence), transactional=True)
        _, results = self.call(wire.produce_request_v3("txn", 0, batch, correlation_id=self.next_id()),
                               wire.parse_produce_response_v3)
        (_topic, _partition, error, base_offset), = results
        return error, base_offset

    def end(self, producer_id, commit, epoch=0, topic="txn"):
        results = self.call(wire.write_txn_markers_request_v0([(producer_id, epoch, commit, topic, [0], 5)],
                                                              self.next_id()),
                            wire.parse_write_txn_markers_response_v0)
        self.assertEqual(results, [(producer_id, topic, 0, 0)])

    def fetch(self, isolation_level):
        (partition,) = self.call(wire.fetch_request_v4("txn", 0, 0, correlation_id=self.next_id(),
                                                       isolation_level=isolation_level),
                                 wire.parse_fetch_response_v4_detail)
        index, error, high_watermark, lso, aborted, records = partition
        self.assertEqual((index, error), (0, 0))
        return high_watermark, lso, aborted, records

    def latest(self, isolation_level):
        consumer = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "latest",
                             "isolation.level": isolation_level})
        try:
            return consumer.get_watermark_offsets(TopicPartition("txn", 0), timeout=TIMEOUT)[1]
        finally:
            consumer.close()

    def consume(self, isolation_level):
        consumer = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "rc-" + isolation_level,
                             "enable.auto.commit": False, "isolation.level": isolation_level,
                             "enable.partition.eof": True})
        consumer.assign([TopicPartition("txn", 0, 0)])
        values = []
        try:
            while True:
                msg = consumer.poll(TIMEOUT)
                self.assertIsNotNone(msg, "no end-of-partition event")
                if msg.error():
                    self.assertEqual(msg.error().code(), -191, msg.error())  # _PARTITION_EOF
                    break
                values.append(msg.value())
        finally:
            consumer.close()
        return values

    def test_read_committed_stops_at_the_lso_and_learns_of_aborts(self):
        a, b = self.producer_id(), self.producer_id()
        self.assertEqual(self.produce([b"a1", b"a2"], a, 0), (0, 0))
        self.assertEqual(self.produce([b"b1"], b, 0), (0, 2))
        self.assertEqual(self.produce([b"a3"], a, 2), (0, 3))

        hw, lso, aborted, records = self.fetch(READ_COMMITTED)
        self.assertEqual((hw, lso, aborted, records), (4, 0, [], b""), "nothing is stable yet")
        hw, lso, aborted, records = self.fetch(0)
        self.assertEqual((hw, lso, aborted), (4, 0, None))
        self.assertEqual(wire.batch_values(records), [b"a1", b"a2", b"b1", b"a3"], "read_uncommitted sees it all")

        self.end(a, commit=True)  # COMMIT at offset 4; b's transaction still holds the LSO at 2
        hw, lso, aborted, records = self.fetch(READ_COMMITTED)
        self.assertEqual((hw, lso, aborted), (5, 2, []))
        # ListOffsets LATEST: the LSO for read_committed, the high watermark otherwise.
        self.assertEqual(self.latest("read_committed"), 2)
        self.assertEqual(self.latest("read_uncommitted"), 5)
        self.assertEqual(wire.batch_values(records), [b"a1", b"a2"])

        self.end(b, commit=False)  # ABORT at offset 5
        hw, lso, aborted, records = self.fetch(READ_COMMITTED)
        self.assertEqual((hw, lso, aborted), (6, 6, [(b, 2)]))
        self.assertEqual([(first, last, control) for first, last, control in wire.batch_offsets(records)],
                         [(0, 1, False), (2, 2, False), (3, 3, False), (4, 4, True), (5, 5, True)])

        self.assertEqual(self.consume("read_committed"), [b"a1", b"a2", b"a3"])
        self.assertEqual(self.consume("read_uncommitted"), [b"a1", b"a2", b"b1", b"a3"])

        # The state survives a restart (snapshot + .txnindex), and after a crash.
        self.disconnect()
        self.broker.restart()
        self.connect()
        self.assertEqual(self.fetch(READ_COMMITTED)[:3], (6, 6, [(b, 2)]))
        self.disconnect()
        self.broker.kill()
        self.broker.start()
        self.connect()
        self.assertEqual(self.fetch(READ_COMMITTED)[:3], (6, 6, [(b, 2)]))
        self.assertEqual(self.consume("read_committed"), [b"a1", b"a2", b"a3"])

    def describe_producers(self):
        return self.call(wire.describe_producers_request_v0("txn", [0, 7], self.next_id()),
                         wire.parse_describe_producers_response_v0)

    def test_describe_producers_shows_open_transactions(self):
        a, b = self.producer_id(), self.producer_id()
        self.assertEqual(self.produce([b"a1", b"a2"], a, 0), (0, 0))
        self.assertEqual(self.produce([b"b1"], b, 0), (0, 2))
        self.end(a, commit=True)
        described = self.describe_producers()
        self.assertEqual(described[7], (3, []), "UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist")
        error, states = described[0]
        self.assertEqual(error, 0)
        by_id = {state[0]: state for state in states}
        self.assertEqual(set(by_id), {a, b})
        _, epoch, last_sequence, _, coordinator_epoch, txn_start = by_id[a]
        self.assertEqual((epoch, last_sequence, coordinator_epoch, txn_start), (0, 1, 5, -1))
        _, epoch, last_sequence, _, _, txn_start = by_id[b]
        self.assertEqual((epoch, last_sequence, txn_start), (0, 0, 2), "b's transaction is open from offset 2")

    def test_a_marker_with_a_newer_epoch_fences_the_producer(self):
        a = self.producer_id()
        self.assertEqual(self.produce([b"x"], a, 0), (0, 0))
        self.end(a, commit=False, epoch=1)  # the coordinator aborted it and bumped the epoch
        error, _ = self.produce([b"zombie"], a, 1)
        self.assertEqual(error, INVALID_PRODUCER_EPOCH)
        self.assertEqual(self.consume("read_committed"), [])


class TxnOffsetCommitTest(ReadCommittedTest):
    """Offsets committed inside a transaction (send_offsets_to_transaction)
    become the group's offsets only when the transaction commits."""

    # One __consumer_offsets partition, so the group's is partition 0.
    BROKER_SETTINGS = ("offsets.topic.num.partitions=1",)

    def committed(self, isolation_level="read_uncommitted", timeout=TIMEOUT):
        # librdkafka's read_committed consumers (its default) fetch offsets
        # with require_stable and retry UNSTABLE_OFFSET_COMMIT until the
        # transaction ends.
        consumer = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "eos-app",
                             "enable.auto.commit": False, "isolation.level": isolation_level})
        try:
            (tp,) = consumer.committed([TopicPartition("txn", 0)], timeout=timeout)
            return tp.offset
        finally:
            consumer.close()

    def txn_commit(self, producer_id, offset, epoch=0):
        results = self.call(wire.txn_offset_commit_request_v0("app", "eos-app", producer_id, epoch, "txn", {0: offset},
                                                              self.next_id()),
                            wire.parse_txn_offset_commit_response_v0)
        return results[0][2]

    def test_offsets_follow_the_transaction(self):
        self.assertEqual(self.committed(), -1001, "nothing committed (and __consumer_offsets now exists)")
        pid = self.producer_id()
        self.assertEqual(self.txn_commit(pid, 42), 0)
        self.assertEqual(self.committed(), -1001, "pending until the transaction commits")
        with self.assertRaises(KafkaException, msg="require_stable: UNSTABLE_OFFSET_COMMIT while pending"):
            self.committed("read_committed", timeout=2)
        self.end(pid, commit=True, topic="__consumer_offsets")
        self.assertEqual(self.committed("read_committed"), 42)

        self.assertEqual(self.txn_commit(pid, 50), 0)
        self.end(pid, commit=False, topic="__consumer_offsets")
        self.assertEqual(self.committed(), 42, "an aborted transaction's offsets are dropped")

        self.assertEqual(self.txn_commit(pid, 60), 0)  # left open across the restart
        self.disconnect()
        self.broker.restart()
        self.connect()
        self.assertEqual(self.committed(), 42, "replayed from the log with its markers")
        self.end(pid, commit=True, topic="__consumer_offsets")
        self.assertEqual(self.committed(), 60, "the open transaction's offsets were kept pending")

        # A fenced producer epoch cannot commit offsets.
        self.end(pid, commit=False, epoch=3, topic="__consumer_offsets")
        self.assertEqual(self.txn_commit(pid, 70, epoch=0), INVALID_PRODUCER_EPOCH)
        self.assertEqual(self.committed(), 60)

    test_read_committed_stops_at_the_lso_and_learns_of_aborts = None
    test_describe_producers_shows_open_transactions = None
    test_a_marker_with_a_newer_epoch_fences_the_producer = None


if __name__ == "__main__":
    unittest.main()
