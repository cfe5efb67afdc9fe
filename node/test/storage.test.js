'use strict'
// File storage through the client against the in-process emulator: uploads from Buffers, paths
// and Readable streams, downloads, links, deletes, temporary credentials — and the bad input
// refused before anything is sent.
const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')
const { Readable } = require('node:stream')

const { wxcloud, stats, fault, requests, rejectsWith } = require('./helpers')

const MB = 1024 * 1024

let emulator
let client
let dir
let big

const cloudPath = (name) => `node-tests/${crypto.randomUUID().slice(0, 10)}/${name}`
const sha = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex')
const sibling = (fileId, name) => fileId.slice(0, fileId.lastIndexOf('/') + 1) + name

test.before(async () => {
  emulator = new wxcloud.Emulator()
  await emulator.start()
  client = emulator.client({ maxRetries: 0 })
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxcloud-node-storage-'))
  big = crypto.randomBytes(20 * MB)
})

test.after(async () => {
  await emulator.stop()
  fs.rmSync(dir, { recursive: true, force: true })
})

test('upload resolves to a cloud file ID and downloadFile gives the bytes back', async () => {
  const fileId = await client.uploadFile(cloudPath('hello.txt'), Buffer.from('hello, storage'))
  assert.ok(fileId.startsWith(`cloud://${client.env}.`), fileId)
  assert.ok(fileId.endsWith('/hello.txt'), fileId)
  const bytes = await client.downloadFile(fileId)
  assert.ok(Buffer.isBuffer(bytes))
  assert.equal(bytes.toString(), 'hello, storage')
})

test('a Uint8Array uploads like a Buffer', async () => {
  const fileId = await client.uploadFile(cloudPath('u8.bin'), new Uint8Array([0, 1, 2, 255]))
  assert.deepEqual([...(await client.downloadFile(fileId))], [0, 1, 2, 255])
})

test('20 MB from a Buffer round-trips', async () => {
  const fileId = await client.uploadFile(cloudPath('big-buffer.bin'), big)
  assert.equal(sha(await client.downloadFile(fileId)), sha(big))
})

test('20 MB from a path round-trips', async () => {
  const local = path.join(dir, 'big.bin')
  fs.writeFileSync(local, big)
  const fileId = await client.uploadFile(cloudPath('big-path.bin'), local)
  assert.equal(sha(await client.downloadFile(fileId)), sha(big))
})

test('20 MB from a Readable is streamed chunk by chunk', async () => {
  const local = path.join(dir, 'big-stream.bin')
  fs.writeFileSync(local, big)
  let chunks = 0
  let largest = 0
  const counted = fs.createReadStream(local, { highWaterMark: 256 * 1024 }).map((chunk) => {
    chunks += 1
    largest = Math.max(largest, chunk.length)
    return chunk
  })
  const fileId = await client.uploadFile(cloudPath('big-stream.bin'), counted)
  assert.equal(sha(await client.downloadFile(fileId)), sha(big))
  assert.ok(chunks >= 80, `read in ${chunks} chunks`)
  assert.ok(largest <= 256 * 1024)
})

test('a Readable of strings and an async generator upload too', async () => {
  const fromStrings = await client.uploadFile(cloudPath('s.txt'), Readable.from(['héllo', ' ', 'world']))
  assert.equal((await client.downloadFile(fromStrings)).toString(), 'héllo world')
  async function* parts() {
    yield Buffer.from('a')
    yield new Uint8Array([98])
  }
  const fromGenerator = await client.uploadFile(cloudPath('g.txt'), parts())
  assert.equal((await client.downloadFile(fromGenerator)).toString(), 'ab')
})

test('a stream that fails aborts the upload with a WxCloudError', async () => {
  const failing = new Readable({
    read() {
      this.destroy(new Error('disk on fire'))
    },
  })
  const e = await client.uploadFile(cloudPath('fail.bin'), failing).then(
    () => assert.fail('resolved'),
    (err) => err,
  )
  assert.ok(e instanceof wxcloud.WxCloudError, String(e))
  assert.match(e.message, /disk on fire/)
})

test('downloadUrls keeps input order and reports a missing file in its own entry', async () => {
  const first = await client.uploadFile(cloudPath('one.txt'), Buffer.from('one'))
  const third = await client.uploadFile(cloudPath('three.txt'), Buffer.from('three'))
  const missing = sibling(first, 'not-there.txt')
  const links = await client.downloadUrls([first, missing, third], { maxAge: 120 })
  assert.deepEqual(links.map((l) => l.fileId), [first, missing, third])
  assert.deepEqual(links.map((l) => l.status === 0), [true, false, true])
  assert.ok(links[1].errmsg)
  assert.equal(links[1].url, '')
  // The links serve the bytes, as a browser or a Mini Program would fetch them.
  assert.equal(await (await fetch(links[0].url)).text(), 'one')
  assert.equal(await (await fetch(links[2].url)).text(), 'three')
})

test('downloadUrls of more IDs than one call takes', async () => {
  const base = await client.uploadFile(cloudPath('x.txt'), Buffer.from('x'))
  const ids = [base, ...Array.from({ length: 119 }, (_, i) => sibling(base, `missing-${i}.txt`))]
  const links = await client.downloadUrls(ids)
  assert.deepEqual(links.map((l) => l.fileId), ids)
  assert.equal(links[0].status, 0)
  assert.ok(links.slice(1).every((l) => l.status !== 0))
})

