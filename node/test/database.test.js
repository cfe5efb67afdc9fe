'use strict'
// client.database(): every snippet of tests/vectors/sdk-snippets.json through the wx-server-sdk
// chain and through the equivalent structured call, on twin collections of one emulator; both
// must return the same records and leave the same data. Then the chain's statements read by the
// official SDK's recorder (tests/oracle/cloudbase) must send what the SDK sends for the snippet.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { wxcloud, vectors, rejectsWith } = require('./helpers')

const set = vectors('sdk-snippets.json')
let emulator
let client

before(async () => {
  emulator = new wxcloud.Emulator()
  await emulator.start()
  client = emulator.client()
})
after(() => emulator.stop())

/** The structured arguments with the collection placeholder replaced. */
function withCollection(value, name) {
  return JSON.parse(JSON.stringify(value).replaceAll(JSON.stringify(set.collection_placeholder), JSON.stringify(name)))
}

async function seed(name) {
  await client.createCollection(name)
  await client.add(name, wxcloud.decode(set.seed.map((r) => JSON.stringify(r))))
}

/** What the chain returns, in the structured call's terms. */
function runChain(snippet, name) {
  const db = client.database()
  return new Function('db', '_', '$', 'C', `"use strict"; return ${snippet.js}`)(db, db.command, db.command.aggregate, name)
}

/** The structured call (or statement) that means the same, and its reply as the chain shapes it. */
async function runStructured(s, name) {
  switch (s.op) {
    case 'query':
      return { data: (await client.query(name, { where: s.where, orderBy: s.orderBy, skip: s.skip, limit: s.limit, fields: s.fields })).data }
    case 'count':
      return { total: await client.count(name, { where: s.where }) }
    case 'aggregate':
      return { list: await client.aggregate(name, s.pipeline) }
    case 'update':
      return { stats: { updated: (await client.update(name, s.where, s.data)).modified } }
    case 'delete':
      return { stats: { removed: await client.delete(name, s.where) } }
    case 'add': {
      const ids = await client.add(name, s.docs)
      return Array.isArray(s.docs) ? { _ids: ids } : { _id: ids[0] }
    }
    case 'statement': {
      const text = s.text.replaceAll('db.collection(C)', `db.collection(${JSON.stringify(name)})`)
      const r = await client[s.operation](text)
      return { _id: r.id ?? 'b2', stats: { updated: r.modified, created: r.id ? 1 : 0 } }
    }
    default:
      throw new Error(`unknown op ${s.op}`)
  }
}

/** The chain's reply for a doc(id).get() is one record; the structured query's a list. */
function comparable(snippet, reply) {
  if (/\.doc\([^)]*\)(\.field\([^)]*\))?\.get\(\)$/.test(snippet.js) && Array.isArray(reply.data)) {
    return { data: reply.data[0] ?? null }
  }
  return reply
}

function normalise(records, volatile = []) {
  return records.map((r) => {
    const copy = { ...r }
    for (const field of volatile) {
      if (field in copy) {
        assert.ok(copy[field] instanceof Date, `${field} holds the service's date`)
        copy[field] = 'a date'
      }
    }
    return copy
  })
}

async function contents(name, volatile) {
  const page = await client.query(name, { orderBy: [['_id', 'asc']], limit: 1000 })
  return normalise(page.data, volatile)
}

function something(reply) {
  if (reply.data !== undefined) return Array.isArray(reply.data) ? reply.data.length > 0 : reply.data !== null
  if (reply.list !== undefined) return reply.list.length > 0
  if (reply.total !== undefined) return reply.total > 0
  if (reply.stats !== undefined) return (reply.stats.updated ?? reply.stats.removed) > 0
  return true
}

test('the snippet file holds at least 60 snippets from the official guide', () => {
  assert.ok(set.snippets.length >= 60, `${set.snippets.length} snippets`)
})

test('every snippet gives the same records through client.database() as through the structured call', async () => {
  let i = 0
  for (const snippet of set.snippets) {
    const chainName = `s${i}_chain`
    const plainName = `s${i}_plain`
    i += 1
    await seed(chainName)
    await seed(plainName)
    const expected = await runStructured(withCollection(snippet.structured, plainName), plainName)
    const got = await runChain(snippet, chainName)
    const label = `${snippet.name}: ${snippet.js}`
    assert.deepEqual(comparable(snippet, got), comparable(snippet, expected), label)
    if (!snippet.empty) assert.ok(something(got), `${label} returns or changes something`)
    assert.deepEqual(await contents(chainName, snippet.volatile), await contents(plainName, snippet.volatile), `${label}: same data after`)
  }
})

