'use strict'
// Errors and tokens: codes for every failure kind, one token fetch for a burst, one refresh
// after expiry, no repeated writes, and no secret in any message or stack.
const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const { wxcloud, stats, fault, expireTokens, reset, tokenFetches, requests, rejectsWith, vectors } = require('./helpers')

let emulator
let client
const seen = []

/** Collects every error so the last test can check none leaks a credential. */
async function failing(promise, code) {
  const err = await rejectsWith(promise, code)
  seen.push(err)
  return err
}

before(async () => {
  emulator = new wxcloud.Emulator({ seed: true })
  await emulator.start()
})
after(() => emulator.stop())
beforeEach(async () => {
  await reset(emulator)
  client = emulator.client({ maxRetries: 2 })
})

test('1,000 concurrent calls on a cold cache fetch one token', async () => {
  const calls = Array.from({ length: 1000 }, () => client.count('test_collection'))
  const counts = await Promise.all(calls)
  assert.ok(counts.every((n) => n === 4))
  const s = await stats(emulator)
  assert.equal(tokenFetches(s), 1)
  assert.equal(requests(s, '/tcb/databasecount'), 1000)
})

test('expired tokens cause exactly one refresh for a burst', async () => {
  await client.count('test_collection')
  await expireTokens(emulator)
  const counts = await Promise.all(Array.from({ length: 50 }, () => client.count('test_collection')))
  assert.ok(counts.every((n) => n === 4))
  assert.equal(tokenFetches(await stats(emulator)), 2)
})

test('faults map to the right code', async () => {
  const cases = [
    [{ errcode: -1, times: 10 }, 'WXCLOUD_SERVER_BUSY'],
    [{ errcode: 45009 }, 'WXCLOUD_RATE_LIMIT'],
    [{ errcode: 40097 }, 'WXCLOUD_INVALID_REQUEST'],
    [{ errcode: 40013 }, 'WXCLOUD_ACCESS_DENIED'],
    [{ errcode: -502005 }, 'WXCLOUD_NOT_FOUND'],
    [{ errcode: 123456, errmsg: 'something else' }, 'WXCLOUD_API'],
    [{ errcode: 40001, times: 2 }, 'WXCLOUD_TOKEN'],
    [{ status: 502, body: '<html>bad gateway</html>', times: 10 }, 'WXCLOUD_TRANSPORT'],
  ]
  for (const [spec, code] of cases) {
    await reset(emulator)
    await fault(emulator, { path: '/tcb/databasecount', ...spec })
    const err = await failing(client.count('test_collection'), code)
    if (spec.errcode !== undefined) {
      assert.equal(err.errcode, spec.errcode, code)
      assert.equal(typeof err.errmsg, 'string')
    }
  }
})

test('a stalled reply is WXCLOUD_TIMEOUT', async () => {
  const quick = emulator.client({ timeoutMs: 200, maxRetries: 0 })
  await fault(emulator, { path: '/tcb/databasecount', delay_ms: 2000 })
  await failing(quick.count('test_collection'), 'WXCLOUD_TIMEOUT')
})

test('a transient error on a read is retried', async () => {
  await fault(emulator, { path: '/tcb/databasecount', errcode: -1, times: 2 })
  assert.equal(await client.count('test_collection'), 4)
  assert.equal(requests(await stats(emulator), '/tcb/databasecount'), 3)
})

test('a write is never repeated after the service may have received it', async () => {
  await fault(emulator, { path: '/tcb/databaseadd', errcode: -1 })
  await failing(client.add('test_collection', { x: 1 }), 'WXCLOUD_SERVER_BUSY')
  assert.equal(requests(await stats(emulator), '/tcb/databaseadd'), 1)
  await fault(emulator, { path: '/tcb/databaseadd', drop: true })
  await failing(client.add('test_collection', { x: 2 }), 'WXCLOUD_TRANSPORT')
  assert.equal(requests(await stats(emulator), '/tcb/databaseadd'), 2)
  assert.equal(await client.count('test_collection', { where: { x: { $exists: true } } }), 0)
})

test('a wrong secret is WXCLOUD_TOKEN and the message does not hold the secret', async () => {
  const secret = 'not-the-real-secret-0123456789'
  const bad = emulator.client({ secret })
  const err = await failing(bad.count('test_collection'), 'WXCLOUD_TOKEN')
  assert.ok(!err.message.includes(secret) && !err.stack.includes(secret))
})

