'use strict'
// statements.*: the shared statement vectors, and user values never spliced in as code.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { wxcloud, vectors } = require('./helpers')

const { statements } = wxcloud
const set = vectors('statements.json')

/** Runs one vector case through `statements.*`, the Node way of spelling its input. */
function write(c) {
  const i = c.input || {}
  switch (c.op) {
    case 'query':
      return statements.query(c.collection, { where: i.where, orderBy: i.order_by, skip: i.skip, limit: i.limit, fields: i.fields })
    case 'count':
      return statements.count(c.collection, { where: i.where })
    case 'aggregate':
      return statements.aggregate(c.collection, i.pipeline || [])
    case 'add':
      return statements.add(c.collection, i.docs !== undefined ? i.docs : i.doc)
    case 'update':
      return statements.update(c.collection, i.where, i.data)
    case 'delete':
      return statements.delete(c.collection, i.where)
    default:
      throw new Error(`unknown op ${c.op}`)
  }
}

test('shared statement vectors', { skip: !set && 'tests/vectors/statements.json missing' }, () => {
  let checked = 0
  for (const c of set.cases) {
    if (c.rust_only) continue
    if (c.error !== undefined) {
      assert.throws(
        () => write(c),
        (e) => e instanceof wxcloud.WxCloudError && e.code === 'WXCLOUD_STATEMENT' && e.message.includes(c.error),
        `${c.name}: expected a WXCLOUD_STATEMENT error mentioning ${JSON.stringify(c.error)}`,
      )
    } else {
      assert.equal(write(c), c.expect, c.name)
    }
    checked++
  }
  assert.ok(checked >= 20, `only ${checked} cases ran`)
})

test('a hostile string stays a string literal', () => {
  const s = statements.query('users', { where: { name: '"}); db.collection("users").remove(); ({"' } })
  assert.equal(s, 'db.collection("users").where({"name": "\\"}); db.collection(\\"users\\").remove(); ({\\""}).get()')
})

test('orderBy accepts 1/-1 and one bare pair', () => {
  assert.equal(statements.query('u', { orderBy: [['a', -1], ['b', 1]] }), 'db.collection("u").orderBy("a", "desc").orderBy("b", "asc").get()')
  assert.equal(statements.query('u', { orderBy: ['a', 'desc'] }), 'db.collection("u").orderBy("a", "desc").get()')
  assert.throws(() => statements.query('u', { orderBy: [['a', 'up']] }), (e) => e.code === 'WXCLOUD_STATEMENT')
})

test('dates and regexes are written as statement values', () => {
  assert.equal(
    statements.count('u', { where: { at: { $lt: new Date(1000) }, name: /^a/i } }),
    'db.collection("u").where({"at": db.command.lt(new Date(1000)), "name": db.RegExp({"regexp": "^a", "options": "i"})}).count()',
  )
})
