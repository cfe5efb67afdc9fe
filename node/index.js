'use strict'
// The wxcloud package: the native addon (loaded by the generated `native.js`) plus the few
// pieces that belong on the JavaScript side — the `WxCloudError` class every error is an
// instance of, and `Symbol.asyncDispose` on `Emulator` for `await using`.

const native = require('./loader.js').loadNative()

/**
 * The one error class of the package. `code` is a stable string to switch on
 * (`WXCLOUD_TOKEN`, `WXCLOUD_NOT_FOUND`, ...); `errcode` and `errmsg` are the service's own,
 * verbatim, when it returned one. Messages never contain an access token or a secret.
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
  }
}

native.__registerErrorClass(WxCloudError)

if (typeof Symbol.asyncDispose === 'symbol' && !native.Emulator.prototype[Symbol.asyncDispose]) {
  Object.defineProperty(native.Emulator.prototype, Symbol.asyncDispose, {
    value: function asyncDispose() {
      return this.stop()
    },
    configurable: true,
    writable: true,
  })
}

module.exports = {
  Client: native.Client,
  Emulator: native.Emulator,
  WxCloudError,
  decode: native.decode,
  statements: native.statements,
  nativeVersion: native.nativeVersion,
  __napiBindingTarget: native.__napiBindingTarget,
}
