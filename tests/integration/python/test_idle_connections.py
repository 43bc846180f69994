"""1,000 idle connections plus one active producer: the producer's messages
all arrive and the idle connections are all still served afterwards. (How
much the idle connections cost in throughput is measured by the load tool,
bench/run_matrix.sh — timings belong in benchmarks, not tests.)"""
import resource
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


if __name__ == "__main__":
    unittest.main()
