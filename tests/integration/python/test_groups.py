"""Consumer groups with real clients: confluent-kafka consumers as separate
processes sharing a topic, SIGKILL and session timeouts, synchronous commits
consumed exactly once, resuming from committed offsets (also across a broker
restart), kcat -G, kafka-python, static membership, admin list/describe/
delete, and bad input. Every wait polls for a condition with a deadline."""
import json
import os
import signal
import subprocess
import threading
import time
import unittest

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaAdminClient, KafkaConsumer
from kafka import TopicPartition as KTopicPartition
from kafka.structs import OffsetAndMetadata

from conveyor_broker import Broker

PYTHON = "/usr/bin/python3"
TIMEOUT = 60

# A group member in its own process (so SIGKILL is a real crash). It prints
# one JSON line per event: assignments, and every message once its offset
# commit (synchronous) has succeeded.
MEMBER = r"""
import json, signal, sys
from confluent_kafka import Consumer
bootstrap, group, topic, instance = sys.argv[1:5]
running = True
def stop(*_):
    global running
    running = False
signal.signal(signal.SIGTERM, stop)
def out(**kw):
    print(json.dumps(kw), flush=True)
conf = {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
        "auto.offset.reset": "earliest", "session.timeout.ms": 6000, "heartbeat.interval.ms": 500}
if instance != "-":
    conf["group.instance.id"] = instance
c = Consumer(conf)
c.subscribe([topic], on_assign=lambda c, ps: out(event="assign", partitions=sorted(p.partition for p in ps)),
            on_revoke=lambda c, ps: out(event="revoke", partitions=sorted(p.partition for p in ps)))
out(event="started")
while running:
    m = c.poll(0.2)
    if m is None or m.error():
        continue
    c.commit(message=m, asynchronous=False)
    out(event="done", partition=m.partition(), offset=m.offset(), value=m.value().decode())
c.close()
out(event="closed")
"""


class Member:
    def __init__(self, bootstrap, group, topic, instance="-"):
        self.events = []
        self.lock = threading.Lock()
        self.process = subprocess.Popen([PYTHON, "-c", MEMBER, bootstrap, group, topic, instance],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                self.events.append(event)

    def snapshot(self):
        with self.lock:
            return list(self.events)

    def assignment(self):
        current = None
        for e in self.snapshot():
            if e["event"] == "assign":
                current = set(e["partitions"])
            elif e["event"] == "revoke":
                current = set()
        return current

    def done(self):
        return [e["value"] for e in self.snapshot() if e["event"] == "done"]

    def count(self, kind):
        return sum(1 for e in self.snapshot() if e["event"] == kind)

    def kill(self):
        self.process.kill()
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=TIMEOUT)


