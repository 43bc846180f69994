"""Idempotent producers: a retried batch is written once, a gap or a fenced
epoch is refused, and — with a real confluent-kafka producer retrying
through a kill -9 and restart of the broker — every acknowledged message is
in the log exactly once, in order per partition."""
import time
import unittest

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

import kafka_wire as wire
from conveyor_broker import Broker

TIMEOUT = 30
OUT_OF_ORDER_SEQUENCE_NUMBER = 45
INVALID_PRODUCER_EPOCH = 47


def create_topic(bootstrap, name, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, partitions, 1)])[name].result(TIMEOUT)


def read_partition(bootstrap, topic, partition):
    """Every (offset, value) of a partition, up to its high watermark."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "check", "enable.auto.commit": False})
    try:
        _low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=TIMEOUT)
        consumer.assign([TopicPartition(topic, partition, 0)])
        out = []
        while len(out) < high:
            msg = consumer.poll(TIMEOUT)
            assert msg is not None, f"timed out after {len(out)} of {high}"
            assert msg.error() is None, msg.error()
            out.append((msg.offset(), msg.value()))
        return out
    finally:
        consumer.close()


class RawProducer(wire.RawClient):
    """Helpers: a broker, topic raw-idem, and hand-made requests over one connection."""

    BROKER_SETTINGS = ()

    def setUp(self):
        self.broker = Broker(*self.BROKER_SETTINGS).start()
        create_topic(self.broker.bootstrap, "raw-idem", 1)
        self.connect()

    def tearDown(self):
        self.disconnect()
        self.broker.cleanup()

    def init_producer_id(self, transactional_id=None):
        _, error, producer_id, epoch = self.call(
            wire.init_producer_id_request_v0(transactional_id, self.next_id()),
            wire.parse_init_producer_id_response_v0)
        return error, producer_id, epoch

    def produce(self, values, producer):
        batch = wire.record_batch(values, base_timestamp=int(time.time() * 1000), producer=producer)
        _, results = self.call(wire.produce_request_v3("raw-idem", 0, batch, correlation_id=self.next_id()),
                               wire.parse_produce_response_v3)
        (_topic, _partition, error, base_offset), = results
        return error, base_offset

    def log_values(self):
        _, partitions = self.call(wire.fetch_request_v4("raw-idem", 0, 0, correlation_id=self.next_id()),
                                  wire.parse_fetch_response_v4)
        (_index, error, _hw, records), = partitions
        self.assertEqual(error, 0)
        return wire.batch_values(records or b"")


class RawIdempotenceTest(RawProducer, unittest.TestCase):
    """The broker's rules."""

    def test_duplicate_returns_the_first_offset_and_a_gap_is_refused(self):
        error, pid, epoch = self.init_producer_id()
        self.assertEqual((error, epoch), (0, 0))
        self.assertGreaterEqual(pid, 0)
        self.assertEqual(self.produce([b"a", b"b"], (pid, epoch, 0)), (0, 0))
        self.assertEqual(self.produce([b"c"], (pid, epoch, 2)), (0, 2))
        # The same batch again (a retry): success with the original offset, nothing written.
        self.assertEqual(self.produce([b"c"], (pid, epoch, 2)), (0, 2))
        self.assertEqual(self.produce([b"a", b"b"], (pid, epoch, 0)), (0, 0))
        # A gap: sequence 3 was never sent.
        error, _ = self.produce([b"e"], (pid, epoch, 4))
        self.assertEqual(error, OUT_OF_ORDER_SEQUENCE_NUMBER)
        self.assertEqual(self.produce([b"d"], (pid, epoch, 3)), (0, 3))
        self.assertEqual(self.log_values(), [b"a", b"b", b"c", b"d"])

    def test_older_epoch_is_fenced_and_ids_are_unique(self):
        _, pid, _ = self.init_producer_id()
        _, other, _ = self.init_producer_id()
        self.assertNotEqual(pid, other)
        self.assertEqual(self.produce([b"x"], (pid, 1, 0)), (0, 0))
        error, _ = self.produce([b"y"], (pid, 0, 1))
        self.assertEqual(error, INVALID_PRODUCER_EPOCH)
        error, _ = self.produce([b"z"], (pid, 2, 5))
        self.assertEqual(error, OUT_OF_ORDER_SEQUENCE_NUMBER, "a new epoch starts at sequence 0")
        self.assertEqual(self.log_values(), [b"x"])

    def test_transactional_ids_get_a_producer_id_from_the_transaction_coordinator(self):
        error, pid, epoch = self.init_producer_id("txn-app")
        self.assertEqual(error, 0)
        self.assertGreaterEqual(pid, 0)
        self.assertEqual(epoch, 0)
        # The same id again: the same producer id, the next epoch (fencing the first).
        self.assertEqual(self.init_producer_id("txn-app"), (0, pid, 1))

    def test_dedup_and_ids_survive_restarts(self):
        _, pid, epoch = self.init_producer_id()
        for seq in range(6):
            self.assertEqual(self.produce([b"v%d" % seq], (pid, epoch, seq)), (0, seq))
        self.disconnect()
        self.broker.restart()  # clean: the snapshot written at close is loaded
        self.connect()
        for seq in range(1, 6):  # the last five batches are still known
            self.assertEqual(self.produce([b"v%d" % seq], (pid, epoch, seq)), (0, seq))
        self.disconnect()
        self.broker.kill()  # unclean: rebuilt from the log
        self.broker.start()
        self.connect()
        for seq in range(1, 6):
            self.assertEqual(self.produce([b"v%d" % seq], (pid, epoch, seq)), (0, seq))
        self.assertEqual(self.produce([b"v6"], (pid, epoch, 6)), (0, 6))
        self.assertEqual(self.log_values(), [b"v%d" % i for i in range(7)])
        _, new_pid, _ = self.init_producer_id()
        self.assertGreater(new_pid, pid, "producer ids are not reused after a restart")


