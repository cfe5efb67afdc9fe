'use strict'
// The loader's side of the platform packages: every target in package.json has its
// npm/<platform>/ package, and a missing addon names the package to install.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { missingAddonError, suffixOfTriple, currentSuffix } = require('../loader.js')
const pkg = require('../package.json')

test('every napi target has its platform package in npm/, named as the loader expects', () => {
  for (const triple of pkg.napi.targets) {
    const suffix = suffixOfTriple(triple)
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'npm', suffix, 'package.json'), 'utf8'))
    assert.equal(manifest.name, `wxcloud-${suffix}`)
    assert.equal(manifest.version, pkg.version)
    assert.equal(manifest.main, `wxcloud.${suffix}.node`)
  }
  assert.equal(suffixOfTriple('x86_64-unknown-linux-gnu'), 'linux-x64-gnu')
  assert.equal(suffixOfTriple('aarch64-apple-darwin'), 'darwin-arm64')
  assert.equal(suffixOfTriple('x86_64-pc-windows-msvc'), 'win32-x64-msvc')
})

test('a missing platform package is named, with the command that installs it', () => {
  const err = missingAddonError(new Error('Cannot find native binding'), 'linux-arm64-musl')
  assert.equal(err.code, 'WXCLOUD_NATIVE_ADDON')
  assert.equal(err.package, 'wxcloud-linux-arm64-musl')
  assert.match(err.message, new RegExp(`npm install wxcloud-linux-arm64-musl@${pkg.version.replace(/\./g, '\\.')}`))
  assert.equal(err.cause.message, 'Cannot find native binding')
})

test('a platform without a prebuilt package lists the ones there are', () => {
  const err = missingAddonError(new Error('no'), 'linux-riscv64-gnu')
  assert.match(err.message, /no prebuilt native addon for linux-riscv64-gnu/)
  assert.match(err.message, /linux-x64-gnu, .*win32-x64-msvc/)
  assert.match(err.message, /from source/)
})

test('this process has a prebuilt target (the one the suite runs on)', () => {
  assert.ok(pkg.napi.targets.map(suffixOfTriple).includes(currentSuffix()), currentSuffix())
})
