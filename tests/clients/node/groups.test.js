// kafkajs consumer groups against the real broker: a group consumer with
// eachMessage reads every message once, commits, and a second consumer in
// the same group resumes after the committed offsets; admin describes,
// lists, and deletes the group and its offsets.
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
