// kafkajs (a pure JavaScript client with its own protocol code) against the
// real broker: admin create, keyed produce with headers (uncompressed and
// gzip, the codec kafkajs ships), offsets by time, DeleteRecords, delete.
// kafkajs can only consume through a consumer group, which is not built yet:
// the produced records are read back with kcat and checked exactly.
const test = require('node:test')
const assert = require('node:assert')
const { execFileSync } = require('node:child_process')
const { Kafka, CompressionTypes, logLevel } = require('kafkajs')
const { startBroker } = require('./broker')

test('kafkajs produces, lists offsets, deletes records and topics', async () => {
  const broker = await startBroker()
  const kafka = new Kafka({ clientId: 'conveyor-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  try {
    await admin.connect()
    assert.strictEqual(await admin.createTopics({ topics: [{ topic: 'js', numPartitions: 3 }] }), true)
    await producer.connect()
    const base = 1700000000000
    for (const [codec, name] of [[CompressionTypes.None, 'none'], [CompressionTypes.GZIP, 'gzip']]) {
      const messages = []
      for (let i = 0; i < 300; i++) {
        messages.push({ key: `k${i}`, value: `${name}-${i}`, partition: i % 3, headers: { n: `${i}` }, timestamp: `${base + i}` })
      }
      const results = await producer.send({ topic: 'js', acks: -1, compression: codec, messages })
      assert.strictEqual(results.length, 3)
      for (const r of results) assert.strictEqual(r.errorCode, 0)
    }

    const offsets = await admin.fetchTopicOffsets('js')
    assert.deepStrictEqual(offsets.map(o => [o.partition, o.low, o.high]).sort(),
      [[0, '0', '200'], [1, '0', '200'], [2, '0', '200']])
    const byTime = await admin.fetchTopicOffsetsByTimestamp('js', base + 150)
    assert.deepStrictEqual(byTime.map(o => [o.partition, o.offset]).sort(), [[0, '50'], [1, '50'], [2, '50']])

    const lines = execFileSync('kcat', ['-b', broker.bootstrap, '-C', '-t', 'js', '-p', '1', '-o', 'beginning', '-e',
      '-f', '%o %k %s %h\n'], { encoding: 'utf8' }).trim().split('\n')
    const expected = []
    for (const name of ['none', 'gzip']) {
      for (let i = 1; i < 300; i += 3) expected.push(`${expected.length} k${i} ${name}-${i} n=${i}`)
    }
    assert.deepStrictEqual(lines, expected)

    await admin.deleteTopicRecords({ topic: 'js', partitions: [{ partition: 0, offset: '120' }] })
    const after = await admin.fetchTopicOffsets('js')
    assert.strictEqual(after.find(o => o.partition === 0).low, '120')

    await admin.deleteTopics({ topics: ['js'] })
    assert.ok(!(await admin.listTopics()).includes('js'))
  } finally {
    await producer.disconnect()
    await admin.disconnect()
    assert.strictEqual(await broker.stop(), 0)
  }
})

test('kafkajs idempotent producer gets a producer id and writes each message once', async () => {
  const broker = await startBroker()
  const kafka = new Kafka({ clientId: 'conveyor-idem', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  // kafkajs' idempotent mode: InitProducerId, then sequence numbers per partition.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'js-idem', numPartitions: 2 }] })
    await producer.connect()
    for (let round = 0; round < 5; round++) {
      const messages = []
      for (let i = 0; i < 100; i++) messages.push({ value: `r${round}-${i}`, partition: i % 2 })
      const results = await producer.send({ topic: 'js-idem', acks: -1, messages })
      for (const r of results) {
        assert.strictEqual(r.errorCode, 0)
        assert.strictEqual(r.baseOffset, `${round * 50}`)
      }
    }
    const offsets = await admin.fetchTopicOffsets('js-idem')
    assert.deepStrictEqual(offsets.map(o => [o.partition, o.high]).sort(), [[0, '250'], [1, '250']])
    const lines = execFileSync('kcat', ['-b', broker.bootstrap, '-C', '-t', 'js-idem', '-p', '0', '-o', 'beginning',
      '-e', '-f', '%s\n'], { encoding: 'utf8' }).trim().split('\n')
    const expected = []
    for (let round = 0; round < 5; round++) for (let i = 0; i < 100; i += 2) expected.push(`r${round}-${i}`)
    assert.deepStrictEqual(lines, expected)
  } finally {
    await producer.disconnect()
    await admin.disconnect()
    assert.strictEqual(await broker.stop(), 0)
  }
})