def wait_for(condition, timeout=TIMEOUT, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def send_request(client, coordinator, request):
    """One request to the group coordinator through kafka-python's client."""
    coordinator.ensure_coordinator_ready()
    node = coordinator.coordinator()
    deadline = time.monotonic() + TIMEOUT
    while not client.ready(node):
        if time.monotonic() > deadline:
            raise AssertionError("coordinator connection not ready")
        client.poll(timeout_ms=100)
    future = client.send(node, request)
    client.poll(future=future, timeout_ms=TIMEOUT * 1000)
    if future.failed():
        raise future.exception
    return future.value


class GroupsTest(unittest.TestCase):
    def setUp(self):
        self.broker = Broker("group.initial.rebalance.delay.ms=0", "offset.metadata.max.bytes=4096").start()
        self.members = []

    def tearDown(self):
        for m in self.members:
            if m.process.poll() is None:
                m.kill()
        self.broker.cleanup()

    def create_topic(self, name, partitions):
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        for f in admin.create_topics([NewTopic(name, partitions, 1)]).values():
            f.result(TIMEOUT)

    def produce(self, topic, values, partitions):
        producer = Producer({"bootstrap.servers": self.broker.bootstrap, "acks": "all"})
        delivered = []
        for i, v in enumerate(values):
            producer.produce(topic, value=v.encode(), partition=i % partitions,
                             on_delivery=lambda err, msg: delivered.append(err))
        producer.flush(TIMEOUT)
        self.assertEqual(delivered, [None] * len(values))

    def member(self, group, topic, instance="-"):
        m = Member(self.broker.bootstrap, group, topic, instance)
        self.members.append(m)
        return m

    def consume_new(self, group, topic, expected, extra_conf=None):
        """A fresh in-process consumer in `group`: what it reads until `expected` messages (then a short idle)."""
        conf = {"bootstrap.servers": self.broker.bootstrap, "group.id": group, "enable.auto.commit": False,
                "auto.offset.reset": "earliest", "session.timeout.ms": 6000}
        conf.update(extra_conf or {})
        c = Consumer(conf)
        c.subscribe([topic])
        got = []
        deadline = time.monotonic() + TIMEOUT
        idle_until = None
        while time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is not None and not m.error():
                got.append(m.value().decode())
                c.commit(message=m, asynchronous=False)
                if len(got) >= expected:
                    idle_until = time.monotonic() + 1.0
            if idle_until and time.monotonic() > idle_until:
                break
        c.close()
        return got

    def test_two_members_split_fail_over_and_resume(self):
        topic, group = "split", "split-group"
        self.create_topic(topic, 6)
        first = [f"a{i}" for i in range(300)]
        self.produce(topic, first, 6)
        a = self.member(group, topic)
        b = self.member(group, topic)
        # Both hold partitions, disjoint, covering all six.
        def split():
            pa, pb = a.assignment(), b.assignment()
            return pa and pb and not (pa & pb) and (pa | pb) == set(range(6))
        wait_for(split, what="a disjoint split of six partitions")
        wait_for(lambda: len(a.done()) + len(b.done()) >= len(first), what="the first batch consumed")
        # A crash: B dies without leaving; A gets everything after B's session times out.
        b.kill()
        second = [f"b{i}" for i in range(300)]
        self.produce(topic, second, 6)
        wait_for(lambda: a.assignment() == set(range(6)), timeout=30, what="the survivor owning all partitions")
        wait_for(lambda: len(a.done()) + len(b.done()) >= len(first) + len(second), what="the second batch consumed")
        everything = a.done() + b.done()
        self.assertEqual(sorted(everything), sorted(first + second))  # exactly once
        a.stop()
        # A new member resumes after the last committed offsets.
        third = [f"c{i}" for i in range(60)]
        self.produce(topic, third, 6)
        self.assertEqual(sorted(self.consume_new(group, topic, len(third))), sorted(third))
        # Committed offsets survive a broker restart.
        self.broker.restart()
        fourth = [f"d{i}" for i in range(60)]
        self.produce(topic, fourth, 6)
        self.assertEqual(sorted(self.consume_new(group, topic, len(fourth))), sorted(fourth))

    def test_static_member_rejoins_without_rebalance(self):
        topic, group = "static", "static-group"
        self.create_topic(topic, 4)
        a = self.member(group, topic, "instance-a")
        b = self.member(group, topic, "instance-b")
        wait_for(lambda: a.assignment() and b.assignment() and len(a.assignment() | b.assignment()) == 4,
                 what="both static members assigned")
        # Let the group settle, then restart A within its session timeout.
        time.sleep(0.5)
        before = b.count("assign"), b.count("revoke")
        a_partitions = a.assignment()
        a.kill()
        a2 = self.member(group, topic, "instance-a")
        wait_for(lambda: a2.assignment() is not None, what="the restarted member's assignment")
        self.assertEqual(a2.assignment(), a_partitions)
        time.sleep(1.5)  # a rebalance would have revoked B's partitions by now
        self.assertEqual((b.count("assign"), b.count("revoke")), before)

    def test_kcat_group_consumer_commits(self):
        topic = "kcat-groups"
        self.create_topic(topic, 2)
        self.produce(topic, [f"k{i}" for i in range(20)], 2)
        out = subprocess.run(["kcat", "-b", self.broker.bootstrap, "-G", "kcat-group", "-X", "auto.offset.reset=earliest", "-e",
                              "-X", "session.timeout.ms=6000", "-f", "%s\n", topic],
                             capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(sorted(out.stdout.split()), sorted(f"k{i}" for i in range(20)), out.stderr)
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "kcat-group"})
        committed = c.committed([TopicPartition(topic, 0), TopicPartition(topic, 1)], timeout=TIMEOUT)
        c.close()
        self.assertEqual([tp.offset for tp in committed], [10, 10])

    def test_kafka_python_group_commit_and_admin(self):
        topic, group = "kp-groups", "kp-group"
        self.create_topic(topic, 3)
        self.produce(topic, [f"p{i}" for i in range(30)], 3)
        consumer = KafkaConsumer(topic, bootstrap_servers=self.broker.bootstrap, group_id=group,
                                 enable_auto_commit=False, auto_offset_reset="earliest",
                                 consumer_timeout_ms=20000)
        got = []
        for msg in consumer:
            got.append(msg.value.decode())
            if len(got) == 30:
                break
        consumer.commit()
        self.assertEqual(sorted(got), sorted(f"p{i}" for i in range(30)))
        admin = KafkaAdminClient(bootstrap_servers=self.broker.bootstrap)
        self.assertIn((group, "consumer"), admin.list_consumer_groups())
        described = admin.describe_consumer_groups([group])[0]
        self.assertEqual(described.state, "Stable")
        self.assertEqual(len(described.members), 1)
        offsets = admin.list_consumer_group_offsets(group)
        self.assertEqual({tp.partition: om.offset for tp, om in offsets.items()}, {0: 10, 1: 10, 2: 10})
        # A group with a member cannot be deleted; once it has left it can.
        self.assertNotEqual(admin.delete_consumer_groups([group])[0][1].errno, 0)
        consumer.close()
        results = admin.delete_consumer_groups([group])
        self.assertEqual(results[0][1].errno, 0)
        self.assertNotIn(group, [g for g, _ in admin.list_consumer_groups()])
        admin.close()
        # confluent-kafka 1.7 lists groups too (its admin has no describe/delete yet).
        listed = AdminClient({"bootstrap.servers": self.broker.bootstrap}).list_groups(timeout=TIMEOUT)
        self.assertNotIn(group, [g.id for g in listed])

    def test_bad_input(self):
        topic = "bad-groups"
        self.create_topic(topic, 1)
        consumer = KafkaConsumer(bootstrap_servers=self.broker.bootstrap, group_id="bad-group",
                                 enable_auto_commit=False)
        client = consumer._client
        coordinator = consumer._coordinator
        from kafka.protocol.commit import OffsetCommitRequest
        from kafka.protocol.group import JoinGroupRequest

        def send(request):
            return send_request(client, coordinator, request)

        coordinator.ensure_coordinator_ready()
        commit = OffsetCommitRequest[2]
        response = send(commit("bad-group", -1, "", -1, [("nope", [(0, 5, "")]), (topic, [(7, 5, "")])]))
        errors = {(t, p): e for t, parts in response.topics for p, e in parts}
        self.assertEqual(errors, {("nope", 0): 3, (topic, 7): 3})  # UNKNOWN_TOPIC_OR_PARTITION
        response = send(commit("bad-group", 42, "someone", -1, [(topic, [(0, 5, "")])]))
        self.assertEqual(response.topics[0][1][0][1], 22)  # ILLEGAL_GENERATION (no such group generation)
        response = send(commit("bad-group", -1, "", -1, [(topic, [(0, 5, "x" * 5000)])]))
        self.assertEqual(response.topics[0][1][0][1], 12)  # OFFSET_METADATA_TOO_LARGE
        response = send(commit("", -1, "", -1, [(topic, [(0, 5, "")])]))
        self.assertEqual(response.topics[0][1][0][1], 24)  # INVALID_GROUP_ID
        join = JoinGroupRequest[1]
        response = send(join("", 10000, 10000, "", "consumer", [("range", b"")]))
        self.assertEqual(response.error_code, 24)  # INVALID_GROUP_ID
        response = send(join("bad-group", 10, 10000, "", "consumer", [("range", b"")]))
        self.assertEqual(response.error_code, 26)  # INVALID_SESSION_TIMEOUT
        # Nothing above was stored: the group has only what a good commit puts there.
        response = send(commit("bad-group", -1, "", -1, [(topic, [(0, 5, "meta")])]))
        self.assertEqual(response.topics[0][1][0][1], 0)
        committed = consumer.committed(KTopicPartition(topic, 0))
        self.assertEqual(committed, 5)
        consumer.close()

    def test_member_that_never_syncs_is_removed(self):
        # Kafka 3.x: after a join completes, a member that sends no SyncGroup
        # within the rebalance timeout is removed and the group rebalances.
        group = "nosync-group"
        consumer = KafkaConsumer(bootstrap_servers=self.broker.bootstrap, group_id="nosync-probe",
                                 enable_auto_commit=False)
        client, coordinator = consumer._client, consumer._coordinator
        from kafka.protocol.admin import DescribeGroupsRequest
        from kafka.protocol.group import HeartbeatRequest, JoinGroupRequest

        def send(request):
            return send_request(client, coordinator, request)

        def state():
            _, _, name, _, _, members = send(DescribeGroupsRequest[0]([group])).groups[0]
            return name, len(members)

        # JoinGroup v1 (no MEMBER_ID_REQUIRED): with no initial delay the join
        # completes at once and makes this member the leader of generation 1.
        joined = send(JoinGroupRequest[1](group, 30000, 2000, "", "consumer", [("range", b"")]))
        self.assertEqual(joined.error_code, 0)
        self.assertEqual(joined.leader_id, joined.member_id)
        self.assertEqual(state(), ("CompletingRebalance", 1))
        # It heartbeats (so its 30 s session is not what removes it) but never syncs.
        self.assertEqual(send(HeartbeatRequest[0](group, joined.generation_id, joined.member_id)).error_code, 0)
        wait_for(lambda: state() == ("Empty", 0), timeout=10, what="the unsynced leader removed")
        self.assertTrue(self.broker.log_contains("no SyncGroup within the rebalance timeout"))
        response = send(HeartbeatRequest[0](group, joined.generation_id, joined.member_id))
        self.assertEqual(response.error_code, 25)  # UNKNOWN_MEMBER_ID
        consumer.close()

    def test_wrong_generation(self):
        topic, group = "gen", "gen-group"
        self.create_topic(topic, 1)
        consumer = KafkaConsumer(topic, bootstrap_servers=self.broker.bootstrap, group_id=group,
                                 enable_auto_commit=False, session_timeout_ms=6000)
        wait_for(lambda: consumer.poll(timeout_ms=200) is not None and consumer.assignment(),
                 what="a kafka-python member with an assignment")
        coordinator = consumer._coordinator
        generation = coordinator._generation.generation_id
        member_id = coordinator._generation.member_id
        from kafka.protocol.commit import OffsetCommitRequest
        response = send_request(consumer._client, coordinator, OffsetCommitRequest[2](
            group, generation + 5, member_id, -1, [(topic, [(0, 1, "")])]))
        self.assertEqual(response.topics[0][1][0][1], 22)  # ILLEGAL_GENERATION
        response = send_request(consumer._client, coordinator, OffsetCommitRequest[2](
            group, generation, member_id, -1, [(topic, [(0, 1, "")])]))
        self.assertEqual(response.topics[0][1][0][1], 0)
        consumer.close()


if __name__ == "__main__":
    unittest.main()
