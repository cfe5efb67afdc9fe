'use strict'
// client.iterate(): every record a query matches, paged by key, against an in-process emulator.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { wxcloud, fault, stats, requests, rejectsWith } = require('./helpers')

const RECORDS = 2500
let emulator
let client
let counter = 0

before(async () => {
  emulator = new wxcloud.Emulator()
  await emulator.start()
  client = emulator.client()
})
after(() => emulator.stop())

async function seeded() {
  counter += 1
  const name = `walk${counter}`
  await client.createCollection(name)
  const docs = Array.from({ length: RECORDS }, (_, n) => ({ _id: `orig-${String(n).padStart(5, '0')}`, n }))
  for (let i = 0; i < RECORDS; i += 500) await client.add(name, docs.slice(i, i + 500))
  return name
}

/** Inserts behind (n < 0) and ahead (n > 10000) of the cursor, deletes seen and unseen records. */
async function changeAround(name, at) {
  await client.add(name, Array.from({ length: 50 }, (_, i) => ({ _id: `behind-${at}-${i}`, n: -1 - i - at })))
  assert.ok((await client.delete(name, { n: { $lt: at / 10 } })) > 0)
  await client.add(name, Array.from({ length: 50 }, (_, i) => ({ _id: `ahead-${at}-${i}`, n: 10000 + at + i })))
  const gone = 2000 + at / 10
  assert.equal(await client.delete(name, { n: gone }), 1)
  return `orig-${String(gone).padStart(5, '0')}`
}

test('a walk sees each record present for the whole walk exactly once while others come and go', async () => {
  const name = await seeded()
  const seen = new Map()
  const deleted = []
  let read = 0
  for await (const record of client.iterate(name, { orderBy: [['n', 'asc']] })) {
    seen.set(record._id, (seen.get(record._id) ?? 0) + 1)
    read += 1
    if (read === 500 || read === 1500) deleted.push(await changeAround(name, read))
  }
  for (let n = 150; n < RECORDS; n += 1) {
    const id = `orig-${String(n).padStart(5, '0')}`
    if (deleted.includes(id)) assert.equal(seen.get(id), undefined, `${id} was deleted ahead of the cursor`)
    else assert.equal(seen.get(id), 1, `${id} is seen exactly once`)
  }
  assert.ok([...seen.values()].every((times) => times === 1), 'no record is repeated')
  assert.equal([...seen.keys()].filter((id) => id.startsWith('behind')).length, 0)
  assert.equal([...seen.keys()].filter((id) => id.startsWith('ahead')).length, 100)
})

test('a busy page is retried and the walk completes', async () => {
  const name = await seeded()
  const before = requests(await stats(emulator), '/tcb/databasequery')
  let count = 0
  for await (const record of client.iterate(name, { where: { n: { $gte: 0 } }, fields: ['n'] })) {
    assert.deepEqual(Object.keys(record), ['_id', 'n'])
    count += 1
    if (count === 1) await fault(emulator, { path: '/tcb/databasequery', errcode: -1, errmsg: 'system busy' })
  }
  assert.equal(count, RECORDS)
  assert.equal(requests(await stats(emulator), '/tcb/databasequery') - before, 3 + 1, 'three pages and one retry')
})

test('a stalled page ends the walk with WXCLOUD_TIMEOUT', async () => {
  const name = await seeded()
  const walk = emulator.client({ timeoutMs: 800 }).iterate(name)
  assert.ok(!(await walk.next()).done)
  await fault(emulator, { path: '/tcb/databasequery', delay_ms: 3000, times: 1 })
  await rejectsWith((async () => {
    for (;;) if ((await walk.next()).done) return
  })(), 'WXCLOUD_TIMEOUT')
})

test('db.collection(..).where(..).iterate() walks the chain', async () => {
  const name = await seeded()
  const db = client.database()
  const _ = db.command
  const ns = []
  for await (const r of db.collection(name).where({ n: _.gte(2000) }).orderBy('n', 'desc').iterate({ pageSize: 150 })) ns.push(r.n)
  assert.deepEqual(ns, Array.from({ length: 500 }, (_, i) => RECORDS - 1 - i))
})

test('a bad walk rejects with WXCLOUD_STATEMENT before anything is sent', async () => {
  const walk = async (iterable) => {
    for await (const _ of iterable) return
  }
  await rejectsWith(walk(client.iterate('c', { skip: 3 })), 'WXCLOUD_STATEMENT')
  await rejectsWith(walk(client.iterate('c', { pageSize: 5000 })), 'WXCLOUD_STATEMENT')
  await rejectsWith(walk(client.database().collection('c').skip(1).iterate()), 'WXCLOUD_STATEMENT')
})
