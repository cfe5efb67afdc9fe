'use strict'
// Loads the native addon. The generated `native.js` (napi-rs's loader) looks for a `.node` file
// next to it (a source checkout after `npm run build`) and then for this platform's package,
// `wxcloud-<platform>` (an optional dependency of `wxcloud`, one per prebuilt target). When
// neither loads, napi-rs's own message does not say which package is missing; the error thrown
// here names it, the command that installs it, and the targets that have one.

const { version, napi } = require('./package.json')

const ARCHES = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm' }
const SYSTEMS = { linux: 'linux', apple: 'darwin', windows: 'win32', freebsd: 'freebsd' }

/** napi-rs's platform suffix for a Rust target triple: `x86_64-unknown-linux-gnu` → `linux-x64-gnu`. */
function suffixOfTriple(triple) {
  const [arch, vendor, system, abi] = triple.split('-')
  const os = SYSTEMS[system] || SYSTEMS[vendor] || system
  const suffix = `${os}-${ARCHES[arch] || arch}`
  return os === 'linux' || os === 'win32' ? `${suffix}-${abi}` : suffix
}

/** Whether this Linux process runs on musl (Alpine) rather than glibc. */
function isMusl() {
  try {
    return !process.report.getReport().header.glibcVersionRuntime
  } catch {
    return false
  }
}

/** napi-rs's platform suffix of this process: `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`, ... */
function currentSuffix(platform = process.platform, arch = process.arch) {
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

/** The error to throw when no addon loaded: which package to install, or that none is prebuilt. */
function missingAddonError(cause, suffix = currentSuffix()) {
  const prebuilt = napi.targets.map(suffixOfTriple)
  const pkg = `wxcloud-${suffix}`
  let message
  if (!prebuilt.includes(suffix)) {
    message =
      `wxcloud has no prebuilt native addon for ${suffix} (prebuilt: ${prebuilt.join(', ')}). ` +
      'Build it from source with a Rust toolchain: see "From source" in the README.'
  } else if (isResolvable(pkg)) {
    message =
      `wxcloud's native addon package ${pkg} is installed but did not load: ` +
      `${cause && cause.message ? cause.message : cause}. ` +
      `Reinstall it with \`npm install ${pkg}@${version}\`.`
  } else {
    message =
      `wxcloud's native addon for ${suffix} is not installed. Install it with ` +
      `\`npm install ${pkg}@${version}\` (npm installs it with wxcloud as an optional dependency, ` +
      'unless optional dependencies were omitted, e.g. --omit=optional, or package-lock.json was ' +
      'made on another platform).'
  }
  const error = new Error(message)
  error.code = 'WXCLOUD_NATIVE_ADDON'
  error.package = pkg
  error.cause = cause
  return error
}

function isResolvable(pkg) {
  try {
    require.resolve(`${pkg}/package.json`)
    return true
  } catch {
    return false
  }
}

/** The loaded addon, or a {@link missingAddonError}. */
function loadNative() {
  try {
    return require('./native.js')
  } catch (cause) {
    throw missingAddonError(cause)
  }
}

module.exports = { loadNative, missingAddonError, suffixOfTriple, currentSuffix }
