'use strict'
// The wxcloud package: the native addon (loaded by the generated `native.js`) plus the few
// pieces that belong on the JavaScript side — the `WxCloudError` class every error is an
// instance of, `Symbol.asyncDispose` on `Emulator` for `await using`, the redacted
// `util.inspect` of download links and credentials, and (database.js) `client.database()` and
// `client.iterate()`.

const native = require('./loader.js').loadNative()

/**
 * The one error class of the package. `code` is a stable string to switch on
 * (`WXCLOUD_TOKEN`, `WXCLOUD_NOT_FOUND`, ...); `errcode` and `errmsg` are the service's own,
 * verbatim, when it returned one; `cosCode` is cloud storage's (`SignatureDoesNotMatch`, ...).
 * Messages never contain an access token or a secret.
 */
class WxCloudError extends Error {
  constructor(message, details = {}) {
    super(message)
    Object.defineProperty(this, 'name', { value: 'WxCloudError', enumerable: false, configurable: true, writable: true })
    this.code = details.code
    this.kind = details.kind
    if (details.errcode !== undefined) this.errcode = details.errcode
    if (details.errmsg !== undefined) this.errmsg = details.errmsg
    if (details.hint !== undefined) this.hint = details.hint
    if (details.cosCode !== undefined) this.cosCode = details.cosCode
  }
}

native.__registerErrorClass(WxCloudError)
require('./database.js').install(native, WxCloudError)

if (typeof Symbol.asyncDispose === 'symbol' && !native.Emulator.prototype[Symbol.asyncDispose]) {
  Object.defineProperty(native.Emulator.prototype, Symbol.asyncDispose, {
    value: function asyncDispose() {
      return this.stop()
    },
    configurable: true,
    writable: true,
  })
}

// `console.log` / `util.inspect` of what `downloadUrls` and `qcloudToken` resolve to hides the
// link's signature (its query) and the secret key and token, as the core's `Debug` does; the
// values themselves stay plain data (`JSON.stringify` and property access see everything).
const inspect = Symbol.for('nodejs.util.inspect.custom')
const REDACTED = '** redacted **'

function inspectLink(depth, options, show) {
  const query = this.url.indexOf('?')
  return show({ ...this, url: query === -1 ? this.url : `${this.url.slice(0, query)}?${REDACTED}` }, options)
}

function inspectCredentials(depth, options, show) {
  return show({ ...this, secretKey: REDACTED, token: REDACTED }, options)
}

function withInspect(value, fn) {
  return Object.defineProperty(value, inspect, { value: fn, enumerable: false, configurable: true })
}

const { downloadUrls, qcloudToken } = native.Client.prototype
Object.defineProperties(native.Client.prototype, {
  downloadUrls: {
    value: async function (...args) {
      return (await downloadUrls.apply(this, args)).map((link) => withInspect(link, inspectLink))
    },
    configurable: true,
    writable: true,
  },
  qcloudToken: {
    value: async function (...args) {
      return withInspect(await qcloudToken.apply(this, args), inspectCredentials)
    },
    configurable: true,
    writable: true,
  },
})

module.exports = {
  Client: native.Client,
  Emulator: native.Emulator,
  WxCloudError,
  decode: native.decode,
  statements: native.statements,
  nativeVersion: native.nativeVersion,
  __napiBindingTarget: native.__napiBindingTarget,
}
