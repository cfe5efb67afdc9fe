// The Redis options: redisUrl as a string or an array of cluster node URLs, redisCaFile; bad
// values throw WxCloudErrors without the password (the Redis behaviour itself is tested in
// Rust against real servers by scripts/suites/redis.sh).
const test = require('node:test')
const assert = require('node:assert/strict')
const wxcloud = require('..')

const PASSWORD = 'hunter2-never-print-me'
const base = { appid: 'wx1', secret: 'secret', env: 'env-1' }

test('every redisUrl form is accepted', () => {
  for (const redisUrl of [
    `rediss://:${PASSWORD}@127.0.0.1:6380/0`,
    `redis://:${PASSWORD}@127.0.0.1:7000,redis://:${PASSWORD}@127.0.0.1:7001`,
    [`redis://:${PASSWORD}@127.0.0.1:7000`, `redis://:${PASSWORD}@127.0.0.1:7001`],
    `redis+sentinel://:${PASSWORD}@127.0.0.1:26379,127.0.0.1:26380/mymaster`,
  ]) {
    assert.ok(new wxcloud.Client({ ...base, redisUrl }))
  }
})

test('a bad redisUrl or redisCaFile throws without the password', () => {
  const bad = (opts, re) =>
    assert.throws(
      () => new wxcloud.Client({ ...base, ...opts }),
      (e) => e instanceof wxcloud.WxCloudError && e.code === 'WXCLOUD_INVALID_REQUEST' && re.test(e.message) && !e.message.includes(PASSWORD),
    )
  bad({ redisUrl: [`redis://:${PASSWORD}@127.0.0.1:7000`, `redis://:${PASSWORD}@[bad`] }, /invalid Redis URL/)
  bad({ redisUrl: `redis+sentinel://:${PASSWORD}@127.0.0.1:26379` }, /primary/)
  bad({ redisUrl: `rediss://:${PASSWORD}@127.0.0.1:6380/#insecure` }, /always verified/)
  bad({ redisUrl: 6379 }, /redisUrl: expected a string or an array of strings/)
  bad({ redisUrl: ['redis://127.0.0.1:7000', 7001] }, /redisUrl: expected a string or an array of strings/)
  bad({ redisUrl: `rediss://:${PASSWORD}@127.0.0.1:6380`, redisCaFile: '/nonexistent/ca.pem' }, /cannot read the Redis CA file/)
})