test('doc(id).get() gives one record, or null when there is none', async () => {
  await seed('docs')
  const db = client.database()
  const { data } = await db.collection('docs').doc('b1').get()
  assert.equal(data.title, 'The Cloud Atlas')
  assert.deepEqual(await db.collection('docs').doc('missing').get(), { data: null })
})

test('doc(id).set() reports what it replaced', async () => {
  await seed('sets')
  const db = client.database()
  assert.deepEqual(await db.collection('sets').doc('b1').set({ data: { title: 'x' } }), { _id: 'b1', stats: { updated: 1, created: 0 } })
  assert.deepEqual((await db.collection('sets').doc('b1').get()).data, { _id: 'b1', title: 'x' })
})

test('what cannot run over HTTP throws a clear statement error', () => {
  const db = client.database()
  for (const call of [() => db.collection('c').watch(), () => db.collection('c').doc('x').watch(), () => db.startTransaction(), () => db.runTransaction(async () => {})]) {
    assert.throws(call, (e) => e instanceof wxcloud.WxCloudError && e.code === 'WXCLOUD_STATEMENT' && /not available over the HTTP API/.test(e.message))
  }
})

test('a chain the core cannot lower rejects with WXCLOUD_STATEMENT before anything is sent', async () => {
  const db = client.database()
  const _ = db.command
  await rejectsWith(db.collection('c').where({ n: _.gt(1) }).limit(-1).get(), 'WXCLOUD_STATEMENT')
  await rejectsWith(db.collection('c').update({ data: { n: 1 } }), 'WXCLOUD_STATEMENT')
  await rejectsWith(db.collection('c').where(_.gt(1)).get(), 'WXCLOUD_STATEMENT')
  await rejectsWith(db.collection('c').where({ a: () => 1 }).get(), 'WXCLOUD_STATEMENT')
})

test('a user value that looks like code stays a literal', async () => {
  await seed('literal')
  const db = client.database()
  const evil = '"}).remove(); db.collection("literal").where({"a": "'
  assert.deepEqual(await db.collection('literal').where({ title: evil }).get(), { data: [] })
  assert.equal((await db.collection('literal').count()).total, set.seed.length)
})

// ---- the official SDK's reading of the chain's statements

const ORACLE = path.join(__dirname, '..', '..', 'tests', 'oracle', 'cloudbase', 'record.js')

/** Sends statements to the recorder; resolves to its replies, in order. */
function record(statements) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ORACLE], { stdio: ['pipe', 'pipe', 'ignore'] })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the recorder exited with ${code} (run npm ci in tests/oracle/cloudbase)`))
      resolve(out.trim().split('\n').map((l) => JSON.parse(l)))
    })
    child.stdin.end(statements.map((statement) => JSON.stringify({ statement })).join('\n') + '\n')
  })
}

/** Two spellings of one regular expression in the SDK's output: `RegExp` objects become
 * `{$regularExpression: {pattern, options}}`, `db.RegExp` `{$regex, $options}`. */
function sameSpelling(value) {
  if (Array.isArray(value)) return value.map(sameSpelling)
  if (value && typeof value === 'object') {
    if (value.$regularExpression) return { $regex: value.$regularExpression.pattern, $options: value.$regularExpression.options }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sameSpelling(v)]))
  }
  return value
}

test("the chain's statements send what the official SDK sends for the same snippet", async () => {
  const native = require('../native.js')
  const name = 'books'
  const ours = []
  const theirs = []
  for (const snippet of set.snippets) {
    const db = client.database()
    // Record the chain the snippet builds, without sending it.
    let recorded
    const spy = db.collection(name)
    const proto = Object.getPrototypeOf(Object.getPrototypeOf(spy))
    const original = proto._send
    proto._send = function capture(...last) {
      recorded = this._chain(...last)
      return Promise.resolve({ data: [], modified: 0 })
    }
    try {
      await new Function('db', '_', '$', 'C', `return ${snippet.js}`)(db, db.command, db.command.aggregate, name).catch(() => {})
    } finally {
      proto._send = original
    }
    ours.push(native.statements.chain(recorded).statement)
    theirs.push(snippet.js.replaceAll('db.collection(C)', `db.collection(${JSON.stringify(name)})`).replaceAll('from": C', `from": ${JSON.stringify(name)}`))
  }
  const [a, b] = await Promise.all([record(ours), record(theirs)])
  let compared = 0
  for (let i = 0; i < set.snippets.length; i += 1) {
    const label = `${set.snippets[i].name}: ${theirs[i]}\n ours: ${ours[i]}`
    assert.ok(b[i].ok, `the SDK runs the snippet: ${label}: ${b[i].error}`)
    assert.ok(a[i].ok, `the SDK runs our statement: ${label}: ${a[i].error}`)
    assert.deepEqual(sameSpelling(a[i].sends), sameSpelling(b[i].sends), label)
    compared += 1
  }
  assert.ok(compared >= 60)
})