test('tokenProvider: an async function is called once for a burst', async () => {
  let calls = 0
  const provider = emulator.client({ secret: 'unused' })
  // Fetch a real token from the emulator's stable_token endpoint, the way a token service would.
  const tokenFromService = async () => {
    calls++
    const res = await fetch(`${emulator.baseUrl}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credential', appid: emulator.appid, secret: emulator.secret }),
    })
    const body = await res.json()
    await new Promise((r) => setTimeout(r, 20))
    return { accessToken: body.access_token, expiresIn: body.expires_in }
  }
  void provider
  const c = new wxcloud.Client({ baseUrl: emulator.baseUrl, env: emulator.env, tokenProvider: tokenFromService })
  const counts = await Promise.all(Array.from({ length: 100 }, () => c.count('test_collection')))
  assert.ok(counts.every((n) => n === 4))
  assert.equal(calls, 1)
})

test('tokenProvider: a sync string, a throw and a rejection', async () => {
  const res = await fetch(`${emulator.baseUrl}/cgi-bin/stable_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credential', appid: emulator.appid, secret: emulator.secret }),
  })
  const token = (await res.json()).access_token
  const sync = new wxcloud.Client({ baseUrl: emulator.baseUrl, env: emulator.env, tokenProvider: () => token })
  assert.equal(await sync.count('test_collection'), 4)

  const throwing = new wxcloud.Client({
    baseUrl: emulator.baseUrl,
    env: emulator.env,
    tokenProvider: () => {
      throw new Error('vault unreachable')
    },
  })
  const e1 = await failing(throwing.count('test_collection'), 'WXCLOUD_TOKEN')
  assert.match(e1.message, /vault unreachable/)

  const rejecting = new wxcloud.Client({ baseUrl: emulator.baseUrl, env: emulator.env, tokenProvider: async () => Promise.reject(new Error('nope')) })
  const e2 = await failing(rejecting.count('test_collection'), 'WXCLOUD_TOKEN')
  assert.match(e2.message, /nope/)

  const wrongShape = new wxcloud.Client({ baseUrl: emulator.baseUrl, env: emulator.env, tokenProvider: async () => 42 })
  await failing(wrongShape.count('test_collection'), 'WXCLOUD_TOKEN')
})

test('a connection refused is WXCLOUD_TRANSPORT', async () => {
  const c = new wxcloud.Client({ baseUrl: 'http://127.0.0.1:9', env: 'e', accessToken: 'fixed-token-abc', maxRetries: 0 })
  const err = await failing(c.count('x'), 'WXCLOUD_TRANSPORT')
  assert.ok(!err.message.includes('fixed-token-abc'))
})

test('configuration mistakes are WxCloudErrors thrown by the constructor', () => {
  const bad = (opts, re) =>
    assert.throws(() => new wxcloud.Client(opts), (e) => e instanceof wxcloud.WxCloudError && e.code === 'WXCLOUD_INVALID_REQUEST' && re.test(e.message))
  bad({ base_url: 'x' }, /unknown option "base_url"/)
  bad({ timeoutMs: -1 }, /timeoutMs/)
  bad({ tokenMode: 'sideways', accessToken: 't', env: 'e' }, /sideways|token mode/i)
})

test('errors are WxCloudError instances with code, errcode and errmsg', async () => {
  const err = await failing(client.count('no_such_collection'), 'WXCLOUD_NOT_FOUND')
  assert.ok(err instanceof Error)
  assert.equal(err.name, 'WxCloudError')
  assert.equal(err.errcode, -502005)
  assert.match(err.errmsg, /no_such_collection/)
  assert.match(String(err), /^WxCloudError: /)
})

const errcodes = vectors('errcodes.json')

test('shared errcode vectors map to the contract codes', { skip: !errcodes && 'tests/vectors/errcodes.json missing' }, async () => {
  const codeOf = {
    Token: 'WXCLOUD_TOKEN',
    Transient: 'WXCLOUD_SERVER_BUSY',
    RateLimit: 'WXCLOUD_RATE_LIMIT',
    InvalidRequest: 'WXCLOUD_INVALID_REQUEST',
    AccessDenied: 'WXCLOUD_ACCESS_DENIED',
    NotFound: 'WXCLOUD_NOT_FOUND',
    Api: 'WXCLOUD_API',
  }
  const list = Array.isArray(errcodes) ? errcodes : errcodes.codes || errcodes.cases || errcodes.vectors || []
  let checked = 0
  for (const v of list) {
    const kind = v.kind || v.database_kind
    if (v.errcode === undefined || !codeOf[kind] || v.endpoint === 'token') continue
    if (kind === 'Token' || kind === 'Transient') continue // retried/refreshed first; covered above
    await reset(emulator)
    await fault(emulator, { path: '/tcb/databasecount', errcode: v.errcode })
    const err = await failing(client.count('test_collection'), codeOf[kind])
    assert.equal(err.errcode, v.errcode)
    checked++
  }
  assert.ok(checked > 0, 'no errcode vector ran')
})

test('no error message or stack holds a token or the secret', () => {
  assert.ok(seen.length >= 10)
  for (const err of seen) {
    for (const text of [err.message, err.stack, JSON.stringify(err)]) {
      assert.ok(!text.includes(emulator.secret), `secret leaked: ${text}`)
      assert.ok(!/access_token=/.test(text), `token leaked: ${text}`)
    }
  }
})

test('a Rust panic becomes an error, not a crashed process', async () => {
  const native = require('../native.js')
  assert.throws(() => native.__panicForTests(), /deliberate panic/)
  await assert.rejects(native.__panicInPromiseForTests(), /panic/i)
  // The process is still here and the addon still works.
  assert.equal(await emulator.client().count('test_collection'), 4)
})