test('deleteFiles reports each file and the file is gone', async () => {
  const fileId = await client.uploadFile(cloudPath('doomed.txt'), Buffer.from('bye'))
  const missing = sibling(fileId, 'never-was.txt')
  const results = await client.deleteFiles([fileId, missing])
  assert.deepEqual(results.map((r) => r.fileId), [fileId, missing])
  assert.equal(results[0].status, 0)
  await rejectsWith(client.downloadFile(fileId), 'WXCLOUD_NOT_FOUND')
})

test('qcloudToken gives temporary credentials', async () => {
  const creds = await client.qcloudToken(1800)
  assert.ok(creds.secretId && creds.secretKey && creds.token)
  assert.ok(Number.isInteger(creds.expiredTime) && creds.expiredTime > 0)
})

test('every call returns a Promise', () => {
  const calls = [
    client.invokeFunction('f'),
    client.uploadFile(cloudPath('p.txt'), Buffer.from('p')),
    client.downloadFile('cloud://nope'),
    client.downloadUrls([]),
    client.deleteFiles([]),
    client.qcloudToken(),
  ]
  for (const p of calls) {
    assert.ok(p instanceof Promise)
    p.catch(() => {})
  }
  return Promise.allSettled(calls)
})

test('a COS XML refusal is a typed error carrying the COS code', async () => {
  const probe = await client.uploadFile(cloudPath('probe.txt'), Buffer.from('p'))
  const bucket = probe.split('/')[2].split('.').slice(1).join('.')
  const xml = "<?xml version='1.0'?><Error><Code>SignatureDoesNotMatch</Code><Message>bad signature</Message></Error>"
  const target = cloudPath('refused.txt')
  await fault(emulator, { path: `/cos/${bucket}/${target}`, status: 403, body: xml, times: 1 })
  const e = await rejectsWith(client.uploadFile(target, Buffer.from('data')), 'WXCLOUD_ACCESS_DENIED')
  assert.equal(e.cosCode, 'SignatureDoesNotMatch')
})

// ---------------------------------------------------------------- bad input, refused before sending

async function nothingSent(fn) {
  const before = requests(await stats(emulator), '/tcb/uploadfile')
  await fn()
  assert.equal(requests(await stats(emulator), '/tcb/uploadfile'), before)
}

test('a local path that does not exist is refused', () =>
  nothingSent(async () => {
    const e = await rejectsWith(client.uploadFile(cloudPath('x'), path.join(dir, 'nope.bin')), 'WXCLOUD_INVALID_REQUEST')
    assert.match(e.message, /nope\.bin/)
  }))

test('a source of the wrong type is refused', () =>
  nothingSent(async () => {
    for (const bad of [42, null, undefined, {}, [1, 2], new Float64Array(2), () => 'x', true]) {
      const e = await rejectsWith(client.uploadFile(cloudPath('x'), bad), 'WXCLOUD_INVALID_REQUEST')
      assert.match(e.message, /Buffer, a Uint8Array, a path string or a Readable/, util.inspect(bad))
    }
  }))

test('an empty cloud path or one with .. is refused', () =>
  nothingSent(async () => {
    for (const bad of ['', 'a/../b.txt', '../up.txt', 'a/..']) {
      await rejectsWith(client.uploadFile(bad, Buffer.from('data')), 'WXCLOUD_INVALID_REQUEST')
    }
  }))

test('a link age or credential lifespan under a second is refused', async () => {
  for (const maxAge of [0, -1, Number.NaN]) {
    await rejectsWith(client.downloadUrls(['cloud://x.y/z'], { maxAge }), 'WXCLOUD_INVALID_REQUEST')
  }
  await rejectsWith(client.qcloudToken(0), 'WXCLOUD_INVALID_REQUEST')
})

// ---------------------------------------------------------------- redaction

test('inspecting links and credentials shows no signature or secret', async () => {
  const fileId = await client.uploadFile(cloudPath('shown.txt'), Buffer.from('s'))
  const [link] = await client.downloadUrls([fileId])
  const query = new URL(link.url).search.slice(1)
  const shown = util.inspect(link)
  assert.ok(!shown.includes(query), shown)
  assert.ok(shown.includes(fileId) && shown.includes('redacted'), shown)
  assert.deepEqual(Object.keys(link).sort(), ['errmsg', 'fileId', 'status', 'url'])
  assert.equal(JSON.parse(JSON.stringify(link)).url, link.url)

  const creds = await client.qcloudToken()
  const printed = util.inspect(creds)
  for (const secret of [creds.secretKey, creds.token]) assert.ok(!printed.includes(secret), printed)
  assert.ok(printed.includes(creds.secretId), printed)
})

test('errors reveal no link signature', async () => {
  const fileId = await client.uploadFile(cloudPath('secret.txt'), Buffer.from('s'))
  const [link] = await client.downloadUrls([fileId])
  const query = new URL(link.url).search.slice(1)
  assert.ok(query, 'a download link is signed')
  const e = await rejectsWith(client.downloadFile(`${fileId}.missing`), 'WXCLOUD_NOT_FOUND')
  const shown = `${e.message} ${util.inspect(e)} ${JSON.stringify(e)}`
  assert.ok(!shown.includes(query), shown)
  for (const [, value] of new URLSearchParams(query)) {
    if (value.length >= 8) assert.ok(!shown.includes(value), shown)
  }
})
