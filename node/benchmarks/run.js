'use strict'
// Benchmark: wxcloud against what a Node user would write by hand, on the same 1,000-record
// replies.
//
//   end to end: client.query(collection, {limit: 1000})
//               vs fetch(POST /tcb/databasequery) + JSON.parse + bson's EJSON.parse per record,
//               against a canned server (canned-server.js, its own process, the same reply body
//               every time: no server work timed) and against the emulator (real work per reply)
//   decoding:   wxcloud.decode(strings) vs strings.map(EJSON.parse) vs strings.map(JSON.parse)
//
// Run after a release build: `npm run build && node benchmarks/run.js [rounds]`.
// Contenders run in interleaved rounds (fair on a shared machine); prints each one's median and
// best round, then the speed-ups (how many times faster wxcloud is, from the medians).

const { fork } = require('node:child_process')
const os = require('node:os')
const path = require('node:path')
const { EJSON } = require('bson')
const wxcloud = require('..')

const RECORDS = 1000
const ROUNDS = Number(process.argv[2] || 40)

/** A record of the seed's shape, with a date and a few numbers. */
function record(i) {
  return {
    location: { type: 'Point', coordinates: [113 + i / 1000, 23 + i / 1000] },
    done: i % 2 === 0,
    description: `study cloud database ${i}`,
    due: new Date(Date.UTC(2019, 8, 9) + i * 60000),
    tags: ['cloud', 'database', `t${i % 7}`],
    priority: i % 5,
    score: i * 1.25,
  }
}

/**
 * Runs the contenders in interleaved rounds (each round runs every contender once, in turn), so
 * that on a shared machine each sees the same load; returns each contender's median seconds.
 */
async function interleaved(rounds, contenders) {
  const times = contenders.map(() => [])
  for (const [, fn] of contenders) for (let i = 0; i < 3; i++) await fn()
  for (let r = 0; r < rounds; r++) {
    for (const [k, [, fn]] of contenders.entries()) {
      const start = process.hrtime.bigint()
      await fn()
      times[k].push(Number(process.hrtime.bigint() - start) / 1e9)
    }
  }
  return contenders.map(([name], k) => {
    const sorted = times[k].sort((a, b) => a - b)
    const median = sorted[Math.floor(sorted.length / 2)]
    console.log(JSON.stringify({ name, rounds, median_ms: +(median * 1e3).toFixed(3), best_ms: +(sorted[0] * 1e3).toFixed(3) }))
    return median
  })
}

async function main() {
  const emulator = new wxcloud.Emulator()
  await emulator.start()
  try {
    const client = emulator.client()
    await client.createCollection('bench')
    for (let i = 0; i < RECORDS; i += 250) {
      await client.add('bench', Array.from({ length: 250 }, (_, k) => record(i + k)))
    }

    // The hand-written path: a token from stable_token, then POST the statement.
    const tokenReply = await fetch(`${emulator.baseUrl}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credential', appid: emulator.appid, secret: emulator.secret }),
    }).then((r) => r.json())
    const body = JSON.stringify({ env: emulator.env, query: wxcloud.statements.query('bench', { limit: RECORDS }) })
    const byHandAt = (base, token) => async () => {
      const url = `${base}/tcb/databasequery?access_token=${token}`
      const reply = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.json())
      if (reply.errcode !== 0) throw new Error(reply.errmsg)
      const data = reply.data.map((s) => EJSON.parse(s, { relaxed: true }))
      if (data.length !== RECORDS) throw new Error(`got ${data.length} records`)
      return data
    }
    const withClient = (c) => async () => {
      const page = await c.query('bench', { limit: RECORDS })
      if (page.data.length !== RECORDS) throw new Error(`got ${page.data.length} records`)
      return page.data
    }
    const byHand = byHandAt(emulator.baseUrl, tokenReply.access_token)
    const withWxcloud = withClient(client)

    // The canned server replies with exactly what the emulator replied.
    const cannedBody = await fetch(`${emulator.baseUrl}/tcb/databasequery?access_token=${tokenReply.access_token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }).then((r) => r.text())
    const server = fork(path.join(__dirname, 'canned-server.js'))
    const port = await new Promise((resolve) => {
      server.once('message', resolve)
      server.send(cannedBody)
    })
    const canned = `http://127.0.0.1:${port}`
    const cannedClient = new wxcloud.Client({ appid: 'wxcanned', secret: 's', env: emulator.env, baseUrl: canned, accessToken: 'canned-token' })
    const [cannedWx, cannedHand] = await interleaved(ROUNDS, [
      ['canned server: wxcloud client.query, 1000 records', withClient(cannedClient)],
      ['canned server: fetch + JSON.parse + bson EJSON.parse per record', byHandAt(canned, 'canned-token')],
    ])
    server.disconnect()

    const rawClient = emulator.client({ raw: true })
    const [e2eWx, e2eHand, e2eRaw] = await interleaved(ROUNDS, [
      ['end-to-end: wxcloud client.query, 1000 records', withWxcloud],
      ['end-to-end: fetch + JSON.parse + bson EJSON.parse per record', byHand],
      ['end-to-end: wxcloud raw mode (no decoding: the emulator and HTTP alone)', () => rawClient.query('bench', { limit: RECORDS })],
    ])

    const strings = (await emulator.client({ raw: true }).query('bench', { limit: RECORDS })).data
    const [decWx, decEjson, decJson] = await interleaved(ROUNDS * 3, [
      ['decode: wxcloud.decode(1000 strings)', () => wxcloud.decode(strings)],
      ['decode: bson EJSON.parse per record', () => strings.map((s) => EJSON.parse(s, { relaxed: true }))],
      ['decode: JSON.parse per record (types not restored)', () => strings.map((s) => JSON.parse(s))],
    ])

    console.log(
      JSON.stringify({
        load_average: +os.loadavg()[0].toFixed(1),
        canned_server_speedup_vs_fetch_ejson: +(cannedHand / cannedWx).toFixed(2),
        end_to_end_speedup_vs_fetch_ejson: +(e2eHand / e2eWx).toFixed(2),
        decoding_share_of_wxcloud_end_to_end: +((e2eWx - e2eRaw) / e2eWx).toFixed(2),
        decoding_speedup_within_end_to_end: +((e2eHand - e2eRaw) / (e2eWx - e2eRaw)).toFixed(2),
        decode_speedup_vs_ejson_parse: +(decEjson / decWx).toFixed(2),
        decode_speedup_vs_json_parse: +(decJson / decWx).toFixed(2),
      }),
    )
  } finally {
    await emulator.stop()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
