'use strict'
// The TypeScript example runs, so it cannot rot (tsc --noEmit checks its types in the suite).
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const ts = require('typescript')

/** Transpiles and runs one example; returns its stdout. */
function runExample(name) {
  const source = fs.readFileSync(path.join(__dirname, '..', 'examples', `${name}.ts`), 'utf8')
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  })
  const js = outputText.replace(/require\("wxcloud"\)/g, `require(${JSON.stringify(path.join(__dirname, '..'))})`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxcloud-example-'))
  try {
    const file = path.join(dir, `${name}.js`)
    fs.writeFileSync(file, js)
    return execFileSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, WXCLOUD_ACCESS_TOKEN: '' } })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

test('examples/getting-started.ts runs against the emulator', () => {
  const out = runExample('getting-started')
  assert.match(out, /4 sample records/)
  assert.match(out, /write docs 2030-01-01T00:00:00.000Z/)
  assert.match(out, /missing collection: -502005/)
  assert.match(out, /^true$/m)
  assert.match(out, /^sum 3$/m)
  assert.match(out, /^hello 2 links 2 deleted true$/m)
})

test('examples/from-wx-server-sdk.ts runs the pasted cloud-function code against the emulator', () => {
  const out = runExample('from-wx-server-sdk')
  assert.match(out, /^3 added$/m)
  assert.match(out, /^write docs, learn cloud database$/m)
  assert.match(out, /^updated 2$/m)
  assert.match(out, /^matching 1$/m)
  assert.match(out, /^\[\{"_id":false,"n":2\},\{"_id":true,"n":1\}\]$/m)
  assert.match(out, /^walked 3$/m)
})
