"""The transaction coordinator's APIs over raw requests: the error codes
clients see (per request version), DescribeTransactions and
ListTransactions, and the expiry of idle transactional ids."""
import time
import unittest

from confluent_kafka.admin import AdminClient, NewTopic

import kafka_wire as wire
import txn_wire
from conveyor_broker import Broker

TIMEOUT = 30
UNKNOWN_TOPIC_OR_PARTITION = 3
TOPIC_AUTHORIZATION_FAILED = 29
INVALID_PRODUCER_EPOCH = 47
INVALID_TXN_STATE = 48
INVALID_PRODUCER_ID_MAPPING = 49
INVALID_TRANSACTION_TIMEOUT = 50
OPERATION_NOT_ATTEMPTED = 55
PRODUCER_FENCED = 90
TRANSACTIONAL_ID_NOT_FOUND = 105


class TransactionWireTest(wire.RawClient, unittest.TestCase):
    def setUp(self):
        self.broker = Broker().start()
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        admin.create_topics([NewTopic("t", 2, 1)])["t"].result(TIMEOUT)
        self.connect()

    def tearDown(self):
        self.disconnect()
        self.broker.cleanup()

    def init(self, transactional_id, timeout_ms=60000):
        _, error, pid, epoch = self.call(txn_wire.init_producer_id_request_v0(transactional_id, timeout_ms),
                                         wire.parse_init_producer_id_response_v0)
        return error, pid, epoch

    def add(self, transactional_id, pid, epoch, topics):
        return self.call(txn_wire.add_partitions_request_v0(transactional_id, pid, epoch, topics),
                         txn_wire.parse_add_partitions_response_v0)

    def end(self, transactional_id, pid, epoch, commit, version=0):
        return self.call(txn_wire.end_txn_request(transactional_id, pid, epoch, commit, version),
                         txn_wire.parse_end_txn_response)

    def describe(self, *ids):
        return self.call(txn_wire.describe_transactions_request_v0(list(ids)),
                         txn_wire.parse_describe_transactions_response_v0)

    def produce(self, value, partition, pid, epoch, sequence):
        batch = wire.record_batch([value], base_timestamp=int(time.time() * 1000), producer=(pid, epoch, sequence),
                                  transactional=True)
        _, results = self.call(wire.produce_request_v3("t", partition, batch), wire.parse_produce_response_v3)
        return results[0][2]

    def test_a_transaction_and_its_errors(self):
        self.assertEqual(self.init("app", 900001)[0], INVALID_TRANSACTION_TIMEOUT)
        error, pid, epoch = self.init("app")
        self.assertEqual((error, epoch), (0, 0))
        self.assertEqual(self.end("app", pid, epoch, True), INVALID_TXN_STATE, "no transaction yet")

        # A partition that does not exist fails the request; clients may not add internal topics.
        self.assertEqual(self.add("app", pid, epoch, {"t": [0], "nope": [0]}),
                         {("t", 0): OPERATION_NOT_ATTEMPTED, ("nope", 0): UNKNOWN_TOPIC_OR_PARTITION})
        self.assertEqual(self.add("app", pid, epoch, {"t": [5]}), {("t", 5): UNKNOWN_TOPIC_OR_PARTITION})
        self.assertEqual(self.add("app", pid, epoch, {"__transaction_state": [0]}),
                         {("__transaction_state", 0): TOPIC_AUTHORIZATION_FAILED})
        self.assertEqual(self.add("other", pid, epoch, {"t": [0]}), {("t", 0): INVALID_PRODUCER_ID_MAPPING})
        self.assertEqual(self.add("app", pid, epoch + 1, {"t": [0]}), {("t", 0): INVALID_PRODUCER_EPOCH},
                         "PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v2")

        self.assertEqual(self.add("app", pid, epoch, {"t": [0, 1]}), {("t", 0): 0, ("t", 1): 0})
        self.assertEqual(self.produce(b"x", 0, pid, epoch, 0), 0)
        (state,) = self.describe("app")
        self.assertEqual((state["error"], state["state"], state["producer_id"], state["epoch"], state["timeout"]),
                         (0, "Ongoing", pid, 0, 60000))
        self.assertEqual(state["partitions"], {"t": [0, 1]})
        self.assertGreater(state["start"], 0)

        self.assertEqual(self.end("app", pid, epoch + 1, True, version=0), INVALID_PRODUCER_EPOCH)
        self.assertEqual(self.end("app", pid, epoch + 1, True, version=2), PRODUCER_FENCED)
        self.assertEqual(self.end("app", pid, epoch, True), 0)
        self.assertEqual(self.end("app", pid, epoch, True), 0, "a retry of a completed EndTxn")
        self.assertEqual(self.end("app", pid, epoch, False), INVALID_TXN_STATE)
        (state,) = self.describe("app")
        self.assertEqual((state["state"], state["partitions"]), ("CompleteCommit", {}))

        # Both partitions got a COMMIT marker (partition 1 had no data: harmless).
        for partition in (0, 1):
            (result,) = self.call(wire.fetch_request_v4("t", partition, 0), wire.parse_fetch_response_v4_detail)
            self.assertTrue(wire.batch_offsets(result[5])[-1][2])

        # A new instance fences the old epoch everywhere the transaction went.
        self.assertEqual(self.init("app"), (0, pid, 1))
        self.assertEqual(self.add("app", pid, 0, {"t": [0]}), {("t", 0): INVALID_PRODUCER_EPOCH})

    def test_describe_and_list(self):
        _, a, _ = self.init("alpha")
        _, b, _ = self.init("beta")
        self.assertEqual(self.add("alpha", a, 0, {"t": [1]}), {("t", 1): 0})
        described = {s["id"]: s for s in self.describe("alpha", "beta", "gamma")}
        self.assertEqual(described["alpha"]["state"], "Ongoing")
        self.assertEqual(described["beta"]["state"], "Empty")
        self.assertEqual(described["gamma"]["error"], TRANSACTIONAL_ID_NOT_FOUND)

        error, unknown, listed = self.call(txn_wire.list_transactions_request_v0(),
                                           txn_wire.parse_list_transactions_response_v0)
        self.assertEqual((error, unknown), (0, []))
        self.assertEqual(sorted(listed), [("alpha", a, "Ongoing"), ("beta", b, "Empty")])
        _, unknown, listed = self.call(txn_wire.list_transactions_request_v0(states=["Ongoing", "Bogus"]),
                                       txn_wire.parse_list_transactions_response_v0)
        self.assertEqual((unknown, listed), (["Bogus"], [("alpha", a, "Ongoing")]))
        _, _, listed = self.call(txn_wire.list_transactions_request_v0(producer_ids=[b]),
                                 txn_wire.parse_list_transactions_response_v0)
        self.assertEqual(listed, [("beta", b, "Empty")])

    def test_idle_ids_expire(self):
        self.disconnect()
        self.broker.overrides += ["transactional.id.expiration.ms=1500",
                                  "transaction.remove.expired.transaction.cleanup.interval.ms=200"]
        self.broker.restart()
        self.connect()
        _, pid, _ = self.init("idle")
        _, busy, _ = self.init("busy", timeout_ms=600000)
        self.assertEqual(self.add("busy", busy, 0, {"t": [0]}), {("t", 0): 0})
        self.assertTrue(self.broker.log_contains("idle transactional ids expired", timeout=15))
        (idle, open_) = self.describe("idle", "busy")
        self.assertEqual(idle["error"], TRANSACTIONAL_ID_NOT_FOUND)
        self.assertEqual(open_["state"], "Ongoing", "an open transaction never expires")
        # It is gone across restarts too (a tombstone), and comes back as a new id.
        self.disconnect()
        self.broker.restart()
        self.connect()
        self.assertEqual(self.describe("idle")[0]["error"], TRANSACTIONAL_ID_NOT_FOUND)
        error, new_pid, epoch = self.init("idle")
        self.assertEqual((error, epoch), (0, 0))
        self.assertNotEqual(new_pid, pid)


if __name__ == "__main__":
    unittest.main()
