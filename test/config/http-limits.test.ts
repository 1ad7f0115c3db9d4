import t from 'tap'
import { ConfigError } from '../../src/errors.js'
import { defaultHttpLimits, loadServeConfig } from '../../src/config/serve-config.js'
import { serverOptions } from '../../src/http/listeners/limits.js'

t.test('HTTP listener limits: safe defaults from the option table', async (t) => {
  t.same(defaultHttpLimits(), { maxHeaderSize: 8192, headersTimeoutMs: 5000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5000, maxConnections: 2048 })
  t.same(serverOptions(defaultHttpLimits()), { maxHeaderSize: 8192, headersTimeout: 5000, connectionsCheckingInterval: 1000 })
})

t.test('HTTP listener limits: flags and SIDECAR_ variables', async (t) => {
  const { config } = loadServeConfig(['--http-max-header-size', '2048', '--http-headers-timeout', '500ms'],
    { SIDECAR_HTTP_REQUEST_TIMEOUT: '2s', SIDECAR_HTTP_KEEP_ALIVE_TIMEOUT: '1s', SIDECAR_HTTP_MAX_CONNECTIONS: '64' })
  t.same(config.http, { maxHeaderSize: 2048, headersTimeoutMs: 500, requestTimeoutMs: 2000, keepAliveTimeoutMs: 1000, maxConnections: 64 })
  t.equal(serverOptions(config.http).connectionsCheckingInterval, 250, 'timeouts are checked often enough to hold them')
})

t.test('HTTP listener limits: every problem reported at once', async (t) => {
  const err = t.throws(() => loadServeConfig(['--http-max-header-size', '100', '--http-max-connections', '0', '--http-headers-timeout', '20s'], {})) as ConfigError
  t.ok(err instanceof ConfigError)
  t.match(err.problems, [/--http-max-header-size: 100 is below the minimum 1024/, /--http-max-connections: 0 is below the minimum 1/, /--http-headers-timeout \(20000ms\) must not exceed --http-request-timeout \(10000ms\)/])
})
