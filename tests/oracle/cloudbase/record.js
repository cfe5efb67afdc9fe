#!/usr/bin/env node
// What the official serializer makes of a statement: a test oracle nobody here wrote.
//
// Usage: node tests/oracle/cloudbase/record.js < statements.jsonl
//
// Reads JSON lines {"statement": "..."} on stdin and writes one JSON line per statement:
//   {"ok": true, "sends": [{"action": "database.aggregateDocuments", "params": {...}}]}
//   {"ok": false, "error": "message"}
// Each statement is evaluated with `db` (an @cloudbase/database Db), `_` (= db.command) and
// `$` (= db.command.aggregate) in scope, the Db's request class replaced by a recorder, so
// nothing is sent anywhere. Params that the SDK sends as Extended JSON strings (query, data,
// order, projection, each aggregate stage) are parsed back into JSON, still in canonical
// Extended JSON form ({"$numberInt": "1"}), so the SDK's number typing stays visible. An
// aggregate stage is written {"$match": <its argument>}.
//
// Two adapters, because the HTTP API's statements are in the mini-program SDK's syntax:
// - add, update and set take {data: X} there; @cloudbase/database 1.4 takes X itself, so the
//   recorder unwraps an argument whose only key is `data` before the SDK sees it;
// - db.Geo.Point(lng, lat) etc. are factories there; here they are classes needing `new`, so
//   db.Geo holds factories that construct the SDK's own classes.
'use strict'

const readline = require('readline')
const path = require('path')

const sdk = require(path.join(__dirname, 'node_modules', '@cloudbase', 'database'))
const { Db, Query, CollectionReference, DocumentReference } = sdk

let sends = []

class Recorder {
  constructor(config) {
    this.config = config
  }

  send(action, params) {
    sends.push({ action, params: decodeParams(action, params) })
    // A reply shaped enough for the SDK's post-processing not to throw.
    return Promise.resolve({ requestId: 'recorded', data: { list: [], insertedIds: [], total: 0 } })
  }
}

Db.reqClass = Recorder

function unwrapData(proto, method) {
  const original = proto[method]
  proto[method] = function (arg, ...rest) {
    if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) {
      const keys = Object.keys(arg)
      if (keys.length === 1 && keys[0] === 'data') {
        return original.call(this, arg.data, ...rest)
      }
    }
    return original.call(this, arg, ...rest)
  }
}
unwrapData(CollectionReference.prototype, 'add')
unwrapData(Query.prototype, 'update')
unwrapData(DocumentReference.prototype, 'update')
unwrapData(DocumentReference.prototype, 'set')

const JSON_PARAMS = ['query', 'data', 'order', 'projection']

function decodeParams(action, params) {
  const out = {}
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue
    if (key === 'stages') {
      out.stages = value.map(({ stageKey, stageValue }) => ({ [stageKey]: JSON.parse(stageValue) }))
    } else if (key === 'data' && Array.isArray(value)) {
      out.data = value.map((s) => JSON.parse(s))
    } else if (JSON_PARAMS.includes(key) && typeof value === 'string') {
      out[key] = JSON.parse(value)
    } else {
      out[key] = value
    }
  }
  return out
}

const db = new Db({ env: 'oracle' })
const classes = db.Geo
db.Geo = {}
for (const name of Object.keys(classes)) {
  const Class = classes[name]
  db.Geo[name] = typeof Class === 'function' ? (...args) => new Class(...args) : Class
}
// Direct eval in strict mode: leading `const X = ...;` declarations stay local, and the value
// is the last expression's (the chain's promise).
const evaluate = new Function('db', '_', '$', '__statement', '"use strict"; return eval(__statement)')

async function record(statement) {
  sends = []
  try {
    const result = evaluate(db, db.command, db.command.aggregate, statement)
    if (result && typeof result.then === 'function') {
      await result
    }
  } catch (err) {
    return { ok: false, error: String((err && err.message) || err) }
  }
  if (sends.length === 0) {
    return { ok: false, error: 'the statement sent no request' }
  }
  return { ok: true, sends }
}

async function main() {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  for await (const line of lines) {
    if (!line.trim()) continue
    let reply
    try {
      const { statement } = JSON.parse(line)
      reply = await record(statement)
    } catch (err) {
      reply = { ok: false, error: 'bad input line: ' + err.message }
    }
    process.stdout.write(JSON.stringify(reply) + '\n')
  }
}

// The SDK warns on merges it cannot do; keep stdout for replies only.
console.warn = (...args) => process.stderr.write(args.map(String).join(' ') + '\n')
console.log = console.warn

main().catch((err) => {
  process.stderr.write(String(err && err.stack) + '\n')
  process.exit(1)
})
