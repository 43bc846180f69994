"""kcat (librdkafka's command-line client), exactly as the README shows it:
produce lines with keys, consume them back with offsets, list metadata."""
import subprocess
import unittest

from conveyor_broker import Broker

TIMEOUT = 60


def kcat(*args, stdin=None):
    done = subprocess.run(["kcat", *args], input=stdin, capture_output=True, text=True, timeout=TIMEOUT)
    if done.returncode != 0:
        raise AssertionError(f"kcat {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


class KcatTest(unittest.TestCase):
    def setUp(self):
        self.broker = Broker().start()

    def tearDown(self):
        self.broker.cleanup()

    def test_produce_then_consume_with_keys_and_offsets(self):
        b = self.broker.bootstrap
        lines = "".join(f"k{i}:hello {i}\n" for i in range(500))
        # The topic does not exist yet: kcat's metadata request creates it.
        kcat("-b", b, "-t", "greetings", "-P", "-K:", "-p", "0", "-X", "acks=all", stdin=lines)
        out = kcat("-b", b, "-t", "greetings", "-C", "-p", "0", "-o", "beginning", "-e", "-f", "%o %k %s\n")
        self.assertEqual(out.splitlines(), [f"{i} k{i} hello {i}" for i in range(500)])
        tail = kcat("-b", b, "-t", "greetings", "-C", "-p", "0", "-o", "-3", "-e", "-f", "%o %s\n")
        self.assertEqual(tail.splitlines(), [f"{i} hello {i}" for i in range(497, 500)])

    def test_metadata_lists_the_topic_and_partitions(self):
        b = self.broker.bootstrap
        kcat("-b", b, "-t", "listed", "-P", "-p", "0", stdin="one\n")
        out = kcat("-b", b, "-L", "-t", "listed")
        self.assertIn('topic "listed" with 1 partitions', out)
        self.assertIn("partition 0, leader 1", out)


if __name__ == "__main__":
    unittest.main()
