'use strict'
// Records as JavaScript values: the shared Extended JSON vectors, and input types round-tripping
// through the emulator.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { wxcloud, vectors, rejectsWith } = require('./helpers')

/** Asserts `actual` is what the vector description `d` says (tests/vectors/README.md). */
function check(actual, d, where) {
  const at = (m) => `${where}: ${m}`
  switch (d.$type) {
    case 'null':
      return assert.equal(actual, null, at('null'))
    case 'bool':
    case 'string':
      return assert.equal(actual, d.value, at(d.$type))
    case 'int32':
      return assert.equal(actual, d.value, at('int32'))
    case 'int64': {
      const big = BigInt(d.value)
      if (big >= -(2n ** 53n) + 1n && big <= 2n ** 53n - 1n) return assert.equal(actual, Number(big), at('int64 as number'))
      return assert.equal(actual, big, at('int64 as BigInt'))
    }
    case 'double': {
      const want = Number(d.value === '-0.0' ? '-0' : d.value)
      assert.equal(typeof actual, 'number', at('double type'))
      return assert.ok(Object.is(actual, want), at(`double ${actual} != ${d.value}`))
    }
    case 'decimal128':
    case 'objectId':
      return assert.equal(actual, d.value, at(d.$type))
    case 'date':
      if (Math.abs(Number(d.value)) > 8.64e15) {
        return assert.deepEqual(actual, { $date: { $numberLong: d.value } }, at('date beyond Date range'))
      }
      assert.ok(actual instanceof Date, at('Date'))
      return assert.equal(actual.getTime(), Number(d.value), at('date ms'))
    case 'binary':
      assert.ok(Buffer.isBuffer(actual), at('Buffer'))
      return assert.equal(actual.toString('base64'), d.base64, at('binary bytes'))
    case 'regex':
      if (actual instanceof RegExp) {
        assert.equal(actual.source, new RegExp(d.pattern).source, at('regex pattern'))
        const jsFlags = [...d.options].filter((c) => 'imsu'.includes(c)).sort().join('')
        return assert.equal([...actual.flags].sort().join(''), jsFlags, at('regex flags'))
      }
      // A pattern JavaScript cannot compile comes back as its wrapper.
      return assert.deepEqual(actual, { $regularExpression: { pattern: d.pattern, options: d.options } }, at('regex wrapper'))
    case 'timestamp':
      return assert.deepEqual(actual, { $timestamp: { t: d.t, i: d.i } }, at('timestamp'))
    case 'minKey':
      return assert.deepEqual(actual, { $minKey: 1 }, at('minKey'))
    case 'maxKey':
      return assert.deepEqual(actual, { $maxKey: 1 }, at('maxKey'))
    case 'array':
      assert.ok(Array.isArray(actual), at('array'))
      assert.equal(actual.length, d.items.length, at('array length'))
      return d.items.forEach((item, i) => check(actual[i], item, `${where}[${i}]`))
    case 'document':
      assert.equal(Object.getPrototypeOf(actual), Object.prototype, at('plain object'))
      assert.deepEqual(Object.keys(actual), d.entries.map(([k]) => k), at('key order'))
      return d.entries.forEach(([k, v]) => check(actual[k], v, `${where}.${k}`))
    default:
      throw new Error(at(`unknown description ${d.$type}`))
  }
}

const ejson = vectors('ejson.json')

test('shared Extended JSON vectors decode to the described values', { skip: !ejson && 'tests/vectors/ejson.json missing' }, () => {
  let checked = 0
  for (const v of ejson.vectors) {
    if (v.error) {
      assert.throws(
        () => wxcloud.decode([v.input]),
        (e) => e instanceof wxcloud.WxCloudError && e.code === 'WXCLOUD_DECODE',
        `${v.name}: must fail with WXCLOUD_DECODE`,
      )
    } else {
      const [actual] = wxcloud.decode([v.input])
      check(actual, v.expect, v.name)
    }
    checked++
  }
  assert.ok(checked >= 10, `only ${checked} vectors`)
})

const seedRecords = vectors('ejson-seed-records.json')

