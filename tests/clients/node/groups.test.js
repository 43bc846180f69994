// kafkajs consumer groups against the real broker: a group consumer with
// eachMessage reads every message once, commits, and a second consumer in
// the same group resumes after the committed offsets; the admin client
// describes, lists and deletes groups and reads, sets and resets offsets.
const test = require('node:test')
const assert = require('node:assert')
const { Kafka, logLevel } = require('kafkajs')
const { startBroker } = require('./broker')

async function waitFor (condition, what, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await condition()) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

test('kafkajs consumer group with eachMessage, commits, resume and admin', async () => {
  const broker = await startBroker('group.initial.rebalance.delay.ms=0')
  const kafka = new Kafka({ clientId: 'conveyor-groups', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'jsg', numPartitions: 3 }] })
    await producer.connect()
    const first = []
    for (let i = 0; i < 90; i++) first.push({ value: `m${i}`, partition: i % 3 })
    await producer.send({ topic: 'jsg', acks: -1, messages: first })

    const seen = []
    const consumer = kafka.consumer({ groupId: 'js-group', sessionTimeout: 6000, heartbeatInterval: 500 })
    await consumer.connect()
    await consumer.subscribe({ topic: 'jsg', fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value.toString()) } })
    await waitFor(() => seen.length >= 90, 'the first 90 messages')
    assert.deepStrictEqual([...seen].sort(), first.map(m => m.value).sort())

    // Committed offsets (kafkajs commits after eachMessage, on its interval and on stop).
    await consumer.stop()
    const described = await admin.describeGroups(['js-group'])
    assert.strictEqual(described.groups[0].groupId, 'js-group')
    const listed = await admin.listGroups()
    assert.ok(listed.groups.some(g => g.groupId === 'js-group' && g.protocolType === 'consumer'))
    await consumer.disconnect()
    const offsets = await admin.fetchOffsets({ groupId: 'js-group', topics: ['jsg'] })
    assert.deepStrictEqual(offsets[0].partitions.map(p => [p.partition, p.offset]).sort(),
      [[0, '30'], [1, '30'], [2, '30']])

    // A new consumer in the group resumes after the committed offsets.
    const second = []
    for (let i = 0; i < 30; i++) second.push({ value: `n${i}`, partition: i % 3 })
    await producer.send({ topic: 'jsg', acks: -1, messages: second })
    const resumed = []
    const again = kafka.consumer({ groupId: 'js-group', sessionTimeout: 6000, heartbeatInterval: 500 })
    await again.connect()
    await again.subscribe({ topic: 'jsg', fromBeginning: true })
    await again.run({ eachMessage: async ({ message }) => { resumed.push(message.value.toString()) } })
    await waitFor(() => resumed.length >= 30, 'the 30 new messages')
    await again.disconnect()
    assert.deepStrictEqual([...resumed].sort(), second.map(m => m.value).sort())

    // OffsetDelete through kafkajs' resetOffsets is not it; deleteGroups is.
    await admin.deleteGroups(['js-group'])
    const after = await admin.listGroups()
    assert.ok(!after.groups.some(g => g.groupId === 'js-group'))
  } finally {
    await producer.disconnect()
    await admin.disconnect()
    assert.strictEqual(await broker.stop(), 0)
  }
})

