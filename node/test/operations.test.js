'use strict'
// Every operation of the contract against an in-process emulator, in statement and structured form.
const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const { wxcloud, reset, rejectsWith } = require('./helpers')

const SAMPLE = 'db.collection("test_collection").aggregate().match({tags:"cloud"}).limit(10).end()'
let emulator
let client

before(async () => {
  emulator = new wxcloud.Emulator({ seed: true })
  await emulator.start()
  client = emulator.client()
})
after(() => emulator.stop())
beforeEach(() => reset(emulator))

test('the emulator exposes its address, app, secret and env', () => {
  assert.match(emulator.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.equal(emulator.appid, 'wxemulator')
  assert.equal(emulator.secret, 'emulator-secret')
  assert.equal(emulator.env, 'test2-4a89da')
  assert.equal(emulator.running, true)
  assert.equal(client.env, 'test2-4a89da')
})

test("aggregate runs the seed's statement and decodes 113.0 as a number", async () => {
  const records = await client.aggregate(SAMPLE)
  assert.equal(records.length, 4)
  const first = records.find((r) => r._id === 'f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea')
  assert.deepEqual(Object.keys(first), ['_id', 'location', 'done', 'description', 'due', 'tags'])
  assert.deepEqual(first.location.coordinates, [113, 23])
  assert.equal(first.done, false)
})

test('aggregate structured form writes the pipeline as a statement', async () => {
  const records = await client.aggregate('test_collection', [
    { $match: { tags: 'cloud' } },
    { $sort: { description: 1 } },
    { $limit: 2 },
    { $project: { description: 1, _id: 0 } },
  ])
  assert.deepEqual(records, [{ description: 'Study cloud database' }, { description: 'Study cloud database' }])
})

test('aggregate group counts', async () => {
  const records = await client.aggregate('test_collection', [{ $group: { _id: '$done', n: { $sum: 1 } } }])
  assert.deepEqual(records, [{ _id: false, n: 4 }])
})

test('query returns data and the pager, structured and as a statement', async () => {
  const page = await client.query('test_collection', { orderBy: [['_id', 'asc']], skip: 1, limit: 2, fields: ['_id'] })
  assert.equal(page.total, 4)
  assert.equal(page.offset, 1)
  assert.equal(page.limit, 2)
  assert.deepEqual(page.data.map((r) => Object.keys(r)), [['_id'], ['_id']])
  const byStatement = await client.query('db.collection("test_collection").where({description: "learn cloud database"}).get()')
  assert.equal(byStatement.data.length, 1)
  assert.equal(byStatement.data[0]._id, 'f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea')
})

test('count, with and without a filter', async () => {
  assert.equal(await client.count('test_collection'), 4)
  assert.equal(await client.count('test_collection', { where: { description: 'Study cloud database' } }), 3)
  assert.equal(await client.count('db.collection("test_collection").where({done: true}).count()'), 0)
})

test('add, update and delete round-trip through the emulator', async () => {
  await client.createCollection('todos')
  const ids = await client.add('todos', [{ title: 'a', n: 1 }, { title: 'b', n: 2 }])
  assert.equal(ids.length, 2)
  const one = await client.add('todos', { title: 'c', n: 3 })
  assert.equal(one.length, 1)
  const viaStatement = await client.add('db.collection("todos").add({data: {title: "d", n: 4}})')
  assert.equal(viaStatement.length, 1)

  const updated = await client.update('todos', { n: { $gte: 2 } }, { $inc: { n: 10 } })
  assert.deepEqual(updated, { matched: 3, modified: 3, id: null })
  const page = await client.query('todos', { orderBy: [['n', 'asc']] })
  assert.deepEqual(page.data.map((r) => r.n), [1, 12, 13, 14])

  const updatedByStatement = await client.update('db.collection("todos").where({title: "a"}).update({data: {n: 0}})')
  assert.equal(updatedByStatement.modified, 1)

  assert.equal(await client.delete('todos', { n: { $gt: 12 } }), 2)
  assert.equal(await client.delete('db.collection("todos").where({title: "a"}).remove()'), 1)
  assert.equal(await client.count('todos'), 1)
})

test('delete without a filter is refused before anything is sent', async () => {
  await rejectsWith(client.delete('test_collection'), 'WXCLOUD_STATEMENT')
  assert.equal(await client.count('test_collection'), 4)
})

test('collections: create, list with counts, delete', async () => {
  await client.createCollection('extra')
  const list = await client.listCollections({ limit: 10 })
  const names = list.collections.map((c) => c.name).sort()
  assert.deepEqual(names, ['extra', 'test_collection'])
  assert.equal(list.total, 2)
  const sample = list.collections.find((c) => c.name === 'test_collection')
  assert.equal(sample.count, 4)
  await client.deleteCollection('extra')
  const after = await client.listCollections()
  assert.deepEqual(after.collections.map((c) => c.name), ['test_collection'])
  await rejectsWith(client.deleteCollection('extra'), 'WXCLOUD_NOT_FOUND')
})

test('updateIndex: a unique index refuses a duplicate add', async () => {
  await client.createCollection('users')
  await client.updateIndex('users', { create: [{ name: 'by_email', unique: true, keys: [{ name: 'email', direction: 1 }] }] })
  await client.add('users', { email: 'a@example.com' })
  const err = await client.add('users', { email: 'a@example.com' }).then(
    () => null,
    (e) => e,
  )
  assert.ok(err instanceof wxcloud.WxCloudError, 'duplicate key must fail')
  assert.equal(typeof err.errcode, 'number')
  await client.updateIndex('users', { drop: ['by_email'] })
  await client.add('users', { email: 'a@example.com' })
  assert.equal(await client.count('users'), 2)
})

test('migrations: import, export and status', async () => {
  const job = await client.migrateImport('test_collection', 'import/records.json', { fileType: 'json', conflictMode: 'upsert' })
  assert.equal(typeof job, 'number')
  const status = await client.migrateStatus(job)
  assert.equal(typeof status.status, 'string')
  assert.equal(typeof status.recordSuccess, 'number')
  const exportJob = await client.migrateExport('export/all.json', 'db.collection("test_collection").where({}).get()')
  const exported = await client.migrateStatus(exportJob)
  assert.equal(typeof exported.status, 'string')
  const unknown = await rejectsWith(client.migrateStatus(987654), 'WXCLOUD_INVALID_REQUEST')
  assert.equal(unknown.errcode, 40097)
})

test('withEnv reaches another env on the same token cache', async () => {
  const local = client.withEnv('local')
  assert.equal(local.env, 'local')
  await local.createCollection('only_local')
  assert.equal(await local.count('only_local'), 0)
  await rejectsWith(client.count('only_local'), 'WXCLOUD_NOT_FOUND')
  await rejectsWith(client.withEnv('no-such-env').count('x'), 'WXCLOUD_INVALID_REQUEST').catch(async (e) => {
    assert.ok(e instanceof wxcloud.WxCloudError, String(e))
  })
})

test('raw mode returns the Extended JSON strings untouched, and decode() reads them', async () => {
  const raw = emulator.client({ raw: true })
  const strings = await raw.aggregate(SAMPLE)
  assert.equal(strings.length, 4)
  assert.ok(strings.every((s) => typeof s === 'string'))
  assert.match(strings.join(''), /\$numberDouble/)
  const page = await raw.query('test_collection', { limit: 1 })
  assert.equal(typeof page.data[0], 'string')
  assert.deepEqual(wxcloud.decode(strings), await client.aggregate(SAMPLE))
})

test('an emulator with a data file keeps records across a restart', async (t) => {
  const os = require('node:os')
  const fs = require('node:fs')
  const path = require('node:path')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxcloud-node-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const dataPath = path.join(dir, 'data.sqlite')
  const first = new wxcloud.Emulator({ dataPath })
  await first.start()
  await first.client().createCollection('kept')
  await first.client().add('kept', { k: 1 })
  await first.stop()
  assert.equal(first.running, false)
  const second = new wxcloud.Emulator({ dataPath })
  await second.start()
  try {
    const page = await second.client().query('kept')
    assert.deepEqual(page.data.map((r) => r.k), [1])
  } finally {
    await second.stop()
  }
})

test('Symbol.asyncDispose stops the emulator', async () => {
  const e = new wxcloud.Emulator()
  await e.start()
  assert.equal(typeof e[Symbol.asyncDispose], 'function')
  await e[Symbol.asyncDispose]()
  assert.equal(e.running, false)
  assert.throws(() => e.baseUrl, (err) => err instanceof wxcloud.WxCloudError && err.code === 'WXCLOUD_INVALID_REQUEST')
})
