"""1,000 idle connections plus one active producer: the producer's messages
all arrive and the idle connections are all still served afterwards. (How
much the idle connections cost in throughput is measured by the load tool,
bench/run_matrix.sh — timings belong in benchmarks, not tests.) And
connections.max.idle.ms: the broker closes a connection that has been idle
that long, never one that is active or has a request in flight."""
import resource
import time
import unittest

import kafka_wire as wire
from test_produce_consume_confluent import consume_all, create_topic, produce

from conveyor_broker import Broker

IDLE = 1000


class IdleConnectionsTest(unittest.TestCase):
    def setUp(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = min(hard, 4 * IDLE)
        if soft < wanted:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        self.broker = Broker().start()  # inherits the raised limit
        self.idle = []

    def tearDown(self):
        for c in self.idle:
            c.close()
        self.broker.cleanup()

    def test_producer_with_a_thousand_idle_connections(self):
        for i in range(IDLE):
            c = wire.Connection(self.broker.port)
            c.send(wire.api_versions_request(version=0, correlation_id=i))
            self.idle.append(c)
        for i, c in enumerate(self.idle):
            self.assertEqual(wire.parse_api_versions_v0(c.read_frame())[0], i)

        create_topic(self.broker.bootstrap, "busy", 3)
        messages = [(i % 3, None, f"m{i}".encode() * 10, None) for i in range(30000)]
        self.assertEqual(len(produce(self.broker.bootstrap, "busy", messages, acks="1")), 30000)
        got = consume_all(self.broker.bootstrap, "busy", [0, 1, 2], 30000)
        self.assertEqual(sorted(m.value() for m in got), sorted(m[2] for m in messages))

        for i, c in enumerate(self.idle):
            c.send(wire.api_versions_request(version=0, correlation_id=IDLE + i))
        for i, c in enumerate(self.idle):
            self.assertEqual(wire.parse_api_versions_v0(c.read_frame())[0], IDLE + i)


IDLE_MS = 600


class IdleTimeoutTest(unittest.TestCase):
    def setUp(self):
        self.broker = Broker(f"connections.max.idle.ms={IDLE_MS}").start()

    def tearDown(self):
        self.broker.cleanup()

    def test_an_idle_connection_is_closed_after_the_idle_time(self):
        c = wire.Connection(self.broker.port, timeout=15)
        c.send(wire.api_versions_request(version=0, correlation_id=7))
        self.assertEqual(wire.parse_api_versions_v0(c.read_frame())[0], 7)
        answered = time.monotonic()
        # The broker's close is the event waited for (EOF), bounded by the
        # socket timeout; it must not come before the idle time has passed.
        self.assertTrue(c.closed_by_peer())
        self.assertGreaterEqual(time.monotonic() - answered, IDLE_MS / 1000 * 0.9)
        c.close()

    def test_an_active_connection_stays_open(self):
        c = wire.Connection(self.broker.port)
        # One request every 150 ms for 2.5 idle periods: each resets the clock.
        end = time.monotonic() + 2.5 * IDLE_MS / 1000
        i = 0
        while time.monotonic() < end:
            c.send(wire.api_versions_request(version=0, correlation_id=i))
            frame = c.read_frame()
            self.assertIsNotNone(frame, "an active connection was closed")
            self.assertEqual(wire.parse_api_versions_v0(frame)[0], i)
            i += 1
            time.sleep(0.15)  # pacing the client's activity, not waiting for the broker
        c.close()

    def test_a_request_in_flight_is_not_idle(self):
        create_topic(self.broker.bootstrap, "quiet", 1)
        c = wire.Connection(self.broker.port, timeout=15)
        # A long poll on an empty partition, longer than the idle time: the
        # broker answers it when max_wait_ms is up instead of closing.
        wait_ms = 3 * IDLE_MS
        asked = time.monotonic()
        c.send(wire.fetch_request_v4("quiet", 0, 0, max_wait_ms=wait_ms, min_bytes=1, correlation_id=3))
        frame = c.read_frame()
        self.assertIsNotNone(frame, "closed while a fetch was waiting")
        self.assertGreaterEqual(time.monotonic() - asked, wait_ms / 1000 * 0.9)
        self.assertEqual(wire.parse_fetch_response_v4(frame)[0], 3)
        # Then, with nothing in flight, it is idle and goes.
        self.assertTrue(c.closed_by_peer())
        c.close()


if __name__ == "__main__":
    unittest.main()