test('the seed records decode with coordinates as numbers and key order kept', { skip: !seedRecords && 'missing' }, () => {
  const records = wxcloud.decode(seedRecords)
  assert.equal(records.length, 4)
  for (const [i, r] of records.entries()) {
    assert.deepEqual(Object.keys(r), Object.keys(JSON.parse(seedRecords[i])))
    assert.ok(r.location.coordinates.every((c) => typeof c === 'number'))
  }
})

test('decode rejects a truncated record with WXCLOUD_DECODE', () => {
  assert.throws(() => wxcloud.decode(['{"a": 1']), (e) => e instanceof wxcloud.WxCloudError && e.code === 'WXCLOUD_DECODE')
})

test('decode takes an array of strings: anything else is WXCLOUD_DECODE, never a crash', () => {
  const isDecode = (e) => e instanceof wxcloud.WxCloudError && e.code === 'WXCLOUD_DECODE'
  for (const bad of ['{"a": 1}', 42, null, undefined, { length: 1, 0: '{}' }]) {
    assert.throws(() => wxcloud.decode(bad), isDecode, String(bad))
  }
  for (const bad of [[1], ['{}', null], ['{}', Buffer.from('{}')]]) {
    assert.throws(() => wxcloud.decode(bad), isDecode, String(bad))
  }
  // A getter that throws is a decode error too, and leaves no exception pending.
  const hostile = ['{}']
  Object.defineProperty(hostile, 1, { get() { throw new Error('boom') }, enumerable: true })
  assert.throws(() => wxcloud.decode(hostile), isDecode)
  assert.deepEqual(wxcloud.decode(['{"a": 1}']), [{ a: 1 }])
})

test('decode of a batch longer than one chunk of text keeps every record and patch in place', () => {
  const strings = Array.from({ length: 3000 }, (_, i) =>
    JSON.stringify({ i, s: 'x'.repeat(100 + (i % 7)), d: { $date: { $numberLong: String(i) } }, n: { $numberLong: '9007199254740993' } }),
  )
  const decoded = wxcloud.decode(strings)
  assert.equal(decoded.length, 3000)
  decoded.forEach((r, i) => {
    assert.equal(r.i, i)
    assert.equal(r.s.length, 100 + (i % 7))
    assert.deepEqual(r.d, new Date(i))
    assert.equal(r.n, 9007199254740993n)
  })
})

let emulator
let client
before(async () => {
  emulator = new wxcloud.Emulator()
  await emulator.start()
  client = emulator.client()
  await client.createCollection('typed')
})
after(() => emulator.stop())

test('JavaScript values round-trip through a write and a read', async () => {
  const doc = {
    int: 42,
    negative: -7,
    double: 1.5,
    whole_double_stays_number: 2.0,
    big_in_range: 2n ** 40n,
    date: new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 678)),
    regex: /^ab+c$/im,
    nested: { z: 1, a: [1, 'two', null, true, { deep: 'x' }] },
    str: 'line\u2028sep "quotes" \\ and ); db.collection("x").remove(',
    skipped: undefined,
  }
  const [id] = await client.add('typed', doc)
  const { data } = await client.query('typed', { where: { _id: id } })
  const back = data[0]
  assert.deepEqual(Object.keys(back), ['_id', ...Object.keys(doc).filter((k) => k !== 'skipped')])
  assert.equal(back.int, 42)
  assert.equal(back.negative, -7)
  assert.equal(back.double, 1.5)
  assert.equal(back.whole_double_stays_number, 2)
  assert.equal(back.big_in_range, 2 ** 40)
  assert.ok(back.date instanceof Date)
  assert.equal(back.date.toISOString(), '2020-01-02T03:04:05.678Z')
  assert.ok(back.regex instanceof RegExp)
  assert.equal(back.regex.source, '^ab+c$')
  assert.equal(back.regex.flags, 'im')
  assert.deepEqual(back.nested, { z: 1, a: [1, 'two', null, true, { deep: 'x' }] })
  assert.equal(back.str, doc.str)
  assert.equal(await client.count('typed'), 1, 'the string was stored as a literal, not run')
})

test('filters take Dates and BigInts the same way', async () => {
  await client.add('typed', [{ at: new Date(1000), n: 5n }, { at: new Date(3000), n: 6n }])
  assert.equal(await client.count('typed', { where: { at: { $gt: new Date(2000) } } }), 1)
  assert.equal(await client.count('typed', { where: { n: 5n } }), 1)
})

