'use strict'
// Shared by the test files: an emulator per file and its HTTP test hooks.
const path = require('node:path')
const fs = require('node:fs')

const wxcloud = require('..')

const vectorsDir = path.join(__dirname, '..', '..', 'tests', 'vectors')

/** A shared vector file, parsed; null when that vector set does not exist. */
function vectors(name) {
  const file = path.join(vectorsDir, name)
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null
}

/** Calls one of the emulator's test hooks (`/__emulator/...`). */
async function hook(emulator, method, hookPath, body) {
  const res = await fetch(`${emulator.baseUrl}/__emulator/${hookPath}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`hook ${hookPath}: HTTP ${res.status} ${await res.text()}`)
  const text = await res.text()
  return text ? JSON.parse(text) : null
}

const stats = (emulator) => hook(emulator, 'GET', 'stats')
const fault = (emulator, spec) => hook(emulator, 'POST', 'faults', spec)
const expireTokens = (emulator) => hook(emulator, 'POST', 'tokens/expire')
const reset = (emulator) => hook(emulator, 'POST', 'reset')

/** Sum of token fetches over every token endpoint. */
function tokenFetches(s) {
  return Object.values(s.token_fetches || {}).reduce((a, b) => a + b, 0)
}

function requests(s, p) {
  return (s.requests || {})[p] || 0
}

/** Asserts `promise` rejects with a WxCloudError of `code`; returns the error. */
async function rejectsWith(promise, code) {
  try {
    await promise
  } catch (e) {
    if (!(e instanceof wxcloud.WxCloudError)) throw new Error(`expected a WxCloudError, got ${e && e.stack}`)
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`)
    return e
  }
  throw new Error(`expected a rejection with ${code}, but it resolved`)
}

module.exports = { wxcloud, vectors, hook, stats, fault, expireTokens, reset, tokenFetches, requests, rejectsWith }
