"""Malformed and hostile input over a raw socket: the offending connection
is closed (or gets a Kafka error code), the broker keeps serving everyone
else, and it logs who sent what."""
import socket
import struct
import unittest

import kafka_wire as wire
from conveyor_broker import Broker


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.broker = Broker().start()

    @classmethod
    def tearDownClass(cls):
        cls.broker.cleanup()

    def connect(self):
        return wire.Connection(self.broker.port)

    def assert_broker_still_serves(self):
        c = self.connect()
        c.send(wire.api_versions_request(version=0, correlation_id=77))
        correlation_id, error, apis = wire.parse_api_versions_v0(c.read_frame())
        self.assertEqual((correlation_id, error), (77, 0))
        self.assertIn(3, apis)  # Metadata
        c.close()

    def test_api_versions_v0_and_v3(self):
        c = self.connect()
        c.send(wire.api_versions_request(version=0, correlation_id=5))
        correlation_id, error, apis = wire.parse_api_versions_v0(c.read_frame())
        self.assertEqual((correlation_id, error), (5, 0))
        self.assertEqual(apis[18], (0, 4))
        # Produce from v0, as Kafka lists it: librdkafka only compresses for
        # brokers that list Produce v0 (KAFKA-18659).
        self.assertEqual(apis[0][0], 0)
        # Fetch from v0 (old consumers get down-converted message sets);
        # ListOffsets from v1, where Kafka 4.0 starts (KIP-896).
        self.assertEqual(apis[1][0], 0)
        self.assertEqual(apis[2][0], 1)
        c.send(wire.api_versions_request(version=3, correlation_id=6))
        payload = c.read_frame()
        # ApiVersions responses always use header v0: no tagged fields after the id.
        self.assertEqual(struct.unpack(">ih", payload[:6]), (6, 0))
        c.close()

    def test_unsupported_api_versions_version_gets_error_35_in_v0_layout(self):
        c = self.connect()
        c.send(wire.frame(wire.request_header(18, 99, 9, flexible=True) + b"\x00\x00\x00"))
        correlation_id, error, apis = wire.parse_api_versions_v0(c.read_frame())
        self.assertEqual((correlation_id, error), (9, 35))
        self.assertEqual(apis[18], (0, 4))
        c.close()

    def test_garbage_closes_the_connection(self):
        c = self.connect()
        c.send(b"\x00\x00\x00\x10" + b"\xde\xad\xbe\xef" * 4)
        self.assertTrue(c.closed_by_peer())
        c.close()
        self.assert_broker_still_serves()

    def test_two_gib_size_prefix_closes_before_allocating(self):
        c = self.connect()
        c.send(struct.pack(">I", 0x7FFFFFFF) + b"x" * 16)
        self.assertTrue(c.closed_by_peer())
        c.close()
        self.assertTrue(self.broker.log_contains("socket.request.max.bytes"))
        self.assert_broker_still_serves()

    def test_negative_size_prefix_closes(self):
        c = self.connect()
        c.send(struct.pack(">i", -5))
        self.assertTrue(c.closed_by_peer())
        c.close()
        self.assert_broker_still_serves()

    def test_unknown_api_key_closes_and_is_logged_with_the_client_id(self):
        c = self.connect()
        c.send(wire.frame(wire.request_header(999, 0, 1, client_id="mystery-client")))
        self.assertTrue(c.closed_by_peer())
        c.close()
        self.assertTrue(self.broker.log_contains("mystery-client"))
        self.assert_broker_still_serves()

    def test_unsupported_version_of_another_api_closes(self):
        c = self.connect()
        c.send(wire.frame(wire.request_header(3, 99, 1)))
        self.assertTrue(c.closed_by_peer())
        c.close()
        self.assert_broker_still_serves()

    def test_truncated_request_body_closes(self):
        # A Metadata v1 request whose topic array promises 5 topics.
        c = self.connect()
        c.send(wire.frame(wire.request_header(3, 1, 1) + struct.pack(">i", 5) + b"\x00\x03abc"))
        self.assertTrue(c.closed_by_peer())
        c.close()
        self.assert_broker_still_serves()

    def test_client_that_vanishes_mid_frame_does_not_hurt_others(self):
        c = self.connect()
        c.send(struct.pack(">i", 1000) + b"partial")
        c.close()
        self.assert_broker_still_serves()

    def test_pipelined_requests_are_answered_in_order(self):
        c = self.connect()
        c.send(b"".join(wire.api_versions_request(version=0, correlation_id=i) for i in range(100, 120)))
        for expected in range(100, 120):
            correlation_id, error, _ = wire.parse_api_versions_v0(c.read_frame())
            self.assertEqual(correlation_id, expected)
        c.close()


if __name__ == "__main__":
    unittest.main()
