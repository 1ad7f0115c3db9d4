import t, { type Test } from 'tap'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { startDouble } from '../support/emqx-double.js'

// EMQX closes its kept-alive connections when it restarts; the next GET on one fails with a reset.
// The client retries a GET once on a fresh connection (emqx/http.ts) and never more than once.
const AVAILABILITY = '/api/v5/load_rebalance/availability_check'

async function warmClient (t: Test, url: string): Promise<EmqxClient> {
  const c = new EmqxClient(loadServeConfig(['--emqx-url', url, '--emqx-api-version', 'v5'], {}).config.emqx)
  t.teardown(async () => { await c.close() })
  t.same((await c.check()).outcome, { kind: 'available' }, 'a first check opens the kept-alive connection')
  return c
}

t.test('a GET reset once is retried on a fresh connection: the check succeeds', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const c = await warmClient(t, sim.url)
  await sim.setFault('reset', { path: 'availability', times: 1 })
  t.same((await c.check()).outcome, { kind: 'available' })
  t.equal(sim.count(AVAILABILITY), 3, 'the first check, the reset request and its retry')
  t.same((await c.check()).outcome, { kind: 'available' }, 'and the next check is normal')
})

t.test('a retry reset as well is a reset failure, after exactly one retry', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const c = await warmClient(t, sim.url)
  await sim.setFault('reset', { path: 'availability', times: 2 })
  t.match((await c.check()).outcome, { kind: 'failure', reason: 'reset' })
  t.equal(sim.count(AVAILABILITY), 3, 'one retry, not a loop')
})
