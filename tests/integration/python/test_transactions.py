"""Transactions end to end with confluent-kafka (librdkafka): commit and
abort, fencing by a second instance of the same transactional.id, an open
transaction aborted at its timeout, and a broker restart with transactions
left Ongoing and PrepareCommit. What is in the log (data batches and
COMMIT/ABORT markers) is checked with raw fetches; what consumers see with
read_committed and read_uncommitted consumers."""
import time
import unittest

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

import kafka_wire as wire
import txn_wire
from conveyor_broker import Broker

TIMEOUT = 30
READ_COMMITTED = 1
INVALID_PRODUCER_EPOCH = 47
TOPIC = "orders"


class TransactionsTest(wire.RawClient, unittest.TestCase):
    overrides = ("transaction.abort.timed.out.transaction.cleanup.interval.ms=200",)

    def setUp(self):
        self.broker = Broker(*self.overrides).start()
        self.create_topic()
        self.producers = []

    def tearDown(self):
        for p in self.producers:
            p.purge()
        self.disconnect()
        self.broker.cleanup()

    # -- helpers ------------------------------------------------------------
    def create_topic(self):
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        admin.create_topics([NewTopic(TOPIC, 2, 1)])[TOPIC].result(TIMEOUT)

    def producer(self, transactional_id="app", **config):
        conf = {"bootstrap.servers": self.broker.bootstrap, "transactional.id": transactional_id, "linger.ms": 5}
        conf.update(config)
        p = Producer(conf)
        self.producers.append(p)
        return p

    def fetch(self, partition, isolation_level=0):
        """(high watermark, last stable offset, aborted, [(first, last, is control)], values)."""
        (result,) = self.call(wire.fetch_request_v4(TOPIC, partition, 0, isolation_level=isolation_level),
                              wire.parse_fetch_response_v4_detail)
        _index, error, hw, lso, aborted, records = result
        self.assertEqual(error, 0)
        return hw, lso, aborted, wire.batch_offsets(records), wire.batch_values(records)

    def controls(self, partition):
        return [b for b in self.fetch(partition)[3] if b[2]]

    def consume(self, isolation_level, partitions=(0, 1)):
        consumer = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "c-" + isolation_level,
                             "enable.auto.commit": False, "isolation.level": isolation_level,
                             "enable.partition.eof": True})
        consumer.assign([TopicPartition(TOPIC, p, 0) for p in partitions])
        values, eof = [], set()
        try:
            while len(eof) < len(partitions):
                msg = consumer.poll(TIMEOUT)
                self.assertIsNotNone(msg, "no end-of-partition event")
                if msg.error():
                    self.assertEqual(msg.error().code(), KafkaError._PARTITION_EOF, msg.error())
                    eof.add(msg.partition())
                    continue
                values.append(msg.value())
        finally:
            consumer.close()
        return sorted(values)

    def assert_fenced(self, call):
        with self.assertRaises(KafkaException) as raised:
            call()
        error = raised.exception.args[0]
        self.assertIn(error.code(), (KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH),
                      error)
        return error

    # -- tests --------------------------------------------------------------
    def test_commit_and_abort(self):
        p = self.producer()
        p.init_transactions(TIMEOUT)
        p.begin_transaction()
        for i in range(6):
            p.produce(TOPIC, value=b"committed-%d" % i, partition=i % 2)
        p.commit_transaction(TIMEOUT)
        p.begin_transaction()
        p.produce(TOPIC, value=b"aborted", partition=0)
        p.flush(TIMEOUT)
        p.abort_transaction(TIMEOUT)

        # Partition 0: its data, COMMIT, the aborted batch, ABORT; partition 1: data, COMMIT.
        hw, lso, _, batches, values = self.fetch(0)
        self.assertEqual(values, [b"committed-0", b"committed-2", b"committed-4", b"aborted"])
        self.assertEqual([control for _, _, control in batches][-3:], [True, False, True])
        self.assertEqual(lso, hw, "no transaction is open")
        self.assertEqual(len(self.controls(1)), 1)
        _, _, aborted, _, _ = self.fetch(0, READ_COMMITTED)
        self.assertEqual(len(aborted), 1, "read_committed fetches learn of the aborted transaction")

        committed = sorted(b"committed-%d" % i for i in range(6))
        self.assertEqual(self.consume("read_committed"), committed)
        self.assertEqual(self.consume("read_uncommitted"), sorted(committed + [b"aborted"]))

    def test_a_second_instance_fences_the_first(self):
        first = self.producer()
        first.init_transactions(TIMEOUT)
        first.begin_transaction()
        first.produce(TOPIC, value=b"zombie", partition=0)
        first.flush(TIMEOUT)

        second = self.producer()
        second.init_transactions(TIMEOUT)  # aborts the first's transaction, bumping the epoch
        self.assertEqual(len(self.controls(0)), 1, "an ABORT marker ends the first's transaction")
        self.assertEqual(self.fetch(0)[1], self.fetch(0)[0], "the abort released the LSO")
        (state,) = self.call(txn_wire.describe_transactions_request_v0(["app"]),
                             txn_wire.parse_describe_transactions_response_v0)
        self.assertEqual((state["state"], state["epoch"]), ("Empty", 2), "one bump to fence, one for the new instance")

        error = self.assert_fenced(lambda: first.commit_transaction(TIMEOUT))
        self.assertTrue(error.fatal(), error)
        # The partition refuses the first's epoch too.
        batch = wire.record_batch([b"late"], base_timestamp=int(time.time() * 1000),
                                  producer=(state["producer_id"], 0, 1), transactional=True)
        _, results = self.call(wire.produce_request_v3(TOPIC, 0, batch), wire.parse_produce_response_v3)
        self.assertEqual(results[0][2], INVALID_PRODUCER_EPOCH)

        second.begin_transaction()
        second.produce(TOPIC, value=b"good", partition=0)
        second.commit_transaction(TIMEOUT)
        self.assertEqual(self.consume("read_committed"), [b"good"])

    def test_an_open_transaction_is_aborted_at_its_timeout(self):
        p = self.producer(**{"transaction.timeout.ms": 1000})
        p.init_transactions(TIMEOUT)
        p.begin_transaction()
        p.produce(TOPIC, value=b"slow", partition=1)
        p.flush(TIMEOUT)
        self.assertTrue(self.broker.log_contains("transaction timed out: aborted, producer fenced", timeout=15))
        hw, lso, _, batches, _ = self.fetch(1)
        self.assertTrue(batches[-1][2], "an ABORT marker ends the partition")
        self.assertEqual(lso, hw)
        self.assertEqual(self.consume("read_committed"), [])
        self.assert_fenced(lambda: p.commit_transaction(TIMEOUT))


