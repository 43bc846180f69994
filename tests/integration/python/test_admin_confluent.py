"""Topic and config administration through confluent-kafka's AdminClient
(librdkafka underneath): create (with configs, validate-only, errors),
describe configs, alter configs, add partitions, delete, and persistence of
all of it across a broker restart."""
import unittest

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

from conveyor_broker import Broker

TIMEOUT = 30


def wait_all(futures):
    return {key: f.result(timeout=TIMEOUT) for key, f in futures.items()}


def error_of(future):
    try:
        future.result(timeout=TIMEOUT)
    except KafkaException as e:
        return e.args[0].code()
    return None


class AdminTest(unittest.TestCase):
    def setUp(self):
        self.broker = Broker("num.partitions=2").start()
        self.admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})

    def tearDown(self):
        self.broker.cleanup()

    def topics(self):
        return self.admin.list_topics(timeout=TIMEOUT).topics

    def test_create_describe_alter_delete(self):
        wait_all(self.admin.create_topics([
            NewTopic("orders", num_partitions=6, replication_factor=1, config={"retention.ms": "3600000"}),
            NewTopic("events", num_partitions=-1, replication_factor=-1),
        ]))
        topics = self.topics()
        self.assertEqual(len(topics["orders"].partitions), 6)
        self.assertEqual(len(topics["events"].partitions), 2)  # num.partitions
        self.assertEqual(topics["orders"].partitions[5].leader, 1)

        resource = ConfigResource(ConfigResource.Type.TOPIC, "orders")
        configs = wait_all(self.admin.describe_configs([resource]))[resource]
        self.assertEqual(configs["retention.ms"].value, "3600000")
        self.assertFalse(configs["retention.ms"].is_default)
        self.assertEqual(configs["cleanup.policy"].value, "delete")
        self.assertTrue(configs["cleanup.policy"].is_default)

        # AlterConfigs replaces the whole set: retention.ms returns to its default.
        wait_all(self.admin.alter_configs([ConfigResource(ConfigResource.Type.TOPIC, "orders",
                                                          set_config={"cleanup.policy": "compact"})]))
        configs = wait_all(self.admin.describe_configs([resource]))[resource]
        self.assertEqual(configs["cleanup.policy"].value, "compact")
        self.assertEqual(configs["retention.ms"].value, "604800000")

        wait_all(self.admin.create_partitions([NewPartitions("orders", 8)]))
        self.assertEqual(len(self.topics()["orders"].partitions), 8)

        wait_all(self.admin.delete_topics(["events"]))
        self.assertNotIn("events", self.topics())

        # Everything survives a restart, topic ids included.
        self.broker.restart()
        self.admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        topics = self.topics()
        self.assertNotIn("events", topics)
        self.assertEqual(len(topics["orders"].partitions), 8)
        configs = wait_all(self.admin.describe_configs([resource]))[resource]
        self.assertEqual(configs["cleanup.policy"].value, "compact")

    def test_errors_are_kafka_error_codes(self):
        wait_all(self.admin.create_topics([NewTopic("taken", 1, 1)]))
        futures = self.admin.create_topics([
            NewTopic("taken", 1, 1),
            NewTopic("bad/name", 1, 1),
            NewTopic("three-replicas", 1, 3),
            NewTopic("bad-config", 1, 1, config={"retention.ms": "forever"}),
            NewTopic("unknown-config", 1, 1, config={"no.such.key": "1"}),
        ])
        self.assertEqual(error_of(futures["taken"]), KafkaError.TOPIC_ALREADY_EXISTS)
        self.assertEqual(error_of(futures["bad/name"]), KafkaError.TOPIC_EXCEPTION)
        self.assertEqual(error_of(futures["three-replicas"]), KafkaError.INVALID_REPLICATION_FACTOR)
        self.assertEqual(error_of(futures["bad-config"]), KafkaError.INVALID_CONFIG)
        self.assertEqual(error_of(futures["unknown-config"]), KafkaError.INVALID_CONFIG)

        shrink = self.admin.create_partitions([NewPartitions("taken", 1)])
        self.assertEqual(error_of(shrink["taken"]), KafkaError.INVALID_PARTITIONS)
        missing = self.admin.delete_topics(["missing"])
        self.assertEqual(error_of(missing["missing"]), KafkaError.UNKNOWN_TOPIC_OR_PART)

    def test_validate_only_creates_nothing(self):
        futures = self.admin.create_topics([NewTopic("dry", 3, 1)], validate_only=True)
        self.assertIsNone(error_of(futures["dry"]))
        self.assertNotIn("dry", self.topics())

    def test_broker_configs_are_described_with_sources(self):
        resource = ConfigResource(ConfigResource.Type.BROKER, "1")
        configs = wait_all(self.admin.describe_configs([resource]))[resource]
        self.assertEqual(configs["num.partitions"].value, "2")
        self.assertFalse(configs["num.partitions"].is_default)
        self.assertEqual(configs["log.segment.bytes"].value, "1073741824")
        self.assertTrue(configs["log.segment.bytes"].is_default)


if __name__ == "__main__":
    unittest.main()
