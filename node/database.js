'use strict'
// `client.database()`: the wx-server-sdk database API over the HTTP API, and `client.iterate()`,
// every record a query matches.
//
// The chain only records what the caller wrote — `[['where', {...}], ['orderBy', 'n', 'desc'],
// ['get']]`, each SDK object (`_.gt(5)`, `$.sum(..)`, `db.RegExp(..)`, `db.Geo.Point(..)`,
// `db.serverDate()`) a plain object tagged `$wxcloud` — and hands it to the Rust core, which
// lowers it the way the SDK's serializer does (the same code the emulator's parser uses),
// writes the statement with every value a literal, and names the call that sends it. This file
// only shapes replies the way wx-server-sdk does (`{data}`, `{total}`, `{stats: {updated}}`, ...).

const TAG = '$wxcloud'

/** An SDK object as the core reads it: `{$wxcloud: tag, args: [...]}`. */
class SdkObject {
  constructor(tag, args) {
    this[TAG] = tag
    this.args = args
  }
}

/** `_.and(a, b)` and `_.and([a, b])` alike. */
function spread(args) {
  return args.length === 1 && Array.isArray(args[0]) ? args[0] : args
}

/** A `db.command` result; chain `.and(..)`, `.or(..)` (and `.gt(..)` etc., meaning `.and`). */
class Command extends SdkObject {
  and(...conditions) {
    return new Command('and', [this, ...spread(conditions)])
  }

  or(...conditions) {
    return new Command('or', [this, ...spread(conditions)])
  }
}
for (const name of ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'nin']) {
  Command.prototype[name] = function chained(value) {
    return this.and(new Command(name, [value]))
  }
}

function unsupported(what, why, WxCloudError) {
  return new WxCloudError(`${what} is not available over the HTTP API: ${why}`, {
    code: 'WXCLOUD_STATEMENT',
    kind: 'Statement',
  })
}

/** `db.command.aggregate.pipeline()...done()`, for `lookup({.., pipeline})`. */
class PipelineBuilder {
  constructor(calls) {
    this._calls = calls
  }

  done() {
    return new SdkObject('pipeline', this._calls)
  }
}

function buildCommand(vocab) {
  const command = {}
  for (const name of vocab.commands) {
    command[name] = (...args) => new Command(name, args)
  }
  const aggregate = {}
  for (const name of vocab.aggregateOperators) {
    aggregate[name] = (...args) => new SdkObject(`aggregate.${name}`, args)
  }
  aggregate.pipeline = () => new PipelineBuilder([])
  for (const stage of vocab.stages) {
    PipelineBuilder.prototype[stage] = function pipelineStage(...args) {
      return new PipelineBuilder([...this._calls, [stage, ...args]])
    }
  }
  command.aggregate = aggregate
  return command
}

function buildGeo(vocab) {
  const geo = {}
  for (const shape of vocab.geoTypes) {
    // Callable with or without `new`, as in wx-server-sdk.
    geo[shape] = function geoShape(...args) {
      return new SdkObject(`Geo.${shape}`, args)
    }
  }
  return geo
}

/** Reads the recorded chain's statement from the core and sends it with the right call. */
async function send(client, native, chain) {
  const { operation, statement } = native.statements.chain(chain)
  return client[operation](statement)
}

/** `where`, `orderBy`, `skip`, `limit`, `field` and the calls that end a query. */
class Query {
  constructor(db, collection, calls) {
    this._db = db
    this._collection = collection
    this._calls = calls
  }

  _then(name, ...args) {
    return new Query(this._db, this._collection, [...this._calls, [name, ...args]])
  }

  _chain(...last) {
    return { collection: this._collection, calls: last.length ? [...this._calls, last] : this._calls }
  }

  _send(...last) {
    return send(this._db._client, this._db._native, this._chain(...last))
  }

  where(condition) {
    return this._then('where', condition)
  }

  orderBy(field, direction) {
    return this._then('orderBy', field, direction)
  }

  skip(n) {
    return this._then('skip', n)
  }

  limit(n) {
    return this._then('limit', n)
  }

  field(projection) {
    return this._then('field', projection)
  }

  /** `{data}`: the matching records. */
  async get() {
    const page = await this._send('get')
    return { data: page.data }
  }

  /** `{total}`: how many records match. */
  async count() {
    const total = await this._send('count')
    return { total }
  }

  /** `{stats: {updated}}`; nested objects in `data` set fields by path, `_.set(..)` replaces. */
  async update(options) {
    const result = await this._send('update', options)
    return { stats: { updated: result.modified } }
  }