class RestartTest(wire.RawClient, unittest.TestCase):
    """The coordinator rebuilds its state from __transaction_state at start:
    a transaction left PrepareCommit (crafted: the record a crash between the
    PrepareCommit append and the markers leaves behind, written with a raw
    Produce together with the transaction's data) is completed with COMMIT
    markers; one left Ongoing (a real producer, the broker killed -9) is
    aborted when its timeout passes after the restart."""

    def setUp(self):
        self.broker = Broker("transaction.abort.timed.out.transaction.cleanup.interval.ms=200").start()
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        admin.create_topics([NewTopic(TOPIC, 2, 1)])[TOPIC].result(TIMEOUT)
        self.connect()

    def tearDown(self):
        self.disconnect()
        self.broker.cleanup()

    def fetch(self, partition, isolation_level=0):
        (result,) = self.call(wire.fetch_request_v4(TOPIC, partition, 0, isolation_level=isolation_level),
                              wire.parse_fetch_response_v4_detail)
        _index, error, hw, lso, aborted, records = result
        self.assertEqual(error, 0)
        return hw, lso, wire.batch_offsets(records), wire.batch_values(records)

    def describe(self, transactional_id):
        (state,) = self.call(txn_wire.describe_transactions_request_v0([transactional_id]),
                             txn_wire.parse_describe_transactions_response_v0)
        return state

    def test_prepared_is_committed_and_ongoing_is_aborted_after_a_restart(self):
        # A real transaction, left open: the producer is never heard of again.
        p = Producer({"bootstrap.servers": self.broker.bootstrap, "transactional.id": "open-app",
                      "transaction.timeout.ms": 3000})
        p.init_transactions(TIMEOUT)
        p.begin_transaction()
        p.produce(TOPIC, value=b"open", partition=1)
        p.flush(TIMEOUT)

        # A crafted PrepareCommit: producer `pid` wrote "prepared" to partition 0
        # in a transaction whose EndTxn(commit) reached PrepareCommit only.
        _, error, pid, _ = self.call(wire.init_producer_id_request_v0(), wire.parse_init_producer_id_response_v0)
        self.assertEqual(error, 0)
        now = int(time.time() * 1000)
        batch = wire.record_batch([b"prepared"], base_timestamp=now, producer=(pid, 0, 0), transactional=True)
        _, results = self.call(wire.produce_request_v3(TOPIC, 0, batch), wire.parse_produce_response_v3)
        self.assertEqual(results[0][2], 0)
        value = txn_wire.txn_state_value(pid, 0, txn_wire.PREPARE_COMMIT, {TOPIC: [0]}, start_ms=now, update_ms=now)
        record = txn_wire.keyed_batch([(txn_wire.txn_state_key("prepared-app"), value)], now)
        state_partition = txn_wire.java_hash_partition("prepared-app", 50)
        _, results = self.call(wire.produce_request_v3("__transaction_state", state_partition, record),
                               wire.parse_produce_response_v3)
        self.assertEqual(results[0][2], 0)
        self.assertEqual(self.fetch(0, READ_COMMITTED)[3], [], "not committed yet")

        self.disconnect()
        self.broker.kill()
        p.purge()
        self.broker.start()
        self.connect()

        # PrepareCommit: completed at load, before any client asks.
        self.assertTrue(self.broker.log_contains("transactional id prepared-app: transaction completed"))
        hw, lso, batches, _ = self.fetch(0)
        self.assertEqual((lso, hw), (hw, 2))
        self.assertTrue(batches[-1][2], "a COMMIT marker follows the data")
        self.assertEqual(self.fetch(0, READ_COMMITTED)[3], [b"prepared"])
        state = self.describe("prepared-app")
        self.assertEqual((state["error"], state["state"], state["producer_id"]), (0, "CompleteCommit", pid))

        # Ongoing: still open after the restart, then aborted at its timeout.
        self.assertIn(self.describe("open-app")["state"], ("Ongoing", "PrepareAbort", "CompleteAbort"))
        self.assertTrue(self.broker.log_contains("transactional id open-app: transaction timed out", timeout=15))
        hw, lso, batches, values = self.fetch(1)
        self.assertEqual(values, [b"open"])
        self.assertTrue(batches[-1][2], "an ABORT marker follows the data")
        self.assertEqual(lso, hw)
        state = self.describe("open-app")
        (result,) = self.call(wire.fetch_request_v4(TOPIC, 1, 0, isolation_level=READ_COMMITTED),
                              wire.parse_fetch_response_v4_detail)
        self.assertEqual(result[4], [(state["producer_id"], 0)], "read_committed consumers skip it")
        self.assertEqual((state["state"], state["epoch"]), ("CompleteAbort", 1), "aborted with the epoch bumped")

        # And after a clean restart everything is as it was.
        self.disconnect()
        self.broker.restart()
        self.connect()
        self.assertEqual(self.describe("prepared-app")["state"], "CompleteCommit")
        self.assertEqual(self.describe("open-app")["state"], "CompleteAbort")


if __name__ == "__main__":
    unittest.main()
