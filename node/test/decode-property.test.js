'use strict'
// Property test: random documents written as canonical and relaxed Extended JSON decode back to
// the same JavaScript values through the one-pass decoder (`decode` and the client's reads share
// it). A seeded generator, so a failure is repeatable; bounded, so the suite stays fast.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { wxcloud } = require('./helpers')

const CASES = 300
const MAX_SAFE = 2n ** 53n - 1n

/** mulberry32: a small seeded generator. */
function generator(seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1))
  const pick = (xs) => xs[int(0, xs.length - 1)]
  return { next, int, pick }
}

const ALPHABET = [...'az09 _-"\\/\n\t\u00e9\u00ff\u4e2d\u6587\u2028', '\u{1f600}']

function text(g, most = 8) {
  let s = ''
  for (let i = g.int(0, most); i > 0; i--) s += g.pick(ALPHABET)
  return s
}

/** Keys that are neither wrapper keys nor integer-like (V8 orders those first). */
const key = (g) => 'k' + text(g, 5)

const j = JSON.stringify
const wrap = (k, v) => `{${j(k)}:${v}}`

/** A random scalar: [canonical text, relaxed text, the JavaScript value decode gives]. */
function scalar(g) {
  switch (g.int(0, 13)) {
    case 0:
      return ['null', 'null', null]
    case 1: {
      const b = g.next() < 0.5
      return [String(b), String(b), b]
    }
    case 2: {
      const n = g.int(-(2 ** 31), 2 ** 31 - 1)
      return [wrap('$numberInt', j(String(n))), String(n), n]
    }
    case 3: {
      const n = BigInt.asIntN(64, (BigInt(g.int(0, 2 ** 32 - 1)) << 32n) | BigInt(g.int(0, 2 ** 32 - 1)))
      const js = n >= -MAX_SAFE && n <= MAX_SAFE ? Number(n) : n
      return [wrap('$numberLong', j(String(n))), String(n), js]
    }
    case 4: {
      const d = g.pick([0, -0, 1.5, 113, 1e300, -2.5e-300, 5e-324, Infinity, -Infinity, NaN, (g.next() - 0.5) * 1e6])
      const name = Number.isNaN(d) ? 'NaN' : Object.is(d, -0) ? '-0.0' : String(d)
      const canonical = wrap('$numberDouble', j(name))
      if (!Number.isFinite(d)) return [canonical, canonical, d]
      const relaxed = Object.is(d, -0) ? '-0.0' : Number.isInteger(d) && !name.includes('e') ? `${name}.0` : name
      return [canonical, relaxed, d]
    }
    case 5: {
      const s = text(g, 20)
      return [j(s), j(s), s]
    }
    case 6: {
      const d = g.pick(['1.10', '-0', '12345678901234567890', '1E+10', '0.001'])
      return [wrap('$numberDecimal', j(d)), wrap('$numberDecimal', j(d)), d]
    }
    case 7: {
      const ms = g.int(-62135596800000, 253402300799999)
      const canonical = wrap('$date', wrap('$numberLong', j(String(ms))))
      const relaxed = ms >= 0 ? wrap('$date', j(new Date(ms).toISOString())) : canonical
      return [canonical, relaxed, new Date(ms)]
    }
    case 8: {
      let hex = ''
      for (let i = 0; i < 24; i++) hex += '0123456789abcdef'[g.int(0, 15)]
      return [wrap('$oid', j(hex)), wrap('$oid', j(hex)), hex]
    }
    case 9: {
      const bytes = Buffer.from(Array.from({ length: g.int(0, 8) }, () => g.int(0, 255)))
      const subType = g.pick(['00', '04', '80'])
      const t = wrap('$binary', `{"base64":${j(bytes.toString('base64'))},"subType":${j(subType)}}`)
      return [t, t, bytes]
    }
    case 10: {
      const pattern = g.pick(['a+b', '^x.*$', '[0-9]{2}', '\u4e2d|"q"', ''])
      const options = g.pick(['', 'i', 'ims', 'm', 'su'])
      const t = wrap('$regularExpression', `{"pattern":${j(pattern)},"options":${j(options)}}`)
      return [t, t, new RegExp(pattern, options)]
    }
    case 11: {
      const ts = { t: g.int(0, 2 ** 32 - 1), i: g.int(0, 2 ** 32 - 1) }
      const t = wrap('$timestamp', j(ts))
      return [t, t, { $timestamp: ts }]
    }
    case 12:
      return ['{"$minKey":1}', '{"$minKey":1}', { $minKey: 1 }]
    default:
      return ['{"$maxKey":1}', '{"$maxKey":1}', { $maxKey: 1 }]
  }
}

function value(g, depth) {
  if (depth >= 4 || g.next() < 0.6) return scalar(g)
  if (g.next() < 0.5) {
    const items = Array.from({ length: g.int(0, 5) }, () => value(g, depth + 1))
    return [`[${items.map((i) => i[0]).join(',')}]`, `[${items.map((i) => i[1]).join(',')}]`, items.map((i) => i[2])]
  }
  return document(g, depth + 1)
}

function document(g, depth = 0) {
  const entries = new Map()
  for (let n = g.int(0, 6); n > 0; n--) entries.set(key(g), value(g, depth))
  const side = (i) => `{${[...entries].map(([k, v]) => `${j(k)}:${v[i]}`).join(',')}}`
  const js = {}
  for (const [k, v] of entries) js[k] = v[2]
  return [side(0), side(1), js]
}

/** Key order, all the way down (deepStrictEqual ignores it). */
function keyOrder(v) {
  if (Array.isArray(v)) return v.map(keyOrder)
  if (v && Object.getPrototypeOf(v) === Object.prototype) return Object.entries(v).map(([k, x]) => [k, keyOrder(x)])
  return null
}

test('random documents decode back from canonical and relaxed text', () => {
  const g = generator(20261204)
  for (let c = 0; c < CASES; c++) {
    const [canonical, relaxed, want] = document(g)
    const [a, b] = wxcloud.decode([canonical, relaxed])
    assert.deepStrictEqual(a, want, `case ${c}: ${canonical}`)
    assert.deepStrictEqual(b, want, `case ${c}: ${relaxed}`)
    assert.deepStrictEqual(keyOrder(a), keyOrder(want), `case ${c}: key order`)
  }
})

test('a bad record among good ones fails the batch with WXCLOUD_DECODE and its position', () => {
  assert.throws(
    () => wxcloud.decode(['{"a":1}', '{"a":{"$numberLong":"x"}}']),
    (e) => e instanceof wxcloud.WxCloudError && e.code === 'WXCLOUD_DECODE' && /line 1 column \d+/.test(e.message),
  )
})
