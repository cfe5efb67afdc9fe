'use strict'
// Cloud functions through the client, served by JavaScript functions registered on an
// in-process emulator (`new Emulator({ functions })`).
const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const { wxcloud, stats, requests, rejectsWith } = require('./helpers')

const seen = []
const functions = {
  add: (event) => {
    seen.push(event)
    return { sum: event.a + event.b, caller: event.userInfo.appId }
  },
  echo: async (event) => {
    await new Promise((resolve) => setTimeout(resolve, 5))
    return { echo: event.value }
  },
  throws: (event) => {
    throw new Error(`no luck with ${event.what}`)
  },
  rejects: async () => {
    throw new TypeError('async failure')
  },
  cyclic: () => {
    const a = {}
    a.self = a
    return a
  },
  nothing: () => undefined,
  scalar: () => 42,
  sleeps: () => new Promise((resolve) => setTimeout(() => resolve('late'), 500)),
}

let emulator
let client

test.before(async () => {
  emulator = new wxcloud.Emulator({ functions, functionTimeoutMs: 200 })
  await emulator.start()
  client = emulator.client({ maxRetries: 0 })
})

test.after(async () => {
  await emulator.stop()
})

test('a registered function receives the event and its return value comes back decoded', async () => {
  seen.length = 0
  const reply = await client.invokeFunction('add', { a: 2, b: 40, note: 'héllo' })
  assert.deepEqual(reply, { sum: 42, caller: emulator.appid })
  assert.equal(seen.at(-1).note, 'héllo')
  assert.deepEqual(seen.at(-1).userInfo, { appId: emulator.appid })
})

test('without data the function gets an empty event', async () => {
  seen.length = 0
  const reply = await client.invokeFunction('add')
  assert.deepEqual(Object.keys(seen.at(-1)), ['userInfo'])
  assert.equal(reply.sum, null) // NaN, as JSON.stringify writes it
})

test('async functions and return values of any JSON type', async () => {
  assert.deepEqual(await client.invokeFunction('echo', { value: [1, 'two', { three: 3.5 }] }), { echo: [1, 'two', { three: 3.5 }] })
  assert.equal(await client.invokeFunction('nothing'), null)
  assert.equal(await client.invokeFunction('scalar'), 42)
  const many = await Promise.all([1, 2, 3, 4, 5].map((i) => client.invokeFunction('add', { a: i, b: 1 })))
  assert.deepEqual(many.map((r) => r.sum), [2, 3, 4, 5, 6])
})

test('an unknown function is the error its errcode maps to', async () => {
  const e = await rejectsWith(client.invokeFunction('no_such_function', {}), 'WXCLOUD_INVALID_REQUEST')
  assert.equal(e.errcode, -501000)
  assert.match(e.errmsg, /FunctionName/)
})

test('a throwing, rejecting or unserialisable function gives the service errcode; the process carries on', async () => {
  for (const name of ['throws', 'rejects', 'cyclic']) {
    const e = await rejectsWith(client.invokeFunction(name, { what: 'dice' }), 'WXCLOUD_API')
    assert.equal(e.errcode, -504002, name)
  }
  const e = await rejectsWith(client.invokeFunction('throws', { what: 'dice' }), 'WXCLOUD_API')
  assert.match(e.errmsg, /no luck with dice/)
  assert.equal(await client.invokeFunction('scalar'), 42)
})

test('a function past the time limit is cut with the service errcode', async () => {
  const e = await rejectsWith(client.invokeFunction('sleeps'), 'WXCLOUD_API')
  assert.equal(e.errcode, -504003)
})

test('an event that is not JSON or is over the size limit is refused before anything is sent', async () => {
  const before = requests(await stats(emulator), '/tcb/invokecloudfunction')
  const cyclic = {}
  cyclic.self = cyclic
  for (const bad of [cyclic, { n: 10n }]) {
    const e = await rejectsWith(client.invokeFunction('add', bad), 'WXCLOUD_INVALID_REQUEST')
    assert.match(e.message, /JSON/)
  }
  const e = await rejectsWith(client.invokeFunction('add', { blob: 'x'.repeat(6 * 1024 * 1024 + 1) }), 'WXCLOUD_INVALID_REQUEST')
  assert.match(e.message, /limit/)
  assert.equal(requests(await stats(emulator), '/tcb/invokecloudfunction'), before)
})

test('functions must be functions', () => {
  assert.throws(
    () => new wxcloud.Emulator({ functions: { f: 42 } }),
    (e) => e instanceof wxcloud.WxCloudError && e.code === 'WXCLOUD_INVALID_REQUEST' && /functions\.f/.test(e.message),
  )
})

test('a throwing function does not crash a process, which exits cleanly', () => {
  const script = `
    const wxcloud = require(${JSON.stringify(path.join(__dirname, '..'))})
    ;(async () => {
      const emu = new wxcloud.Emulator({ functions: { boom: () => { throw new Error('boom') } } })
      await emu.start()
      try { await emu.client({ maxRetries: 0 }).invokeFunction('boom') } catch (e) { console.log('errcode', e.errcode) }
      await emu.stop()
      console.log('alive')
    })()
  `
  const done = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60000 })
  assert.equal(done.status, 0, done.stderr)
  assert.deepEqual(done.stdout.trim().split(/\s+/), ['errcode', '-504002', 'alive'])
})