  /** `{stats: {removed}}`. */
  async remove() {
    const removed = await this._send('remove')
    return { stats: { removed } }
  }

  /** Every matching record, in pages of up to 1,000 read by key (see `client.iterate`). */
  iterate(options = {}) {
    const client = this._db._client
    const chain = this._chain('get')
    return walk(() => client.__chainPages(chain, options.pageSize))
  }

  watch() {
    throw unsupported('watch()', 'real-time listeners need the mini-program or cloud-function WebSocket channel', this._db._WxCloudError)
  }
}

/** `db.collection(name)`: a query over the whole collection, plus `doc`, `add`, `aggregate`. */
class CollectionReference extends Query {
  constructor(db, name) {
    super(db, name, [])
  }

  doc(id) {
    return new DocumentReference(new Query(this._db, this._collection, [['doc', id]]))
  }

  /** `{_id}` for one record, `{_ids}` for an array. */
  async add(options) {
    const ids = await this._send('add', options)
    const many = options !== null && typeof options === 'object' && Array.isArray(options.data)
    return many ? { _ids: ids } : { _id: ids[0] }
  }

  aggregate() {
    return new Aggregate(new Query(this._db, this._collection, [['aggregate']]))
  }
}

/** `db.collection(name).doc(id)`. */
class DocumentReference {
  constructor(query) {
    this._query = query
  }

  field(projection) {
    return new DocumentReference(this._query.field(projection))
  }

  /** `{data}`: the record, or `null` when there is none. */
  async get() {
    const page = await this._query._send('get')
    return { data: page.data.length ? page.data[0] : null }
  }

  /** `{stats: {updated}}`. */
  update(options) {
    return this._query.update(options)
  }

  /** Replaces the record (creating it if missing): `{_id, stats: {updated, created}}`. */
  async set(options) {
    const result = await this._query._send('set', options)
    const id = this._query._calls[0][1]
    return { _id: result.id ?? id, stats: { updated: result.modified, created: result.id ? 1 : 0 } }
  }

  /** `{stats: {removed}}`. */
  remove() {
    return this._query.remove()
  }

  watch() {
    return this._query.watch()
  }
}

/** `aggregate()` and its stages (`match`, `group`, ... — every stage the core knows), until `end()`. */
class Aggregate {
  constructor(query) {
    this._query = query
  }

  /** `{list}`: the pipeline's output. */
  async end() {
    const list = await this._query._send('end')
    return { list }
  }
}

/** The async generator over a walk's pages, started on first use. */
async function* walk(open) {
  const pages = open()
  for (;;) {
    const page = await pages.nextPage()
    if (page === null) return
    yield* page
  }
}

/** `client.database()`: `collection`, `command`, `RegExp`, `Geo`, `serverDate` as in wx-server-sdk. */
class Database {
  constructor(client, native, WxCloudError, vocab) {
    this._client = client
    this._native = native
    this._WxCloudError = WxCloudError
    this.command = vocab.command
    this.Geo = vocab.geo
  }

  collection(name) {
    return new CollectionReference(this, name)
  }

  /** `db.RegExp({regexp, options})`. */
  RegExp(options) {
    return new SdkObject('RegExp', [options])
  }

  /** `db.serverDate({offset})`: the service's clock when the write runs. */
  serverDate(options) {
    return new SdkObject('serverDate', options === undefined ? [] : [options])
  }

  createCollection(name) {
    return this._client.createCollection(name)
  }

  startTransaction() {
    throw unsupported('startTransaction()', 'transactions are not part of the database HTTP API', this._WxCloudError)
  }

  runTransaction() {
    throw unsupported('runTransaction()', 'transactions are not part of the database HTTP API', this._WxCloudError)
  }
}

/** Adds `database()` and `iterate()` to the native `Client`. */
function install(native, WxCloudError) {
  const names = native.__vocabulary()
  const vocab = { command: buildCommand(names), geo: buildGeo(names) }
  for (const stage of names.stages) {
    Aggregate.prototype[stage] = function aggregateStage(...args) {
      return new Aggregate(this._query._then(stage, ...args))
    }
  }
  Object.defineProperty(native.Client.prototype, 'database', {
    value: function database() {
      return new Database(this, native, WxCloudError, vocab)
    },
    configurable: true,
    writable: true,
  })
  Object.defineProperty(native.Client.prototype, 'iterate', {
    value: function iterate(collection, options = {}) {
      const { pageSize, ...query } = options ?? {}
      return walk(() => this.__queryPages(collection, query, pageSize))
    },
    configurable: true,
    writable: true,
  })
}

module.exports = { install }