class ProducerExpiryTest(RawProducer, unittest.TestCase):
    BROKER_SETTINGS = ("producer.id.expiration.ms=500", "producer.id.expiration.check.interval.ms=100")

    def test_idle_producer_is_forgotten(self):
        _, pid, epoch = self.init_producer_id()
        self.assertEqual(self.produce([b"a"], (pid, epoch, 0)), (0, 0))
        self.assertTrue(self.broker.log_contains("forgot 1 idle producer", timeout=10))
        # Unknown again: it may start at any sequence, and its old batch is no longer a duplicate.
        self.assertEqual(self.produce([b"b"], (pid, epoch, 7)), (0, 1))
        self.assertEqual(self.log_values(), [b"a", b"b"])


class IdempotentProducerKillNineTest(unittest.TestCase):
    """confluent-kafka with enable.idempotence retries through a broker
    killed with SIGKILL and restarted on the same port and data."""

    PARTITIONS = 3
    MESSAGES = 30000

    def setUp(self):
        self.broker = Broker("log.segment.bytes=262144").start()
        create_topic(self.broker.bootstrap, "idem", self.PARTITIONS)

    def tearDown(self):
        self.broker.cleanup()

    def test_every_message_exactly_once_in_order_after_kill_9(self):
        acked = []
        errors = []

        def delivered(err, msg):
            if err is not None:
                errors.append(err)
            else:
                acked.append((msg.partition(), msg.offset(), msg.value()))

        producer = Producer({"bootstrap.servers": self.broker.bootstrap, "enable.idempotence": True,
                             "acks": "all", "linger.ms": 5, "batch.num.messages": 200,
                             "message.timeout.ms": 120000, "reconnect.backoff.max.ms": 200})

        def send(indexes):
            for i in indexes:
                producer.produce("idem", value=b"%08d" % i, partition=i % self.PARTITIONS, on_delivery=delivered)
                producer.poll(0)

        half = self.MESSAGES // 2
        send(range(half))
        # Kill while the first half is partly acknowledged: the rest is in
        # flight, some of it written but not yet answered.
        while len(acked) < half // 2 and not errors:
            producer.poll(0.001)
        self.assertLess(len(acked), half, "nothing was in flight at the kill")
        port = self.broker.port
        self.broker.kill()
        self.broker.start(port=port)
        send(range(half, self.MESSAGES))
        self.assertEqual(producer.flush(120), 0)
        self.assertEqual(errors, [])
        self.assertEqual(len(acked), self.MESSAGES)

        for partition in range(self.PARTITIONS):
            expected = [b"%08d" % i for i in range(partition, self.MESSAGES, self.PARTITIONS)]
            stored = read_partition(self.broker.bootstrap, "idem", partition)
            self.assertEqual([offset for offset, _ in stored], list(range(len(stored))))
            self.assertEqual([value for _, value in stored], expected,
                             f"partition {partition}: each message once, in order")
            acked_here = {offset: value for p, offset, value in acked if p == partition}
            for offset, value in acked_here.items():
                self.assertEqual(stored[offset][1], value, "acknowledged at this offset")


if __name__ == "__main__":
    unittest.main()
