"""Fetch sessions (KIP-227) over a raw socket — the clients packaged here
(librdkafka 2.0, kafka-python, kafkajs) do not use them, the Java client
does: a full fetch with epoch 0 opens a session; incremental fetches name
only changes and get back only partitions with news; forgotten partitions
leave the session; unknown ids and wrong epochs get their error codes."""
import unittest

import kafka_wire as wire
from confluent_kafka.admin import AdminClient, NewTopic

from conveyor_broker import Broker

FETCH_SESSION_ID_NOT_FOUND = 70
INVALID_FETCH_SESSION_EPOCH = 71


class FetchSessionTest(unittest.TestCase):
    def setUp(self):
        self.broker = Broker().start()
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        for f in admin.create_topics([NewTopic("s", num_partitions=2, replication_factor=1)]).values():
            f.result(timeout=30)
        self.conn = wire.Connection(self.broker.port)

    def tearDown(self):
        self.conn.close()
        self.broker.cleanup()

    def fetch(self, partitions, **kwargs):
        self.conn.send(wire.fetch_request_v7(partitions, **kwargs))
        return wire.parse_fetch_response_v7(self.conn.read_frame())

    def produce(self, partition, values):
        c = wire.Connection(self.broker.port)
        c.send(wire.produce_request_v3("s", partition, wire.record_batch(values)))
        _, results = wire.parse_produce_response_v3(c.read_frame())
        c.close()
        self.assertEqual(results[0][2], 0)

    def test_incremental_fetches_carry_only_news(self):
        self.produce(0, [b"a0", b"a1"])
        error, session, parts = self.fetch([("s", 0, 0), ("s", 1, 0)], session_epoch=0)
        self.assertEqual(error, 0)
        self.assertNotEqual(session, 0)
        self.assertEqual(sorted(parts), [("s", 0), ("s", 1)])
        self.assertEqual(wire.batch_values(parts[("s", 0)][2]), [b"a0", b"a1"])

        # Epoch 1, naming partition 0's new offset: nothing new anywhere.
        error, same, parts = self.fetch([("s", 0, 2)], session_id=session, session_epoch=1)
        self.assertEqual((error, same, parts), (0, session, {}))

        # New data on partition 1 only: only it comes back, from the cached offset 0.
        self.produce(1, [b"b0"])
        error, _, parts = self.fetch([], session_id=session, session_epoch=2)
        self.assertEqual(list(parts), [("s", 1)])
        self.assertEqual(parts[("s", 1)][1], 1)
        self.assertEqual(wire.batch_values(parts[("s", 1)][2]), [b"b0"])

        # Forget partition 1; data on it no longer shows up.
        error, _, parts = self.fetch([("s", 1, 1)], session_id=session, session_epoch=3, forgotten=[("s", 1)])
        self.produce(1, [b"b1"])
        error, _, parts = self.fetch([], session_id=session, session_epoch=4)
        self.assertEqual((error, parts), (0, {}))

    def test_unknown_session_and_wrong_epoch(self):
        error, _, _ = self.fetch([], session_id=123456, session_epoch=1)
        self.assertEqual(error, FETCH_SESSION_ID_NOT_FOUND)
        _, session, _ = self.fetch([("s", 0, 0)], session_epoch=0)
        error, _, _ = self.fetch([], session_id=session, session_epoch=5)
        self.assertEqual(error, INVALID_FETCH_SESSION_EPOCH)
        # Closing with epoch -1 answers a full, sessionless fetch.
        error, closed, parts = self.fetch([("s", 0, 0)], session_id=session, session_epoch=-1)
        self.assertEqual((error, closed, list(parts)), (0, 0, [("s", 0)]))
        error, _, _ = self.fetch([], session_id=session, session_epoch=1)
        self.assertEqual(error, FETCH_SESSION_ID_NOT_FOUND)


if __name__ == "__main__":
    unittest.main()
