import t from 'tap'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { EmqxHttp } from '../../src/emqx/http.js'
import { startDouble } from '../support/emqx-double.js'

t.test('the node status fallback is re-examined: an EMQX that gains the rebalance API is used for drains', async (t) => {
  const oss = await startDouble(t, { profile: 'oss' })
  const { config } = loadServeConfig(['--emqx-url', oss.url], {})
  const c = new EmqxClient(config.emqx, new EmqxHttp(config.emqx), { fallbackRecheckMs: 0 })
  t.teardown(() => c.close())
  await c.check()
  t.match((await c.check()).detected, { mode: 'node_status' }, 'open-source EMQX: fallback, after two clean rounds')
  const port = oss.port
  await oss.close()
  // the same address now runs an edition with the rebalance API (an upgrade)
  await startDouble(t, { profile: 'v5', port })
  t.match((await c.check()).detected, { version: 'v5', mode: 'rebalance' }, 'rebalance API found on the re-check')
})

t.test('without the re-check interval elapsed the fallback is kept (one request per check)', async (t) => {
  const oss = await startDouble(t, { profile: 'oss' })
  const { config } = loadServeConfig(['--emqx-url', oss.url], {})
  const c = new EmqxClient(config.emqx)
  t.teardown(() => c.close())
  await c.check()
  await c.check()
  const before = oss.totalRequests
  const r = await c.check()
  t.equal(r.detected, undefined)
  t.equal(oss.totalRequests - before, 1)
})
