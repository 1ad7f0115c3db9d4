import t from 'tap'
import { describeConfig, loadServeConfig } from '../../src/config/serve-config.js'
import { ConfigError } from '../../src/errors.js'

const TOKEN = 'a-long-enough-token-1234'

t.test('admin endpoints are off without a token; evacuation defaults are EMQX\'s', async (t) => {
  const { config } = loadServeConfig([], {})
  t.equal(config.admin, undefined)
  t.equal(config.drainFile, undefined)
  t.same(config.evacuation, { settings: { waitHealthCheckS: 60, connEvictRate: 500, sessEvictRate: 500, waitTakeoverS: 60, migrateTo: [] }, timeoutMs: 300_000, stopOnStart: false, ack: { enabled: true, graceMs: 1000, expectCheckers: 0, baselineMs: 15_000 } })
})

t.test('token from the environment or a file; a separate listener; the token never printed', async (t) => {
  const files: Record<string, string> = { '/run/secrets/admin': `${TOKEN}\n` }
  const { config, parsed } = loadServeConfig(['--admin-port', '9185', '--drain-file', '/etc/drain'], { SIDECAR_ADMIN_TOKEN_FILE: '/run/secrets/admin' }, (p) => files[p] ?? '')
  t.equal(config.admin?.token.reveal(), TOKEN)
  t.same(config.admin?.listen, { host: '127.0.0.1', port: 9185 }, 'loopback by default')
  t.equal(config.drainFile, '/etc/drain')
  t.notMatch(JSON.stringify(describeConfig(config)), TOKEN)
  t.match(describeConfig(config), { admin: { token: '[REDACTED]' } })
  t.match(parsed.warnings, [/no EMQX credentials/])
})

t.test('evacuation settings', async (t) => {
  const { config } = loadServeConfig(['--wait-health-check', '10s', '--evacuation-wait-takeover', '1m', '--evacuation-conn-evict-rate', '100',
    '--evacuation-redirect-to', 'mqtt.example:1883', '--evacuation-migrate-to', 'emqx@a, emqx@b', '--evacuation-timeout', '2m'], {})
  t.same(config.evacuation, { settings: { waitHealthCheckS: 10, connEvictRate: 100, sessEvictRate: 500, waitTakeoverS: 60, redirectTo: 'mqtt.example:1883', migrateTo: ['emqx@a', 'emqx@b'] }, timeoutMs: 120_000, stopOnStart: false, ack: { enabled: true, graceMs: 1000, expectCheckers: 0, baselineMs: 15_000 } })
})

t.test('every admin/evacuation problem in one message, no token in it', async (t) => {
  const err = t.throws(() => loadServeConfig(['--admin-host', '0.0.0.0', '--wait-health-check', '1500ms', '--evacuation-migrate-to', 'nodename', '--evacuation-conn-evict-rate', '0'], { SIDECAR_ADMIN_TOKEN: 'short secret' })) as ConfigError
  t.type(err, ConfigError)
  t.match(err.problems, [
    /evacuation-conn-evict-rate: 0 is below the minimum 1/,
    /admin token is shorter than 16 characters/,
    /admin token contains whitespace/,
    /--admin-host is set but --admin-port is not/,
    /"nodename" is not an EMQX node name/,
    /wait-health-check: EMQX takes whole seconds/,
  ])
  t.notMatch(err.message, /short secret/)
  const e2 = t.throws(() => loadServeConfig(['--admin-port', '9183'], {})) as ConfigError
  t.match(e2.problems, [/no admin token/])
  const e3 = t.throws(() => loadServeConfig(['--admin-port', '9183'], { SIDECAR_ADMIN_TOKEN: TOKEN })) as ConfigError
  t.match(e3.problems, [/--admin-port and --port both listen on port 9183 \(0\.0\.0\.0 and 127\.0\.0\.1 overlap\)/])
})

t.test('acknowledged evacuation settings: flags and SIDECAR_ variables', async (t) => {
  const { config } = loadServeConfig(['--evacuation-ack', 'off', '--evacuation-ack-grace', '2500ms', '--expect-checkers', '3'], {})
  t.same(config.evacuation.ack, { enabled: false, graceMs: 2500, expectCheckers: 3, baselineMs: 15_000 })
  const env = loadServeConfig([], { SIDECAR_EVACUATION_ACK: 'off', SIDECAR_EXPECT_CHECKERS: '2' }).config
  t.same(env.evacuation.ack, { enabled: false, graceMs: 1000, expectCheckers: 2, baselineMs: 15_000 })
  const err = t.throws(() => loadServeConfig(['--evacuation-ack', 'maybe', '--expect-checkers', '-1'], {})) as ConfigError
  t.match(err.problems, [/evacuation-ack/, /expect-checkers/])
})