test('values a statement cannot hold reject the Promise before anything is sent', async () => {
  const before = await client.count('typed')
  const pending = client.add('typed', { f: () => 1 })
  assert.ok(pending instanceof Promise, 'bad arguments reject; they do not throw synchronously')
  const err = await rejectsWith(pending, 'WXCLOUD_STATEMENT')
  assert.match(err.message, /docs\.f: a function is not a value/)
  await rejectsWith(client.query('typed', { orderBy: [['a', 'sideways']] }), 'WXCLOUD_STATEMENT')
  await rejectsWith(client.updateIndex('typed', { create: [{ name: 'x', keys: [{ name: 'a', direction: 7 }] }] }), 'WXCLOUD_INVALID_REQUEST')
  assert.equal(await client.count('typed'), before)
})

test('a function, a symbol, a huge BigInt or a cycle is a WXCLOUD_STATEMENT error', () => {
  const refused = (v) =>
    assert.throws(() => wxcloud.statements.add('c', { v }), (e) => e instanceof wxcloud.WxCloudError && e.code === 'WXCLOUD_STATEMENT', typeof v)
  refused(() => 1)
  refused(Symbol('s'))
  refused(2n ** 70n)
  const cycle = {}
  cycle.self = cycle
  refused(cycle)
  let deep = 1
  for (let i = 0; i < 200; i++) deep = { a: deep }
  refused(deep)
  refused(new Date(NaN))
  refused({ $numberDecimal: '1.10' }) // Decimal128 has no spelling in the statement language
})

test('a record key named __proto__ stays an own property and pollutes nothing', () => {
  const [r] = wxcloud.decode(['{"__proto__": {"x": {"$date": {"$numberLong": "5"}}}, "a": {"$numberLong": "9007199254740993"}}'])
  assert.deepEqual(Object.keys(r), ['__proto__', 'a'])
  assert.equal(Object.getPrototypeOf(r), Object.prototype)
  assert.ok(Object.getOwnPropertyDescriptor(r, '__proto__').value.x instanceof Date)
  assert.equal(r.a, 9007199254740993n)
  assert.equal({}.x, undefined)
})

test('non-finite doubles, binary and regexes inside arrays land at their paths', () => {
  const [r] = wxcloud.decode([
    '{"v": [{"$numberDouble": "NaN"}, {"$numberDouble": "-Infinity"}, {"$binary": {"base64": "aGk=", "subType": "00"}}, {"k": {"$regularExpression": {"pattern": "a+", "options": "ix"}}}], "z": {"$numberDouble": "-0.0"}}',
  ])
  assert.ok(Number.isNaN(r.v[0]))
  assert.equal(r.v[1], -Infinity)
  assert.equal(r.v[2].toString(), 'hi')
  assert.equal(r.v[3].k.source, 'a+')
  assert.equal(r.v[3].k.flags, 'i')
  assert.ok(Object.is(r.z, -0))
})

test('keys are data: a key that looks like code is a key, duplicates and integer keys behave as in JSON.parse', () => {
  const hostile = '"}),globalThis.__wxcloudPwned=1,({"'
  const text = JSON.stringify({ [hostile]: 1, b: 2, 7: 3 }).replace('"b":2', '"b":2,"b":4')
  const [decoded] = wxcloud.decode([text])
  assert.equal(globalThis.__wxcloudPwned, undefined)
  assert.deepEqual(decoded, JSON.parse(text))
  assert.deepEqual(Object.keys(decoded), Object.keys(JSON.parse(text)))
  // The same shape again, now from its compiled builder.
  assert.deepEqual(wxcloud.decode([text, text]), [JSON.parse(text), JSON.parse(text)])
})

test('documents of more shapes than are kept are built as well', () => {
  const strings = Array.from({ length: 1500 }, (_, i) => JSON.stringify({ [`k${i}`]: i, n: { $numberLong: String(i) } }))
  const decoded = wxcloud.decode(strings)
  decoded.forEach((r, i) => assert.deepEqual(r, { [`k${i}`]: i, n: i }))
  const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`w${i}`, i]))
  assert.deepEqual(wxcloud.decode([JSON.stringify(wide)]), [wide])
})
