"""Produce and Fetch over a raw socket, for what clients hide: a batch with a
corrupt CRC gets CORRUPT_MESSAGE and none of its bytes reach the log; an
empty fetch carries a zero-length (not null) record set; a long-polling
fetch is answered by the append that satisfies it, not by its timeout."""
import os
import struct
import threading
import unittest

import kafka_wire as wire
from confluent_kafka.admin import AdminClient, NewTopic

from conveyor_broker import Broker

CORRUPT_MESSAGE = 2


class ProduceFetchWireTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.broker = Broker().start()
        admin = AdminClient({"bootstrap.servers": cls.broker.bootstrap})
        for f in admin.create_topics([NewTopic("wire", num_partitions=1, replication_factor=1)]).values():
            f.result(timeout=30)

    @classmethod
    def tearDownClass(cls):
        cls.broker.cleanup()

    def produce(self, records):
        c = wire.Connection(self.broker.port)
        c.send(wire.produce_request_v3("wire", 0, records, correlation_id=3))
        correlation_id, results = wire.parse_produce_response_v3(c.read_frame())
        c.close()
        self.assertEqual(correlation_id, 3)
        return results[0]

    def fetch(self, offset, **kwargs):
        c = wire.Connection(self.broker.port, timeout=30)
        c.send(wire.fetch_request_v4("wire", 0, offset, correlation_id=4, **kwargs))
        _, partitions = wire.parse_fetch_response_v4(c.read_frame())
        c.close()
        return partitions[0]

    def test_corrupt_crc_is_rejected_and_nothing_is_written(self):
        before = self.fetch(0)[2]
        _, _, error, _ = self.produce(wire.record_batch([b"bad"], corrupt_crc=True))
        self.assertEqual(error, CORRUPT_MESSAGE)
        self.assertEqual(self.fetch(0)[2], before)
        _, _, error, base_offset = self.produce(wire.record_batch([b"good-1", b"good-2"]))
        self.assertEqual((error, base_offset), (0, before))
        _, error, high_watermark, records = self.fetch(before)
        self.assertEqual((error, high_watermark), (0, before + 2))
        self.assertEqual(wire.batch_values(records), [b"good-1", b"good-2"])

    def test_empty_fetch_is_zero_length_not_null(self):
        end = self.fetch(0)[2]
        _, error, _, records = self.fetch(end, max_wait_ms=0)
        self.assertEqual(error, 0)
        self.assertEqual(records, b"")

    def test_long_poll_is_answered_by_the_append(self):
        end = self.fetch(0)[2]
        # A 30 s long poll read with a 10 s socket timeout: only the append can
        # answer it in time (at its deadline the broker would answer anyway).
        c = wire.Connection(self.broker.port, timeout=10)
        c.send(wire.fetch_request_v4("wire", 0, end, max_wait_ms=30000, min_bytes=1, correlation_id=9))
        producer = threading.Thread(target=self.produce, args=(wire.record_batch([b"wake-up"]),))
        producer.start()
        _, partitions = wire.parse_fetch_response_v4(c.read_frame())
        producer.join()
        c.close()
        self.assertEqual(wire.batch_values(partitions[0][3]), [b"wake-up"])


    def test_describe_log_dirs_reports_partition_sizes(self):
        self.produce(wire.record_batch([b"sized"]))
        c = wire.Connection(self.broker.port)
        c.send(wire.describe_log_dirs_request_v1(correlation_id=8))
        dirs = wire.parse_describe_log_dirs_response_v1(c.read_frame())
        c.close()
        self.assertEqual(list(dirs), [os.path.realpath(self.broker.data_dir)])
        size = dirs[os.path.realpath(self.broker.data_dir)][("wire", 0)]
        segment = os.path.join(self.broker.data_dir, "wire-0", "00000000000000000000.log")
        # The batches' bytes: an active segment may end in zeros written ahead
        # of its data (log.preallocate), which are not part of its size.
        with open(segment, "rb") as f:
            data = f.read()
        batches_end = 0
        while batches_end + 61 <= len(data):
            (batch_length,) = struct.unpack_from(">i", data, batches_end + 8)
            if batch_length <= 0:
                break
            batches_end += 12 + batch_length
        self.assertGreater(batches_end, 0)
        self.assertEqual(size, batches_end)

    def test_client_gone_during_long_poll_does_not_hurt_the_broker(self):
        end = self.fetch(0)[2]
        for _ in range(3):
            c = wire.Connection(self.broker.port)
            c.send(wire.fetch_request_v4("wire", 0, end, max_wait_ms=30000, min_bytes=1, correlation_id=5))
            c.close()
        # The append wakes the abandoned long polls; their answers go to closed sockets.
        self.produce(wire.record_batch([b"x" * 4096] * 64))
        self.assertEqual(self.fetch(end)[1], 0)
        self.assertIsNone(self.broker.process.poll())


if __name__ == "__main__":
    unittest.main()
