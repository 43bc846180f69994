// kafkajs transactions against the real broker: a transactional producer
// commits one transaction and aborts the next; a second producer with the
// same transactionalId fences the first. The log is checked with offsets
// (data plus one marker per transaction and partition), a read_committed
// kafkajs consumer, and kcat reading uncommitted.
const test = require('node:test')
const assert = require('node:assert')
const { execFileSync } = require('node:child_process')
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

function kcat (bootstrap, topic, isolation) {
  const out = execFileSync('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q',
    '-X', `isolation.level=${isolation}`, '-f', '%s\n'], { encoding: 'utf8' }).trim()
  return out === '' ? [] : out.split('\n').sort()
}

test('kafkajs transactions commit, abort and fencing', async () => {
  const broker = await startBroker('group.initial.rebalance.delay.ms=0')
  const kafka = new Kafka({ clientId: 'conveyor-txn', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer({ transactionalId: 'js-txn', idempotent: true, maxInFlightRequests: 1 })
  const zombie = kafka.producer({ transactionalId: 'js-fenced', idempotent: true, maxInFlightRequests: 1 })
  const successor = kafka.producer({ transactionalId: 'js-fenced', idempotent: true, maxInFlightRequests: 1 })
  const consumer = kafka.consumer({ groupId: 'js-txn-reader', sessionTimeout: 6000, heartbeatInterval: 500 })
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'jst', numPartitions: 2 }] })
    await producer.connect()

    let txn = await producer.transaction()
    await txn.send({ topic: 'jst', messages: [{ value: 'c0', partition: 0 }, { value: 'c1', partition: 1 }] })
    await txn.send({ topic: 'jst', messages: [{ value: 'c2', partition: 0 }] })
    await txn.commit()
    txn = await producer.transaction()
    await txn.send({ topic: 'jst', messages: [{ value: 'a0', partition: 0 }] })
    await txn.abort()

    // Partition 0: c0 c2 COMMIT a0 ABORT; partition 1: c1 COMMIT.
    const offsets = await admin.fetchTopicOffsets('jst')
    assert.deepStrictEqual(offsets.map(o => [o.partition, o.high]).sort(), [[0, '5'], [1, '2']])
    assert.deepStrictEqual(kcat(broker.bootstrap, 'jst', 'read_uncommitted'), ['a0', 'c0', 'c1', 'c2'])
    assert.deepStrictEqual(kcat(broker.bootstrap, 'jst', 'read_committed'), ['c0', 'c1', 'c2'])

    // kafkajs consumers read committed by default.
    const seen = []
    await consumer.connect()
    await consumer.subscribe({ topic: 'jst', fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value.toString()) } })
    await waitFor(() => seen.length >= 3, 'the committed messages')
    await new Promise(resolve => setTimeout(resolve, 500))  // nothing else arrives
    assert.deepStrictEqual([...seen].sort(), ['c0', 'c1', 'c2'])

    // A second producer with the same transactionalId fences the first,
    // whose open transaction is aborted.
    await zombie.connect()
    const open = await zombie.transaction()
    await open.send({ topic: 'jst', messages: [{ value: 'zombie', partition: 1 }] })
    await successor.connect()
    const next = await successor.transaction()  // kafkajs calls InitProducerId here
    await assert.rejects(open.commit(), err => /fenced|epoch/i.test(`${err.type} ${err.message}`))
    await next.send({ topic: 'jst', messages: [{ value: 'after', partition: 1 }] })
    await next.commit()
    assert.deepStrictEqual(kcat(broker.bootstrap, 'jst', 'read_committed'), ['after', 'c0', 'c1', 'c2'])
  } finally {
    await consumer.disconnect()
    await successor.disconnect()
    await zombie.disconnect().catch(() => {})
    await producer.disconnect()
    await admin.disconnect()
    assert.strictEqual(await broker.stop(), 0)
  }
})