// kafkajs admin against a group with a running member and then without:
// describeGroups content (state, protocol, member, decoded assignment),
// listGroups, deleteGroups refused then done, fetchOffsets, setOffsets and
// resetOffsets (both join the group as a consumer and commit the seeked offsets).
test('kafkajs admin: describe, list, fetch/set/reset offsets, delete', async () => {
  const { AssignerProtocol } = require('kafkajs')
  const broker = await startBroker('group.initial.rebalance.delay.ms=0')
  const kafka = new Kafka({ clientId: 'conveyor-admin', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  const offsetsOf = async () => {
    const fetched = await admin.fetchOffsets({ groupId: 'js-admin', topics: ['jsa'] })
    assert.strictEqual(fetched[0].topic, 'jsa')
    return fetched[0].partitions.map(p => [p.partition, p.offset]).sort()
  }
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'jsa', numPartitions: 2 }] })
    await producer.connect()
    const messages = []
    for (let i = 0; i < 20; i++) messages.push({ value: `a${i}`, partition: i % 2 })
    await producer.send({ topic: 'jsa', acks: -1, messages })

    const seen = []
    const consumer = kafka.consumer({ groupId: 'js-admin', sessionTimeout: 6000, heartbeatInterval: 500 })
    await consumer.connect()
    await consumer.subscribe({ topic: 'jsa', fromBeginning: true })
    await consumer.run({ autoCommitThreshold: 1, eachMessage: async ({ message }) => { seen.push(message.value.toString()) } })
    await waitFor(() => seen.length >= 20, 'the 20 messages')

    // A running member: Stable, kafkajs' protocol, the member and its assignment.
    await waitFor(async () => (await admin.describeGroups(['js-admin'])).groups[0].state === 'Stable', 'a Stable group')
    const [live] = (await admin.describeGroups(['js-admin'])).groups
    assert.strictEqual(live.errorCode, 0)
    assert.strictEqual(live.protocolType, 'consumer')
    assert.strictEqual(live.protocol, 'RoundRobinAssigner')
    assert.strictEqual(live.members.length, 1)
    assert.strictEqual(live.members[0].clientId, 'conveyor-admin')
    assert.strictEqual(live.members[0].clientHost, '/127.0.0.1')
    const assignment = AssignerProtocol.MemberAssignment.decode(live.members[0].memberAssignment)
    assert.deepStrictEqual(assignment.assignment, { jsa: [0, 1] })
    const listed = await admin.listGroups()
    assert.ok(listed.groups.some(g => g.groupId === 'js-admin' && g.protocolType === 'consumer'))
    await assert.rejects(admin.deleteGroups(['js-admin']),
      error => error.groups[0].groupId === 'js-admin' && error.groups[0].error.type === 'NON_EMPTY_GROUP')
    await waitFor(async () => JSON.stringify(await offsetsOf()) === JSON.stringify([[0, '10'], [1, '10']]),
      'offsets 10 and 10 committed')

    // No member: Empty, and the offsets can be moved.
    await consumer.disconnect()
    const [idle] = (await admin.describeGroups(['js-admin'])).groups
    assert.strictEqual(idle.state, 'Empty')
    assert.deepStrictEqual(idle.members, [])
    await admin.setOffsets({ groupId: 'js-admin', topic: 'jsa', partitions: [{ partition: 0, offset: '3' }] })
    assert.deepStrictEqual(await offsetsOf(), [[0, '3'], [1, '10']])
    // kafkajs commits the EARLIEST sentinel (-2) as is, as Kafka stores it;
    // resolveOffsets turns it into the log start offset (and commits that).
    await admin.resetOffsets({ groupId: 'js-admin', topic: 'jsa', earliest: true })
    assert.deepStrictEqual(await offsetsOf(), [[0, '-2'], [1, '-2']])
    const resolved = await admin.fetchOffsets({ groupId: 'js-admin', topics: ['jsa'], resolveOffsets: true })
    assert.deepStrictEqual(resolved[0].partitions.map(p => [p.partition, String(p.offset)]).sort(), [[0, '0'], [1, '0']])
    assert.deepStrictEqual(await offsetsOf(), [[0, '0'], [1, '0']])

    const deleted = await admin.deleteGroups(['js-admin'])
    assert.deepStrictEqual(deleted.map(d => [d.groupId, d.errorCode]), [['js-admin', 0]])
    assert.deepStrictEqual(await offsetsOf(), [[0, '-1'], [1, '-1']])
    assert.ok(!(await admin.listGroups()).groups.some(g => g.groupId === 'js-admin'))
  } finally {
    await producer.disconnect()
    await admin.disconnect()
    assert.strictEqual(await broker.stop(), 0)
  }
})
